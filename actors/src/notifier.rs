//! Desktop notifications: the notifier actor and its backends.
//!
//! The real backend speaks `org.freedesktop.Notifications` through
//! notify-rust (zbus, on the actor thread's tokio runtime). Each shown
//! notification that has actions keeps its own connection open until the
//! server reports an action or a close: servers such as GNOME Shell send
//! `ActionInvoked` only to the connection that created the notification.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::error::ActorError;

/// Why a notification could not be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The notification itself is invalid.
    #[error("invalid notification: {0}")]
    Invalid(String),
    /// The notification server refused it or is missing.
    #[error("notification server: {0} (is a notification daemon running on the session bus?)")]
    Server(String),
    /// The notifier actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// How urgent a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Urgency {
    /// Informational.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Stays until dismissed on most servers.
    Critical,
}

/// When the server should close the notification by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Expiry {
    /// The server decides.
    #[default]
    Default,
    /// Never expires.
    Never,
    /// After this long.
    After(Duration),
}

/// A notification to show.
///
/// ```
/// use traykit_actors::notifier::{Notification, Urgency};
/// let n = Notification::new("Tea is ready")
///     .body("Steeped for 4 minutes")
///     .urgency(Urgency::Critical)
///     .action("snooze", "Snooze");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The headline.
    pub summary: String,
    /// The body text (servers may render simple markup).
    pub body: String,
    /// An icon name from the theme or a file path.
    pub icon: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Expiry.
    pub expiry: Expiry,
    /// Buttons: (action id, label).
    pub actions: Vec<(String, String)>,
}

impl Notification {
    /// A notification with this summary.
    pub fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            body: String::new(),
            icon: String::new(),
            urgency: Urgency::Normal,
            expiry: Expiry::Default,
            actions: Vec::new(),
        }
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets the icon (theme name or path).
    pub fn icon(mut self, icon: impl Into<String>) -> Self {
        self.icon = icon.into();
        self
    }

    /// Sets the urgency.
    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = urgency;
        self
    }

    /// Sets when it expires.
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = expiry;
        self
    }

    /// Adds a button. Clicking it sends
    /// [`NotificationEventKind::ActionInvoked`] with `id`.
    pub fn action(mut self, id: impl Into<String>, label: impl Into<String>) -> Self {
        self.actions.push((id.into(), label.into()));
        self
    }

    fn validate(&self) -> Result<(), NotifyError> {
        if self.summary.trim().is_empty() {
            return Err(NotifyError::Invalid("the summary is empty".into()));
        }
        for (id, label) in &self.actions {
            if id.is_empty() || label.is_empty() {
                return Err(NotifyError::Invalid(format!(
                    "action ({id:?}, {label:?}) needs a non-empty id and label"
                )));
            }
        }
        Ok(())
    }
}

/// The server's id of a shown notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotificationId(pub u32);

/// Why a notification closed, as the server reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// It expired.
    Expired,
    /// The user dismissed it.
    Dismissed,
    /// The app closed it.
    ClosedByApp,
    /// Reserved or unknown reason code.
    Other(u32),
}

impl From<u32> for CloseReason {
    fn from(code: u32) -> Self {
        match code {
            1 => CloseReason::Expired,
            2 => CloseReason::Dismissed,
            3 => CloseReason::ClosedByApp,
            other => CloseReason::Other(other),
        }
    }
}

/// What happened to a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotificationEventKind {
    /// A button was clicked (`"default"` for a click on the body).
    ActionInvoked(String),
    /// It closed without an action.
    Closed(CloseReason),
}

/// Sent to notification subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct NotificationEvent {
    /// Which notification.
    pub id: NotificationId,
    /// What happened.
    pub kind: NotificationEventKind,
}

/// A future local to the actor thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Where notifications go: the session bus, or a recorder in tests.
pub trait NotificationBackend: 'static {
    /// Shows `notification` and returns its id; later events for it are sent
    /// to `events`.
    fn show(
        &self,
        app_name: &str,
        notification: Notification,
        events: Recipient<NotificationEvent>,
    ) -> LocalFuture<Result<NotificationId, NotifyError>>;
}

/// The real backend: `org.freedesktop.Notifications` on the session bus.
#[derive(Debug, Default)]
pub struct DbusNotifications;

