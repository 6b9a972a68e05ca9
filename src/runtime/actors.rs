//! The actor thread: the actix System the app's actors run in, booted from
//! the builder while the main thread starts its event loop.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use traykit_actors::app::AppHandle;
use traykit_actors::notifier::DbusNotifications;
use traykit_actors::sync::lock;
use traykit_actors::ui::{UiHandle, UiRequest};

use super::signals::Signals;
use crate::builder::AppBuilder;
use crate::desktop::BootPart;
use crate::error::Error;

/// How long the app's exit waits for the actors' ordered shutdown.
const STOP_DEADLINE: Duration = Duration::from_secs(5);

/// The running actor thread, seen from the main thread.
pub(super) struct ActorThread {
    thread: JoinHandle<()>,
    system: actix::System,
    done: mpsc::Receiver<()>,
    /// Set when boot failed; the thread then asked the main loop to exit.
    boot_error: Arc<Mutex<Option<Error>>>,
}

impl ActorThread {
    /// Starts the thread and boots the app on it. The app goes into
    /// `app_slot` as soon as it exists, for the handlers installed before.
    pub(super) fn spawn(
        builder: AppBuilder,
        ui: UiHandle,
        app_slot: Arc<OnceLock<AppHandle>>,
        boot_part: BootPart,
    ) -> Result<Self, Error> {
        let boot_error: Arc<Mutex<Option<Error>>> = Arc::default();
        let (system_tx, system_rx) = mpsc::channel();
        let (done_tx, done) = mpsc::channel::<()>();
        let failed = boot_error.clone();
        let thread = std::thread::Builder::new()
            .name("traykit-actors".into())
            .spawn(move || {
                let system = actix::System::new();
                let _ = system_tx.send(actix::System::current());
                let booted = system.block_on(boot(builder, ui, app_slot, boot_part, failed));
                if booted {
                    if let Err(error) = system.run() {
                        tracing::error!(%error, "actor system stopped with an error");
                    }
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| Error::ActorThread(e.to_string()))?;
        let system = system_rx
            .recv()
            .map_err(|_| Error::ActorThread("the actor thread died at start".into()))?;
        Ok(Self {
            thread,
            system,
            done,
            boot_error,
        })
    }

    /// Stops the System and waits (bounded) for the thread; returns the
    /// boot error, if boot failed.
    pub(super) fn stop(self) -> Option<Error> {
        self.system.stop();
        if self.done.recv_timeout(STOP_DEADLINE).is_ok() {
            let _ = self.thread.join();
        } else {
            tracing::warn!("actor thread did not stop within 5 s; exiting without it");
        }
        let error = lock(&self.boot_error).take();
        error
    }
}

/// Boots the app on the actor thread; true if it runs. On failure the
/// error goes to `failed` and the main loop is asked to exit with code 1.
async fn boot(
    builder: AppBuilder,
    ui: UiHandle,
    app_slot: Arc<OnceLock<AppHandle>>,
    boot_part: BootPart,
    failed: Arc<Mutex<Option<Error>>>,
) -> bool {
    // Before boot: a signal during boot is held until the app can quit.
    let signals = Signals::install();
    let app = builder
        .boot(ui.clone(), Arc::new(DbusNotifications::default()), |app| {
            let _ = app_slot.set(app.clone());
        })
        .await;
    match app {
        Ok(app) => {
            boot_part.start(&app);
            if let Some(signals) = signals {
                signals.quit_on_signal(app);
            }
            true
        }
        Err(error) => {
            *lock(&failed) = Some(error);
            let _ = ui.request(UiRequest::Exit { code: 1 }).await;
            false
        }
    }
}
