//! Window requests, with the `webview` feature: served by the webview host
//! process through [`HostWindows`], never by the main loop. Its counterpart
//! without the feature is `no_windows.rs`; `run` sees the same API from both.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use traykit_actors::app::AppHandle;
use traykit_actors::sync::lock;
use traykit_actors::ui::{UiRequest, UiResponder};

use crate::builder::AppBuilder;
use crate::error::Error;
use crate::webview::host::{self, HostWindows};

/// In the webview host process (started by [`HostWindows`] with
/// [`host::HOST_ENV`] set), serves windows and exits: no code after `run()`
/// in the app's `main` may run a second time. Returns in the app itself.
pub(super) fn serve_if_host(builder: &mut AppBuilder) -> Result<(), Error> {
    if std::env::var_os(host::HOST_ENV).is_none() {
        return Ok(());
    }
    let code = host::serve(std::mem::take(&mut builder.assets))?;
    std::process::exit(code);
}

/// Where window requests go: the app's side of the webview host, shared by
/// the poster (actor thread) and the main loop.
#[derive(Clone)]
pub(super) struct WindowRequests(Arc<Mutex<HostWindows>>);

impl WindowRequests {
    /// The host's events (page messages, close requests, geometry) go to the
    /// app's dispatcher once it exists. When a window opens at start, the
    /// host is started now, before the event loop (GTK start-up): its own
    /// start-up then runs alongside the app's.
    pub(super) fn new(builder: &AppBuilder, app: &Arc<OnceLock<AppHandle>>) -> Self {
        let app = app.clone();
        let windows = HostWindows::new(
            Arc::new(move |event| {
                if let Some(app) = app.get() {
                    app.dispatch(event);
                }
            }),
            builder.ipc_limits.max_message_bytes,
            builder.host_keep_alive,
        );
        let this = Self(Arc::new(Mutex::new(windows)));
        if builder
            .windows
            .iter()
            .any(|w| matches!(w.clone().into_spec(), Ok((_, true, _) | (_, _, true))))
        {
            this.lock().prespawn();
        }
        this
    }

    /// Whether `request` is one of the webview host's, not the main loop's.
    pub(super) fn takes(&self, request: &UiRequest) -> bool {
        matches!(
            request,
            UiRequest::CreateWindow { .. }
                | UiRequest::Window { .. }
                | UiRequest::DestroyWindow(_)
                | UiRequest::Eval { .. }
                | UiRequest::PrewarmHost
        )
    }

    /// Forwards a window request to the host; the reply comes later, from
    /// the host's reader thread.
    pub(super) fn handle(&self, request: UiRequest, responder: UiResponder) {
        self.lock().handle(request, responder);
    }

    /// Ends the host with the app (see [`HostWindows::shutdown`]).
    pub(super) fn shutdown(&self) {
        self.lock().shutdown();
    }

    fn lock(&self) -> MutexGuard<'_, HostWindows> {
        lock(&self.0)
    }
}
