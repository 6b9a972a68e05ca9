//! Closures as subscriber actors.

use actix::prelude::*;

use crate::supervise::guard_callback;

use super::AppHandle;

type CallbackFn<M> = Box<dyn Fn(&AppHandle, &M)>;

/// Turns a closure into a subscriber actor.
pub(crate) struct Callback<M> {
    app: AppHandle,
    f: CallbackFn<M>,
}

impl<M> Callback<M>
where
    M: Message<Result = ()> + Send + 'static,
{
    pub(crate) fn start(app: AppHandle, f: impl Fn(&AppHandle, &M) + 'static) -> Recipient<M> {
        Callback {
            app,
            f: Box::new(f),
        }
        .start()
        .recipient()
    }
}

impl<M: 'static> Actor for Callback<M> {
    type Context = Context<Self>;
}

impl<M> Handler<M> for Callback<M>
where
    M: Message<Result = ()> + Send + 'static,
{
    type Result = ();
    fn handle(&mut self, msg: M, _: &mut Context<Self>) {
        guard_callback(std::any::type_name::<M>(), || (self.f)(&self.app, &msg));
    }
}
