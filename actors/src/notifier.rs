//! Desktop notifications: the notifier actor and its backends.
//!
//! The real backend speaks `org.freedesktop.Notifications` over zbus, on the
//! actor thread's tokio runtime, with one connection for the app's life:
//! servers such as GNOME Shell send `ActionInvoked` only to the connection
//! that created the notification, so sending and listening share it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
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

/// The real backend: `org.freedesktop.Notifications` on the session bus,
/// over one zbus connection kept for the app's life.
///
/// The signal stream is opened *before* the first `Notify` call, and events
/// that overtake the `Notify` reply are buffered, so an action clicked at
/// once is never lost. (notify-rust opens one connection per notification and
/// subscribes only after showing it, which loses early clicks: see
/// ARCHITECTURE.md.)
#[derive(Default)]
pub struct DbusNotifications {
    conn: Arc<tokio::sync::OnceCell<zbus::Connection>>,
    routes: Arc<Mutex<Routes>>,
}

impl std::fmt::Debug for DbusNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbusNotifications").finish_non_exhaustive()
    }
}

/// How many unclaimed events are kept for notifications whose `Notify`
/// reply has not been processed yet.
const EARLY_EVENTS: usize = 64;

#[derive(Default)]
struct Routes {
    listeners: HashMap<u32, Recipient<NotificationEvent>>,
    early: VecDeque<NotificationEvent>,
}

impl Routes {
    fn deliver(&mut self, event: NotificationEvent) {
        let closing = matches!(event.kind, NotificationEventKind::Closed(_));
        match self.listeners.get(&event.id.0) {
            Some(listener) => {
                listener.do_send(event.clone());
                if closing {
                    self.listeners.remove(&event.id.0);
                }
            }
            None => {
                if self.early.len() == EARLY_EVENTS {
                    self.early.pop_front();
                }
                self.early.push_back(event);
            }
        }
    }

    fn listen(&mut self, id: NotificationId, listener: Recipient<NotificationEvent>) {
        let (mine, rest): (Vec<_>, Vec<_>) = self.early.drain(..).partition(|e| e.id == id);
        self.early = rest.into();
        let mut closed = false;
        for event in mine {
            closed |= matches!(event.kind, NotificationEventKind::Closed(_));
            listener.do_send(event);
        }
        if !closed {
            self.listeners.insert(id.0, listener);
        }
    }
}

const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

/// The app's notification connection, made on first use.
async fn connection<'a>(
    cell: &'a tokio::sync::OnceCell<zbus::Connection>,
    routes: &Arc<Mutex<Routes>>,
) -> Result<&'a zbus::Connection, NotifyError> {
    cell.get_or_try_init(|| async {
        let server = |e: zbus::Error| NotifyError::Server(e.to_string());
        let conn = zbus::Connection::session().await.map_err(server)?;
        // Opened first, so nothing that the rules below let in is missed.
        let stream = zbus::MessageStream::from(&conn);
        let dbus = zbus::fdo::DBusProxy::new(&conn).await.map_err(server)?;
        for member in ["ActionInvoked", "NotificationClosed"] {
            let rule = zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::Signal)
                .sender(IFACE)
                .and_then(|b| b.interface(IFACE))
                .and_then(|b| b.member(member))
                .map(|b| b.build())
                .map_err(server)?;
            dbus.add_match_rule(rule)
                .await
                .map_err(|e| server(e.into()))?;
        }
        // Who owns the server's name now, and whenever that changes.
        let owner_rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(BUS)
            .and_then(|b| b.interface(BUS))
            .and_then(|b| b.member("NameOwnerChanged"))
            .and_then(|b| b.add_arg(IFACE))
            .map(|b| b.build())
            .map_err(server)?;
        dbus.add_match_rule(owner_rule)
            .await
            .map_err(|e| server(e.into()))?;
        let name = zbus::names::BusName::from_static_str(IFACE).map_err(|e| server(e.into()))?;
        let owner = match dbus.get_name_owner(name).await {
            Ok(owner) => Some(owner.to_string()),
            // Not running yet: `Notify` starts it (D-Bus activation), and
            // NameOwnerChanged says who it is.
            Err(_) => None,
        };
        actix::spawn(route_signals(stream, routes.clone(), owner));
        Ok(conn)
    })
    .await
}

