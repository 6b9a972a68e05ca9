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

pub use actor::WindowActor;
pub use error::WindowError;
pub use handle::WindowHandle;
pub use host::{Caller, PageHost};
pub use messages::{
    CloseRequested, Command, GeometryChanged, GetWindow, Gone, IpcIn, IpcRefused, Life, Prewarm,
    PushEvent, WindowCommand,
};
pub use page::{is_core_event, PageLink, CORE_EVENT_PREFIXES, MAX_LISTENS, MAX_WATCHES};
pub use spec::{origin_of, resolve_url_at, Window, APP_ORIGIN, WINDOW_STATE_STORE};
// The declaration types live at the UI boundary (the UI thread builds
// windows from them); their old paths keep working.
pub use crate::ui::{ClosePolicy, Corner, Geometry, Placement, WindowSpec};
