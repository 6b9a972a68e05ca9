//! Requests from actors to the UI thread, answered on a oneshot with a
//! timeout.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::{Placement, WindowSpec};
use crate::error::UiError;
use crate::icon::Icon;
use crate::ids::{TrayId, WindowLabel};
use crate::menu::Menu;

/// Everything the UI thread needs to show one tray icon.
///
/// What the tray actor sends in `UiRequest::CreateTray`; tests read it back.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::UiRequest;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").title("Hi"))).await?;
/// let created = test.ui_requests().into_iter().find_map(|r| match r {
///     UiRequest::CreateTray(spec) => Some(spec),
///     _ => None,
/// });
/// let spec = created.expect("the tray was created");
/// assert_eq!(spec.id.as_str(), "main");
/// assert_eq!(spec.title.as_deref(), Some("Hi"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraySpec {
    /// Which tray.
    pub id: TrayId,
    /// The icon; `None` shows the panel's placeholder.
    pub icon: Option<Icon>,
    /// The SNI title (shown as the tooltip heading, or next to the icon by some panels).
    pub title: Option<String>,
    /// The tooltip body.
    pub tooltip: Option<String>,
    /// Passive (hidden) when false.
    pub visible: bool,
    /// The context menu.
    pub menu: Menu,
}

/// One property of a live tray, replaced whole.
///
/// What tests assert on: `traykit::test::TestApp` records every
/// request the actors make of the UI thread.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::{TrayUpdate, UiRequest};
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").menu(Menu::new().item("sync", "Sync")))).await?;
/// # let app = test.handle();
/// app.tray("main")?.set_title("3").await?;
/// let title = TrayUpdate::Title(Some("3".into()));
/// assert!(test.ui_requests().iter().any(|r| matches!(r, UiRequest::UpdateTray { update, .. } if *update == title)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrayUpdate {
    /// New title.
    Title(Option<String>),
    /// New tooltip.
    Tooltip(Option<String>),
    /// New icon.
    Icon(Option<Icon>),
    /// Show or hide.
    Visible(bool),
    /// The whole menu. Item changes are sent as a new menu too: the model in
    /// the tray actor is the single source of truth, and a whole-menu swap
    /// keeps the UI side free of per-item bookkeeping.
    Menu(Menu),
}

/// A request for the UI thread. Closed on purpose: this enum is the complete
/// list of what actors can make the UI thread do.
///
/// What tests assert on: `traykit::test::TestApp` records every
/// request the actors make of the UI thread.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::{TrayUpdate, UiRequest};
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").menu(Menu::new().item("sync", "Sync")))).await?;
/// # let app = test.handle();
/// assert!(matches!(test.ui_requests()[0], UiRequest::CreateTray(_)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UiRequest {
    /// Show a new tray icon (or replace one with the same id).
    CreateTray(TraySpec),
    /// Change one property of a tray icon.
    UpdateTray {
        /// Which tray.
        id: TrayId,
        /// What changes.
        update: TrayUpdate,
    },
    /// Remove a tray icon from the panel.
    RemoveTray(TrayId),
    /// Create a native window and its webview.
    CreateWindow {
        /// The declaration.
        spec: WindowSpec,
        /// Shown at once, or created hidden (pre-warming).
        visible: bool,
        /// Runs before the page's own scripts: the IPC bridge.
        init_script: String,
        /// The isolation frame to serve to this webview, when the isolation
        /// pattern is on.
        isolation: Option<crate::isolation::IsolationFrame>,
    },
    /// Change an open window.
    Window {
        /// Which window.
        label: WindowLabel,
        /// What to do.
        op: WindowOp,
    },
    /// Drop the window and its webview (its web process exits).
    DestroyWindow(WindowLabel),
    /// Run a script in a window's page: how replies and events reach it.
    Eval {
        /// Which window.
        label: WindowLabel,
        /// The script.
        script: String,
    },
    /// Start the webview host (if none runs) and warm it for a window that
    /// is probably coming (a menu opened, a shortcut, a second launch), so
    /// that window does not wait for a process start. Not a window: an
    /// idle host is let go again after a while.
    PrewarmHost,
    /// Leave the event loop; `App::run` returns with this code.
    Exit {
        /// Process exit code.
        code: i32,
    },
}

/// An operation on an open window.
///
/// ```
/// use traykit::ui::WindowOp;
///
/// // What `window.set_title("Notes")` asks of the UI thread.
/// let op = WindowOp::SetTitle("Notes".into());
/// assert_eq!(op, WindowOp::SetTitle("Notes".to_owned()));
/// assert_ne!(op, WindowOp::Show);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum WindowOp {
    /// Make visible.
    Show,
    /// Hide.
    Hide,
    /// Bring to front and focus.
    Focus,
    /// Change the title.
    SetTitle(String),
    /// Change the logical size.
    SetSize(f64, f64),
    /// Move to a logical position.
    SetPosition(f64, f64),
    /// Center on the current monitor.
    Center,
    /// Position according to a placement (pointer, corner).
    Place(Placement),
}

