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
//!
//! A caught panic is logged once, by whoever caught it, as a `tracing`
//! error — not also by the default panic hook, whose report (with a
//! backtrace under `RUST_BACKTRACE=1`, ~12 KB each) made 8,250 caught handler
//! panics write 105 MB to stderr. [`quietly`] marks the scope; a hook
//! installed once chains to the previous hook for every panic outside it.
//! The logs are rate-limited ([`PanicLog`]): the first few in full, then one
//! line every few seconds counting the ones not logged.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Mutex, Once};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

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
    catch_unwind(AssertUnwindSafe(|| quietly(f))).map_err(|payload| {
        if let Some(unlogged) = log_allowed() {
            tracing::error!(
                actor,
                handling = message,
                panic = %panic_message(payload.as_ref()),
                at = %take_location(),
                unlogged,
                "handler panicked; restarting the actor"
            );
        }
        ctx.stop();
        ActorError::Panicked { actor, message }
    })
}

/// Runs a user callback that has no actor of its own to restart (menu and
/// notification callbacks). A panic is logged and swallowed so the app keeps
/// running; returns `None` in that case.
#[doc(hidden)]
pub fn guard_callback<R>(what: &'static str, f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(|| quietly(f))) {
        Ok(r) => Some(r),
        Err(payload) => {
            if let Some(unlogged) = log_allowed() {
                tracing::error!(
                    callback = what,
                    panic = %panic_message(payload.as_ref()),
                    at = %take_location(),
                    unlogged,
                    "callback panicked; the app keeps running"
                );
            }
            None
        }
    }
}

/// Logs a panic caught in IPC handler `method` (answered -32603), within
/// the rate limit.
#[doc(hidden)]
pub fn log_handler_panic(method: &str, payload: &(dyn Any + Send)) {
    let location = take_location();
    if let Some(unlogged) = log_allowed() {
        tracing::error!(
            method,
            panic = %panic_message(payload),
            at = %location,
            unlogged,
            "IPC handler panicked; answered -32603"
        );
    }
}

thread_local! {
    /// How many [`quietly`] scopes this thread is in.
    static QUIET: Cell<usize> = const { Cell::new(0) };
    /// Where the last quiet panic of this thread happened, for the log line
    /// that replaces the default report.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Installs (once per process) the hook that keeps quiet inside
/// [`quietly`] and hands every other panic to the hook installed before.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) > 0 {
                let at = info.location().map(ToString::to_string);
                LOCATION.with(|l| *l.borrow_mut() = at);
                return;
            }
            previous(info);
        }));
    });
}

/// Runs `f` with the default panic report off on this thread: a panic in
/// `f` is for the caller to catch and log (once, rate-limited). Panics of
/// other threads, and of this one outside `f`, still reach the previous
/// hook.
#[doc(hidden)]
pub fn quietly<R>(f: impl FnOnce() -> R) -> R {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(q.get().saturating_sub(1)));
        }
    }
    install_hook();
    QUIET.with(|q| q.set(q.get() + 1));
    let _leave = Leave;
    f()
}

/// A future polled inside [`quietly`] (an async handler's panic surfaces
/// while it is polled, on whichever poll that is). Plumbing of the IPC
/// router.
#[doc(hidden)]
#[doc(hidden)]
pub struct Quiet<F>(pub F);

impl<F: Future + Unpin> Future for Quiet<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        quietly(|| Pin::new(&mut self.0).poll(cx))
    }
}

fn take_location() -> String {
    LOCATION
        .with(|l| l.borrow_mut().take())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Rate limit of panic logs: the first [`PanicLog::FIRST`] in full, then at
/// most one every [`PanicLog::EVERY`], saying how many were not logged.
/// No timer: the line after a quiet spell carries the count. Plumbing of
/// the panic logging.
#[doc(hidden)]
#[derive(Debug, Default)]
#[doc(hidden)]
pub struct PanicLog {
    logged: usize,
    unlogged: usize,
    last: Option<Instant>,
}

impl PanicLog {
    /// Logged in full before the limit starts.
    pub const FIRST: usize = 10;
    /// At most one line this often after that.
    pub const EVERY: Duration = Duration::from_secs(5);

    /// Whether a panic at `now` is logged; if so, how many before it were
    /// not.
    pub fn allow(&mut self, now: Instant) -> Option<usize> {
        if self.logged < Self::FIRST {
            self.logged += 1;
            self.last = Some(now);
            return Some(0);
        }
        match self.last {
            Some(last) if now.duration_since(last) < Self::EVERY => {
                self.unlogged += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.unlogged))
            }
        }
    }
}

fn log_allowed() -> Option<usize> {
    static LOG: Mutex<PanicLog> = Mutex::new(PanicLog {
        logged: 0,
        unlogged: 0,
        last: None,
    });
    crate::sync::lock(&LOG).allow(Instant::now())
}

/// The text of a panic payload, as far as it has one.
#[doc(hidden)]
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
    fn panic_logs_are_rate_limited() {
        let mut log = PanicLog::default();
        let t0 = Instant::now();
        let s = Duration::from_secs;
        for _ in 0..PanicLog::FIRST {
            assert_eq!(log.allow(t0), Some(0));
        }
        // (time since t0, logged?, unlogged count carried)
        let cases = [
            (s(0), None),
            (s(1), None),
            (s(4), None),
            (s(5), Some(3)),
            (s(6), None),
            (s(20), Some(1)),
            (s(21), None),
        ];
        for (at, want) in cases {
            assert_eq!(log.allow(t0 + at), want, "{at:?}");
        }
    }

    #[test]
    fn quiet_scopes_nest_and_end() {
        quietly(|| {
            quietly(|| assert_eq!(QUIET.with(Cell::get), 2));
            assert_eq!(QUIET.with(Cell::get), 1);
            let caught = catch_unwind(|| quietly(|| panic!("inside")));
            assert!(caught.is_err());
            assert_eq!(QUIET.with(Cell::get), 1, "unwinding left the scope");
        });
        assert_eq!(QUIET.with(Cell::get), 0);
    }

    #[test]
    fn callback_panics_are_contained() {
        assert_eq!(guard_callback("test", || 5), Some(5));
        assert_eq!(guard_callback("test", || -> i32 { panic!("boom") }), None);
    }
}
