//! Windows: declared early, created on first show, one actor per label.
//!
//! A [`WindowActor`] owns one window's declaration and life cycle
//! (`Closed → Open{visible}`), and is the page's IPC endpoint: it decodes
//! what the page posts, checks capabilities, runs handlers concurrently,
//! and sends responses and events back in batches — one script evaluation
//! per flush, however many messages it carries.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::{json, Value};

use crate::app::AppHandle;
use crate::error::{ActorError, UiError};
use crate::ids::{IdError, WindowLabel};
use crate::ipc::{self, codes, Call, CallContext, Capabilities, Incoming, Router, RpcError};
use crate::ui::{UiHandle, UiRequest, WindowOp};

const ACTOR: &str = "WindowActor";

/// The scheme pages are served from; pages from it are the app's own.
pub const APP_ORIGIN: &str = "traykit://localhost";

/// What closing a window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ClosePolicy {
    /// Hide it and keep the webview for an instant re-show.
    Hide,
    /// Drop the webview so its WebKit processes exit and memory goes back;
    /// the next show re-creates it. The default: right for tray popups.
    #[default]
    Destroy,
}

/// Where a window appears when shown.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Placement {
    /// Where the window manager (or `position`) puts it.
    #[default]
    Default,
    /// Next to the mouse pointer, kept on screen: the tray-popup placement
    /// on Linux, where panels report no icon rectangle.
    Pointer,
    /// In a screen corner, with a margin.
    Corner(Corner),
}

/// A screen corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// Where a window is, how big, and whether it is maximised; remembered per
/// label and restored on the next open.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Geometry {
    /// Outer position, logical pixels.
    pub position: (f64, f64),
    /// Inner size, logical pixels.
    pub size: (f64, f64),
    /// Maximised.
    pub maximized: bool,
}

/// The store where window geometry is remembered, keyed by label.
pub const WINDOW_STATE_STORE: &str = "traykit.windows";

/// A window's declaration, as the UI thread needs it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowSpec {
    /// Its label.
    pub label: WindowLabel,
    /// Absolute URL (the app's own pages are `traykit://localhost/…`).
    pub url: String,
    /// Title bar text.
    pub title: String,
    /// Logical size.
    pub size: (f64, f64),
    /// Logical position; `None` lets the window manager choose.
    pub position: Option<(f64, f64)>,
    /// User-resizable.
    pub resizable: bool,
    /// Title bar and borders.
    pub decorations: bool,
    /// Stays above other windows.
    pub always_on_top: bool,
    /// Hidden from the task bar.
    pub skip_taskbar: bool,
    /// What closing does.
    pub close_policy: ClosePolicy,
    /// Where it appears.
    pub placement: Placement,
    /// Opens maximised.
    #[serde(default)]
    pub maximized: bool,
    /// Remember geometry per label and restore it on the next open.
    #[serde(default)]
    pub remember: bool,
}

/// Declares a window: `App::builder().window(Window::new("notes").url("index.html"))`.
#[derive(Debug, Clone)]
pub struct Window {
    label: String,
    url: String,
    title: Option<String>,
    size: (f64, f64),
    position: Option<(f64, f64)>,
    resizable: bool,
    decorations: bool,
    always_on_top: bool,
    skip_taskbar: bool,
    visible_on_start: bool,
    prewarm: bool,
    close_policy: ClosePolicy,
    placement: Placement,
    remember: bool,
}

impl Window {
    /// A window with this label, 800×600, showing `index.html`.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            url: "index.html".into(),
            title: None,
            size: (800.0, 600.0),
            position: None,
            resizable: true,
            decorations: true,
            always_on_top: false,
            skip_taskbar: false,
            visible_on_start: false,
            prewarm: false,
            close_policy: ClosePolicy::Destroy,
            placement: Placement::Default,
            remember: true,
        }
    }

    /// Remember size, position and maximised state per label and restore
    /// them on the next open (default true). Placement still applies to
    /// windows with a `Placement` other than `Default`.
    pub fn remember_state(mut self, yes: bool) -> Self {
        self.remember = yes;
        self
    }

    /// A page of the app's assets (`"settings.html"`) or an absolute URL.
    /// Remote pages get no IPC unless a capability lists their origin.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }
    /// Title (defaults to the label).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Logical size.
    pub fn size(mut self, width: f64, height: f64) -> Self {
        self.size = (width, height);
        self
    }
    /// Logical position.
    pub fn position(mut self, x: f64, y: f64) -> Self {
        self.position = Some((x, y));
        self
    }
    /// User-resizable (default true).
    pub fn resizable(mut self, yes: bool) -> Self {
        self.resizable = yes;
        self
    }
    /// Title bar and borders (default true).
    pub fn decorations(mut self, yes: bool) -> Self {
        self.decorations = yes;
        self
    }
    /// Above other windows (default false).
    pub fn always_on_top(mut self, yes: bool) -> Self {
        self.always_on_top = yes;
        self
    }
    /// Hidden from the task bar (default false).
    pub fn skip_taskbar(mut self, yes: bool) -> Self {
        self.skip_taskbar = yes;
        self
    }
    /// Open (and show) at start instead of on first `show`.
    pub fn visible_on_start(mut self, yes: bool) -> Self {
        self.visible_on_start = yes;
        self
    }
    /// Create the webview hidden at start so the first `show` is instant.
    /// Costs the webview's memory from the start; implies [`ClosePolicy::Hide`].
    pub fn prewarm(mut self, yes: bool) -> Self {
        self.prewarm = yes;
        if yes {
            self.close_policy = ClosePolicy::Hide;
        }
        self
    }
    /// What closing does (default [`ClosePolicy::Destroy`]).
    pub fn close_policy(mut self, policy: ClosePolicy) -> Self {
        self.close_policy = policy;
        self
    }
    /// Where it appears when shown.
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// The label as given.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Validates; returns the spec and the (visible_on_start, prewarm) flags.
    /// Relative URLs are pages of the app's assets.
    pub fn into_spec(self) -> Result<(WindowSpec, bool, bool), WindowError> {
        self.into_spec_at(APP_ORIGIN)
    }

    /// Like [`into_spec`](Self::into_spec), resolving relative URLs against
    /// `base` (a dev server in debug builds, see `AppBuilder::dev_url`).
    pub fn into_spec_at(self, base: &str) -> Result<(WindowSpec, bool, bool), WindowError> {
        let label = WindowLabel::new(self.label)?;
        let url = resolve_url_at(&self.url, base);
        for (what, v) in [("width", self.size.0), ("height", self.size.1)] {
            if !(v.is_finite() && v >= 1.0) {
                return Err(WindowError::Invalid {
                    window: label.to_string(),
                    reason: format!("{what} must be a positive number, got {v}"),
                });
            }
        }
        Ok((
            WindowSpec {
                title: self.title.unwrap_or_else(|| label.to_string()),
                label,
                url,
                size: self.size,
                position: self.position,
                resizable: self.resizable,
                decorations: self.decorations,
                always_on_top: self.always_on_top,
                skip_taskbar: self.skip_taskbar,
                close_policy: self.close_policy,
                placement: self.placement,
                maximized: false,
                remember: self.remember,
            },
            self.visible_on_start,
            self.prewarm,
        ))
    }
}

