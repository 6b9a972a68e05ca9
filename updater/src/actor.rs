//! `UpdaterActor`: schedules checks, runs the blocking work off the actor
//! thread, keeps the status, and fans events out to subscribers and pages.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde::Serialize;
use traykit_actors::app::AppHandle;

use crate::engine::{Engine, Installed};
use crate::error::UpdateError;
use crate::event::{UpdateEvent, UpdateInfo};
use crate::trial::Role;

/// A snapshot of the updater, for `updater.status` and the app.
///
/// ```no_run
/// # async fn show(app: &traykit::prelude::AppHandle) -> Result<(), traykit_updater::UpdateError> {
/// if let Some(updater) = traykit_updater::updater(app) {
///     let status = updater.status().await?;
///     println!("{} on {}: {}", status.current, status.channel, status.phase);
///     if let Some(version) = status.installed {
///         println!("{version} runs after a restart");
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct Status {
    /// The running version.
    pub current: String,
    /// The channel followed.
    pub channel: String,
    /// `idle`, `checking`, `downloading`, `installed`, `failed`.
    pub phase: String,
    /// The version found by the last check, if any.
    pub available: Option<String>,
    /// The version installed and waiting for a restart, if any.
    pub installed: Option<String>,
    /// Download progress: bytes so far and total.
    pub downloaded: Option<u64>,
    /// Total bytes of the current download, if known.
    pub total: Option<u64>,
    /// The last error.
    pub last_error: Option<String>,
    /// This run is a new version on trial (it must confirm its health).
    pub on_trial: bool,
}

/// Owns the schedule and the status. Started by the [`Updater`](crate::Updater)
/// plugin; apps talk to it through [`UpdaterHandle`].
#[doc(hidden)]
pub struct UpdaterActor {
    engine: Arc<Engine>,
    app: AppHandle,
    status: Status,
    subscribers: Vec<Recipient<UpdateEvent>>,
}

/// Handle to the updater: `Send + Clone`. Get it with
/// [`traykit_updater::updater(app)`](crate::updater) once the app runs.
///
/// ```no_run
/// use traykit::prelude::*;
///
/// fn on_click(app: &AppHandle, click: &MenuClicked) {
///     let Some(updater) = traykit_updater::updater(app) else { return };
///     if click.item == "update" {
///         let app = app.clone();
///         actix::spawn(async move {
///             if let Ok(Some(info)) = updater.check().await {
///                 println!("installing {}", info.version);
///                 if updater.install().await.is_ok() {
///                     let _ = updater.restart(&app);
///                 }
///             }
///         });
///     }
/// }
/// # let _ = App::builder().on_menu_click(on_click);
/// ```
#[derive(Clone)]
pub struct UpdaterHandle {
    addr: Addr<UpdaterActor>,
    engine: Arc<Engine>,
}

impl std::fmt::Debug for UpdaterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdaterHandle").finish_non_exhaustive()
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Emit(UpdateEvent);

#[derive(Message)]
#[rtype(result = "Status")]
struct GetStatus;

#[derive(Message)]
#[rtype(result = "()")]
struct Subscribe(Recipient<UpdateEvent>);

#[derive(Message)]
#[rtype(result = "()")]
struct ScheduledCheck;

fn jittered(base: Duration, fraction: f64) -> Duration {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() || fraction <= 0.0 {
        return base;
    }
    // Uniform in [-fraction, +fraction].
    let unit = (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64;
    let factor = 1.0 + fraction * (2.0 * unit - 1.0);
    base.mul_f64(factor.max(0.0))
}

impl Actor for UpdaterActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let config = &self.engine.config;
        if config.check_interval.is_some() {
            ctx.notify_later(ScheduledCheck, jittered(config.first_check, config.jitter));
        }
        if let (Role::Trial { .. }, Some(delay)) = (&self.engine.role, config.auto_confirm) {
            let handle = self.handle_for(ctx.address());
            ctx.run_later(delay, move |_, _| {
                if let Err(error) = handle.confirm_healthy() {
                    tracing::error!(%error, "could not confirm the update's health");
                }
            });
        }
    }
}

impl UpdaterActor {
    fn handle_for(&self, addr: Addr<UpdaterActor>) -> UpdaterHandle {
        UpdaterHandle {
            addr,
            engine: self.engine.clone(),
        }
    }
}

impl Handler<ScheduledCheck> for UpdaterActor {
    type Result = ();

    fn handle(&mut self, _: ScheduledCheck, ctx: &mut Context<Self>) {
        let config = &self.engine.config;
        if let Some(interval) = config.check_interval {
            ctx.notify_later(ScheduledCheck, jittered(interval, config.jitter));
        }
        let handle = self.handle_for(ctx.address());
        let auto_install = config.auto_install;
        actix::spawn(async move {
            match handle.check().await {
                Ok(Some(_)) if auto_install => {
                    let _ = handle.install().await;
                }
                _ => {}
            }
        });
    }
}

impl Handler<Emit> for UpdaterActor {
    type Result = ();

