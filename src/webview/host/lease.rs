//! How long an idle webview host is kept: the request channel to one host,
//! shared by the app side and the idle timer that lets the host go.
//!
//! A host is idle when it has no window: after its last window closed (kept
//! for the keep-alive grace), or after a prewarm that no window followed
//! yet. Every use of the channel cancels a pending release; the timer and a
//! sender take the same lock, so a request is either sent before the host
//! is let go or told that it was (and a new host is started for it).

use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use traykit_actors::sync::lock;

use super::protocol::ToHost;

/// The request channel of one host, and the idle countdown on it.
pub(super) struct Lease {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// Dropping it closes the host's request pipe: the host exits.
    tx: Option<mpsc::Sender<Option<ToHost>>>,
    /// Bumped by every use: an idle countdown started before it lets the
    /// host be.
    epoch: u64,
}

impl Lease {
    pub(super) fn new(tx: mpsc::Sender<Option<ToHost>>) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                tx: Some(tx),
                epoch: 0,
            }),
            changed: Condvar::new(),
        })
    }

    /// Sends `msg` and cancels a pending idle release. False if the host
    /// was let go (or its writer is gone): `msg` is dropped.
    pub(super) fn send(&self, msg: ToHost) -> bool {
        let mut state = lock(&self.state);
        state.epoch += 1;
        self.changed.notify_all();
        state
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send(Some(msg)).is_ok())
    }

    /// Cancels a pending idle release; false if the host was let go
    /// already. After `true`, no countdown started before can let it go.
    pub(super) fn hold(&self) -> bool {
        let mut state = lock(&self.state);
        state.epoch += 1;
        self.changed.notify_all();
        state.tx.is_some()
    }

    /// Whether the host was let go (by [`release`](Self::release) or by
    /// the idle countdown).
    pub(super) fn released(&self) -> bool {
        lock(&self.state).tx.is_none()
    }

    /// Lets the host go now: it finishes what it was sent and exits.
    pub(super) fn release(&self) {
        let tx = lock(&self.state).tx.take();
        self.changed.notify_all();
        drop(tx);
    }

    /// Lets the host go after `idle` unless the channel is used before;
    /// restarts a countdown already running. `then` runs (on the timer's
    /// thread) once the host was let go by the countdown.
    pub(super) fn release_when_idle(
        self: &Arc<Self>,
        idle: Duration,
        then: impl FnOnce() + Send + 'static,
    ) {
        let epoch = {
            let mut state = lock(&self.state);
            state.epoch += 1;
            state.epoch
        };
        self.changed.notify_all();
        let lease = self.clone();
        let started = std::thread::Builder::new()
            .name("traykit-host-idle".into())
            .spawn(move || {
                let state = lock(&lease.state);
                let (mut state, _) = lease
                    .changed
                    .wait_timeout_while(state, idle, |s| s.epoch == epoch && s.tx.is_some())
                    .unwrap_or_else(PoisonError::into_inner);
                if state.epoch != epoch {
                    return; // used again, or another countdown took over
                }
                let Some(tx) = state.tx.take() else { return };
                drop(state);
                drop(tx);
                tracing::debug!(?idle, "idle webview host let go");
                then();
            });
        if let Err(error) = started {
            // Without a timer the host would stay: let it go now.
            tracing::warn!(%error, "no idle timer for the webview host; releasing it");
            self.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease() -> (Arc<Lease>, mpsc::Receiver<Option<ToHost>>) {
        let (tx, rx) = mpsc::channel();
        (Lease::new(tx), rx)
    }

    /// Waits until the receiving side sees its channel closed.
    fn closed(rx: &mpsc::Receiver<Option<ToHost>>) -> bool {
        loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return true,
                Err(mpsc::RecvTimeoutError::Timeout) => return false,
            }
        }
    }

    #[test]
    fn an_idle_host_is_let_go_after_its_countdown() {
        let (lease, rx) = lease();
        let (done_tx, done_rx) = mpsc::channel();
        lease.release_when_idle(Duration::from_millis(10), move || {
            let _ = done_tx.send(());
        });
        assert!(closed(&rx));
        assert!(done_rx.recv_timeout(Duration::from_secs(30)).is_ok());
        assert!(lease.released());
        assert!(!lease.send(ToHost::Prewarm));
    }

    #[test]
    fn a_use_during_the_countdown_keeps_the_host() {
        let (lease, rx) = lease();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        // Long enough that the send below always comes first.
        lease.release_when_idle(Duration::from_secs(3600), move || drop(done_tx));
        assert!(lease.send(ToHost::Prewarm));
        // The countdown's thread ended without letting go: its closure
        // (and the sender in it) was dropped unrun.
        assert!(matches!(
            done_rx.recv_timeout(Duration::from_secs(30)),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ));
        assert!(!lease.released());
        assert!(matches!(rx.try_recv(), Ok(Some(ToHost::Prewarm))));
    }

    #[test]
    fn a_new_countdown_replaces_the_running_one() {
        let (lease, rx) = lease();
        let (first_tx, first_rx) = mpsc::channel::<()>();
        lease.release_when_idle(Duration::from_secs(3600), move || drop(first_tx));
        lease.release_when_idle(Duration::from_millis(10), || {});
        assert!(matches!(
            first_rx.recv_timeout(Duration::from_secs(30)),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ));
        assert!(closed(&rx));
    }
}