const BUS: &str = "org.freedesktop.DBus";

/// Which process a signal may come from: only the unique name that owns
/// `org.freedesktop.Notifications` (any process on the session bus can
/// send a signal with that interface and member, even addressed to us
/// alone, which match rules do not stop), and for owner changes only the
/// bus itself.
#[derive(Debug, Default)]
struct SenderFilter {
    owner: Option<String>,
}

impl SenderFilter {
    /// Reads one message: `true` if it is a notification signal from the
    /// server; owner changes from the bus are taken in (and `false`).
    fn admit(&mut self, header: &zbus::message::Header<'_>, body: &zbus::message::Body) -> bool {
        if header.message_type() != zbus::message::Type::Signal {
            return false;
        }
        let sender = header.sender().map(|s| s.as_str());
        let interface = header.interface().map(|i| i.as_str());
        let member = header.member().map(|m| m.as_str());
        if interface == Some(BUS) && member == Some("NameOwnerChanged") {
            if sender == Some(BUS) {
                if let Ok((name, _old, new)) = body.deserialize::<(String, String, String)>() {
                    if name == IFACE {
                        tracing::debug!(owner = %new, "notification server owner changed");
                        self.owner = (!new.is_empty()).then_some(new);
                    }
                }
            }
            return false;
        }
        if interface != Some(IFACE) {
            return false;
        }
        let from_server = sender.is_some() && sender == self.owner.as_deref();
        if !from_server {
            tracing::warn!(
                sender = sender.unwrap_or("?"),
                member = member.unwrap_or("?"),
                "ignored a notification signal not sent by the notification server"
            );
        }
        from_server
    }
}

async fn route_signals(
    mut stream: zbus::MessageStream,
    routes: Arc<Mutex<Routes>>,
    owner: Option<String>,
) {
    use futures_util::StreamExt;
    let mut filter = SenderFilter { owner };
    while let Some(Ok(msg)) = stream.next().await {
        let header = msg.header();
        let body = msg.body();
        if !filter.admit(&header, &body) {
            continue;
        }
        let event = match header.member().map(|m| m.as_str()) {
            Some("ActionInvoked") => {
                body.deserialize::<(u32, String)>()
                    .ok()
                    .map(|(id, key)| NotificationEvent {
                        id: NotificationId(id),
                        kind: NotificationEventKind::ActionInvoked(key),
                    })
            }
            Some("NotificationClosed") => {
                body.deserialize::<(u32, u32)>()
                    .ok()
                    .map(|(id, reason)| NotificationEvent {
                        id: NotificationId(id),
                        kind: NotificationEventKind::Closed(reason.into()),
                    })
            }
            _ => None,
        };
        if let Some(event) = event {
            lock(&routes).deliver(event);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl NotificationBackend for DbusNotifications {
    fn show(
        &self,
        app_name: &str,
        n: Notification,
        events: Recipient<NotificationEvent>,
    ) -> LocalFuture<Result<NotificationId, NotifyError>> {
        let app_name = app_name.to_owned();
        let (cell, routes) = (self.conn.clone(), self.routes.clone());
        Box::pin(async move {
            let conn = connection(&cell, &routes).await?;
            let actions: Vec<&str> = n
                .actions
                .iter()
                .flat_map(|(id, label)| [id.as_str(), label.as_str()])
                .collect();
            let urgency: u8 = match n.urgency {
                Urgency::Low => 0,
                Urgency::Normal => 1,
                Urgency::Critical => 2,
            };
            let mut hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
            hints.insert("urgency", urgency.into());
            let expire: i32 = match n.expiry {
                Expiry::Default => -1,
                Expiry::Never => 0,
                Expiry::After(d) => i32::try_from(d.as_millis()).unwrap_or(i32::MAX),
            };
            let reply = conn
                .call_method(
                    Some(IFACE),
                    PATH,
                    Some(IFACE),
                    "Notify",
                    &(
                        &app_name, 0u32, &n.icon, &n.summary, &n.body, actions, hints, expire,
                    ),
                )
                .await
                .map_err(|e| NotifyError::Server(e.to_string()))?;
            let id: u32 = reply
                .body()
                .deserialize()
                .map_err(|e| NotifyError::Server(e.to_string()))?;
            let id = NotificationId(id);
            lock(&routes).listen(id, events);
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
