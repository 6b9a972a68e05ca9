//! Where notifications go: the session bus (zbus), or a recorder in tests.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use actix::prelude::*;

use crate::sync::lock;

use super::{
    Expiry, Notification, NotificationEvent, NotificationEventKind, NotificationId, NotifyError,
    Urgency,
};

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
