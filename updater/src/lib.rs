//! Background, signed, resumable updates with rollback for traykit apps.
//!
//! ```no_run
//! use traykit::prelude::*;
//! use traykit_updater::{Updater, UpdaterConfig};
//!
//! fn main() -> Result<(), traykit::Error> {
//!     App::builder()
//!         .name("My tray")
//!         // First in the chain: a start during an update's trial hands over
//!         // to the rollback watchdog here.
//!         .plugin(Updater::new(UpdaterConfig::new(
//!             env!("CARGO_PKG_VERSION"),
//!             ["https://releases.example.com/latest.json"],
//!             "dW50cnVzdGVkIGNvbW1lbnQ6…", // include_str!("../updater.pub")
//!         )))
//!         .tray(Tray::new("main").menu(Menu::new().item("update", "Check for updates")))
//!         .on_menu_click(|app, click| {
//!             if click.item == "update" {
//!                 if let Some(updater) = traykit_updater::updater(app) {
//!                     actix::spawn(async move { let _ = updater.check().await; });
//!                 }
//!             }
//!         })
//!         .run()
//! }
//! ```
//!
//! # Layout
//! The API is the items at this crate's root ([`Updater`], [`UpdaterConfig`],
//! [`UpdaterHandle`], [`UpdateEvent`], [`UpdateError`], …). Inside:
//! - `feed`: Tauri's `latest.json` plus channels, rollout, patches.
//! - `signature`: minisign verification against the compiled-in key.
//! - `download`: feed requests and resumable downloads (ureq, blocking).
//! - `github`: GitHub Releases as an alternative source ([`GithubSource`]).
//! - `delta`: bsdiff patches.
//! - `policy`: downgrade protection, bad versions, rollout buckets.
//! - `trial` and `state`: the swap, the health trial, the rollback.
//! - `release`: keys, signing, feed writing (the `traykit-release` CLI).
//! - `UpdaterActor` ([`UpdaterHandle`]): the schedule, status, events.
//!
//! `delta`, `download`, `feed`, `github`, `release`, `signature` and
//! `state` are public but hidden from these docs: the release tool,
//! `traykit new` and the tests use them by path. Do not build on them.

#![warn(unreachable_pub)]

mod actor;
mod config;
mod engine;
mod error;
mod event;
mod policy;
mod trial;

// Plumbing with public paths, for the `traykit-release` tool, `traykit new`
// and the tests (feeds, signatures, patches, HTTP, the state file). Not the
// documented API: apps use the items re-exported below.
#[doc(hidden)]
pub mod delta;
#[doc(hidden)]
pub mod download;
#[doc(hidden)]
pub mod feed;
#[doc(hidden)]
pub mod github;
#[doc(hidden)]
pub mod release;
#[doc(hidden)]
pub mod signature;
#[doc(hidden)]
pub mod state;

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use traykit::app::{Plugin, PluginError, PluginSetup};
use traykit::ipc::{CallContext, RpcError};
use traykit::prelude::AppHandle;

pub use semver;

pub use actor::{Status, UpdaterActor, UpdaterHandle};
pub use config::UpdaterConfig;
pub use download::NetOptions;
pub use engine::Installed;
pub use error::UpdateError;
pub use event::{DeltaReport, UpdateEvent, UpdateInfo};
pub use github::GithubSource;

/// Where the app's updater handle lives (managed state).
struct UpdaterSlot(Arc<OnceLock<UpdaterHandle>>);

/// The app's updater, once booted (`None` without the [`Updater`] plugin).
///
/// ```no_run
/// # fn f(app: &traykit::prelude::AppHandle) {
/// if let Some(updater) = traykit_updater::updater(app) {
///     actix::spawn(async move { let _ = updater.check().await; });
/// }
/// # }
/// ```
pub fn updater(app: &AppHandle) -> Option<UpdaterHandle> {
    app.state::<UpdaterSlot>()?.0.get().cloned()
}

