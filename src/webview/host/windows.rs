//! Live windows on the webview host's main thread: tao windows with a wry
//! (WebKitGTK) webview each, keyed by label. Only `server.rs` calls this,
//! and only in the host process.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tao::dpi::{LogicalPosition, LogicalSize, PhysicalPosition};
use tao::event::WindowEvent;
use tao::event_loop::EventLoopWindowTarget;
use tao::platform::unix::{WindowBuilderExtUnix, WindowExtUnix};
use tao::window::{Window as NativeWindow, WindowBuilder, WindowId};
use traykit_actors::ids::WindowLabel;
use traykit_actors::isolation::IsolationFrame;
use traykit_actors::sync::lock;
use traykit_actors::ui::{UiEvent, WindowOp};
use traykit_actors::window::{Corner, Placement, WindowSpec};
use traykit_actors::UiError;
use wry::{WebView, WebViewBuilder, WebViewBuilderExtUnix, WebViewExtUnix};

use super::frame::{open_envelope, Budget, Ticket};
use super::protocol::oversize;
use super::{give_back_heap, EventSink};
use crate::webview::assets::{refuse_isolation_path, Assets};

/// traykit's half of the isolation frame: seals what the app's hook lets
/// through (see `actors/src/isolation.rs`).
const ISOLATION_JS: &str = include_str!("../../../ui-assets/isolation.js");

type Response = wry::http::Response<Cow<'static, [u8]>>;

/// Serves one webview's isolation frame.
type FrameServer = Box<dyn Fn(wry::http::Request<Vec<u8>>) -> Response + Send + Sync>;

/// The isolation frame servers of the live webviews, by webview id (their
/// label). One `traykit-isolation` handler is registered on the shared
/// WebContext, and it serves each webview its own frame.
type FrameServers = Arc<Mutex<HashMap<String, FrameServer>>>;

/// The webview id of the prewarm webview: not a valid label, so no window
/// can have it.
const WARM_ID: &str = "traykit:warm";

