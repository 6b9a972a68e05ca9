//! The headless backend: the whole actor graph with no display and no bus.
//!
//! [`RecordingUi`] answers every UI request and records it;
//! [`RecordingNotifications`] records notifications and lets a test play the
//! notification server's part (invoke an action, close one). The facade
//! crate wraps both as `traykit::test::TestApp`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

use actix::Recipient;

use crate::error::UiError;
use crate::notify::{
    CloseReason, LocalFuture, Notification, NotificationBackend, NotificationEvent,
    NotificationEventKind, NotificationId, NotifyError,
};
use crate::sync::lock;
use crate::ui::{UiEnvelope, UiPoster, UiRequest};

/// Records every UI request and answers it (with `Ok`, or a failure you set).
/// `traykit::test::TestApp::ui` gives the app's.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::UiError;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").menu(Menu::new().item("sync", "Sync")))).await?;
/// # let app = test.handle();
/// test.ui().fail_with(Some(UiError::Closed));
/// assert!(app.tray("main")?.set_title("x").await.is_err());
/// test.ui().fail_with(None);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct RecordingUi {
    log: Mutex<Vec<UiRequest>>,
    failure: Mutex<Option<UiError>>,
    changed: Notify,
}

/// Waits until `check` holds, re-checking each time `changed` fires; gives up
/// after `timeout`. Returns whether it held.
async fn wait_until(changed: &Notify, timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let notified = changed.notified();
        tokio::pin!(notified);
        // Register before checking, so a change between check and wait is not lost.
        notified.as_mut().enable();
        if check() {
            return true;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return check();
        }
    }
}

impl RecordingUi {
    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<UiRequest> {
        lock(&self.log).clone()
    }

    /// Returns and forgets the requests so far.
    pub fn take(&self) -> Vec<UiRequest> {
        std::mem::take(&mut *lock(&self.log))
    }

    /// Waits until the recorded requests satisfy `check` (or `timeout` passes).
    pub async fn wait_for(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&[UiRequest]) -> bool,
    ) -> bool {
        wait_until(&self.changed, timeout, || check(&lock(&self.log))).await
    }

    /// Makes every following request fail with `error` (or succeed again, with `None`).
    pub fn fail_with(&self, error: Option<UiError>) {
        *lock(&self.failure) = error;
    }
}

impl UiPoster for RecordingUi {
    fn post(&self, envelope: UiEnvelope) -> Result<(), UiError> {
        let (request, responder) = envelope.into_parts();
        let failure = lock(&self.failure).clone();
        if failure.is_none() {
            lock(&self.log).push(request);
        }
        responder.send(failure.map_or(Ok(()), Err));
        self.changed.notify_waiters();
        Ok(())
    }
}

/// Records notifications; plays the server's part in tests.
/// `traykit::test::TestApp::notifications` gives the app's.
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder()).await?;
/// # let app = test.handle();
/// let id = app.notify(Notification::new("Tea").action("snooze", "Snooze")).await?;
/// assert_eq!(test.notifications().shown()[0].1.summary, "Tea");
/// assert!(test.notifications().invoke_action(id, "snooze"));
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct RecordingNotifications {
    next_id: AtomicU32,
    shown: Mutex<Vec<(NotificationId, Notification)>>,
    listeners: Mutex<HashMap<u32, Recipient<NotificationEvent>>>,
}

impl RecordingNotifications {
    /// Every notification shown so far, with the id it got.
    pub fn shown(&self) -> Vec<(NotificationId, Notification)> {
        lock(&self.shown).clone()
    }

    /// Acts as if the user clicked action `action` of notification `id`.
    /// Returns false if no such notification is open.
    pub fn invoke_action(&self, id: NotificationId, action: &str) -> bool {
        self.finish(id, NotificationEventKind::ActionInvoked(action.to_owned()))
    }

    /// Acts as if the notification closed for `reason`.
    pub fn close(&self, id: NotificationId, reason: CloseReason) -> bool {
        self.finish(id, NotificationEventKind::Closed(reason))
    }

    fn finish(&self, id: NotificationId, kind: NotificationEventKind) -> bool {
        match lock(&self.listeners).remove(&id.0) {
            Some(listener) => {
                listener.do_send(NotificationEvent { id, kind });
                true
            }
            None => false,
        }
    }
}

impl NotificationBackend for RecordingNotifications {
    fn show(
        &self,
        _app_name: &str,
        notification: Notification,
        events: Recipient<NotificationEvent>,
    ) -> LocalFuture<Result<NotificationId, NotifyError>> {
        let id = NotificationId(self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        lock(&self.shown).push((id, notification));
        lock(&self.listeners).insert(id.0, events);
        Box::pin(async move { Ok(id) })
    }
}
