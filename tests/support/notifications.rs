//! The notification server's part: `org.freedesktop.Notifications`.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use zbus::message::Header;
use zbus::zvariant::OwnedValue;

const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: u32,
    pub sender: String,
    pub app_name: String,
    pub icon: String,
    pub summary: String,
    pub body: String,
    /// (key, label) pairs.
    pub actions: Vec<(String, String)>,
    pub urgency: Option<u8>,
    pub expire_timeout: i32,
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    changed: Condvar,
}

struct ServerIface(Arc<State>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl ServerIface {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
        #[zbus(header)] header: Header<'_>,
    ) -> u32 {
        let mut received = self.0.received.lock().expect("lock");
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            received.len() as u32 + 1
        };
        received.push(Received {
            id,
            sender: header.sender().map(|s| s.to_string()).unwrap_or_default(),
            app_name,
            icon: app_icon,
            summary,
            body,
            actions: actions
                .chunks(2)
                .map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or_default()))
                .collect(),
            urgency: hints.get("urgency").and_then(|v| u8::try_from(v).ok()),
            expire_timeout,
        });
        self.0.changed.notify_all();
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "traykit-test-rig".into(),
            "traykit".into(),
            "1".into(),
            "1.2".into(),
        )
    }
}

pub struct NotificationServer {
    state: Arc<State>,
    conn: zbus::blocking::Connection,
}

impl NotificationServer {
    pub fn start(bus: &super::bus::Bus) -> NotificationServer {
        let state = Arc::new(State::default());
        let conn = zbus::blocking::connection::Builder::address(bus.address())
            .expect("address")
            .name("org.freedesktop.Notifications")
            .expect("name")
            .serve_at(PATH, ServerIface(state.clone()))
            .expect("serve")
            .build()
            .expect("notification server connection");
        NotificationServer { state, conn }
    }

    /// Waits until at least `count` notifications arrived; returns them all.
    pub fn wait_count(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let received = self.state.received.lock().expect("lock");
        let (received, _) = self
            .state
            .changed
            .wait_timeout_while(received, timeout, |r| r.len() < count)
            .expect("lock");
        received.clone()
    }

    /// Emits `ActionInvoked` to the notification's sender only, as GNOME
    /// Shell does, so the app must listen on the connection it notified from.
    pub fn invoke_action(&self, notification: &Received, key: &str) {
        self.conn
            .emit_signal(
                Some(notification.sender.as_str()),
                PATH,
                IFACE,
                "ActionInvoked",
                &(notification.id, key),
            )
            .expect("emit ActionInvoked");
        self.close(notification, 2);
    }

    /// Emits `NotificationClosed` with a reason code to the sender.
    pub fn close(&self, notification: &Received, reason: u32) {
        self.conn
            .emit_signal(
                Some(notification.sender.as_str()),
                PATH,
                IFACE,
                "NotificationClosed",
                &(notification.id, reason),
            )
            .expect("emit NotificationClosed");
    }
}