/// Resolves a relative URL against `base` (an origin, or an origin and
/// path): relative URLs are pages of the app's assets (or of a dev server).
pub fn resolve_url_at(url: &str, base: &str) -> String {
    if url.contains("://") || url.starts_with("data:") || url.starts_with("about:") {
        url.to_owned()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            url.trim_start_matches('/')
        )
    }
}

/// The origin of a page URL: `scheme://host[:port]`, taken from the parsed
/// URL (so user info — `http://localhost:1@evil.example/` is
/// `http://evil.example` — path and query are gone, the host is
/// normalised and a default port left out); `null`, as on the web, for a
/// URL without a host (`about:blank`, `data:`…), which no capability
/// admits.
pub fn origin_of(url: &str) -> String {
    ipc::Origin::of_url(url).map_or_else(|| "null".to_owned(), |o| o.serialize())
}

/// Why a window operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// The label is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The declaration is invalid.
    #[error("window `{window}`: {reason}")]
    Invalid {
        /// Which window.
        window: String,
        /// What is wrong.
        reason: String,
    },
    /// No window has this label.
    #[error("no window `{0}`")]
    Unknown(String),
    /// Another window already has this label.
    #[error("a window `{0}` already exists")]
    Duplicate(String),
    /// The window is not open, so this cannot apply.
    #[error("window `{0}` is not open")]
    NotOpen(String),
    /// The UI thread failed.
    #[error("window `{window}`: {source}")]
    Ui {
        /// Which window.
        window: String,
        /// What the UI thread said.
        source: UiError,
    },
    /// The window actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

impl From<WindowError> for RpcError {
    fn from(e: WindowError) -> Self {
        RpcError::new(codes::TARGET_ERROR, e.to_string())
    }
}

/// Is the window open, and visible?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// No native window or webview exists.
    Closed,
    /// The native window and webview exist.
    Open {
        /// Shown (true) or hidden (false).
        visible: bool,
    },
}

/// Operations on a window, from Rust or from a page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WindowCommand {
    /// Create if needed, show, focus.
    Show,
    /// Hide (keeps the webview).
    Hide,
    /// Bring to front.
    Focus,
    /// Apply the close policy.
    Close,
    /// Change the title.
    SetTitle(String),
    /// Change the logical size.
    SetSize(f64, f64),
    /// Move to a logical position.
    SetPosition(f64, f64),
    /// Center on its monitor.
    Center,
}

/// Run a [`WindowCommand`].
#[derive(Debug, Message)]
#[rtype(result = "Result<(), WindowError>")]
pub struct Command(pub WindowCommand);

/// Create the webview hidden now, so the first show is instant.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), WindowError>")]
pub struct Prewarm;

/// Read the window's state.
#[derive(Debug, Message)]
#[rtype(result = "(WindowSpec, Life)")]
pub struct GetWindow;

/// From the UI thread: text a page posted.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct IpcIn {
    /// The page's URL.
    pub url: String,
    /// The bridge's number for this message: every refusal of the whole
    /// message (id null) names it, so the page rejects exactly its calls.
    pub seq: Option<u64>,
    /// The posted text.
    pub body: String,
}

/// A page message refused before it reached the actor: by the app's router
/// (the window's backlog was full) or by the pipe reader (over
/// `max_message_bytes`, see [`crate::ui::UiEvent::IpcRefused`]). The actor
/// answers it with the error, tied to the message's number.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct IpcRefused {
    /// The refused message's number.
    pub seq: Option<u64>,
    /// The -32002 naming the limit.
    pub error: RpcError,
}

/// From the UI thread: the user asked to close the window.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct CloseRequested;

/// An event for this window's page (delivered if it listens).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PushEvent {
    /// Event name.
    pub event: Arc<str>,
    /// Payload, shared by every window it goes to.
    pub payload: Arc<Value>,
    /// Emitting window's label; `None` from Rust.
    pub source: Option<Arc<str>>,
}

/// Send the outbox to the page.
#[derive(Message)]
#[rtype(result = "()")]
struct Flush;

/// Results of a posted message, back on the actor.
#[derive(Message)]
#[rtype(result = "()")]
struct Replies(Vec<Value>);

/// What waits in the outbox for the next flush.
#[derive(Debug)]
enum Outgoing {
    /// A response, a batch of responses, or a notification.
    Message(Value),
    /// Consecutive events with one name and source. Written as the usual
    /// `event` notification when alone, else as one `events` notification
    /// `{"event", "source", "payloads": [...]}`: a burst of 10,000 events
    /// is then a short array of payloads rather than 10,000 envelopes for
    /// the page to parse (and the payloads are written straight from the
    /// emitter's shared value, never copied into a per-event `Value`).
    Events {
        event: Arc<str>,
        source: Option<Arc<str>>,
        payloads: Vec<Arc<Value>>,
    },
}

