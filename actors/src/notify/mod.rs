//! Desktop notifications: the notifier actor and its backends.
//!
//! The real backend speaks `org.freedesktop.Notifications` over zbus, on the
//! actor thread's tokio runtime, with one connection for the app's life:
//! servers such as GNOME Shell send `ActionInvoked` only to the connection
//! that created the notification, so sending and listening share it.
//!
//! # Layout
//! - `mod.rs`: [`Notification`] and the events it produces.
//! - `backend`: [`NotificationBackend`] and the D-Bus one.
//! - `actor`: [`NotifierActor`] and its messages.

use std::time::Duration;

use actix::prelude::*;

use crate::error::ActorError;

mod actor;
mod backend;

// Plumbing of the facade and the updater (actors, their messages, the
// runtime's side of the boundary): public for them, not for apps.
#[doc(hidden)]
pub use actor::{NotifierActor, Notify, SubscribeNotifications};
#[doc(hidden)]
pub use backend::{DbusNotifications, LocalFuture, NotificationBackend};

/// Why a notification could not be shown.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::notifier::NotifyError;
///
/// # async fn f(app: &AppHandle) {
/// match app.notify(Notification::new("Backup done")).await {
///     Ok(_) => {}
///     Err(NotifyError::Server(why)) => eprintln!("no notification daemon: {why}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
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
///
/// ```
/// use traykit::prelude::*;
///
/// let n = Notification::new("Battery low").urgency(Urgency::Critical);
/// assert_eq!(n.urgency, Urgency::Critical);
/// ```
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
///
/// ```
/// use std::time::Duration;
/// use traykit::prelude::*;
///
/// let n = Notification::new("Copied").expiry(Expiry::After(Duration::from_secs(3)));
/// # let _ = n;
/// ```
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
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder()).await?;
/// # let app = test.handle();
/// let id = app
///     .notify(
///         Notification::new("Tea is ready")
///             .body("Steeped for 4 minutes")
///             .urgency(Urgency::Critical)
///             .action("snooze", "Snooze"),
///     )
///     .await?;
/// # let _ = id;
/// # Ok(()) }
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

    pub(crate) fn validate(&self) -> Result<(), NotifyError> {
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

/// The server's id of a shown notification, returned by
/// [`AppHandle::notify`](crate::app::AppHandle::notify) and carried by every
/// [`NotificationEvent`] about it.
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder()).await?;
/// # let app = test.handle();
/// let id = app.notify(Notification::new("Saved")).await?;
/// let builder = App::builder().on_notification(move |_, event| {
///     if event.id == id { /* about "Saved" */ }
/// });
/// # let _ = builder;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotificationId(pub u32);

/// Why a notification closed, as the server reports it, in
/// [`NotificationEventKind::Closed`].
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().on_notification(|app, event: &NotificationEvent| {
///     match &event.kind {
///         NotificationEventKind::ActionInvoked(action) if action == "open" => app.show_window("main"),
///         NotificationEventKind::Closed(CloseReason::Dismissed) => println!("{:?} dismissed", event.id),
///         _ => {}
///     }
/// });
/// # let _ = builder;
/// ```
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
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().on_notification(|app, event: &NotificationEvent| {
///     match &event.kind {
///         NotificationEventKind::ActionInvoked(action) if action == "open" => app.show_window("main"),
///         NotificationEventKind::Closed(CloseReason::Dismissed) => println!("{:?} dismissed", event.id),
///         _ => {}
///     }
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotificationEventKind {
    /// A button was clicked (`"default"` for a click on the body).
    ActionInvoked(String),
    /// It closed without an action.
    Closed(CloseReason),
}

/// Sent to notification subscribers: an action was clicked or the
/// notification closed.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().on_notification(|app, event: &NotificationEvent| {
///     match &event.kind {
///         NotificationEventKind::ActionInvoked(action) if action == "open" => app.show_window("main"),
///         NotificationEventKind::Closed(CloseReason::Dismissed) => println!("{:?} dismissed", event.id),
///         _ => {}
///     }
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct NotificationEvent {
    /// Which notification.
    pub id: NotificationId,
    /// What happened.
    pub kind: NotificationEventKind,
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
