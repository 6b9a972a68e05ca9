//! Test your app without a display: the real actor graph, with the UI thread
//! and the notification server replaced by recorders.
//!
//! ```
//! use std::time::Duration;
//! use traykit::prelude::*;
//! use traykit::test::TestApp;
//! use traykit::ui::{TrayUpdate, UiRequest};
//!
//! #[actix::test]
//! async fn pause_greys_out_notify() {
//!     let app = TestApp::start(
//!         App::builder()
//!             .tray(Tray::new("main").menu(Menu::new().check("pause", "Pause", false).item("notify", "Notify")))
//!             .on_menu_click(|app, click| {
//!                 let tray = app.tray("main").expect("tray");
//!                 let paused = click.checked == Some(true);
//!                 actix::spawn(async move { tray.set_enabled("notify", !paused).await.expect("change") });
//!             }),
//!     )
//!     .await
//!     .expect("app starts");
//!     app.click("main", "pause");
//!     assert!(app.wait_for_ui(Duration::from_secs(2), |reqs| reqs.len() >= 3).await);
//! }
//! # fn main() {}
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use traykit_actors::app::AppHandle;
use traykit_actors::headless::{RecordingNotifications, RecordingUi};
use traykit_actors::ids::WindowLabel;
use traykit_actors::ids::{MenuId, TrayId};
use traykit_actors::ui::{MouseButton, UiEvent, UiHandle, UiRequest};

use crate::builder::AppBuilder;
use crate::error::Error;

