//! How actors reach the UI side: [`ProxyPoster`], the app's [`UiPoster`].

use std::sync::Mutex;

use tao::event_loop::EventLoopProxy;
use traykit_actors::sync::lock;
use traykit_actors::ui::{UiEnvelope, UiPoster};
use traykit_actors::UiError;

use super::windows::WindowRequests;

/// Posts to the main thread through tao's proxy — except window requests,
/// which go straight to the webview host from the caller's thread.
pub(super) struct ProxyPoster {
    pub(super) proxy: Mutex<EventLoopProxy<UiEnvelope>>,
    /// Windows live in the webview host process; the app side only writes
    /// to its pipe and touches no GTK object, so a window request needs no
    /// stop on the main thread (that hop cost every reply and event batch
    /// a main-loop wake-up).
    pub(super) windows: WindowRequests,
}

impl UiPoster for ProxyPoster {
    fn post(&self, envelope: UiEnvelope) -> Result<(), UiError> {
        if self.windows.takes(envelope.request()) {
            let (request, responder) = envelope.into_parts();
            self.windows.handle(request, responder);
            return Ok(());
        }
        lock(&self.proxy)
            .send_event(envelope)
            .map_err(|_| UiError::Closed)
    }
}