impl serde::Serialize for Outgoing {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        /// Payloads as a JSON array, without cloning them out of their `Arc`s.
        struct Payloads<'a>(&'a [Arc<Value>]);
        impl serde::Serialize for Payloads<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|p| &**p))
            }
        }
        #[derive(serde::Serialize)]
        struct One<'a> {
            event: &'a str,
            payload: &'a Value,
            source: Option<&'a str>,
        }
        #[derive(serde::Serialize)]
        struct Many<'a> {
            event: &'a str,
            source: Option<&'a str>,
            payloads: Payloads<'a>,
        }
        match self {
            Outgoing::Message(value) => value.serialize(serializer),
            Outgoing::Events {
                event,
                source,
                payloads,
            } => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("jsonrpc", "2.0")?;
                if let [payload] = payloads.as_slice() {
                    map.serialize_entry("method", "event")?;
                    map.serialize_entry(
                        "params",
                        &One {
                            event,
                            payload,
                            source: source.as_deref(),
                        },
                    )?;
                } else {
                    map.serialize_entry("method", "events")?;
                    map.serialize_entry(
                        "params",
                        &Many {
                            event,
                            source: source.as_deref(),
                            payloads: Payloads(payloads),
                        },
                    )?;
                }
                map.end()
            }
        }
    }
}

/// One window: its declaration, its life, its page's IPC.
pub struct WindowActor {
    spec: WindowSpec,
    ui: UiHandle,
    app: AppHandle,
    router: Arc<Router>,
    caps: Arc<Capabilities>,
    life: Life,
    /// Events the page listens to; cleared when the page goes away.
    listening: HashSet<String>,
    /// Responses and events waiting for the next flush.
    outbox: Vec<Outgoing>,
    /// Bumped on each (re)creation so replies for a destroyed page are dropped.
    generation: u64,
    init_script: Arc<str>,
    /// A dev server's origin whose pages count as the app's own (debug
    /// builds with `dev_url`).
    dev_origin: Option<Arc<str>>,
    /// (store, prefix) the current page watches; cleared with the page.
    store_watches: HashSet<(String, String)>,
    /// Stores this actor is subscribed to (once each, for its whole life).
    store_subscriptions: HashSet<String>,
    /// Requests whose handlers are still running.
    in_flight: usize,
    /// Estimated bytes of the decoded values those requests hold.
    running_bytes: usize,
    /// Set when `show` re-created a window the UI had lost before the
    /// `Gone` news arrived: that late `Gone` is about the old window.
    stale_gone_expected: bool,
    rate: ipc::RateLimiter,
    /// What the page has queued into and running in this actor, shared with
    /// the router that admits its messages.
    backlog: Arc<ipc::Backlog>,
    /// Opens the current webview's sealed messages (isolation pattern).
    opener: Option<crate::isolation::Opener>,
}

impl WindowActor {
    /// A window actor; nothing is created until `Show` (or `prewarm`).
    pub fn new(
        spec: WindowSpec,
        ui: UiHandle,
        app: AppHandle,
        router: Arc<Router>,
        caps: Arc<Capabilities>,
        init_script: Arc<str>,
        dev_origin: Option<Arc<str>>,
    ) -> Self {
        Self {
            spec,
            ui,
            app,
            router,
            caps,
            life: Life::Closed,
            listening: HashSet::new(),
            outbox: Vec::new(),
            generation: 0,
            init_script,
            dev_origin,
            store_watches: HashSet::new(),
            store_subscriptions: HashSet::new(),
            in_flight: 0,
            running_bytes: 0,
            stale_gone_expected: false,
            rate: ipc::RateLimiter::new(&ipc::IpcLimits::default()),
            backlog: Arc::default(),
            opener: None,
        }
    }

    /// Shares `backlog` with the router that admits this window's messages.
    pub(crate) fn with_backlog(mut self, backlog: Arc<ipc::Backlog>) -> Self {
        self.backlog = backlog;
        self
    }

    fn label(&self) -> String {
        self.spec.label.to_string()
    }

    fn ui_err(&self) -> impl Fn(UiError) -> WindowError {
        let window = self.label();
        move |source| WindowError::Ui {
            window: window.clone(),
            source,
        }
    }

    /// Creates the native window + webview (visible or not).
    fn create(&mut self, visible: bool) -> impl Future<Output = Result<(), UiError>> {
        self.generation += 1;
        self.listening.clear();
        self.store_watches.clear();
        self.outbox.clear();
        self.life = Life::Open { visible };
        // A new webview, a new key: nothing sealed for an earlier one opens.
        let url = &self.spec.url;
        let isolation = match self.app.isolation().map(|i| i.frame_for(url)).transpose() {
            Ok(pair) => pair,
            Err(e) => {
                // Without a key there is no safe way to take messages; the
                // window still opens and every message will be refused.
                tracing::error!(window = %self.label(), error = %e, "no isolation key");
                None
            }
        };
        let (frame, opener) = isolation.unzip();
        let isolated = self.app.isolation().is_some();
        self.opener = opener;
        let meta = if isolated {
            json!({"label": self.spec.label.as_str(), "isolation": crate::isolation::FRAME_URL})
        } else {
            json!({"label": self.spec.label.as_str()})
        };
        let script = format!("window.__TRAYKIT_META__={meta};\n{}", self.init_script);
        self.ui.request(UiRequest::CreateWindow {
            spec: self.spec.clone(),
            visible,
            init_script: script,
            isolation: frame,
        })
    }

    fn op(&self, op: WindowOp) -> impl Future<Output = Result<(), UiError>> {
        self.ui.request(UiRequest::Window {
            label: self.spec.label.clone(),
            op,
        })
    }