    fn handle(&mut self, Emit(event): Emit, _: &mut Context<Self>) {
        let s = &mut self.status;
        match &event {
            UpdateEvent::Checking => {
                s.phase = "checking".into();
                s.last_error = None;
            }
            UpdateEvent::UpToDate { .. } | UpdateEvent::Skipped { .. } => {
                s.phase = "idle".into();
                s.available = None;
            }
            UpdateEvent::Available(info) => {
                s.phase = "idle".into();
                s.available = Some(info.version.clone());
            }
            UpdateEvent::Progress { downloaded, total } => {
                s.phase = "downloading".into();
                s.downloaded = Some(*downloaded);
                s.total = *total;
            }
            UpdateEvent::Installed(installed) => {
                s.phase = "installed".into();
                s.installed = Some(installed.version.clone());
            }
            UpdateEvent::Failed { error, .. } => {
                s.phase = "failed".into();
                s.last_error = Some(error.clone());
            }
            UpdateEvent::Confirmed { .. } => s.on_trial = false,
            UpdateEvent::DeltaFailed { .. } | UpdateEvent::Verified { .. } => {}
        }
        self.app.emit(event.page_event(), &event);
        self.subscribers.retain(|r| r.connected());
        for r in &self.subscribers {
            r.do_send(event.clone());
        }
    }
}

impl Handler<GetStatus> for UpdaterActor {
    type Result = MessageResult<GetStatus>;

    fn handle(&mut self, _: GetStatus, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.status.clone())
    }
}

impl Handler<Subscribe> for UpdaterActor {
    type Result = ();

    fn handle(&mut self, Subscribe(r): Subscribe, _: &mut Context<Self>) {
        self.subscribers.push(r);
    }
}

impl UpdaterHandle {
    /// Starts the updater actor (inside the app's actix System).
    pub(crate) fn start(app: AppHandle, engine: Engine) -> UpdaterHandle {
        let engine = Arc::new(engine);
        let status = Status {
            current: engine.config.current_version.clone(),
            channel: engine.config.channel.clone(),
            phase: "idle".into(),
            on_trial: matches!(engine.role, Role::Trial { .. }),
            ..Status::default()
        };
        let addr = UpdaterActor {
            engine: engine.clone(),
            app,
            status,
            subscribers: Vec::new(),
        }
        .start();
        UpdaterHandle { addr, engine }
    }

    /// Sends every [`UpdateEvent`] to `recipient`.
    pub fn subscribe(&self, recipient: Recipient<UpdateEvent>) {
        self.addr.do_send(Subscribe(recipient));
    }

    /// The current status.
    pub async fn status(&self) -> Result<Status, UpdateError> {
        self.addr
            .send(GetStatus)
            .await
            .map_err(|_| UpdateError::Stopped)
    }

    /// Runs `work` on a blocking thread with an event sink; reports a
    /// failure as [`UpdateEvent::Failed`].
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine, &dyn Fn(UpdateEvent)) -> Result<T, UpdateError> + Send + 'static,
    ) -> Result<T, UpdateError> {
        let (engine, addr) = (self.engine.clone(), self.addr.clone());
        let result = tokio::task::spawn_blocking(move || {
            let _busy = engine.begin()?;
            let emit = |event: UpdateEvent| addr.do_send(Emit(event));
            work(&engine, &emit)
        })
        .await
        .unwrap_or_else(|e| {
            Err(UpdateError::Io {
                op: "run",
                path: Default::default(),
                reason: format!("update task failed: {e}"),
            })
        });
        if let Err(error) = &result {
            if !matches!(error, UpdateError::Busy) {
                tracing::warn!(%error, "update failed");
                self.addr.do_send(Emit(UpdateEvent::Failed {
                    error: error.to_string(),
                    kind: error.kind().into(),
                }));
            }
        }
        result
    }

    /// Checks the feed now. `Ok(None)`: nothing to install.
    pub async fn check(&self) -> Result<Option<UpdateInfo>, UpdateError> {
        self.blocking(|engine, emit| engine.check(emit)).await
    }

    /// Downloads, verifies and swaps in the update found by the last check
    /// (checking first if there was none). The running app is not restarted:
    /// call [`restart`](Self::restart), or the new version runs on the next
    /// launch.
    pub async fn install(&self) -> Result<Installed, UpdateError> {
        self.blocking(|engine, emit| {
            if engine.offer.lock().map(|o| o.is_none()).unwrap_or(true)
                && engine.installed().is_none()
                && engine.check(emit)?.is_none()
            {
                return Err(UpdateError::NothingReady);
            }
            engine.install(emit)
        })
        .await
    }

    /// Starts the installed version (through the rollback watchdog) and
    /// quits this one cleanly. Never forced: only when the app asks.
    pub fn restart(&self, app: &AppHandle) -> Result<(), UpdateError> {
        let trial = self.engine.installed().ok_or(UpdateError::NothingReady)?;
        if self
            .engine
            .restarting
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(()); // already on its way
        }
        if let Err(e) = crate::trial::spawn_trial(&self.engine.dir, &trial) {
            self.engine
                .restarting
                .store(false, std::sync::atomic::Ordering::SeqCst);
            return Err(e);
        }
        app.quit();
        Ok(())
    }

    /// Tells the watchdog this new version works. A no-op outside a trial.
    pub fn confirm_healthy(&self) -> Result<(), UpdateError> {
        let Role::Trial { version } = &self.engine.role else {
            return Ok(());
        };
        crate::trial::confirm(
            &self.engine.dir,
            version,
            &self.engine.config.current_version,
        )?;
        self.addr.do_send(Emit(UpdateEvent::Confirmed {
            version: version.clone(),
        }));
        Ok(())
    }

    /// Whether this run is a new version on trial.
    pub fn on_trial(&self) -> bool {
        matches!(self.engine.role, Role::Trial { .. })
    }

    /// The versions rolled back on this install (never offered again).
    pub fn bad_versions(&self) -> Vec<String> {
        crate::state::State::load(&self.engine.dir)
            .map(|s| s.bad_versions)
            .unwrap_or_default()
    }
}
