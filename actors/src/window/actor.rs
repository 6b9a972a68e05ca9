//! The window actor: one window's life cycle and its page's IPC.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use actix::prelude::*;
use serde_json::{json, Value};

use super::outbox::{Flush, Outbox};
use super::page::{is_core_event, CORE_EVENT_PREFIXES, MAX_LISTENS, MAX_WATCHES};
use super::{
    origin_of, CloseRequested, Command, GeometryChanged, GetWindow, Gone, IpcIn, IpcRefused, Life,
    Prewarm, PushEvent, WindowCommand, WindowError, APP_ORIGIN, WINDOW_STATE_STORE,
};
use crate::app::AppHandle;
use crate::error::UiError;
use crate::ipc::{self, codes, Call, CallContext, Capabilities, Incoming, Router, RpcError};
use crate::ui::{ClosePolicy, Geometry, Placement, UiHandle, UiRequest, WindowOp, WindowSpec};

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
    outbox: Outbox,
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
            outbox: Outbox::default(),
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

    /// Queues a message for the page; the first into an empty outbox
    /// schedules the flush.
    fn push(&mut self, message: Value, ctx: &mut Context<Self>) {
        if self.life != Life::Closed && self.outbox.push(message) {
            // Flush once the messages already in the mailbox are handled
            // (actix polls spawned items after draining the mailbox): a burst
            // becomes one script evaluation, a lone reply goes out in the
            // same wake-up. (A zero-length timer here cost ~1 ms per round
            // trip: tokio's timer wheel has millisecond granularity.)
            ctx.notify(Flush);
        }
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

    /// Queues an event (see [`Outbox::push_event`]).
    fn push_event(&mut self, event: PushEvent, ctx: &mut Context<Self>) {
        if self.life != Life::Closed && self.outbox.push_event(event) {
            ctx.notify(Flush);
        }
    }

    fn flush(&mut self) {
        if self.life == Life::Closed {
            self.outbox.clear();
            return;
        }
        let script = match self.outbox.take_script() {
            None => return,
            Some(Ok(script)) => script,
            Some(Err(error)) => {
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