    fn destroy(&mut self) -> impl Future<Output = Result<(), UiError>> {
        self.life = Life::Closed;
        self.listening.clear();
        self.store_watches.clear();
        self.outbox.clear();
        self.generation += 1;
        self.ui
            .request(UiRequest::DestroyWindow(self.spec.label.clone()))
    }

    fn run(&mut self, cmd: WindowCommand) -> ResponseFuture<Result<(), WindowError>> {
        let err = self.ui_err();
        let window = self.label();
        let not_open = move || -> ResponseFuture<Result<(), WindowError>> {
            Box::pin(async move { Err(WindowError::NotOpen(window)) })
        };
        let fut: Vec<_> = match (cmd, self.life) {
            (WindowCommand::Show, life) => {
                // Requests are posted in this order (eagerly), so the window
                // exists before it is placed.
                let mut steps: Vec<ResponseFuture<Result<(), UiError>>> = Vec::new();
                if life == Life::Closed {
                    steps.push(Box::pin(self.create(true)));
                }
                if self.spec.placement != Placement::Default {
                    steps.push(Box::pin(self.op(WindowOp::Place(self.spec.placement))));
                }
                if life != Life::Closed {
                    self.life = Life::Open { visible: true };
                    steps.push(Box::pin(self.op(WindowOp::Show)));
                    steps.push(Box::pin(self.op(WindowOp::Focus)));
                }
                steps
            }
            (WindowCommand::Hide, Life::Open { .. }) => {
                self.life = Life::Open { visible: false };
                vec![Box::pin(self.op(WindowOp::Hide)) as ResponseFuture<_>]
            }
            (WindowCommand::Close, Life::Closed) | (WindowCommand::Hide, Life::Closed) => {
                vec![]
            }
            (WindowCommand::Close, Life::Open { .. }) => match self.spec.close_policy {
                ClosePolicy::Hide => {
                    self.life = Life::Open { visible: false };
                    vec![Box::pin(self.op(WindowOp::Hide)) as ResponseFuture<_>]
                }
                ClosePolicy::Destroy => vec![Box::pin(self.destroy()) as ResponseFuture<_>],
            },
            (WindowCommand::SetTitle(t), life) => {
                self.spec.title = t.clone();
                match life {
                    Life::Open { .. } => {
                        vec![Box::pin(self.op(WindowOp::SetTitle(t))) as ResponseFuture<_>]
                    }
                    Life::Closed => vec![],
                }
            }
            (WindowCommand::SetSize(w, h), life) => {
                if !(w.is_finite() && h.is_finite() && w >= 1.0 && h >= 1.0) {
                    let window = self.label();
                    return Box::pin(async move {
                        Err(WindowError::Invalid {
                            window,
                            reason: format!("size {w}x{h} is not positive"),
                        })
                    });
                }
                self.spec.size = (w, h);
                match life {
                    Life::Open { .. } => {
                        vec![Box::pin(self.op(WindowOp::SetSize(w, h))) as ResponseFuture<_>]
                    }
                    Life::Closed => vec![],
                }
            }
            (WindowCommand::SetPosition(x, y), life) => {
                self.spec.position = Some((x, y));
                match life {
                    Life::Open { .. } => {
                        vec![Box::pin(self.op(WindowOp::SetPosition(x, y))) as ResponseFuture<_>]
                    }
                    Life::Closed => vec![],
                }
            }
            (WindowCommand::Focus, Life::Open { .. }) => {
                vec![Box::pin(self.op(WindowOp::Focus)) as ResponseFuture<_>]
            }
            (WindowCommand::Center, Life::Open { .. }) => {
                vec![Box::pin(self.op(WindowOp::Center)) as ResponseFuture<_>]
            }
            (WindowCommand::Focus | WindowCommand::Center, Life::Closed) => return not_open(),
        };
        Box::pin(async move {
            for f in fut {
                f.await.map_err(&err)?;
            }
            Ok(())
        })
    }

    fn push(&mut self, message: Value, ctx: &mut Context<Self>) {
        self.push_out(Outgoing::Message(message), ctx);
    }

    /// Answers a message refused whole (id null: the core did not or could
    /// not read its ids). `refusal` is that id-null error response; the
    /// message's number goes into its `error.data.message`, so the page's
    /// bridge rejects exactly the calls that message carried instead of
    /// leaving them pending. Every whole-message refusal goes through here.
    fn refuse_message(&mut self, seq: Option<u64>, mut refusal: Value, ctx: &mut Context<Self>) {
        if let (Some(seq), Some(error)) = (seq, refusal.get_mut("error")) {
            match error.get_mut("data") {
                Some(Value::Object(data)) => {
                    data.insert("message".into(), seq.into());
                }
                Some(other) => {
                    let detail = other.take();
                    *other = json!({"message": seq, "detail": detail});
                }
                None => {
                    if let Value::Object(error) = error {
                        error.insert("data".into(), json!({ "message": seq }));
                    }
                }
            }
        }
        self.push(refusal, ctx);
    }

    /// Queues an event; consecutive ones with the same name and source
    /// share one `events` notification (payloads shared, not copied).
    fn push_event(&mut self, event: PushEvent, ctx: &mut Context<Self>) {
        if let Some(Outgoing::Events {
            event: name,
            source,
            payloads,
        }) = self.outbox.last_mut()
        {
            if *name == event.event && *source == event.source {
                payloads.push(event.payload);
                return;
            }
        }
        self.push_out(
            Outgoing::Events {
                event: event.event,
                source: event.source,
                payloads: vec![event.payload],
            },
            ctx,
        );
    }

    fn push_out(&mut self, message: Outgoing, ctx: &mut Context<Self>) {
        if self.life == Life::Closed {
            return;
        }
        if self.outbox.is_empty() {
            // Flush once the messages already in the mailbox are handled
            // (actix polls spawned items after draining the mailbox): a burst
            // becomes one script evaluation, a lone reply goes out in the
            // same wake-up. (A zero-length timer here cost ~1 ms per round
            // trip: tokio's timer wheel has millisecond granularity.)
            ctx.notify(Flush);
        }
        self.outbox.push(message);
    }

