//! Window requests without the `webview` feature: there are none to serve.
//! The same API as `windows.rs`, so `run` has no feature switch of its own;
//! a window request reaches the main loop and is refused there as not
//! supported by this build.

use std::sync::{Arc, OnceLock};

use traykit_actors::app::AppHandle;
use traykit_actors::ui::{UiRequest, UiResponder};

use crate::builder::AppBuilder;
use crate::error::Error;

/// There is no webview host process in this build.
pub(super) fn serve_if_host(_builder: &mut AppBuilder) -> Result<(), Error> {
    Ok(())
}

/// Takes no request.
#[derive(Clone)]
pub(super) struct WindowRequests;

impl WindowRequests {
    pub(super) fn new(_builder: &AppBuilder, _app: &Arc<OnceLock<AppHandle>>) -> Self {
        Self
    }

    pub(super) fn takes(&self, _request: &UiRequest) -> bool {
        false
    }

    /// Never called: `takes` is false.
    pub(super) fn handle(&self, _request: UiRequest, _responder: UiResponder) {}

    pub(super) fn shutdown(&self) {}
}
