//! The lifecycle actor: [`Quit`] runs the ordered shutdown.

use std::time::Duration;

use actix::prelude::*;

use crate::sync::read;
use crate::tray::{RemoveTray, TrayHandle};
use crate::ui::{UiHandle, UiRequest};

pub use crate::shutdown::Shutdown;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::ids::TrayId;

/// Every tray, by id; shared with the handle, and taken off the panel by
/// the lifecycle actor at shutdown.
pub(super) type Trays = Arc<RwLock<BTreeMap<TrayId, TrayHandle>>>;

/// Ask the app to exit with a code.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct Quit {
    /// Process exit code.
    pub code: i32,
}

/// Subscribe to [`Shutdown`].
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeShutdown(pub Recipient<Shutdown>);

/// Lifecycle: runs the ordered shutdown on [`Quit`].
pub struct AppActor {
    pub(super) ui: UiHandle,
    pub(super) trays: Trays,
    pub(super) shutdown_subscribers: Vec<Recipient<Shutdown>>,
    pub(super) shutdown_timeout: Duration,
    pub(super) quitting: bool,
}

impl Actor for AppActor {
    type Context = Context<Self>;
}

impl Handler<SubscribeShutdown> for AppActor {
    type Result = ();
    fn handle(&mut self, msg: SubscribeShutdown, _: &mut Context<Self>) {
        self.shutdown_subscribers.push(msg.0);
    }
}

impl Handler<Quit> for AppActor {
    type Result = ();

    fn handle(&mut self, Quit { code }: Quit, _: &mut Context<Self>) {
        if self.quitting {
            return;
        }
        self.quitting = true;
        tracing::info!(code, "shutting down");
        let subscribers = std::mem::take(&mut self.shutdown_subscribers);
        let trays: Vec<TrayHandle> = read(&self.trays).values().cloned().collect();
        let ui = self.ui.clone();
        let timeout = self.shutdown_timeout;
        actix::spawn(async move {
            // 1. Let actors finish their work, all at once, each bounded.
            let waits = subscribers
                .iter()
                .map(|s| tokio::time::timeout(timeout, s.send(Shutdown)));
            for (i, result) in futures_util::future::join_all(waits)
                .await
                .into_iter()
                .enumerate()
            {
                if result.is_err() {
                    tracing::warn!(
                        subscriber = i,
                        ?timeout,
                        "shutdown subscriber did not finish in time"
                    );
                }
            }
            // 2. Take the icons off the panel while the bus connection still
            //    lives — through their actors, so late changes are refused.
            for tray in trays {
                let removed = tray.addr().send(RemoveTray).timeout(timeout).await;
                if !matches!(removed, Ok(Ok(()))) {
                    tracing::warn!(tray = %tray.id(), ?removed, "could not remove tray during shutdown");
                }
            }
            // 3. Leave the event loop; the runtime then stops the actor system.
            if let Err(error) = ui.request(UiRequest::Exit { code }).await {
                tracing::warn!(%error, "exit request not acknowledged");
            }
        });
    }
}
