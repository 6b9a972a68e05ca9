//! [`RuntimeHandle`]: the plumbing only the facade calls (the main-thread
//! runtime, the builder's boot, `--ctl`, `TestApp`), behind one hidden
//! accessor, `app.runtime()`, so that `AppHandle`'s page lists only what
//! users call.

use crate::ipc::Capabilities;
use crate::ui::{UiEvent, UiHandle};

use super::{AppConfig, AppHandle, Plugin, PluginError, Router};

/// The app's plumbing, reached with `app.runtime()`. Public only because
/// the facade is another crate: do not build on it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct RuntimeHandle<'a> {
    pub(crate) app: &'a AppHandle,
}

impl AppHandle {
    /// The plumbing the runtime calls (see [`RuntimeHandle`]).
    #[doc(hidden)]
    pub fn runtime(&self) -> RuntimeHandle<'_> {
        RuntimeHandle { app: self }
    }
}

impl<'a> RuntimeHandle<'a> {
    /// Starts the app's actors. Must run inside an actix `System`.
    pub fn start(config: AppConfig, ui: UiHandle) -> AppHandle {
        AppHandle::start(config, ui)
    }

    /// The handle actors use to reach the UI thread.
    pub fn ui(self) -> &'a UiHandle {
        &self.app.inner.ui
    }

    /// The methods pages (and `--ctl`) can call.
    pub fn router(self) -> &'a Router {
        self.app.router()
    }

    /// What each window may call.
    pub fn capabilities(self) -> &'a Capabilities {
        self.app.capabilities()
    }

    /// Marks boot as done and delivers the UI events held until now, in
    /// order. Called by boot after `setup`.
    pub fn mark_ready(self) {
        self.app.mark_ready();
    }

    /// Routes an event from the UI side to the actor that owns it. Safe to
    /// call from any thread; never blocks. Before boot is done the event is
    /// held and delivered by [`mark_ready`](Self::mark_ready).
    pub fn dispatch(self, event: UiEvent) {
        self.app.dispatch(event);
    }

    /// Starts a built plugin: runs [`Plugin::start`] and subscribes its
    /// [`Plugin::shutdown`]. Called by boot after the app's actors exist.
    /// Must run inside the actix `System`.
    pub fn start_plugin(self, plugin: Box<dyn Plugin>) -> Result<(), PluginError> {
        self.app.start_plugin(plugin)
    }
}
