//! Windows: declared early, created on first show, one actor per label.
//!
//! A [`WindowActor`] owns one window's declaration and life cycle
//! (`Closed → Open{visible}`), and is the page's IPC endpoint: it decodes
//! what the page posts, checks capabilities, runs handlers concurrently,
//! and sends responses and events back in batches — one script evaluation
//! per flush, however many messages it carries.

mod actor;
mod error;
mod handle;
mod host;
mod inbox;
mod messages;
mod outbox;
mod page;
mod spec;

pub use error::WindowError;
pub use handle::WindowHandle;
pub use messages::{Life, WindowCommand};
pub use spec::{Window, APP_ORIGIN, WINDOW_STATE_STORE};
// Plumbing of the facade and the updater (actors, their messages, the
// runtime's side of the boundary): public for them, not for apps.
#[doc(hidden)]
pub use actor::WindowActor;
#[doc(hidden)]
pub use host::{Caller, PageHost};
#[doc(hidden)]
pub use messages::{
    CloseRequested, Command, GeometryChanged, GetWindow, Gone, IpcIn, IpcRefused, Prewarm,
    PushEvent,
};
#[doc(hidden)]
pub use page::{is_core_event, PageLink, CORE_EVENT_PREFIXES, MAX_LISTENS, MAX_WATCHES};
#[doc(hidden)]
pub use spec::{origin_of, resolve_url_at};
// The declaration types live at the UI boundary (the UI thread builds
// windows from them); their old paths keep working.
#[doc(hidden)]
pub use crate::ui::WindowSpec;
pub use crate::ui::{ClosePolicy, Corner, Geometry, Placement};