    fn flush(&mut self) {
        if self.outbox.is_empty() || self.life == Life::Closed {
            self.outbox.clear();
            return;
        }
        let batch = std::mem::take(&mut self.outbox);
        // The replies go to the page as JSON *text* for it to `JSON.parse`,
        // not as a JavaScript literal: in a literal, a `"__proto__"` key
        // (say, in a store value another page wrote) would set the object's
        // prototype; JSON.parse makes it a plain property. Encoded once into
        // a buffer, then escaped once into the script.
        let mut json = Vec::new();
        let written = if batch.len() == 1 {
            serde_json::to_writer(&mut json, &batch[0])
        } else {
            serde_json::to_writer(&mut json, &batch)
        };
        let mut script = Vec::with_capacity(json.len() + json.len() / 8 + 64);
        script.extend_from_slice(b"window.__TRAYKIT__&&window.__TRAYKIT__.receive(");
        let written = written.and_then(|()| {
            let text = std::str::from_utf8(&json).map_err(serde::ser::Error::custom)?;
            serde_json::to_writer(&mut script, text)
        });
        script.push(b')');
        let script = match written.map(|()| String::from_utf8(script)) {
            Ok(Ok(script)) => script,
            Ok(Err(error)) => {
                tracing::error!(window = %self.spec.label, %error, "could not encode replies");
                return;
            }
            Err(error) => {
                tracing::error!(window = %self.spec.label, %error, "could not encode replies");
                return;
            }
        };
        let reply = self.ui.request(UiRequest::Eval {
            label: self.spec.label.clone(),
            script,
        });
        let window = self.spec.label.clone();
        actix::spawn(async move {
            if let Err(error) = reply.await {
                tracing::debug!(%window, %error, "replies not delivered");
            }
        });
    }

    /// `event.*` methods act on this actor's state, so they are answered here.
    fn event_call(&mut self, origin: Option<&str>, call: &Call) -> Result<Value, RpcError> {
        #[derive(serde::Deserialize)]
        struct Args {
            event: String,
            #[serde(default)]
            payload: Value,
            #[serde(default)]
            target: Option<String>,
        }
        let args: Args = ipc::parse_params(&call.method, call.params.clone())?;
        let label = self.label();
        let store_event = args.event == "store.changed"
            && matches!(call.method.as_str(), "event.listen" | "event.unlisten")
            && self.caps.allows_any_store(&label, origin);
        if !store_event && !self.caps.allows_event(&label, origin, &args.event) {
            return Err(RpcError::permission_denied(
                &label,
                &format!("event `{}`", args.event),
            ));
        }
        let emitting = matches!(call.method.as_str(), "event.emit" | "event.emit_to");
        if emitting && is_core_event(&args.event) {
            // Other pages trust these to come from traykit (a forged
            // `store.changed` would feed them values no store holds), so no
            // grant, not even `*`, lets a page send one.
            return Err(RpcError::new(
                codes::PERMISSION_DENIED,
                format!(
                    "event `{}` is reserved for traykit itself (names starting with {}); pages may listen to it but not emit it",
                    args.event,
                    CORE_EVENT_PREFIXES.join(", ")
                ),
            ));
        }
        match call.method.as_str() {
            "event.listen" => {
                if self.listening.len() >= MAX_LISTENS && !self.listening.contains(&args.event) {
                    return Err(ipc::limit_exceeded(format!(
                        "the page already listens to {MAX_LISTENS} event names"
                    )));
                }
                self.listening.insert(args.event);
            }
            "event.unlisten" => {
                self.listening.remove(&args.event);
            }
            "event.emit" => self.app.emit_from(Some(&label), &args.event, args.payload),
            "event.emit_to" => {
                let target = args.target.ok_or_else(|| {
                    RpcError::invalid_params(&call.method, "missing field `target`")
                })?;
                self.app
                    .emit_to_from(Some(&label), &target, &args.event, args.payload)
                    .map_err(RpcError::from)?;
            }
            other => return Err(RpcError::method_not_found(other)),
        }
        Ok(Value::Null)
    }
}

/// Event names only traykit emits to pages: `store.changed`, the updater's
/// `updater://…`, anything `traykit…`, and the `tauri://…` names the Tauri
/// shim may use. Pages may listen to them, never emit them.
pub const CORE_EVENT_PREFIXES: &[&str] = &["store.", "updater://", "traykit", "tauri://"];

/// Whether `event` is one only traykit itself may emit to pages.
pub fn is_core_event(event: &str) -> bool {
    CORE_EVENT_PREFIXES.iter().any(|p| event.starts_with(p))
}

/// Most event names one page may listen to at once: the names are the
/// page's choice, and each costs memory until the page goes away.
pub const MAX_LISTENS: usize = 256;

/// Most `(store, prefix)` watches one page may hold at once (and stores one
/// window actor subscribes to over its life).
pub const MAX_WATCHES: usize = 256;

