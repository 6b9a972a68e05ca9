//! The panel's part: `org.kde.StatusNotifierWatcher`.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use zbus::message::Header;

/// One registered item: the bus name that owns it and the object path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub service: String,
    pub path: String,
}

#[derive(Default)]
struct State {
    items: Mutex<Vec<Registered>>,
    changed: Condvar,
}

struct WatcherIface(Arc<State>);

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl WatcherIface {
    fn register_status_notifier_item(&self, service: &str, #[zbus(header)] header: Header<'_>) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        // Items pass either a bus name (path defaults to /StatusNotifierItem)
        // or an object path on the sender's connection.
        let item = if service.starts_with('/') {
            Registered {
                service: sender,
                path: service.to_owned(),
            }
        } else {
            Registered {
                service: service.to_owned(),
                path: "/StatusNotifierItem".to_owned(),
            }
        };
        self.0.items.lock().expect("lock").push(item);
        self.0.changed.notify_all();
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.0
            .items
            .lock()
            .expect("lock")
            .iter()
            .map(|i| format!("{}{}", i.service, i.path))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// A running watcher; keeps its connection open while alive.
pub struct Watcher {
    state: Arc<State>,
    _conn: zbus::blocking::Connection,
}

impl Watcher {
    pub fn start(bus: &super::bus::Bus) -> Watcher {
        let state = Arc::new(State::default());
        let conn = zbus::blocking::connection::Builder::address(bus.address())
            .expect("address")
            .name("org.kde.StatusNotifierWatcher")
            .expect("name")
            .serve_at("/StatusNotifierWatcher", WatcherIface(state.clone()))
            .expect("serve")
            .build()
            .expect("watcher connection");
        Watcher { state, _conn: conn }
    }

    /// Waits until at least `count` items registered; returns them.
    pub fn wait_items(&self, count: usize, timeout: Duration) -> Vec<Registered> {
        let items = self.state.items.lock().expect("lock");
        let (items, _) = self
            .state
            .changed
            .wait_timeout_while(items, timeout, |items| items.len() < count)
            .expect("lock");
        items.clone()
    }
}
