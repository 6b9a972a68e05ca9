//! The window actor's outbox: responses and events waiting for the next
//! flush, and how they are written into one script for the page.

use std::sync::Arc;

use actix::Message;
use serde_json::Value;

use super::PushEvent;

/// Send the outbox to the page.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Flush;

/// What waits in the outbox for the next flush.
#[derive(Debug)]
pub(super) enum Outgoing {
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

/// Responses and events waiting for the next flush, in order.
#[derive(Debug, Default)]
pub(super) struct Outbox(Vec<Outgoing>);

impl Outbox {
    /// Drops everything queued (the page it was for is gone).
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    /// Queues a response, a batch or a notification. True when the outbox
    /// was empty: the caller schedules the flush.
    pub(super) fn push(&mut self, message: Value) -> bool {
        self.0.push(Outgoing::Message(message));
        self.0.len() == 1
    }

    /// Queues an event; consecutive ones with the same name and source
    /// share one `events` notification (payloads shared, not copied).
    /// True when the outbox was empty.
    pub(super) fn push_event(&mut self, event: PushEvent) -> bool {
        if let Some(Outgoing::Events {
            event: name,
            source,
            payloads,
        }) = self.0.last_mut()
        {
            if *name == event.event && *source == event.source {
                payloads.push(event.payload);
                return false;
            }
        }
        self.0.push(Outgoing::Events {
            event: event.event,
            source: event.source,
            payloads: vec![event.payload],
        });
        self.0.len() == 1
    }

    /// Takes everything queued as the script that hands it to the page;
    /// `None` when nothing is queued.
    ///
    /// The replies go to the page as JSON *text* for it to `JSON.parse`,
    /// not as a JavaScript literal: in a literal, a `"__proto__"` key (say,
    /// in a store value another page wrote) would set the object's
    /// prototype; JSON.parse makes it a plain property. Encoded once into a
    /// buffer, then escaped once into the script.
    pub(super) fn take_script(&mut self) -> Option<Result<String, serde_json::Error>> {
        if self.0.is_empty() {
            return None;
        }
        let batch = std::mem::take(&mut self.0);
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
        Some(written.and_then(|()| String::from_utf8(script).map_err(serde::ser::Error::custom)))
    }
}