impl WindowActor {
    /// `store.watch` / `store.unwatch`: the page's store subscriptions live
    /// here, so they end with the page.
    fn store_call(
        &mut self,
        origin: Option<&str>,
        call: &Call,
        ctx: &mut Context<Self>,
    ) -> Result<Value, RpcError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Args {
            store: String,
            #[serde(default)]
            prefix: String,
        }
        let args: Args = ipc::parse_params(&call.method, call.params.clone())?;
        let label = self.label();
        // Both grants, as for every other `store.*` method: a window refused
        // the method must not receive values through it either.
        if !self.caps.allows_method(&label, origin, &call.method) {
            return Err(RpcError::permission_denied(
                &label,
                &format!("method `{}`", call.method),
            ));
        }
        if !self
            .caps
            .allows_store(&label, origin, &args.store, &args.prefix)
        {
            return Err(RpcError::permission_denied(
                &label,
                &format!("prefix `{}` of store `{}`", args.prefix, args.store),
            ));
        }
        if call.method == "store.unwatch" {
            self.store_watches.remove(&(args.store, args.prefix));
            return Ok(Value::Null);
        }
        let watch = (args.store, args.prefix);
        if !self.store_watches.contains(&watch) {
            // Checked before the store is opened: the limit is on the work.
            if self.store_watches.len() >= MAX_WATCHES {
                return Err(ipc::limit_exceeded(format!(
                    "the page already holds {MAX_WATCHES} store watches"
                )));
            }
            if !self.store_subscriptions.contains(&watch.0)
                && self.store_subscriptions.len() >= MAX_WATCHES
            {
                return Err(ipc::limit_exceeded(format!(
                    "this window has watched {MAX_WATCHES} different stores"
                )));
            }
        }
        if !self.store_subscriptions.contains(&watch.0) {
            let store = self.app.store(&watch.0)?;
            store.watch("", ctx.address().recipient());
            self.store_subscriptions.insert(watch.0.clone());
        }
        self.store_watches.insert(watch);
        Ok(Value::Null)
    }
}

/// From the UI thread: the window is gone (its host process died).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Gone;

impl Handler<Gone> for WindowActor {
    type Result = ();
    fn handle(&mut self, _: Gone, _: &mut Context<Self>) {
        if std::mem::take(&mut self.stale_gone_expected) {
            return; // about the window `show` already replaced
        }
        tracing::warn!(window = %self.spec.label, "window lost with its webview host; the next show re-creates it");
        self.life = Life::Closed;
        self.listening.clear();
        self.store_watches.clear();
        self.outbox.clear();
        self.generation += 1;
    }
}

/// From the UI thread: the window's geometry changed.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct GeometryChanged(pub Geometry);

impl Handler<GeometryChanged> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: GeometryChanged, _: &mut Context<Self>) {
        let g = msg.0;
        self.spec.maximized = g.maximized;
        if !g.maximized {
            self.spec.size = g.size;
            self.spec.position = Some(g.position);
        }
        if !self.spec.remember {
            return;
        }
        let saved = Geometry {
            position: self.spec.position.unwrap_or(g.position),
            size: self.spec.size,
            maximized: g.maximized,
        };
        match self.app.store(WINDOW_STATE_STORE) {
            Ok(store) => {
                let label = self.label();
                actix::spawn(async move {
                    if let Err(error) = store.set(&label, &saved).await {
                        tracing::warn!(window = %label, %error, "window state not saved");
                    }
                });
            }
            Err(error) => tracing::warn!(%error, "window state store unavailable"),
        }
    }
}

impl Handler<crate::store::StoreChanged> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: crate::store::StoreChanged, ctx: &mut Context<Self>) {
        let watched = self
            .store_watches
            .iter()
            .any(|(store, prefix)| *store == msg.store && msg.key.starts_with(prefix.as_str()));
        if !watched || !self.listening.contains("store.changed") {
            return;
        }
        let note = json!({
            "jsonrpc": "2.0",
            "method": "event",
            "params": {
                "event": "store.changed",
                "payload": {"store": msg.store, "key": msg.key, "value": msg.value},
                "source": Value::Null,
            },
        });
        self.push(note, ctx);
    }
}

impl Actor for WindowActor {
    type Context = Context<Self>;
}

impl Supervised for WindowActor {}

impl Handler<Command> for WindowActor {
    type Result = ResponseActFuture<Self, Result<(), WindowError>>;
    fn handle(&mut self, msg: Command, _: &mut Context<Self>) -> Self::Result {
        tracing::debug!(window = %self.spec.label, command = ?msg.0, "window command");
        let show = msg.0 == WindowCommand::Show;
        Box::pin(self.run(msg.0).into_actor(self).then(move |result, this, _| {
            // The UI no longer has a window we believe open (its webview host
            // died, and the news — `Gone` — may not have reached us yet):
            // `show` re-creates it rather than failing.
            let lost = matches!(
                &result,
                Err(WindowError::Ui {
                    source: UiError::Unknown { .. } | UiError::Closed,
                    ..
                })
            );
            let retry = if show && lost {
                tracing::warn!(window = %this.spec.label, "window gone from the UI; re-creating it");
                if this.life != Life::Closed {
                    // `Gone` is still on its way; it is about the old window.
                    this.stale_gone_expected = true;
                    this.life = Life::Closed;
                }
                Some(this.run(WindowCommand::Show))
            } else {
                None
            };
            async move {
                match retry {
                    Some(again) => again.await,
                    None => result,
                }
            }
            .into_actor(this)
        }))
    }
}

impl Handler<Prewarm> for WindowActor {
    type Result = ResponseFuture<Result<(), WindowError>>;
    fn handle(&mut self, _: Prewarm, _: &mut Context<Self>) -> Self::Result {
        if self.life != Life::Closed {
            return Box::pin(async { Ok(()) });
        }
        let err = self.ui_err();
        let created = self.create(false);
        Box::pin(async move { created.await.map_err(err) })
    }
}

impl Handler<GetWindow> for WindowActor {
    type Result = MessageResult<GetWindow>;
    fn handle(&mut self, _: GetWindow, _: &mut Context<Self>) -> Self::Result {
        MessageResult((self.spec.clone(), self.life))
    }
}

impl Handler<CloseRequested> for WindowActor {
    type Result = ();
    fn handle(&mut self, _: CloseRequested, ctx: &mut Context<Self>) {
        let fut = self.run(WindowCommand::Close);
        let window = self.label();
        ctx.spawn(
            async move {
                if let Err(error) = fut.await {
                    tracing::warn!(%window, %error, "close failed");
                }
            }
            .into_actor(self),
        );
    }
}

impl Handler<PushEvent> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: PushEvent, ctx: &mut Context<Self>) {
        if !self.listening.contains(&*msg.event) {
            return;
        }
        self.push_event(msg, ctx);
    }
}

