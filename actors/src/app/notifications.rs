//! Desktop notifications, reached through the app.

use actix::prelude::*;

use crate::notify::{
    Notification, NotificationEvent, NotificationId, Notify, NotifyError, SubscribeNotifications,
};
use crate::sync::ask;

use super::{AppHandle, Callback};

impl AppHandle {
    /// Shows a desktop notification.
    pub async fn notify(&self, notification: Notification) -> Result<NotificationId, NotifyError> {
        let timeout = self.inner.timeout;
        ask(
            &self.inner.notifier,
            Notify(notification),
            "NotifierActor",
            timeout,
        )
        .await?
    }

    /// Sends actions and closes of every notification to `recipient`.
    pub fn subscribe_notifications(&self, recipient: Recipient<NotificationEvent>) {
        self.inner
            .notifier
            .do_send(SubscribeNotifications(recipient));
    }

    /// Runs `f` on every notification action or close.
    pub fn on_notification(&self, f: impl Fn(&AppHandle, &NotificationEvent) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_notifications(recipient);
    }
}