impl NotificationBackend for DbusNotifications {
    fn show(
        &self,
        app_name: &str,
        n: Notification,
        events: Recipient<NotificationEvent>,
    ) -> LocalFuture<Result<NotificationId, NotifyError>> {
        let mut native = notify_rust::Notification::new();
        native
            .appname(app_name)
            .summary(&n.summary)
            .body(&n.body)
            .icon(&n.icon)
            .urgency(match n.urgency {
                Urgency::Low => notify_rust::Urgency::Low,
                Urgency::Normal => notify_rust::Urgency::Normal,
                Urgency::Critical => notify_rust::Urgency::Critical,
            })
            .timeout(match n.expiry {
                Expiry::Default => notify_rust::Timeout::Default,
                Expiry::Never => notify_rust::Timeout::Never,
                Expiry::After(d) => notify_rust::Timeout::Milliseconds(
                    u32::try_from(d.as_millis()).unwrap_or(u32::MAX),
                ),
            });
        for (id, label) in &n.actions {
            native.action(id, label);
        }
        let wants_events = !n.actions.is_empty();
        Box::pin(async move {
            let handle = native
                .show_async()
                .await
                .map_err(|e| NotifyError::Server(e.to_string()))?;
            let id = NotificationId(handle.id());
            if wants_events {
                actix::spawn(async move {
                    let mut kind = None;
                    handle
                        .wait_for_action_async(|response| {
                            kind = match response {
                                notify_rust::NotificationResponse::Default => {
                                    Some(NotificationEventKind::ActionInvoked("default".into()))
                                }
                                notify_rust::NotificationResponse::Action(a) => {
                                    Some(NotificationEventKind::ActionInvoked(a.clone()))
                                }
                                notify_rust::NotificationResponse::Closed(reason) => {
                                    Some(NotificationEventKind::Closed(match reason {
                                        notify_rust::CloseReason::Expired => CloseReason::Expired,
                                        notify_rust::CloseReason::Dismissed => {
                                            CloseReason::Dismissed
                                        }
                                        notify_rust::CloseReason::CloseAction => {
                                            CloseReason::ClosedByApp
                                        }
                                        notify_rust::CloseReason::Other(c) => {
                                            CloseReason::Other(*c)
                                        }
                                    }))
                                }
                                _ => None,
                            }
                        })
                        .await;
                    if let Some(kind) = kind {
                        events.do_send(NotificationEvent { id, kind });
                    }
                });
            }
            Ok(id)
        })
    }
}

/// Show a notification.
#[derive(Debug, Message)]
#[rtype(result = "Result<NotificationId, NotifyError>")]
pub struct Notify(pub Notification);

/// Subscribe to events of every notification this app shows.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeNotifications(pub Recipient<NotificationEvent>);

/// Shows notifications and fans their events out to subscribers.
pub struct NotifierActor {
    app_name: String,
    backend: Arc<dyn NotificationBackend>,
    subscribers: Vec<Recipient<NotificationEvent>>,
}

impl NotifierActor {
    /// A notifier that sends through `backend` under `app_name`.
    pub fn new(app_name: impl Into<String>, backend: Arc<dyn NotificationBackend>) -> Self {
        Self {
            app_name: app_name.into(),
            backend,
            subscribers: Vec::new(),
        }
    }
}

impl Actor for NotifierActor {
    type Context = Context<Self>;
}

impl Supervised for NotifierActor {}

impl Handler<Notify> for NotifierActor {
    type Result = ResponseFuture<Result<NotificationId, NotifyError>>;

    fn handle(&mut self, msg: Notify, ctx: &mut Context<Self>) -> Self::Result {
        if let Err(e) = msg.0.validate() {
            return Box::pin(async move { Err(e) });
        }
        let events = ctx.address().recipient();
        let shown = self.backend.show(&self.app_name, msg.0, events);
        Box::pin(async move {
            let id = shown.await;
            if let Err(error) = &id {
                tracing::debug!(%error, "notification not shown");
            }
            id
        })
    }
}

impl Handler<SubscribeNotifications> for NotifierActor {
    type Result = ();

    fn handle(&mut self, msg: SubscribeNotifications, _: &mut Context<Self>) {
        self.subscribers.push(msg.0);
    }
}

impl Handler<NotificationEvent> for NotifierActor {
    type Result = ();

    fn handle(&mut self, event: NotificationEvent, _: &mut Context<Self>) {
        tracing::debug!(?event, "notification event");
        self.subscribers.retain(|s| s.connected());
        for subscriber in &self.subscribers {
            subscriber.do_send(event.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(Notification::new("hi").validate().is_ok());
        assert!(Notification::new("  ").validate().is_err());
        assert!(Notification::new("hi").action("", "x").validate().is_err());
        assert!(Notification::new("hi").action("a", "").validate().is_err());
    }

    #[test]
    fn close_reasons_follow_the_spec() {
        let cases = [
            (1, CloseReason::Expired),
            (2, CloseReason::Dismissed),
            (3, CloseReason::ClosedByApp),
            (4, CloseReason::Other(4)),
        ];
        for (code, want) in cases {
            assert_eq!(CloseReason::from(code), want);
        }
    }
}