impl Handler<Flush> for WindowActor {
    type Result = ();
    fn handle(&mut self, _: Flush, _: &mut Context<Self>) {
        self.flush();
    }
}

impl Handler<Replies> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: Replies, ctx: &mut Context<Self>) {
        for reply in msg.0 {
            self.push(reply, ctx);
        }
    }
}

impl Handler<IpcIn> for WindowActor {
    type Result = ();

    fn handle(&mut self, msg: IpcIn, ctx: &mut Context<Self>) {
        let label = self.label();
        let page_origin: &str = &origin_of(&msg.url);
        let own = page_origin == APP_ORIGIN || self.dev_origin.as_deref() == Some(page_origin);
        let origin = (!own).then(|| page_origin.to_owned());
        let span = tracing::debug_span!("ipc", window = %label, bytes = msg.body.len());
        let _enter = span.enter();
        let limits = *self.app.ipc_limits();
        // Released when the message's handlers are done (or on any return
        // below), so the router's count of this page's backlog stays true.
        let mut held = self.backlog.held(msg.body.len());
        if msg.body.len() > limits.max_message_bytes {
            let err = ipc::limit_exceeded(format!(
                "a message of {} bytes is over the {} byte limit (IpcLimits::max_message_bytes)",
                msg.body.len(),
                limits.max_message_bytes
            ));
            tracing::warn!(window = %label, bytes = msg.body.len(), "oversized IPC message refused");
            self.refuse_message(msg.seq, ipc::failure(Value::Null, err), ctx);
            return;
        }
        if !self.rate.allow_bytes(&limits, msg.body.len()) {
            let err = ipc::limit_exceeded(format!(
                "more than {} bytes per second (IpcLimits::byte_rate)",
                limits.bytes_per_second
            ));
            tracing::debug!(window = %label, bytes = msg.body.len(), "IPC byte rate exceeded");
            self.refuse_message(msg.seq, ipc::failure(Value::Null, err), ctx);
            return;
        }
        let opened;
        let body = if self.app.isolation().is_some() {
            let result = match self.opener.as_mut() {
                Some(opener) => opener.open(&msg.body),
                None => Err(crate::isolation::IsolationError::Forged),
            };
            match result {
                Ok(text) => {
                    opened = text;
                    opened.as_str()
                }
                Err(e) => {
                    tracing::warn!(window = %label, error = %e, "IPC message refused by isolation");
                    self.refuse_message(
                        msg.seq,
                        ipc::failure(Value::Null, RpcError::new(codes::ISOLATION, e.to_string())),
                        ctx,
                    );
                    return;
                }
            }
        } else {
            msg.body.as_str()
        };
        // Batch length and decoded size are enforced while decoding.
        let (calls, batch, cost) = match ipc::decode_sized(body, &limits) {
            Err(err) => {
                self.refuse_message(msg.seq, ipc::failure(Value::Null, err), ctx);
                return;
            }
            Ok((Incoming::Single(call), cost)) => (vec![call], false, cost),
            Ok((Incoming::Batch(calls), cost)) => (calls, true, cost),
        };
        // What running calls hold is bounded too (one message always runs
        // alone): without this, many small messages of costly values
        // (`[{"a":1},…]` decodes to ~85× its text) with slow handlers would
        // each hold up to max_decoded_bytes.
        if self.running_bytes > 0
            && self.running_bytes.saturating_add(cost) > limits.max_queued_bytes
        {
            let err = ipc::limit_exceeded(format!(
                "{} bytes of this page's calls are still running; {cost} more is over {} \
                 (IpcLimits::max_queued_bytes)",
                self.running_bytes, limits.max_queued_bytes
            ));
            self.refuse_message(msg.seq, ipc::failure(Value::Null, err), ctx);
            return;
        }
        held.grow(cost);
        let mut ready: Vec<Value> = Vec::new();
        let mut pending = Vec::new();
        for call in calls {
            let call = match call {
                Ok(call) => call,
                Err(invalid) => {
                    ready.push(invalid.response());
                    continue;
                }
            };
            tracing::debug!(method = %call.method, id = ?call.id, "call");
            let over = if !self.rate.allow(&limits) {
                Some(format!(
                    "more than {} calls per second (IpcLimits::rate)",
                    limits.calls_per_second
                ))
            } else if self.in_flight + pending.len() >= limits.max_in_flight {
                Some(format!(
                    "{} requests already running (IpcLimits::max_in_flight)",
                    limits.max_in_flight
                ))
            } else {
                None
            };
            if let Some(what) = over {
                if let Some(id) = call.id {
                    ready.push(ipc::failure(id, ipc::limit_exceeded(what)));
                }
                continue;
            }
            if call.method == "store.watch" || call.method == "store.unwatch" {
                let result = self.store_call(origin.as_deref(), &call, ctx);
                if let Some(id) = call.id {
                    ready.push(match result {
                        Ok(v) => ipc::success(id, v),
                        Err(e) => ipc::failure(id, e),
                    });
                }
                continue;
            }
            if call.method.starts_with("event.") {
                let result = self.event_call(origin.as_deref(), &call);
                if let Some(id) = call.id {
                    ready.push(match result {
                        Ok(v) => ipc::success(id, v),
                        Err(e) => ipc::failure(id, e),
                    });
                }
                continue;
            }
            // Deny before lookup: an ungranted caller learns nothing about
            // which methods exist.
            if !self
                .caps
                .allows_method(&label, origin.as_deref(), &call.method)
            {
                let err = RpcError::permission_denied(&label, &format!("method `{}`", call.method));
                tracing::debug!(method = %call.method, "denied");
                if let Some(id) = call.id {
                    ready.push(ipc::failure(id, err));
                }
                continue;
            }
            let ctx_for_call = CallContext {
                app: self.app.clone(),
                window: label.clone(),
                origin: origin.clone(),
                grants: None,
            };
            let fut = self.router.call(ctx_for_call, &call.method, call.params);
            pending.push(async move {
                let result = fut.await;
                call.id.map(|id| match result {
                    Ok(v) => ipc::success(id, v),
                    Err(e) => ipc::failure(id, e),
                })
            });
        }
        if pending.is_empty() {
            self.deliver(ready, batch, ctx);
            return;
        }
        let generation = self.generation;
        let running = pending.len();
        self.in_flight += running;
        self.running_bytes += cost;
        ctx.spawn(
            futures_util::future::join_all(pending)
                .into_actor(self)
                .map(move |done, this, ctx| {
                    drop(held);
                    this.in_flight = this.in_flight.saturating_sub(running);
                    this.running_bytes = this.running_bytes.saturating_sub(cost);
                    if this.generation != generation {
                        return; // the page that asked is gone
                    }
                    ready.extend(done.into_iter().flatten());
                    this.deliver(ready, batch, ctx);
                }),
        );
    }
}