/// A running app with no display and no bus. Start it inside an actix
/// System, e.g. in an `#[actix::test]`.
///
/// ```
/// use serde_json::json;
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
/// use traykit::test::TestApp;
///
/// # #[actix::main] async fn main() -> Result<(), traykit::Error> {
/// let app = TestApp::start(
///     App::builder()
///         .window(Window::new("main"))
///         .capability(r#"{"identifier":"main","windows":["main"],"methods":["math.add"]}"#)
///         .command("math.add", |(a, b): (i64, i64), _: CallContext| async move {
///             Ok::<_, RpcError>(a + b)
///         }),
/// )
/// .await?;
/// let call = json!({"jsonrpc": "2.0", "id": 1, "method": "math.add", "params": [2, 3]});
/// let reply = app.ipc("main", &call.to_string()).await.expect("a reply");
/// assert_eq!(reply["result"], 5);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestApp {
    app: AppHandle,
    ui: Arc<RecordingUi>,
    notifications: Arc<RecordingNotifications>,
    /// A data directory made for this app (when the builder named none),
    /// removed on drop.
    temp_data: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(dir) = &self.temp_data {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl TestApp {
    /// Boots the app declared by `builder`: actors, trays, hooks and setup.
    pub async fn start(mut builder: AppBuilder) -> Result<TestApp, Error> {
        // Tests never write into the user's real data directory.
        let temp_data = builder.data_dir.is_none().then(|| {
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::env::temp_dir().join(format!("traykit-testapp-{}-{n}", std::process::id()))
        });
        if let Some(dir) = &temp_data {
            builder.data_dir = Some(dir.clone());
            // …nor into the real autostart directory.
            builder.desktop.default_autostart_dir(dir.join("autostart"));
        }
        let ui = Arc::new(RecordingUi::default());
        let notifications = Arc::new(RecordingNotifications::default());
        let handle = UiHandle::new(ui.clone(), builder.request_timeout);
        let app = builder.boot(handle, notifications.clone(), |_| {}).await?;
        Ok(TestApp {
            app,
            ui,
            notifications,
            temp_data,
        })
    }

    /// The app's handle, as handlers see it.
    pub fn handle(&self) -> &AppHandle {
        &self.app
    }

    /// Every request the actors made of the UI thread, in order.
    pub fn ui_requests(&self) -> Vec<UiRequest> {
        self.ui.requests()
    }

    /// Returns and forgets the UI requests so far.
    pub fn take_ui_requests(&self) -> Vec<UiRequest> {
        self.ui.take()
    }

    /// Waits until the recorded UI requests satisfy `check`; false on timeout.
    pub async fn wait_for_ui(
        &self,
        timeout: Duration,
        check: impl FnMut(&[UiRequest]) -> bool,
    ) -> bool {
        self.ui.wait_for(timeout, check).await
    }

    /// The recording UI, e.g. to make it fail.
    pub fn ui(&self) -> &RecordingUi {
        &self.ui
    }

    /// The recording notification server.
    pub fn notifications(&self) -> &RecordingNotifications {
        &self.notifications
    }

    /// Clicks a menu item, as the panel would.
    ///
    /// # Panics
    /// If `tray` or `item` is not a valid id (a bug in the test).
    pub fn click(&self, tray: &str, item: &str) {
        self.app.dispatch(UiEvent::MenuActivated {
            tray: TrayId::new(tray).expect("valid tray id"),
            item: MenuId::new(item).expect("valid item id"),
        });
    }

    /// Posts `text` as the page of window `window` would (opening the window
    /// first if needed) and returns what the core sends back to that page
    /// next: a response, a batch, or `None` if nothing came within 5 s (a
    /// notification, a batch of notifications). Runs the real decoder,
    /// capability checks and handlers — commands are testable without a
    /// webview.
    ///
    /// # Panics
    /// If `window` is not a declared window (a bug in the test).
    pub async fn ipc(&self, window: &str, text: &str) -> Option<Value> {
        let url = format!("{}/index.html", traykit_actors::window::APP_ORIGIN);
        self.ipc_from(window, &url, text).await
    }

    /// Like [`ipc`](Self::ipc), as posted by a page loaded from `url`
    /// (to test what remote or dev-server pages may call).
    ///
    /// # Panics
    /// If `window` is not a declared window (a bug in the test).
    pub async fn ipc_from(&self, window: &str, url: &str, text: &str) -> Option<Value> {
        let handle = self.app.window(window).expect("declared window");
        handle.show().await.expect("window opens");
        let label = WindowLabel::new(window).expect("valid label");
        let before = self.ui.requests().len();
        self.app.dispatch(UiEvent::Ipc {
            window: label.clone(),
            url: url.to_owned(),
            seq: None,
            body: text.to_owned(),
        });
        let mut found = None;
        self.ui
            .wait_for(Duration::from_secs(5), |reqs| {
                found = reqs[before.min(reqs.len())..].iter().find_map(|r| match r {
                    UiRequest::Eval { label: l, script } if *l == label => Some(script.clone()),
                    _ => None,
                });
                found.is_some()
            })
            .await;
        delivered(&found?)
    }

    /// Everything the core has sent window `window`'s page so far —
    /// responses and event notifications — one JSON-RPC message each, in
    /// order (deliveries and batches unpacked).
    pub fn page_messages(&self, window: &str) -> Vec<Value> {
        messages_in(&self.ui.requests(), window)
    }

    /// The payloads of event `event` the core has sent `window`'s page.
    pub fn page_events(&self, window: &str, event: &str) -> Vec<Value> {
        events_in(&self.ui.requests(), window, event)
    }

    /// Waits until `window`'s page was sent at least `count` `event`s (or
    /// `timeout` passes) and returns their payloads.
    pub async fn wait_for_page_events(
        &self,
        window: &str,
        event: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<Value> {
        self.ui
            .wait_for(timeout, |reqs| {
                events_in(reqs, window, event).len() >= count
            })
            .await;
        self.page_events(window, event)
    }

    /// Opens a tray's menu, as the panel does before a click (dbusmenu
    /// `AboutToShow`): the app prewarms its webview host
    /// (`UiRequest::PrewarmHost`) and the tray's `TrayMenuOpened`
    /// subscribers hear of it.
    ///
    /// # Panics
    /// If `tray` is not a valid id (a bug in the test).
    pub fn open_menu(&self, tray: &str) {
        self.app.dispatch(UiEvent::TrayMenuOpened {
            tray: TrayId::new(tray).expect("valid tray id"),
        });
    }

    /// Clicks the tray icon itself.
    ///
    /// # Panics
    /// If `tray` is not a valid id (a bug in the test).
    pub fn activate(&self, tray: &str, button: MouseButton, position: (f64, f64)) {
        self.app.dispatch(UiEvent::TrayActivated {
            tray: TrayId::new(tray).expect("valid tray id"),
            button,
            position,
        });
    }
}

/// The value one `Eval` hands to `__TRAYKIT__.receive(…)`.
fn delivered(script: &str) -> Option<Value> {
    let literal = script
        .split_once(".receive(")
        .and_then(|(_, rest)| rest.strip_suffix(')'))?;
    let text: String = serde_json::from_str(literal).ok()?;
    serde_json::from_str(&text).ok()
}

fn messages_in(requests: &[UiRequest], window: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for request in requests {
        if let UiRequest::Eval { label, script } = request {
            if label.as_str() == window {
                flatten(delivered(script), &mut out);
            }
        }
    }
    out
}

/// One `event` notification per payload of an `events` run (the core
/// coalesces consecutive events of one name and source).
fn unpack_events(message: Value, out: &mut Vec<Value>) {
    match message {
        Value::Object(mut m) if m.get("method").and_then(Value::as_str) == Some("events") => {
            let mut params = m.remove("params").unwrap_or(Value::Null);
            let payloads = match params["payloads"].take() {
                Value::Array(p) => p,
                _ => Vec::new(),
            };
            for payload in payloads {
                out.push(serde_json::json!({
                    "jsonrpc": "2.0",
                    "method": "event",
                    "params": {"event": params["event"], "payload": payload, "source": params["source"]},
                }));
            }
        }
        other => out.push(other),
    }
}

fn events_in(requests: &[UiRequest], window: &str, event: &str) -> Vec<Value> {
    messages_in(requests, window)
        .into_iter()
        .filter(|m| m["method"] == "event" && m["params"]["event"] == event)
        .map(|mut m| m["params"]["payload"].take())
        .collect()
}

fn flatten(value: Option<Value>, out: &mut Vec<Value>) {
    match value {
        Some(Value::Array(items)) => {
            for item in items {
                flatten(Some(item), out);
            }
        }
        Some(one) => unpack_events(one, out),
        None => {}
    }
}