fn handle(ctx: &CallContext) -> Result<UpdaterHandle, RpcError> {
    updater(&ctx.app).ok_or_else(|| RpcError::internal("the updater is not running"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// The updater as a plugin: `App::builder().plugin(Updater::new(config))`.
///
/// Creating it runs the start-up trial check, which may hand this process
/// over to the rollback watchdog and not return: create it first thing in
/// `main`. Once the app runs it starts the `UpdaterActor` and serves the
/// page methods `updater.check`, `updater.install`, `updater.status`,
/// `updater.restart`, `updater.confirm` (granted like any method, e.g.
/// `"methods": ["updater.*"]`, events `updater://*`).
///
/// ```no_run
/// use traykit::prelude::*;
/// use traykit_updater::{Updater, UpdaterConfig};
///
/// fn main() -> Result<(), traykit::Error> {
///     let config = UpdaterConfig::new(
///         env!("CARGO_PKG_VERSION"),
///         ["https://releases.example.com/latest.json"],
///         "RWQ…", // include_str!("../updater.pub")
///     );
///     App::builder().name("Notes").plugin(Updater::new(config)).run()
/// }
/// ```
pub struct Updater {
    /// Taken by `start`; `None` in the webview host (the same executable,
    /// which is no app and runs no trial).
    boot: std::sync::Mutex<Option<(UpdaterConfig, std::path::PathBuf, trial::Role)>>,
    slot: Arc<OnceLock<UpdaterHandle>>,
}

impl std::fmt::Debug for Updater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updater").finish_non_exhaustive()
    }
}

impl Updater {
    /// The updater for `config`; runs the start-up trial check now.
    pub fn new(config: UpdaterConfig) -> Self {
        // The webview host is the same executable: it is no app, no trial.
        let boot = if std::env::var_os("TRAYKIT_WEBVIEW_HOST").is_some() {
            None
        } else {
            let dir = config.resolved_state_dir();
            let role = trial::startup(&dir);
            trial::report_start(&dir, &role, &config.current_version);
            Some((config, dir, role))
        };
        Self {
            boot: std::sync::Mutex::new(boot),
            slot: Arc::default(),
        }
    }
}

impl Plugin for Updater {
    fn name(&self) -> &str {
        "updater"
    }

    fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
        setup.manage(UpdaterSlot(self.slot.clone()))?;
        setup.method(
            "updater.check",
            |_: NoParams, ctx: CallContext| async move {
                Ok::<_, RpcError>(handle(&ctx)?.check().await?)
            },
        )?;
        setup.method(
            "updater.install",
            |_: NoParams, ctx: CallContext| async move {
                Ok::<_, RpcError>(handle(&ctx)?.install().await?)
            },
        )?;
        setup.method(
            "updater.status",
            |_: NoParams, ctx: CallContext| async move {
                Ok::<_, RpcError>(handle(&ctx)?.status().await?)
            },
        )?;
        setup.method(
            "updater.restart",
            |_: NoParams, ctx: CallContext| async move {
                handle(&ctx)?.restart(&ctx.app)?;
                Ok::<_, RpcError>(())
            },
        )?;
        setup.method(
            "updater.confirm",
            |_: NoParams, ctx: CallContext| async move {
                handle(&ctx)?.confirm_healthy()?;
                Ok::<_, RpcError>(())
            },
        )?;
        Ok(())
    }

    fn start(&self, app: &AppHandle) -> Result<(), PluginError> {
        let boot = traykit_actors::sync::lock(&self.boot).take();
        if let Some((config, dir, role)) = boot {
            let engine = engine::Engine::new(config, dir, role, app.id());
            let _ = self.slot.set(UpdaterHandle::start(app.clone(), engine));
        }
        Ok(())
    }
}

/// `App::builder().updater(config)`: the builder-extension form, kept as
/// sugar for `.plugin(Updater::new(config))`.
///
/// ```no_run
/// use traykit::prelude::*;
/// use traykit_updater::{UpdaterConfig, UpdaterExt};
///
/// let config = UpdaterConfig::new("1.0.0", ["https://example.com/latest.json"], "RWQ…");
/// App::builder().updater(config).run()?;
/// # Ok::<(), traykit::Error>(())
/// ```
pub trait UpdaterExt {
    /// Adds [`Updater::new(config)`](Updater::new) as a plugin.
    fn updater(self, config: UpdaterConfig) -> Self;
}

impl UpdaterExt for traykit::AppBuilder {
    fn updater(self, config: UpdaterConfig) -> Self {
        self.plugin(Updater::new(config))
    }
}
