//! Desktop integration: single instance and `--ctl`, deep links, start at
//! login, global shortcuts, and logs.
//!
//! The actor-side half (the typed messages such as [`SecondInstance`],
//! [`DeepLink`] and [`ShortcutPressed`], the autostart file, the
//! `autostart.*` / `shortcut.*` / `log.write` built-ins and the
//! `DesktopPlugin` that adds them) lives in `traykit-actors` and is
//! re-exported here. This folder is the platform half, which delivers into
//! it. Apps configure both through the builder (`.single_instance(true)`,
//! `.deep_link_scheme("myapp")`, `.logging(…)`, `.on_shortcut(…)`).
//!
//! ```
//! use traykit::desktop::{DeepLink, SecondInstance};
//! use traykit::prelude::*;
//!
//! let builder = App::builder()
//!     .single_instance(true)
//!     .deep_link_scheme("notes")
//!     .on_second_instance(|_app, second: &SecondInstance| println!("again: {:?}", second.args))
//!     .on_deep_link(|_app, link: &DeepLink| println!("open {}", link.url));
//! # let _ = builder;
//! ```
//!
//! # Layout
//! - `instance`: the per-user socket: who is primary (a `flock`), a second
//!   launch handing over, and the primary serving it and `--ctl` calls
//!   (public as [`crate::instance`]).
//! - `integration`: what `run` does for the builder's desktop options,
//!   before boot (logging, `--ctl`, the lock, `--hidden`, deep links in
//!   argv) and after (serve the socket, deliver this launch's deep links).
//! - `logging`: [`LogOptions`](crate::logging::LogOptions), the opt-in
//!   `tracing` subscriber (public as [`crate::logging`]).
//! - `shortcuts`: the `ShortcutBackend` over `global-hotkey` (feature
//!   `shortcuts`); `no_shortcuts` is its stand-in without the feature, which
//!   refuses every call as `Unsupported`.

pub use traykit_actors::desktop::{
    Autostart, AutostartError, DeepLink, PageLogLimits, SecondInstance, ShortcutError,
    ShortcutPressed,
};

// Public modules: `traykit::instance::…` and `traykit::logging::…` are the
// paths apps use (the crate root re-exports them).
pub mod instance;
mod integration;
pub mod logging;
#[cfg(not(feature = "shortcuts"))]
#[path = "no_shortcuts.rs"]
mod shortcuts;
#[cfg(feature = "shortcuts")]
mod shortcuts;

pub(crate) use integration::{prepare, BootPart, Hooks, Options, PrepareError};
pub use integration::{CTL_FLAG, HIDDEN_FLAG};
