//! Panic containment for actor handlers.
//!
//! actix runs handlers on its arbiter thread; a panic there would take every
//! actor on that thread down with it. Handlers that can panic (ours, and any
//! user code they call) run inside [`guard`]: the panic is caught, logged with
//! `tracing`, the actor is stopped — a [`actix::Supervisor`] restarts it with
//! the same address and state — and the caller gets
//! [`ActorError::Panicked`] instead of a hang.
//!
//! Guarantees, written down as ractor does:
//! - a caller of a guarded handler always gets an answer: the result, or
//!   `Panicked`; callers through handles also get `Timeout`/`Stopped`;
//! - messages already queued when the actor restarts are handled by the
//!   restarted actor (actix keeps the mailbox); the panicking message is not
//!   retried;
//! - the actor's fields survive the restart (actix reuses the value), and
//!   [`actix::Supervised::restarting`] is where an actor re-syncs derived
//!   state (the tray actor re-sends its model to the UI there).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use actix::{Actor, ActorContext, Context};

use crate::error::ActorError;

/// Runs `f`; if it panics, logs the panic, stops the actor (so its supervisor
/// restarts it) and returns [`ActorError::Panicked`].
///
/// ```
/// use actix::prelude::*;
/// use traykit_actors::{supervise::guard, ActorError};
///
/// struct Parser;
/// impl Actor for Parser { type Context = Context<Self>; }
/// impl Supervised for Parser {}
///
/// #[derive(Message)]
/// #[rtype(result = "Result<usize, ActorError>")]
/// struct Parse(String);
///
/// impl Handler<Parse> for Parser {
///     type Result = Result<usize, ActorError>;
///     fn handle(&mut self, msg: Parse, ctx: &mut Context<Self>) -> Self::Result {
///         guard(ctx, "Parser", "Parse", || msg.0.parse::<usize>().expect("a number"))
///     }
/// }
/// ```
pub fn guard<A, R>(
    ctx: &mut Context<A>,
    actor: &'static str,
    message: &'static str,
    f: impl FnOnce() -> R,
) -> Result<R, ActorError>
where
    A: Actor<Context = Context<A>>,
{
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        tracing::error!(
            actor,
            handling = message,
            panic = %panic_message(payload.as_ref()),
            "handler panicked; restarting the actor"
        );
        ctx.stop();
        ActorError::Panicked { actor, message }
    })
}

/// Runs a user callback that has no actor of its own to restart (menu and
/// notification callbacks). A panic is logged and swallowed so the app keeps
/// running; returns `None` in that case.
pub fn guard_callback<R>(what: &'static str, f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(payload) => {
            tracing::error!(
                callback = what,
                panic = %panic_message(payload.as_ref()),
                "callback panicked; the app keeps running"
            );
            None
        }
    }
}

/// The text of a panic payload, as far as it has one.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix::prelude::*;

    struct Counter {
        handled: usize,
        restarts: usize,
    }
    impl Actor for Counter {
        type Context = Context<Self>;
    }
    impl Supervised for Counter {
        fn restarting(&mut self, _: &mut Context<Self>) {
            self.restarts += 1;
        }
    }

    #[derive(Message)]
    #[rtype(result = "Result<(usize, usize), ActorError>")]
    struct Hit {
        panic: bool,
    }

    impl Handler<Hit> for Counter {
        type Result = Result<(usize, usize), ActorError>;
        fn handle(&mut self, msg: Hit, ctx: &mut Context<Self>) -> Self::Result {
            guard(ctx, "Counter", "Hit", || {
                assert!(!msg.panic, "asked to panic");
                self.handled += 1;
                (self.handled, self.restarts)
            })
        }
    }

    #[actix::test]
    async fn panicking_handler_is_reported_and_actor_restarts_with_same_address() {
        let addr = Supervisor::start(|_| Counter {
            handled: 0,
            restarts: 0,
        });
        assert_eq!(addr.send(Hit { panic: false }).await, Ok(Ok((1, 0))));
        assert_eq!(
            addr.send(Hit { panic: true }).await,
            Ok(Err(ActorError::Panicked {
                actor: "Counter",
                message: "Hit"
            }))
        );
        // Same address, state kept, one restart seen.
        assert_eq!(addr.send(Hit { panic: false }).await, Ok(Ok((2, 1))));
    }

    #[test]
    fn callback_panics_are_contained() {
        assert_eq!(guard_callback("test", || 5), Some(5));
        assert_eq!(guard_callback("test", || -> i32 { panic!("boom") }), None);
    }
}
