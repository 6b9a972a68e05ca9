//! The window actor: one window's declaration and life cycle. Its page's
//! IPC (inbox, outbox, session) is in `inbox.rs`, `outbox.rs`, `page.rs`.

use std::future::Future;
use std::sync::Arc;

use actix::prelude::*;
use serde_json::json;

use super::host::PageHost;
use super::outbox::Outbox;
use super::page::PageSession;
use super::{
    CloseRequested, Command, GeometryChanged, GetWindow, Gone, Life, Prewarm, WindowCommand,
    WindowError, WINDOW_STATE_STORE,
};
use crate::error::UiError;
use crate::ipc;
use crate::ui::{ClosePolicy, Geometry, Placement, UiHandle, UiRequest, WindowOp, WindowSpec};

/// One window: its declaration, its life, its page's IPC.
pub struct WindowActor {
    pub(super) spec: WindowSpec,
    pub(super) ui: UiHandle,
    /// The app, as far as a window needs it (dispatch, limits, isolation,
    /// stores): a trait object, so the window does not depend on the app.
    pub(super) host: Arc<dyn PageHost>,
    pub(super) life: Life,
    /// The current page's listens, watches, running calls and rates.
    pub(super) page: PageSession,
    /// Responses and events waiting for the next flush.
    pub(super) outbox: Outbox,
    init_script: Arc<str>,
    /// A dev server's origin whose pages count as the app's own (debug
    /// builds with `dev_url`).
    pub(super) dev_origin: Option<Arc<str>>,
    /// Set when `show` re-created a window the UI had lost before the
    /// `Gone` news arrived: that late `Gone` is about the old window.
    stale_gone_expected: bool,
    /// What the page has queued into and running in this actor, shared with
    /// the router that admits its messages.
    pub(super) backlog: Arc<ipc::Backlog>,
    /// Opens the current webview's sealed messages (isolation pattern).
    pub(super) opener: Option<crate::isolation::Opener>,
}

impl WindowActor {
    /// A window actor; nothing is created until `Show` (or `prewarm`).
    pub fn new(
        spec: WindowSpec,
        ui: UiHandle,
        host: Arc<dyn PageHost>,
        init_script: Arc<str>,
        dev_origin: Option<Arc<str>>,
    ) -> Self {
        Self {
            spec,
            ui,
            host,
            life: Life::Closed,
            page: PageSession::new(),
            outbox: Outbox::default(),
            init_script,
            dev_origin,
            stale_gone_expected: false,
            backlog: Arc::default(),
            opener: None,
        }
    }

    /// Shares `backlog` with the router that admits this window's messages.
    pub(crate) fn with_backlog(mut self, backlog: Arc<ipc::Backlog>) -> Self {
        self.backlog = backlog;
        self
    }

    pub(super) fn label(&self) -> String {
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
        self.page.reset();
        self.outbox.clear();
        self.life = Life::Open { visible };
        // A new webview, a new key: nothing sealed for an earlier one opens.
        let url = &self.spec.url;
        let isolation = match self.host.isolation().map(|i| i.frame_for(url)).transpose() {
            Ok(pair) => pair,
            Err(e) => {
                // Without a key there is no safe way to take messages; the
                // window still opens and every message will be refused.
                tracing::error!(window = %self.label(), error = %e, "no isolation key");
                None
            }
        };
        let (frame, opener) = isolation.unzip();
        let isolated = self.host.isolation().is_some();
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
        self.page.reset();
        self.outbox.clear();
        self.ui
            .request(UiRequest::DestroyWindow(self.spec.label.clone()))
    }

    fn show(&mut self, life: Life) -> Vec<ResponseFuture<Result<(), UiError>>> {
        // Requests are posted in this order (eagerly), so the window exists
        // before it is placed.
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

    fn run(&mut self, cmd: WindowCommand) -> ResponseFuture<Result<(), WindowError>> {
        let err = self.ui_err();
        let window = self.label();
        let not_open = move || -> ResponseFuture<Result<(), WindowError>> {
            Box::pin(async move { Err(WindowError::NotOpen(window)) })
        };
        let fut: Vec<_> = match (cmd, self.life) {
            (WindowCommand::Show, life) => self.show(life),
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
}

impl Handler<Gone> for WindowActor {
    type Result = ();
    fn handle(&mut self, _: Gone, _: &mut Context<Self>) {
        if std::mem::take(&mut self.stale_gone_expected) {
            return; // about the window `show` already replaced
        }
        tracing::warn!(window = %self.spec.label, "window lost with its webview host; the next show re-creates it");
        self.life = Life::Closed;
        self.page.reset();
        self.outbox.clear();
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
        match self.host.store(WINDOW_STATE_STORE) {
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