impl Handler<IpcRefused> for WindowActor {
    type Result = ();

    fn handle(&mut self, msg: IpcRefused, ctx: &mut Context<Self>) {
        self.backlog.refusal_done();
        self.refuse_message(msg.seq, ipc::failure(Value::Null, msg.error), ctx);
    }
}

impl WindowActor {
    fn deliver(&mut self, mut replies: Vec<Value>, batch: bool, ctx: &mut Context<Self>) {
        match (batch, replies.len()) {
            (_, 0) => {}
            (false, _) => {
                for r in replies {
                    self.push(r, ctx);
                }
            }
            (true, _) => {
                let array = Value::Array(std::mem::take(&mut replies));
                self.push(array, ctx);
            }
        }
    }
}

/// A `Send + Clone` handle to one window. Every call has the app's request
/// timeout.
#[derive(Clone, Debug)]
pub struct WindowHandle {
    label: WindowLabel,
    addr: Addr<WindowActor>,
    timeout: Duration,
    backlog: Arc<ipc::Backlog>,
}

impl WindowHandle {
    pub(crate) fn new(label: WindowLabel, addr: Addr<WindowActor>, timeout: Duration) -> Self {
        Self {
            label,
            addr,
            timeout,
            backlog: Arc::default(),
        }
    }

    /// Shares `backlog` with the window's actor.
    pub(crate) fn with_backlog(mut self, backlog: Arc<ipc::Backlog>) -> Self {
        self.backlog = backlog;
        self
    }

    /// What the page has queued into and running in the window's actor
    /// (counted by the router, released by the actor).
    pub fn backlog(&self) -> &ipc::Backlog {
        &self.backlog
    }

    /// The label.
    pub fn label(&self) -> &WindowLabel {
        &self.label
    }

    /// The actor's address.
    pub fn addr(&self) -> &Addr<WindowActor> {
        &self.addr
    }

    /// Runs a command and waits for the UI thread.
    pub async fn command(&self, cmd: WindowCommand) -> Result<(), WindowError> {
        self.addr
            .send(Command(cmd))
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))?
    }

    /// Creates the window on first use, shows and focuses it.
    pub async fn show(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Show).await
    }
    /// Hides it.
    pub async fn hide(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Hide).await
    }
    /// Applies the close policy.
    pub async fn close(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Close).await
    }
    /// Brings it to front.
    pub async fn focus(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Focus).await
    }
    /// Sets the title.
    pub async fn set_title(&self, title: impl Into<String>) -> Result<(), WindowError> {
        self.command(WindowCommand::SetTitle(title.into())).await
    }
    /// Sets the logical size.
    pub async fn set_size(&self, width: f64, height: f64) -> Result<(), WindowError> {
        self.command(WindowCommand::SetSize(width, height)).await
    }
    /// Moves it.
    pub async fn set_position(&self, x: f64, y: f64) -> Result<(), WindowError> {
        self.command(WindowCommand::SetPosition(x, y)).await
    }
    /// Centers it.
    pub async fn center(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Center).await
    }

    /// Its declaration and life.
    pub async fn state(&self) -> Result<(WindowSpec, Life), WindowError> {
        Ok(self
            .addr
            .send(GetWindow)
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))?)
    }

    /// Sends an event to this window's page (if it listens).
    pub fn emit(&self, event: &str, payload: impl serde::Serialize) {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.addr.do_send(PushEvent {
            event: event.into(),
            payload: Arc::new(payload),
            source: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_origins() {
        let resolve_url = |u: &str| resolve_url_at(u, APP_ORIGIN);
        assert_eq!(resolve_url("index.html"), "traykit://localhost/index.html");
        assert_eq!(resolve_url("/a/b.html"), "traykit://localhost/a/b.html");
        assert_eq!(
            resolve_url("http://127.0.0.1:5173/"),
            "http://127.0.0.1:5173/"
        );
        let cases = [
            ("traykit://localhost/index.html", "traykit://localhost"),
            ("https://example.com:8443/x?y#z", "https://example.com:8443"),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("about:blank", "null"),
            ("data:text/html,<p>hi", "null"),
            // User info is not part of the host: this page is evil.example's.
            ("http://localhost:1@evil.example/", "http://evil.example"),
            ("HTTPS://Example.COM:443/x", "https://example.com"),
            (
                "http://localhost.evil.example:5173/",
                "http://localhost.evil.example:5173",
            ),
            ("traykit://localhost", "traykit://localhost"),
        ];
        for (url, origin) in cases {
            assert_eq!(origin_of(url), origin, "{url}");
        }
    }

    #[test]
    fn declarations_are_validated() {
        assert!(Window::new("ok").into_spec().is_ok());
        assert!(Window::new("bad label").into_spec().is_err());
        assert!(Window::new("w").size(0.0, 10.0).into_spec().is_err());
        assert!(Window::new("w").size(f64::NAN, 10.0).into_spec().is_err());
        let (spec, _, prewarm) = Window::new("p").prewarm(true).into_spec().expect("valid");
        assert!(prewarm);
        assert_eq!(spec.close_policy, ClosePolicy::Hide);
        assert_eq!(spec.title, "p");
    }
}
