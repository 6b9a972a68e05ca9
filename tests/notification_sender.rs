//! Notification action signals are taken only from the notification server:
//! another process on the session bus that sends `ActionInvoked` (addressed
//! to the app, or broadcast) for the app's notification is ignored.
//!
//! Runs the real `DbusNotifications` backend against the rig's server on a
//! private bus; no display needed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use support::bus::Bus;
use support::notifications::NotificationServer;
use tokio::sync::mpsc;
use traykit::notifier::{DbusNotifications, NotificationBackend};
use traykit::prelude::*;

const T: Duration = Duration::from_secs(10);
const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

/// Forwards every event it gets to a channel the test awaits.
struct Collector(mpsc::UnboundedSender<NotificationEvent>);

impl Actor for Collector {
    type Context = Context<Self>;
}

impl Handler<NotificationEvent> for Collector {
    type Result = ();
    fn handle(&mut self, event: NotificationEvent, _: &mut Context<Self>) {
        let _ = self.0.send(event);
    }
}

/// Runs blocking rig code (zbus's blocking API starts a runtime of its
/// own, which it may not do on the actor thread) on a thread of its own.
fn off_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::spawn(f).join().expect("rig thread")
}

#[test]
fn action_signals_from_anyone_but_the_server_are_ignored() {
    let bus = Bus::start();
    // The backend connects to "the session bus": this test's private one.
    // (Edition 2021: `set_var` is safe; nothing in this process has read
    // the variable yet.)
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus.address());
    let server = Arc::new(NotificationServer::start(&bus));
    let address = bus.address().to_owned();
    actix::System::new().block_on(check(server, address));
}

async fn check(server: Arc<NotificationServer>, address: String) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let collector = Collector(tx).start();
    let backend = DbusNotifications::default();
    let id = backend
        .show(
            "forgery-test",
            Notification::new("Timer").action("snooze", "Snooze"),
            collector.recipient(),
        )
        .await
        .expect("shown");
    let rig = server.clone();
    let shown = off_thread(move || rig.wait_count(1, T));
    let shown = shown
        .first()
        .expect("the server got the notification")
        .clone();
    assert_eq!(shown.id, id.0);

    // Another client of the bus forges a click, addressed to the app and
    // broadcast, then makes a round trip to the bus: the daemon handles a
    // connection's messages in order, so once the reply is back both
    // forgeries are on their way to the app, ahead of anything the server
    // sends next.
    let target = shown.sender.clone();
    off_thread(move || {
        let forger = zbus::blocking::connection::Builder::address(address.as_str())
            .expect("address")
            .build()
            .expect("forger connects");
        for destination in [Some(target.as_str()), None] {
            forger
                .emit_signal(destination, PATH, IFACE, "ActionInvoked", &(id.0, "forged"))
                .expect("forged signal sent");
        }
        zbus::blocking::fdo::DBusProxy::new(&forger)
            .expect("proxy")
            .get_id()
            .expect("round trip");
    });

    // The real server's click and close.
    let rig = server.clone();
    off_thread(move || rig.invoke_action(&shown, "snooze"));

    let mut events = Vec::new();
    while !events
        .iter()
        .any(|e: &NotificationEvent| matches!(e.kind, NotificationEventKind::Closed(_)))
    {
        let event = tokio::time::timeout(T, rx.recv())
            .await
            .expect("the server's events arrive")
            .expect("collector alive");
        events.push(event);
    }
    let kinds: Vec<_> = events.into_iter().map(|e| (e.id, e.kind)).collect();
    assert_eq!(
        kinds,
        [
            (id, NotificationEventKind::ActionInvoked("snooze".into())),
            (id, NotificationEventKind::Closed(CloseReason::Dismissed)),
        ],
        "only the server's signals, in order"
    );
}
