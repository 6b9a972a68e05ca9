//! SIGTERM and SIGINT: a clean quit, like the app's own `quit()`.

use traykit_actors::app::AppHandle;

/// The handlers, installed before the app boots: a signal that arrives
/// while trays are being created is held, not fatal.
pub(super) struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside the actor thread's runtime).
    pub(super) fn install() -> Option<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Some(Signals { term, int }),
            _ => {
                tracing::warn!(
                    "could not install signal handlers; SIGTERM will not shut down cleanly"
                );
                None
            }
        }
    }

    /// Quits cleanly, with exit code 0, on the first signal (also one that
    /// arrived during boot).
    pub(super) fn quit_on_signal(mut self, app: AppHandle) {
        actix::spawn(async move {
            tokio::select! {
                _ = self.term.recv() => tracing::info!("SIGTERM received"),
                _ = self.int.recv() => tracing::info!("SIGINT received"),
            }
            app.quit();
        });
    }
}
