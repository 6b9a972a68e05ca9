//! Background, signed, resumable updates with rollback for traykit apps.
//!
//! ```no_run
//! use traykit::prelude::*;
//! use traykit_updater::{UpdaterConfig, UpdaterExt};
//!
//! fn main() -> Result<(), traykit::Error> {
//!     App::builder()
//!         .name("My tray")
//!         // First in the chain: a start during an update's trial hands over
//!         // to the rollback watchdog here.
//!         .updater(UpdaterConfig::new(
//!             env!("CARGO_PKG_VERSION"),
//!             ["https://releases.example.com/latest.json"],
//!             "dW50cnVzdGVkIGNvbW1lbnQ6…", // include_str!("../updater.pub")
//!         ))
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
//! - [`feed`]: Tauri's `latest.json` plus channels, rollout, patches.
//! - [`signature`]: minisign verification against the compiled-in key.
//! - [`download`]: feed requests and resumable downloads (ureq, blocking).
//! - [`github`]: GitHub Releases as an alternative source.
//! - [`delta`]: bsdiff patches.
//! - [`policy`]: downgrade protection, bad versions, rollout buckets.
//! - [`trial`] and [`state`]: the swap, the health trial, the rollback.
//! - [`release`]: keys, signing, feed writing (the `traykit-release` CLI).
//! - `UpdaterActor` ([`UpdaterHandle`]): the schedule, status, events.

mod actor;
mod config;
pub mod delta;
pub mod download;
mod engine;
mod error;
mod event;
pub mod feed;
pub mod github;
pub mod policy;
pub mod release;
pub mod signature;
pub mod state;
pub mod trial;

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
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

/// The app's updater, once booted (`None` without `.updater(..)`).
pub fn updater(app: &AppHandle) -> Option<UpdaterHandle> {
    app.state::<UpdaterSlot>()?.0.get().cloned()
}

fn handle(ctx: &CallContext) -> Result<UpdaterHandle, RpcError> {
    updater(&ctx.app).ok_or_else(|| RpcError::internal("the updater is not running"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// `App::builder().updater(config)`.
pub trait UpdaterExt {
    /// Adds the updater: the start-up trial check (which may hand this
    /// process over to the rollback watchdog and not return), the
    /// `UpdaterActor` (started at boot), and the page methods
    /// `updater.check`, `updater.install`, `updater.status`,
    /// `updater.restart`, `updater.confirm` (granted like any method, e.g.
    /// `"methods": ["updater.*"]`, events `updater://*`).
    fn updater(self, config: UpdaterConfig) -> Self;
}

impl UpdaterExt for traykit::AppBuilder {
    fn updater(self, config: UpdaterConfig) -> Self {
        // The webview host is the same executable: it is no app, no trial.
        if std::env::var_os("TRAYKIT_WEBVIEW_HOST").is_some() {
            return self;
        }
        let dir = config.resolved_state_dir();
        let role = trial::startup(&dir);
        trial::report_start(&dir, &role, &config.current_version);
        let slot: Arc<OnceLock<UpdaterHandle>> = Arc::default();
        let boot_slot = slot.clone();
        self.manage(UpdaterSlot(slot))
            .command(
                "updater.check",
                |_: NoParams, ctx: CallContext| async move {
                    Ok::<_, RpcError>(handle(&ctx)?.check().await?)
                },
            )
            .command(
                "updater.install",
                |_: NoParams, ctx: CallContext| async move {
                    Ok::<_, RpcError>(handle(&ctx)?.install().await?)
                },
            )
            .command(
                "updater.status",
                |_: NoParams, ctx: CallContext| async move {
                    Ok::<_, RpcError>(handle(&ctx)?.status().await?)
                },
            )
            .command(
                "updater.restart",
                |_: NoParams, ctx: CallContext| async move {
                    handle(&ctx)?.restart(&ctx.app)?;
                    Ok::<_, RpcError>(())
                },
            )
            .command(
                "updater.confirm",
                |_: NoParams, ctx: CallContext| async move {
                    handle(&ctx)?.confirm_healthy()?;
                    Ok::<_, RpcError>(())
                },
            )
            .setup(move |app| {
                let engine = engine::Engine::new(config, dir, role, app.id());
                let _ = boot_slot.set(UpdaterHandle::start(app.clone(), engine));
                Ok(())
            })
    }
}