/// Serves one webview's isolation frame. Each load is a new session, so a
/// reloaded frame's sequence numbers never collide with an earlier load's.
fn frame_server(frame: IsolationFrame) -> FrameServer {
    let sessions = AtomicU64::new(0);
    Box::new(move |request| {
        if let Some(refused) = refuse_isolation_path(&request) {
            return refused;
        }
        let session = sessions.fetch_add(1, Ordering::Relaxed) + 1;
        let builder =
            wry::http::Response::builder().header(wry::http::header::CACHE_CONTROL, "no-store");
        match frame.document(session, ISOLATION_JS) {
            Ok(doc) => builder
                .header(wry::http::header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header("Content-Security-Policy", doc.csp)
                .body(Cow::Owned(doc.html.into_bytes()))
                .unwrap_or_default(),
            Err(e) => {
                tracing::error!(error = %e, "isolation frame not served");
                builder
                    .status(wry::http::StatusCode::INTERNAL_SERVER_ERROR)
                    .body(Cow::Borrowed(&b"traykit: isolation frame unavailable"[..]))
                    .unwrap_or_default()
            }
        }
    })
}

/// What a webview without an isolation frame gets for one.
fn refuse_unknown_frame() -> Response {
    wry::http::Response::builder()
        .status(wry::http::StatusCode::NOT_FOUND)
        .body(Cow::Borrowed(
            &b"traykit: no isolation frame for this webview"[..],
        ))
        .unwrap_or_default()
}

/// Keeps popups this far from screen edges and the pointer.
const MARGIN: f64 = 8.0;

/// Page messages one window may have queued towards the app (the pipe
/// and the app's reader are slower than the page): past this, or past
/// twice `max_message_bytes`, the page's next message is refused.
const QUEUED_MESSAGES: usize = 1024;

/// Dropped envelope-less posts are logged at most this often per window.
const DROP_WARN_EVERY: Duration = Duration::from_secs(10);

struct Live {
    // Field order is drop order: the webview goes before its window. The
    // IPC handler holds only a weak reference, to answer refusals.
    webview: Rc<WebView>,
    window: NativeWindow,
}

pub(crate) struct Windows {
    live: HashMap<WindowLabel, Live>,
    ids: HashMap<WindowId, WindowLabel>,
    /// The hidden `about:blank` webview of a prewarm, until the first
    /// window: by then the WebContext is up and the host has painted, and
    /// a kept host without it was ~50 MiB PSS smaller and reopened as fast
    /// (see ARCHITECTURE.md, "Prewarm").
    warm: Option<Live>,
    /// One WebContext for every webview of this host (after the webviews,
    /// so they drop first): its network process and web-process pool are
    /// started once, by the first webview or the prewarm, not per window.
    context: Option<wry::WebContext>,
    frames: FrameServers,
    assets: Arc<Assets>,
    sink: EventSink,
    pages: PageSink,
}

/// A page message whose envelope checked out, with its share of the
/// window's queue.
pub(crate) struct PageMessage {
    pub window: WindowLabel,
    pub url: String,
    pub seq: u64,
    pub body: String,
    pub ticket: Ticket,
}

/// Where page messages go: the pipe back to the app.
pub(crate) type PageSink = Arc<dyn Fn(PageMessage) + Send + Sync>;

/// A fresh secret for one webview's bridge: 128 random bits, as hex.
fn bridge_secret() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    let mut filled = 0;
    while filled < bytes.len() {
        match rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(format!("no randomness for the IPC secret: {e}")),
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    Ok(bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect())
}

/// The bridge (and whatever the core put before it) with the webview's
/// secret bound as a parameter: a closure variable of the bridge, never a
/// property of `window` that another script or frame could read.
fn with_secret(init_script: &str, secret: &str) -> String {
    format!("(function (__TRAYKIT_SECRET__) {{\n{init_script}\n}})(\"{secret}\");")
}

/// The script that tells a page its message `seq` was refused whole, in
/// the core's own reply format (see `WindowActor::refuse_message`).
fn refusal_script(seq: u64, error: traykit_actors::ipc::RpcError) -> Option<String> {
    let refusal = traykit_actors::ipc::refusal(Some(seq), error);
    let text = serde_json::to_string(&refusal).ok()?;
    let literal = serde_json::to_string(&text).ok()?;
    Some(format!(
        "window.__TRAYKIT__&&window.__TRAYKIT__.receive({literal})"
    ))
}

/// One webview's IPC gate, in the host: only messages carrying the
/// bridge's secret (the main frame's bridge; sub-frames never get it) go
/// on, those over the size limit or the window's queue are refused to the
/// page, and the rest is queued for the app with its sequence number.
struct Gate {
    label: WindowLabel,
    secret: String,
    max_message_bytes: usize,
    budget: Arc<Budget>,
    pages: PageSink,
    webview: Rc<RefCell<Weak<WebView>>>,
    dropped: Cell<u64>,
    warned: Cell<Option<Instant>>,
}

impl Gate {
    fn post(&self, url: String, mut body: String) {
        let Some((seq, start)) = open_envelope(&self.secret, &body) else {
            self.dropped.set(self.dropped.get() + 1);
            let now = Instant::now();
            if self
                .warned
                .get()
                .is_none_or(|at| now.duration_since(at) >= DROP_WARN_EVERY)
            {
                tracing::warn!(
                    window = %self.label,
                    dropped = self.dropped.replace(0),
                    "IPC message without this webview's secret dropped \
                     (posted by a sub-frame, or not through the bridge)"
                );
                self.warned.set(Some(now));
            }
            return;
        };
        let len = body.len() - start;
        if len > self.max_message_bytes {
            tracing::warn!(window = %self.label, bytes = len, "oversized IPC message refused");
            self.refuse(seq, oversize(len, self.max_message_bytes));
            return;
        }
        let ticket = match self.budget.take(len) {
            Ok(ticket) => ticket,
            Err((bytes, messages)) => {
                let (max_bytes, max_messages) = self.budget.limits();
                tracing::warn!(window = %self.label, bytes, messages, "IPC queue full; message refused");
                self.refuse(
                    seq,
                    traykit_actors::ipc::limit_exceeded(traykit_actors::ipc::codes::Limit::Backlog, format!(
                        "{messages} messages ({bytes} bytes) already queued for the app; \
                         at most {max_messages} messages or {max_bytes} bytes (2 × IpcLimits::max_message_bytes)"
                    )),
                );
                return;
            }
        };
        // In place: no second copy of a message of megabytes.
        body.drain(..start);
        (self.pages)(PageMessage {
            window: self.label.clone(),
            url,
            seq,
            body,
            ticket,
        });
    }

    fn refuse(&self, seq: u64, error: traykit_actors::ipc::RpcError) {
        let Some(webview) = self.webview.borrow().upgrade() else {
            return;
        };
        if let Some(script) = refusal_script(seq, error) {
            if let Err(e) = webview.evaluate_script(&script) {
                tracing::debug!(window = %self.label, error = %e, "refusal not delivered");
            }
        }
    }
}

/// The native window a spec asks for.
fn native_window(spec: &WindowSpec, visible: bool) -> WindowBuilder {
    let mut builder = WindowBuilder::new()
        .with_title(&spec.title)
        .with_inner_size(LogicalSize::new(spec.size.0, spec.size.1))
        .with_resizable(spec.resizable)
        .with_decorations(spec.decorations)
        .with_always_on_top(spec.always_on_top)
        .with_skip_taskbar(spec.skip_taskbar)
        .with_visible(visible);
    if let Some((x, y)) = spec.position {
        builder = builder.with_position(LogicalPosition::new(x, y));
    }
    if spec.maximized {
        builder = builder.with_maximized(true);
    }
    builder
}

fn failed(request: &'static str) -> impl Fn(String) -> UiError {
    move |reason| UiError::Failed { request, reason }
}

impl Windows {
    pub(crate) fn new(assets: Arc<Assets>, sink: EventSink, pages: PageSink) -> Self {
        Self {
            live: HashMap::new(),
            ids: HashMap::new(),
            warm: None,
            context: None,
            frames: FrameServers::default(),
            assets,
            sink,
            pages,
        }
    }

    /// A builder on the shared WebContext, made with the first webview. The
    /// custom protocols are registered once per context (wry refuses a
    /// second registration), so the first webview registers them for all.
    fn webview_builder<'a>(
        context: &'a mut Option<wry::WebContext>,
        assets: &Arc<Assets>,
        frames: &FrameServers,
    ) -> WebViewBuilder<'a> {
        let context = context.get_or_insert_with(|| wry::WebContext::new(None));
        let first = !context.is_custom_protocol_registered("traykit");
        let mut builder = WebViewBuilder::new_with_web_context(context);
        if first {
            let assets = assets.clone();
            let frames = frames.clone();
            builder = builder
                .with_custom_protocol("traykit".into(), move |_id, request| assets.serve(&request))
                .with_custom_protocol("traykit-isolation".into(), move |id, request| {
                    match lock(&frames).get(id) {
                        Some(serve) => serve(request),
                        None => refuse_unknown_frame(),
                    }
                });
        }
        builder
    }

    /// Warms the host for its first window: a hidden `about:blank` webview
    /// on the shared WebContext. Nothing to do once a window (or the warm
    /// webview) exists: the host is warm already.
    pub(crate) fn prewarm<T: 'static>(
        &mut self,
        target: &EventLoopWindowTarget<T>,
    ) -> Result<(), UiError> {
        if self.warm.is_some() || !self.live.is_empty() {
            return Ok(());
        }
        let err = failed("Prewarm");
        let started = Instant::now();
        let window = WindowBuilder::new()
            .with_title("traykit prewarm")
            .with_inner_size(LogicalSize::new(64.0, 64.0))
            .with_skip_taskbar(true)
            .with_visible(false)
            .build(target)
            .map_err(|e| err(e.to_string()))?;
        let container = window
            .default_vbox()
            .ok_or_else(|| err("the window has no GTK container".into()))?;
        let webview = Self::webview_builder(&mut self.context, &self.assets, &self.frames)
            .with_id(WARM_ID)
            .with_url("about:blank")
            .build_gtk(container)
            .map_err(|e| err(e.to_string()))?;
        tracing::debug!(took = ?started.elapsed(), "webview host prewarmed");
        self.warm = Some(Live {
            webview: Rc::new(webview),
            window,
        });
        Ok(())
    }

    /// In a cold host (no prewarm came first), the first webview is still
    /// the hidden blank one, and the window a related view of it: the UI
    /// process's first webview is the one that may stall ~500 ms on its
    /// first paint. Measured (release, 20 cold opens each, load ~2):
    /// 489-760 ms with this, 394-1094 ms without (5 of 20 over 900 ms).
    fn warm_if_cold<T: 'static>(&mut self, target: &EventLoopWindowTarget<T>) {
        if self.context.is_none() {
            if let Err(error) = self.prewarm(target) {
                tracing::debug!(%error, "no blank webview before the first window");
            }
        }
    }

    fn get(&self, label: &WindowLabel, request: &'static str) -> Result<&Live, UiError> {
        self.live.get(label).ok_or_else(|| UiError::Unknown {
            request,
            what: "window",
            id: label.to_string(),
        })
    }

    pub(crate) fn create<T: 'static>(
        &mut self,
        target: &EventLoopWindowTarget<T>,
        spec: WindowSpec,
        visible: bool,
        init_script: String,
        isolation: Option<IsolationFrame>,
        max_message_bytes: usize,
    ) -> Result<(), UiError> {
        let err = failed("CreateWindow");
        self.warm_if_cold(target);
        // Re-creating replaces (and drops) the old one.
        self.destroy(&spec.label).ok();
        let window = native_window(&spec, visible)
            .build(target)
            .map_err(|e| err(e.to_string()))?;
        let container = window
            .default_vbox()
            .ok_or_else(|| err("the window has no GTK container".into()))?;

        // A new webview, a new secret: the bridge of an earlier one (or a
        // page that saw it) has no say in this one.
        let secret = bridge_secret().map_err(&err)?;
        let slot: Rc<RefCell<Weak<WebView>>> = Rc::default();
        let gate = Gate {
            label: spec.label.clone(),
            secret: secret.clone(),
            max_message_bytes,
            budget: Budget::new(max_message_bytes.saturating_mul(2), QUEUED_MESSAGES),
            pages: self.pages.clone(),
            webview: slot.clone(),
            dropped: Cell::new(0),
            warned: Cell::new(None),
        };
        // Main frame only: WebKitGTK tells the IPC handler nothing about the
        // posting frame (wry reports the top-level URL for all of them), so
        // the bridge, and the secret only it holds, exist in the top frame
        // alone and every sub-frame's post is dropped by the gate.
        match isolation {
            Some(frame) => lock(&self.frames).insert(spec.label.to_string(), frame_server(frame)),
            None => lock(&self.frames).remove(spec.label.as_str()),
        };
        let mut builder = Self::webview_builder(&mut self.context, &self.assets, &self.frames);
        if let Some(warm) = &self.warm {
            // Related: the page runs in the warm webview's web process, which
            // is already started (or starting) and has painted once, instead
            // of a new one. Measured (release, menu opened 1.5 s before the
            // click): click → first IPC 20-31 ms with it, 250-410 ms without.
            // The warm webview is dropped below; nothing else ever shares
            // that process, so windows stay one process each.
            builder = builder.with_related_view(warm.webview.webview());
        }
        let webview = builder
            .with_id(spec.label.as_str())
            .with_url(&spec.url)
            .with_initialization_script_for_main_only(with_secret(&init_script, &secret), true)
            .with_ipc_handler(move |request| {
                // Parsing happens in the window's actor, not here.
                let url = request.uri().to_string();
                gate.post(url, request.into_body());
            })
            .build_gtk(container)
            .map_err(|e| err(e.to_string()))?;
        let webview = Rc::new(webview);
        *slot.borrow_mut() = Rc::downgrade(&webview);
        // The warm webview has done its work; its web process would only
        // cost memory while the host is kept.
        self.warm = None;
        tracing::debug!(window = %spec.label, url = %spec.url, visible, "window created");
        self.ids.insert(window.id(), spec.label.clone());
        self.live.insert(spec.label, Live { webview, window });
        Ok(())
    }

    pub(crate) fn op<T: 'static>(
        &mut self,
        target: &EventLoopWindowTarget<T>,
        label: &WindowLabel,
        op: WindowOp,
    ) -> Result<(), UiError> {
        let live = self.get(label, "Window")?;
        let w = &live.window;
        match op {
            WindowOp::Show => w.set_visible(true),
            WindowOp::Hide => w.set_visible(false),
            WindowOp::Focus => {
                w.set_visible(true);
                w.set_focus();
            }
            WindowOp::SetTitle(t) => w.set_title(&t),
            WindowOp::SetSize(width, height) => w.set_inner_size(LogicalSize::new(width, height)),
            WindowOp::SetPosition(x, y) => w.set_outer_position(LogicalPosition::new(x, y)),
            WindowOp::Center => place(target, w, Placement::Corner(Corner::TopLeft), true),
            WindowOp::Place(Placement::Default) => {}
            WindowOp::Place(p) => place(target, w, p, false),
            #[allow(unreachable_patterns)]
            _ => return Err(failed("Window")("unsupported window operation".into())),
        }
        Ok(())
    }

    pub(crate) fn destroy(&mut self, label: &WindowLabel) -> Result<(), UiError> {
        let live = self.live.remove(label).ok_or_else(|| UiError::Unknown {
            request: "DestroyWindow",
            what: "window",
            id: label.to_string(),
        })?;
        self.ids.remove(&live.window.id());
        lock(&self.frames).remove(label.as_str());
        drop(live);
        if self.live.is_empty() {
            give_back_heap();
        }
        tracing::debug!(window = %label, "window destroyed");
        Ok(())
    }

    pub(crate) fn eval(&self, label: &WindowLabel, script: &str) -> Result<(), UiError> {
        self.get(label, "Eval")?
            .webview
            .evaluate_script(script)
            .map_err(|e| failed("Eval")(e.to_string()))
    }

    /// Turns a window's platform event into a `UiEvent` for its actor.
    pub(crate) fn window_event(&self, id: WindowId, event: &WindowEvent<'_>) {
        let Some(label) = self.ids.get(&id) else {
            return;
        };
        match event {
            WindowEvent::CloseRequested => (self.sink)(UiEvent::WindowCloseRequested {
                window: label.clone(),
            }),
            WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
                let Some(live) = self.live.get(label) else {
                    return;
                };
                let w = &live.window;
                let scale = w.scale_factor();
                let (Ok(pos), size) = (w.outer_position(), w.inner_size()) else {
                    return;
                };
                let pos = pos.to_logical::<f64>(scale);
                let size = size.to_logical::<f64>(scale);
                (self.sink)(UiEvent::WindowGeometry {
                    window: label.clone(),
                    geometry: traykit_actors::window::Geometry {
                        position: (pos.x, pos.y),
                        size: (size.width, size.height),
                        maximized: w.is_maximized(),
                    },
                })
            }
            _ => {}
        }
    }
}

