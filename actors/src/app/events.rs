//! Events: from Rust or a page to every listening window, and to Rust
//! subscribers.

use std::sync::Arc;

use actix::prelude::*;
use serde_json::Value;

use crate::window::{PushEvent, WindowError};

use super::{AppHandle, Callback, PageEvent};

impl AppHandle {
    /// Sends an event to every window that listens, and to Rust subscribers.
    pub fn emit(&self, event: &str, payload: impl serde::Serialize) {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.emit_from(None, event, payload);
    }

    /// Sends an event to one window.
    pub fn emit_to(
        &self,
        label: &str,
        event: &str,
        payload: impl serde::Serialize,
    ) -> Result<(), WindowError> {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.emit_to_from(None, label, event, payload)
    }

    pub(crate) fn emit_from(&self, source: Option<&str>, event: &str, payload: Value) {
        let payload = Arc::new(payload);
        let msg = PushEvent {
            event: event.into(),
            payload: payload.clone(),
            source: source.map(Into::into),
        };
        for window in self.windows() {
            window.addr().do_send(msg.clone());
        }
        if let Some(source) = source {
            let page_event = PageEvent {
                event: event.to_owned(),
                payload,
                source: source.to_owned(),
            };
            self.inner.events.subscribers.send(page_event);
        }
    }

    pub(crate) fn emit_to_from(
        &self,
        source: Option<&str>,
        label: &str,
        event: &str,
        payload: Value,
    ) -> Result<(), WindowError> {
        self.window(label)?.addr().do_send(PushEvent {
            event: event.into(),
            payload: Arc::new(payload),
            source: source.map(Into::into),
        });
        Ok(())
    }

    /// Sends every event a page emits to `recipient`.
    pub fn subscribe_events(&self, recipient: Recipient<PageEvent>) {
        self.inner.events.subscribers.push(recipient);
    }

    /// Runs `f` on every event a page emits.
    pub fn on_event(&self, f: impl Fn(&AppHandle, &PageEvent) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_events(recipient);
    }
}
