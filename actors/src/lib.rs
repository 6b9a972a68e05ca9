//! The actors of traykit and the one boundary to the UI thread.
//!
//! This crate has no GUI dependency: the whole actor graph builds, runs and is
//! tested without a display. The `traykit` crate adds the UI thread (tao,
//! tray-icon) behind [`ui::UiPoster`].
//!
//! # Layout
//! - [`ui`]: the boundary. [`ui::UiRequest`] (actors → UI thread, answered
//!   on a oneshot with a timeout) and [`ui::UiEvent`] (UI thread → actors).
//! - [`app`]: [`app::AppHandle`], the `Send + Clone` entry to everything, and
//!   the lifecycle actor that runs the ordered shutdown.
//! - [`tray`]: one [`tray::TrayActor`] per tray icon, owner of its model.
//! - [`menu`], [`icon`], [`ids`]: the plain data the tray model is made of.
//! - [`notifier`]: desktop notifications and their actions.
//! - [`desktop`], [`desktop_entry`]: second instances, deep links,
//!   autostart, global shortcuts, page logs; `.desktop` files.
//! - [`supervise`]: panic containment and restart.
//! - [`headless`]: the recording backends used by `traykit::test`.
//! - [`error`]: delivery errors shared by all actors.

pub mod app;
pub mod builtins;
pub mod desktop;
pub mod desktop_entry;
pub mod error;
pub mod headless;
pub mod icon;
pub mod ids;
pub mod ipc;
pub mod isolation;
pub mod menu;
pub mod notify;
pub mod shutdown;
pub mod store;
pub mod supervise;
pub mod sync;
pub mod tray;
pub mod ui;
pub mod window;

pub use error::{ActorError, UiError};
pub use ipc::report;
/// The old name of [`notify`], kept so existing imports still compile.
pub use notify as notifier;
