//! The one boundary between the actor world and the UI thread.
//!
//! GTK objects are `!Send` and live on the main thread. Actors never touch
//! them: they hold a [`UiHandle`], which posts a [`UiRequest`] (a closed enum:
//! every UI operation the actors may ask for is listed here) to the UI thread
//! and awaits its answer on a oneshot channel, with a timeout. In the other
//! direction the UI thread turns platform events into [`UiEvent`]s, which
//! The app's `dispatch` (`app.runtime().dispatch`) routes to the owning actor.
//!
//! Invariant: the UI thread never parses, awaits or blocks on an actor; it
//! only carries out requests and forwards events.

mod event;
mod request;
mod spec;

pub use event::{MouseButton, UiEvent};
pub use request::{TraySpec, TrayUpdate, UiRequest, WindowOp};
// Plumbing of the facade and the updater (actors, their messages, the
// runtime's side of the boundary): public for them, not for apps.
#[doc(hidden)]
pub use request::{UiEnvelope, UiHandle, UiPoster, UiReply, UiResponder};
pub use spec::{ClosePolicy, Corner, Geometry, Placement, WindowSpec};