impl UiRequest {
    /// A short name for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            UiRequest::CreateTray(_) => "CreateTray",
            UiRequest::UpdateTray { .. } => "UpdateTray",
            UiRequest::RemoveTray(_) => "RemoveTray",
            UiRequest::CreateWindow { .. } => "CreateWindow",
            UiRequest::Window { .. } => "Window",
            UiRequest::DestroyWindow(_) => "DestroyWindow",
            UiRequest::Eval { .. } => "Eval",
            UiRequest::PrewarmHost => "PrewarmHost",
            UiRequest::Exit { .. } => "Exit",
        }
    }
}

/// The UI thread's answer to one request.
pub type UiReply = Result<(), UiError>;

/// A request travelling to the UI thread with its reply channel.
#[derive(Debug)]
pub struct UiEnvelope {
    request: UiRequest,
    reply: oneshot::Sender<UiReply>,
}

impl UiEnvelope {
    /// The request, to route the envelope before taking it apart.
    pub fn request(&self) -> &UiRequest {
        &self.request
    }

    /// The request and the way to answer it.
    pub fn into_parts(self) -> (UiRequest, UiResponder) {
        (self.request, UiResponder(self.reply))
    }
}

/// Answers one [`UiRequest`]. Dropping it unanswered gives the caller
/// [`UiError::Closed`].
#[derive(Debug)]
pub struct UiResponder(oneshot::Sender<UiReply>);

impl UiResponder {
    /// Sends the answer; a caller that gave up (timeout) is ignored.
    pub fn send(self, reply: UiReply) {
        let _ = self.0.send(reply);
    }
}

/// How requests reach the UI thread: the real event-loop proxy, or a headless
/// recorder in tests.
pub trait UiPoster: Send + Sync + 'static {
    /// Hands the envelope over without blocking. Fails with
    /// [`UiError::Closed`] if the UI thread is gone (the envelope is dropped,
    /// which also answers its caller with `Closed`).
    fn post(&self, envelope: UiEnvelope) -> Result<(), UiError>;
}

/// A `Send + Clone` handle actors use to ask the UI thread for something.
#[derive(Clone)]
pub struct UiHandle {
    poster: Arc<dyn UiPoster>,
    timeout: Duration,
}

impl std::fmt::Debug for UiHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UiHandle")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl UiHandle {
    /// A handle over a poster, with the timeout every request gets.
    pub fn new(poster: Arc<dyn UiPoster>, timeout: Duration) -> Self {
        Self { poster, timeout }
    }

    /// Posts the request *now* and returns a future for the answer.
    ///
    /// Posting eagerly (not on first poll) keeps requests from one actor in
    /// the order it made them, even when it awaits them out of order.
    pub fn request(&self, request: UiRequest) -> impl Future<Output = UiReply> + Send + 'static {
        let name = request.name();
        let timeout = self.timeout;
        let (tx, rx) = oneshot::channel();
        let posted = self.poster.post(UiEnvelope { request, reply: tx });
        async move {
            posted?;
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(_)) => Err(UiError::Closed),
                Err(_) => Err(UiError::Timeout {
                    request: name,
                    timeout,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Holds envelopes without answering, to test timeouts and ordering.
    #[derive(Default)]
    struct Parked(Mutex<Vec<UiEnvelope>>);
    impl UiPoster for Parked {
        fn post(&self, envelope: UiEnvelope) -> Result<(), UiError> {
            self.0.lock().expect("lock").push(envelope);
            Ok(())
        }
    }

    struct Gone;
    impl UiPoster for Gone {
        fn post(&self, _envelope: UiEnvelope) -> Result<(), UiError> {
            Err(UiError::Closed)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unanswered_request_times_out() {
        let ui = UiHandle::new(Arc::new(Parked::default()), Duration::from_secs(2));
        let got = ui.request(UiRequest::Exit { code: 0 }).await;
        assert_eq!(
            got,
            Err(UiError::Timeout {
                request: "Exit",
                timeout: Duration::from_secs(2)
            })
        );
    }

    #[tokio::test]
    async fn closed_loop_is_reported() {
        let ui = UiHandle::new(Arc::new(Gone), Duration::from_secs(2));
        assert_eq!(
            ui.request(UiRequest::Exit { code: 0 }).await,
            Err(UiError::Closed)
        );
        let parked = Arc::new(Parked::default());
        let ui = UiHandle::new(parked.clone(), Duration::from_secs(2));
        let pending = ui.request(UiRequest::Exit { code: 0 });
        parked.0.lock().expect("lock").clear(); // dropped unanswered
        assert_eq!(pending.await, Err(UiError::Closed));
    }

    #[tokio::test]
    async fn requests_are_posted_in_call_order_not_poll_order() {
        let parked = Arc::new(Parked::default());
        let ui = UiHandle::new(parked.clone(), Duration::from_secs(2));
        let first = ui.request(UiRequest::Exit { code: 1 });
        let second = ui.request(UiRequest::Exit { code: 2 });
        let codes: Vec<_> = parked
            .0
            .lock()
            .expect("lock")
            .drain(..)
            .map(|e| {
                let (req, responder) = e.into_parts();
                responder.send(Ok(()));
                req
            })
            .collect();
        assert_eq!(
            codes,
            vec![UiRequest::Exit { code: 1 }, UiRequest::Exit { code: 2 }]
        );
        assert_eq!(second.await, Ok(()));
        assert_eq!(first.await, Ok(()));
    }
}
