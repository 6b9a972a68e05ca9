//! The [`Shutdown`] message: the one thing a domain actor needs to know
//! about the app's ordered exit. A leaf, so `store` and others can handle it
//! without importing `app` (which re-exports it).

use actix::Message;

/// Sent to shutdown subscribers before the app exits; the app waits for the
/// reply (up to the shutdown timeout), so a handler can flush its work.
///
/// ```
/// use actix::prelude::*;
/// use traykit::prelude::*;
///
/// struct Flusher;
/// impl Actor for Flusher { type Context = Context<Self>; }
/// impl Handler<Shutdown> for Flusher {
///     type Result = ();
///     fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) { /* flush */ }
/// }
///
/// let builder = App::builder().setup(|app| {
///     app.on_shutdown(Flusher.start().recipient());
///     Ok(())
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct Shutdown;
