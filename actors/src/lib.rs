//! The actors of traykit and the one boundary to the UI thread.
//!
//! This crate has no GUI dependency: the whole actor graph builds, runs and is
//! tested without a display. The `traykit` crate adds the UI thread (tao,
//! tray-icon) behind [`ui::UiPoster`].
//!
//! # Layout
//! Leaves first, then the boundary and the codec, then the domains, then
//! `app` on top (dependencies run that way only; `scripts/check_structure.py`
//! checks it). One line per module:
//! - [`ids`], [`icon`], [`menu`]: validated ids and the plain data trays are
//!   made of.
//! - `error`: [`ActorError`] and [`UiError`], delivery errors shared by all
//!   actors.
//! - `shutdown`: the `Shutdown` message domain actors handle (public as
//!   [`app::Shutdown`]).
//! - [`sync`]: poison-tolerant locks, `Subscribers<M>`, `ask` (send +
//!   timeout + error mapping).
//! - [`supervise`]: panic containment and restart.
//! - [`ui`]: the boundary. [`ui::UiRequest`] (actors → UI thread, answered
//!   on a oneshot with a timeout) and [`ui::UiEvent`] (UI thread → actors).
//! - [`ipc`]: JSON-RPC for pages — codec, `Router<C>`, the one dispatcher,
//!   capabilities, limits, the stable error codes, the capability report.
//! - [`isolation`]: the isolation frame that seals page messages.
//! - [`tray`]: one `TrayActor` per tray icon, owner of its model.
//! - [`window`]: one `WindowActor` per window, its page session and outbox.
//! - [`store`]: persistent key-value stores, one actor per file.
//! - [`notify`]: desktop notifications and their actions.
//! - [`desktop`], [`desktop_entry`]: second instances, deep links,
//!   autostart, global shortcuts, page logs; `.desktop` files.
//! - [`builtins`]: the `window.*`, `tray.*`, `notification.*`, `store.*`,
//!   `app.*` methods every app has, one file per domain.
//! - [`app`]: [`app::AppHandle`], the `Send + Clone` entry to everything,
//!   plugins, and the lifecycle actor that runs the ordered shutdown.
//! - [`headless`]: the recording backends used by `traykit::test`.
//!
//! The `traykit` crate re-exports what apps name, module by module; items
//! here that only the facade's plumbing uses are `#[doc(hidden)]`.

#![warn(unreachable_pub)]

pub mod app;
#[doc(hidden)]
pub mod builtins;
pub mod desktop;
pub mod desktop_entry;
mod error;
pub mod headless;
pub mod icon;
pub mod ids;
pub mod ipc;
pub mod isolation;
pub mod menu;
pub mod notify;
mod shutdown;
pub mod store;
pub mod supervise;
#[doc(hidden)]
pub mod sync;
pub mod tray;
pub mod ui;
pub mod window;

pub use error::{ActorError, UiError};
#[doc(hidden)]
pub use ipc::report;
/// The old name of [`notify`], kept so existing imports still compile.
#[doc(hidden)]
pub use notify as notifier;