/// Positions `w` by pointer or corner (or centers it), kept on its monitor.
fn place<T: 'static>(
    target: &EventLoopWindowTarget<T>,
    w: &NativeWindow,
    p: Placement,
    center: bool,
) {
    let pointer = target.cursor_position().ok();
    let monitor = pointer
        .and_then(|c| target.monitor_from_point(c.x, c.y))
        .or_else(|| w.current_monitor())
        .or_else(|| target.primary_monitor());
    let Some(monitor) = monitor else { return };
    let scale = monitor.scale_factor();
    let (mx, my) = (monitor.position().x as f64, monitor.position().y as f64);
    let (mw, mh) = (monitor.size().width as f64, monitor.size().height as f64);
    let size = w.outer_size();
    let (ww, wh) = (size.width as f64, size.height as f64);
    let margin = MARGIN * scale;
    let (x, y) = if center {
        (mx + (mw - ww) / 2.0, my + (mh - wh) / 2.0)
    } else {
        match p {
            Placement::Pointer => {
                let c = pointer.unwrap_or(PhysicalPosition::new(mx + mw / 2.0, my + mh / 2.0));
                // Centered on the pointer horizontally, below it — or above it
                // when the panel is at the bottom (no room below).
                let below = c.y + margin;
                let y = if below + wh > my + mh {
                    c.y - margin - wh
                } else {
                    below
                };
                (c.x - ww / 2.0, y)
            }
            Placement::Corner(Corner::TopLeft) => (mx + margin, my + margin),
            Placement::Corner(Corner::TopRight) => (mx + mw - ww - margin, my + margin),
            Placement::Corner(Corner::BottomLeft) => (mx + margin, my + mh - wh - margin),
            Placement::Corner(Corner::BottomRight) => {
                (mx + mw - ww - margin, my + mh - wh - margin)
            }
            _ => return,
        }
    };
    let x = x.clamp(mx, (mx + mw - ww).max(mx));
    let y = y.clamp(my, (my + mh - wh).max(my));
    w.set_outer_position(PhysicalPosition::new(x, y));
}
