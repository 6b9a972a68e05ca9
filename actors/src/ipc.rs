//! JSON-RPC 2.0, the page ↔ core protocol: decoding, the method router,
//! typed commands, and capability checks. Pure logic, no UI: the window actor
//! feeds it the text a page posted and sends back what it returns.
//!
//! The spec is followed to the letter: batches are answered as an array (in
//! any order), notifications get no response, a batch of only notifications
//! gets nothing, `[]` is one `-32600`, a parse error is `-32700` with id null.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use serde::de::{DeserializeOwned, DeserializeSeed};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::app::AppHandle;
use crate::supervise::{self, panic_message};

/// Stable error codes. The spec's, then traykit's own (-32000..-32099 is the
/// spec's range for implementation-defined server errors).
pub mod codes {
    /// Invalid JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// Not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Params do not fit the method.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The handler failed (or panicked).
    pub const INTERNAL_ERROR: i64 = -32603;
    /// No capability grants this window the method or event.
    pub const PERMISSION_DENIED: i64 = -32001;
    /// The message exceeds a limit (size, batch length, in-flight requests).
    pub const LIMIT_EXCEEDED: i64 = -32002;
    /// A built-in's target (window, tray) does not exist or refused.
    pub const TARGET_ERROR: i64 = -32003;
    /// Isolation is on and the message was not sealed by this window's
    /// isolation frame (sent around it, forged, replayed).
    pub const ISOLATION: i64 = -32004;
    /// The isolation frame's hook refused the message (set by the page-side
    /// bridge; the core never sees such a message).
    pub const REJECTED_BY_HOOK: i64 = -32005;
}

/// A JSON-RPC error object. Also what command handlers fail with: give your
/// error type an `impl From<MyError> for RpcError` with a stable code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// Stable, machine-readable.
    pub code: i64,
    /// For the developer reading the console.
    pub message: String,
    /// Anything structured that helps.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with a code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Adds structured data.
    pub fn with_data(mut self, data: impl Serialize) -> Self {
        self.data = serde_json::to_value(data).ok();
        self
    }

    /// -32601 naming the method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            codes::METHOD_NOT_FOUND,
            format!("method `{method}` not found: no command or built-in has this name"),
        )
    }

    /// -32602 with the deserializer's explanation.
    pub fn invalid_params(method: &str, detail: impl std::fmt::Display) -> Self {
        Self::new(
            codes::INVALID_PARAMS,
            format!("invalid params for `{method}`: {detail}"),
        )
    }

    /// -32603.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::new(codes::INTERNAL_ERROR, format!("internal error: {detail}"))
    }

    /// -32001 saying how to grant it.
    pub fn permission_denied(window: &str, what: &str) -> Self {
        Self::new(
            codes::PERMISSION_DENIED,
            format!(
                "window `{window}` may not use {what}: no capability grants it \
                 (add it to a capability that names this window)"
            ),
        )
    }
}

/// One decoded call. `id: None` is a notification (no response).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The request id (number, string or null); `None` for notifications.
    pub id: Option<Value>,
    /// The method name.
    pub method: String,
    /// The params, if any (object or array).
    pub params: Option<Value>,
}

impl Call {
    /// The request (or notification) as JSON-RPC: what `decode` reads back
    /// into this same call.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("jsonrpc".into(), "2.0".into());
        if let Some(id) = &self.id {
            obj.insert("id".into(), id.clone());
        }
        obj.insert("method".into(), self.method.clone().into());
        if let Some(p) = &self.params {
            obj.insert("params".into(), p.clone());
        }
        Value::Object(obj)
    }
}

/// What a posted text decodes to.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// One request or notification (or an invalid one, answered with id null).
    Single(Result<Call, Invalid>),
    /// A batch; invalid members say what to answer them.
    Batch(Vec<Result<Call, Invalid>>),
}

/// A message (or batch member) that is JSON but not a valid request: the id
/// to echo and why. A reason is a `&'static str`, not a built response, so a
/// batch of 4,096 `1`s costs 4,096 small structs; the -32600 response is
/// made only when it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The request's id when it had a valid one, else null.
    pub id: Value,
    /// What was wrong, for the developer.
    pub reason: &'static str,
}

impl Invalid {
    /// The -32600 error.
    pub fn error(&self) -> RpcError {
        RpcError::new(
            codes::INVALID_REQUEST,
            format!("invalid request: {}", self.reason),
        )
    }

    /// The error response to send.
    pub fn response(&self) -> Value {
        failure(self.id.clone(), self.error())
    }
}

/// Builds a success response.
pub fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// Builds an error response.
pub fn failure(id: Value, error: RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

fn decode_call(value: Value) -> Result<Call, Invalid> {
    let invalid = |id: Value, reason: &'static str| Invalid { id, reason };
    let Value::Object(mut obj) = value else {
        return Err(invalid(Value::Null, "expected an object"));
    };
    // The id is echoed even when the rest is invalid, if it is a valid id.
    let id = match obj.remove("id") {
        None => None,
        Some(id @ (Value::Number(_) | Value::String(_) | Value::Null)) => Some(id),
        Some(_) => {
            return Err(invalid(
                Value::Null,
                "`id` must be a number, string or null",
            ))
        }
    };
    let echo = id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return Err(invalid(echo, "`jsonrpc` must be \"2.0\""));
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        _ => return Err(invalid(echo, "`method` must be a string")),
    };
    let params = match obj.remove("params") {
        None => None,
        Some(p @ (Value::Object(_) | Value::Array(_))) => Some(p),
        Some(_) => return Err(invalid(echo, "`params` must be an object or an array")),
    };
    Ok(Call { id, method, params })
}

/// Decodes posted text under `limits`. `Err` is a whole-message error to
/// answer with id null: -32700 (not JSON, or nested deeper than 128), or
/// -32002 naming [`IpcLimits::max_batch`] or
/// [`IpcLimits::max_decoded_bytes`].
///
/// Both limits are enforced while scanning, not after: a batch stops being
/// read at member `max_batch + 1`, and the decoded values stop being built
/// once their estimated size passes `max_decoded_bytes`, so no message costs
/// more memory than its text plus that budget (measured: `tests/ipc_memory.rs`).
pub fn decode(text: &str, limits: &IpcLimits) -> Result<Incoming, RpcError> {
    decode_sized(text, limits).map(|(incoming, _)| incoming)
}

/// [`decode`], also returning the estimated bytes the decoded values take.
pub fn decode_sized(text: &str, limits: &IpcLimits) -> Result<(Incoming, usize), RpcError> {
    let scan = Scan {
        max_batch: limits.max_batch,
        budget: limits.max_decoded_bytes,
        spent: Cell::new(0),
        refused: Cell::new(None),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    // serde_json refuses nesting deeper than 128 (our visitors go through its
    // `deserialize_any`, which counts), so hostile depth is a parse error,
    // not a stack overflow.
    let result = TopSeed(&scan)
        .deserialize(&mut de)
        .and_then(|incoming| de.end().map(|()| incoming));
    match (scan.refused.get(), result) {
        (Some(Refused::Batch), _) => Err(limit_exceeded(format!(
            "a batch of more than {} calls (IpcLimits::max_batch)",
            limits.max_batch
        ))),
        (Some(Refused::Decoded), _) => Err(limit_exceeded(format!(
            "a message whose decoded values take more than {} bytes \
             (IpcLimits::max_decoded_bytes)",
            limits.max_decoded_bytes
        ))),
        (None, Err(e)) => Err(RpcError::new(
            codes::PARSE_ERROR,
            format!("parse error: {e}"),
        )),
        (None, Ok(incoming)) => Ok((incoming, scan.spent.get())),
    }
}

#[derive(Debug, Clone, Copy)]
enum Refused {
    Batch,
    Decoded,
}

/// The state of one [`decode`]: what the decoded values cost so far and
/// which limit (if any) stopped it. The serde error that aborts the parse
/// carries no type, so the reason is kept here.
struct Scan {
    max_batch: usize,
    budget: usize,
    spent: Cell<usize>,
    refused: Cell<Option<Refused>>,
}

/// What a JSON value costs once decoded into a [`Value`], roughly as the
/// allocator sees it: every value is a 32-byte `Value` (in its array or map
/// node), a string or non-empty array adds its allocator overhead (and a
/// string its bytes), and a map
/// allocates a B-tree node (11 entries, ~640 bytes) per 11 entries — which
/// is what makes `[{"a":1},…]` the most expensive text per byte (~85× its
/// size without a budget).
mod cost {
    pub const VALUE: usize = std::mem::size_of::<serde_json::Value>();
    pub const HEAP_OVERHEAD: usize = 16;
    pub const MAP_NODE: usize = 640;
    pub const MAP_NODE_ENTRIES: usize = 11;

    pub fn string(len: usize) -> usize {
        if len == 0 {
            0
        } else {
            len + HEAP_OVERHEAD
        }
    }
}

impl Scan {
    fn charge<E: serde::de::Error>(&self, bytes: usize) -> Result<(), E> {
        let spent = self.spent.get().saturating_add(bytes);
        self.spent.set(spent);
        if spent > self.budget {
            self.refused.set(Some(Refused::Decoded));
            return Err(E::custom("decoded size over the limit"));
        }
        Ok(())
    }
}

/// The whole message: a batch is scanned member by member and counted; any
/// other value is one call.
struct TopSeed<'a>(&'a Scan);

impl<'de> serde::de::DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Incoming;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Incoming, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for TopSeed<'_> {
    type Value = Incoming;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON-RPC request or batch")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Incoming, A::Error> {
        let scan = self.0;
        let mut calls = Vec::new();
        loop {
            if calls.len() == scan.max_batch {
                // One more member is one too many: refuse it before reading
                // it (the seed fails at once; `[...]` ending here is fine).
                let _end = seq.next_element_seed(Overflow(scan))?;
                break;
            }
            let Some(value) = seq.next_element_seed(ValueSeed(scan))? else {
                break;
            };
            calls.push(decode_call(value));
        }
        if calls.is_empty() {
            return Ok(Incoming::Single(Err(Invalid {
                id: Value::Null,
                reason: "empty batch",
            })));
        }
        Ok(Incoming::Batch(calls))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Incoming, A::Error> {
        let value = ValueSeed(self.0).visit_map(map)?;
        Ok(Incoming::Single(decode_call(value)))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Incoming, E> {
        Ok(not_an_object())
    }
}

fn not_an_object() -> Incoming {
    Incoming::Single(Err(Invalid {
        id: Value::Null,
        reason: "expected an object",
    }))
}

/// Refuses the member it is asked to read (the one past `max_batch`).
struct Overflow<'a>(&'a Scan);

impl<'de> serde::de::DeserializeSeed<'de> for Overflow<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        self.0.refused.set(Some(Refused::Batch));
        Err(serde::de::Error::custom("batch over the limit"))
    }
}

/// A [`Value`] built under the scan's budget: like serde_json's own visitor,
/// plus a charge per node.
#[derive(Clone, Copy)]
struct ValueSeed<'a>(&'a Scan);

impl<'de> serde::de::DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.charge(cost::VALUE)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.charge(cost::VALUE)?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.charge(cost::VALUE)?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.charge(cost::VALUE)?;
        // Same as serde_json: a non-finite float (cannot come from JSON
        // text) is null.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.charge(cost::VALUE + cost::string(v.len()))?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.0.charge(cost::VALUE + cost::string(v.len()))?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.charge(cost::VALUE)?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.charge(cost::VALUE)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            if items.is_empty() {
                // The array's own allocation (what `[[[…]]]` is made of).
                self.0.charge(cost::HEAP_OVERHEAD)?;
            }
            items.push(item);
        }
        // Doubling left up to half the capacity unused; give it back, so
        // what stays is what was charged.
        items.shrink_to_fit();
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.charge(cost::VALUE)?;
        let mut obj = Map::new();
        let mut entries = 0usize;
        while let Some(key) = map.next_key::<String>()? {
            if entries % cost::MAP_NODE_ENTRIES == 0 {
                self.0.charge(cost::MAP_NODE)?;
            }
            entries += 1;
            self.0.charge(cost::string(key.len()))?;
            let value = map.next_value_seed(self)?;
            obj.insert(key, value);
        }
        Ok(Value::Object(obj))
    }
}

/// Per-webview limits on what a page may send. Each breach is answered with
/// [`codes::LIMIT_EXCEEDED`] and a message naming the limit; nothing over a
/// limit reaches a handler, so a flooding page can neither starve other
/// windows nor grow the app's memory without bound.
///
/// What one window can make the app hold is at most about
/// `max_queued_bytes` of text (waiting or running), plus
/// `max_queued_bytes + max_decoded_bytes` of the values of running calls
/// (one message always runs alone), plus one message being decoded
/// (`max_decoded_bytes`). Measured in `tests/ipc_memory.rs`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct IpcLimits {
    /// Largest message a page may post, in bytes.
    pub max_message_bytes: usize,
    /// Most calls in one batch.
    pub max_batch: usize,
    /// Most memory the decoded values of one message may take (an estimate:
    /// 32 bytes a value, strings their length, ~640 bytes per 11 object
    /// entries).
    pub max_decoded_bytes: usize,
    /// Most requests of one page whose handlers are still running.
    pub max_in_flight: usize,
    /// Most messages of one page queued for or being handled by its window
    /// actor (answered or not yet).
    pub max_queued_messages: usize,
    /// Most bytes of one page's messages queued for or held by its window
    /// actor (raw text while queued, decoded values while running).
    pub max_queued_bytes: usize,
    /// Calls per second a page may make on average…
    pub calls_per_second: f64,
    /// …with bursts up to this many calls.
    pub burst: f64,
    /// Bytes per second a page may post on average…
    pub bytes_per_second: f64,
    /// …with bursts up to this many bytes (at least one message of
    /// `max_message_bytes`, or the largest message could never pass).
    pub byte_burst: f64,
}

impl Default for IpcLimits {
    fn default() -> Self {
        Self {
            // 10 MiB payloads must pass (the "10 MiB request" row of
            // benches/compare.rs posts a 10 MiB string); 16 MiB leaves room
            // for a 10 MiB payload base64-encoded (13.3 MiB) or with 60% of
            // escapes, and halves the worst case of the 32 MiB we had.
            max_message_bytes: 16 * 1024 * 1024,
            max_batch: 4096,
            // 2× the largest message: a 16 MiB string payload decodes to
            // ~16 MiB, an array of records to ~15–25× its text (a B-tree
            // node per object), so records pass up to ~1.5 MiB of JSON per
            // message; one message then costs at most ~3× the largest text.
            max_decoded_bytes: 32 * 1024 * 1024,
            max_in_flight: 4096,
            max_queued_messages: 4096,
            // Two largest messages: one running, one waiting.
            max_queued_bytes: 32 * 1024 * 1024,
            calls_per_second: 20_000.0,
            burst: 40_000.0,
            // A 10 MiB request takes ~50 ms to post (BENCHMARKS.md); 64 MiB/s
            // sustained leaves a real page far below, while a flood of large
            // messages cannot keep the app decoding all the time.
            bytes_per_second: 64.0 * 1024.0 * 1024.0,
            byte_burst: 64.0 * 1024.0 * 1024.0,
        }
    }
}

impl IpcLimits {
    /// Sets [`max_message_bytes`](Self::max_message_bytes).
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }
    /// Sets [`max_batch`](Self::max_batch).
    pub fn max_batch(mut self, n: usize) -> Self {
        self.max_batch = n;
        self
    }
    /// Sets [`max_decoded_bytes`](Self::max_decoded_bytes).
    pub fn max_decoded_bytes(mut self, n: usize) -> Self {
        self.max_decoded_bytes = n;
        self
    }
    /// Sets [`max_in_flight`](Self::max_in_flight).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n;
        self
    }
    /// Sets [`max_queued_messages`](Self::max_queued_messages) and
    /// [`max_queued_bytes`](Self::max_queued_bytes).
    pub fn max_queued(mut self, messages: usize, bytes: usize) -> Self {
        self.max_queued_messages = messages;
        self.max_queued_bytes = bytes;
        self
    }
    /// Sets the rate limit: `per_second` on average, bursts of `burst`.
    pub fn rate(mut self, per_second: f64, burst: f64) -> Self {
        self.calls_per_second = per_second;
        self.burst = burst;
        self
    }
    /// Sets the byte rate limit: `per_second` on average, bursts of `burst`.
    pub fn byte_rate(mut self, per_second: f64, burst: f64) -> Self {
        self.bytes_per_second = per_second;
        self.byte_burst = burst;
        self
    }
}

/// Two token buckets: how many calls, and how many bytes, a page may post
/// right now.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tokens: f64,
    last: std::time::Instant,
    bytes: f64,
    bytes_last: std::time::Instant,
}

impl RateLimiter {
    /// Full buckets.
    pub fn new(limits: &IpcLimits) -> Self {
        let now = std::time::Instant::now();
        Self {
            tokens: limits.burst,
            last: now,
            bytes: limits.byte_burst,
            bytes_last: now,
        }
    }

    /// Takes one call token if there is one.
    pub fn allow(&mut self, limits: &IpcLimits) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * limits.calls_per_second;
        self.tokens = (self.tokens + refill).min(limits.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` byte tokens if there are that many. A message larger than
    /// the burst passes when the bucket is full (so a burst set below
    /// `max_message_bytes` slows big messages instead of refusing them all).
    pub fn allow_bytes(&mut self, limits: &IpcLimits, n: usize) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.bytes_last).as_secs_f64() * limits.bytes_per_second;
        self.bytes = (self.bytes + refill).min(limits.byte_burst);
        self.bytes_last = now;
        let n = n as f64;
        if self.bytes >= n || self.bytes >= limits.byte_burst {
            self.bytes -= n;
            true
        } else {
            false
        }
    }
}

/// What one window's page has queued into and running in its window actor:
/// counted by the app's router before a message is queued (and refused there
/// when over [`IpcLimits::max_queued_messages`] or
/// [`IpcLimits::max_queued_bytes`]), released by the actor when the
/// message's handlers are done.
///
/// **Invariant:** every admitted message is released exactly once (the
/// release is a [`Held`] guard, dropped on every path), so both counts
/// return to zero when the page is idle.
#[derive(Debug, Default)]
pub struct Backlog {
    messages: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicUsize,
    /// Refusals sent to the actor and not yet answered: each is small, but
    /// a page flooding faster than its actor answers must not grow them
    /// without bound either.
    refusals: std::sync::atomic::AtomicUsize,
}

impl Backlog {
    /// Most refusals queued for one window's actor and not yet answered
    /// (~100 bytes each): beyond this a page is flooding faster than its
    /// actor can even say no, and further refusals are dropped unanswered.
    pub const MAX_PENDING_REFUSALS: usize = 4096;

    /// Takes a slot for one refusal (up to
    /// [`MAX_PENDING_REFUSALS`](Self::MAX_PENDING_REFUSALS) pending); `false`
    /// when the page already has that many, and this one is dropped.
    pub fn refusal_slot(&self) -> bool {
        use std::sync::atomic::Ordering::AcqRel;
        if self.refusals.fetch_add(1, AcqRel) >= Self::MAX_PENDING_REFUSALS {
            self.refusals.fetch_sub(1, AcqRel);
            return false;
        }
        true
    }

    /// Releases a slot taken by [`refusal_slot`](Self::refusal_slot).
    pub fn refusal_done(&self) {
        let _ = self.refusals.fetch_update(
            std::sync::atomic::Ordering::AcqRel,
            std::sync::atomic::Ordering::Acquire,
            |c| Some(c.saturating_sub(1)),
        );
    }

    /// Counts a message of `bytes` if it fits, else says which limit it
    /// would break (the -32002 to answer).
    pub fn admit(&self, bytes: usize, limits: &IpcLimits) -> Result<(), RpcError> {
        use std::sync::atomic::Ordering::AcqRel;
        let messages = self.messages.fetch_add(1, AcqRel);
        if messages >= limits.max_queued_messages {
            self.messages.fetch_sub(1, AcqRel);
            return Err(limit_exceeded(format!(
                "{messages} messages of this page are already queued or running \
                 (IpcLimits::max_queued_messages)"
            )));
        }
        let held = self.bytes.fetch_add(bytes, AcqRel);
        // One message always fits into an empty queue: the size limit, not
        // this one, decides whether it is too big.
        if held > 0 && held.saturating_add(bytes) > limits.max_queued_bytes {
            self.bytes.fetch_sub(bytes, AcqRel);
            self.messages.fetch_sub(1, AcqRel);
            return Err(limit_exceeded(format!(
                "{held} bytes of this page's messages are already queued or running; \
                 {bytes} more is over {} (IpcLimits::max_queued_bytes)",
                limits.max_queued_bytes
            )));
        }
        Ok(())
    }

    /// The admitted message of `bytes`, released when the guard drops.
    pub fn held(self: &Arc<Self>, bytes: usize) -> Held {
        Held {
            backlog: self.clone(),
            bytes,
        }
    }

    /// (messages, bytes) counted now.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Acquire;
        (self.messages.load(Acquire), self.bytes.load(Acquire))
    }
}

/// One admitted message's share of a [`Backlog`]; released on drop.
#[derive(Debug)]
pub struct Held {
    backlog: Arc<Backlog>,
    bytes: usize,
}

impl Held {
    /// Counts `more` bytes for this message (its decoded values, while its
    /// handlers run), released with it.
    pub fn grow(&mut self, more: usize) {
        self.backlog
            .bytes
            .fetch_add(more, std::sync::atomic::Ordering::AcqRel);
        self.bytes += more;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::AcqRel;
        // Saturating: an `IpcIn` sent straight to the actor's address (not
        // through the router) was never counted and must not wrap the count.
        let release = |count: &std::sync::atomic::AtomicUsize, n: usize| {
            let _ = count.fetch_update(AcqRel, std::sync::atomic::Ordering::Acquire, |c| {
                Some(c.saturating_sub(n))
            });
        };
        release(&self.backlog.messages, 1);
        release(&self.backlog.bytes, self.bytes);
    }
}

/// -32002 naming the limit.
pub fn limit_exceeded(what: impl std::fmt::Display) -> RpcError {
    RpcError::new(codes::LIMIT_EXCEEDED, format!("limit exceeded: {what}"))
}

/// Who is calling: handed to every handler.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The app, for state (`app.state::<T>()`), trays, windows, events.
    pub app: AppHandle,
    /// The label of the calling window (or the name of another transport).
    pub window: String,
    /// The page's origin when it is not the app's own (a remote page).
    pub origin: Option<String>,
    /// The capabilities the call was admitted under when they are not the
    /// app's page capabilities: `--ctl` calls carry the `.ctl_capability`
    /// set, so the ctl's own `stores` and `open` grants apply to it, never
    /// a page capability naming a window `ctl`. `None` for pages.
    pub grants: Option<Arc<Capabilities>>,
}

impl CallContext {
    /// The capabilities built-ins check grants beyond the method against
    /// (store keys, `window.open` labels): [`grants`](Self::grants), else
    /// the app's page capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        self.grants
            .as_deref()
            .unwrap_or_else(|| self.app.capabilities())
    }

    /// Managed state of type `T`, or -32603 saying it is missing.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, RpcError> {
        self.app.state::<T>().ok_or_else(|| {
            RpcError::internal(format!(
                "no managed state of type `{}` (call `.manage(..)` on the builder)",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// A handler's future; runs on the actor thread, so it need not be `Send`.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Value, RpcError>>>>;

/// A type-erased method handler.
pub type Handler = Arc<dyn Fn(CallContext, Option<Value>) -> HandlerFuture + Send + Sync>;

/// Deserialises params into `A`. "No params" may be spelled as a missing
/// `params`, `{}` or `[]` (Tauri pages always send `{}`): each is tried as
/// `null` and as `{}`, so `()` and all-optional structs accept them.
pub fn parse_params<A: DeserializeOwned>(
    method: &str,
    params: Option<Value>,
) -> Result<A, RpcError> {
    let empty = match &params {
        None => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if !empty {
        let p = params.unwrap_or(Value::Null);
        return serde_json::from_value(p).map_err(|e| RpcError::invalid_params(method, e));
    }
    serde_json::from_value(Value::Null)
        .or_else(|_| serde_json::from_value(Value::Object(Map::new())))
        .map_err(|e| RpcError::invalid_params(method, e))
}

/// Wraps a typed async function as a [`Handler`].
pub fn typed<A, R, E, F, Fut>(method: &str, f: F) -> Handler
where
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<RpcError> + 'static,
    F: Fn(A, CallContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + 'static,
{
    let method: Arc<str> = method.into();
    Arc::new(move |ctx, params| {
        let args = parse_params::<A>(&method, params);
        let fut = args.map(|args| f(args, ctx));
        Box::pin(async move {
            let result = fut?.await.map_err(Into::into)?;
            serde_json::to_value(result).map_err(RpcError::internal)
        })
    })
}

/// Method name → handler.
#[derive(Clone, Default)]
pub struct Router {
    methods: HashMap<String, Handler>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.methods.keys().collect();
        names.sort();
        f.debug_struct("Router").field("methods", &names).finish()
    }
}

impl Router {
    /// Adds or replaces a method.
    pub fn insert(&mut self, method: impl Into<String>, handler: Handler) {
        self.methods.insert(method.into(), handler);
    }

    /// Adds every method of `other` (replacing same-named ones).
    pub fn extend(&mut self, other: Router) {
        self.methods.extend(other.methods);
    }

    /// Whether a method exists.
    pub fn contains(&self, method: &str) -> bool {
        self.methods.contains_key(method)
    }

    /// Every method name, sorted.
    pub fn methods(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.methods.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Runs one call. A panicking handler becomes -32603.
    pub fn call(&self, ctx: CallContext, method: &str, params: Option<Value>) -> HandlerFuture {
        let Some(handler) = self.methods.get(method) else {
            let err = RpcError::method_not_found(method);
            return Box::pin(async move { Err(err) });
        };
        // Quiet: the panic is logged here once (rate-limited), not also as
        // the default hook's report with a backtrace per call.
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
            supervise::quietly(|| handler(ctx, params))
        }));
        let fut = match caught {
            Ok(fut) => fut,
            Err(p) => {
                supervise::log_handler_panic(method, p.as_ref());
                let err =
                    RpcError::internal(format!("handler panicked: {}", panic_message(p.as_ref())));
                return Box::pin(async move { Err(err) });
            }
        };
        let method = method.to_owned();
        Box::pin(async move {
            AssertUnwindSafe(supervise::Quiet(fut))
                .catch_unwind()
                .await
                .unwrap_or_else(|p| {
                    supervise::log_handler_panic(&method, p.as_ref());
                    Err(RpcError::internal(format!(
                        "handler panicked: {}",
                        panic_message(p.as_ref())
                    )))
                })
        })
    }
}

/// Why a capability file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CapabilityError {
    /// Not valid JSON or wrong shape.
    #[error("capability file is invalid: {0}")]
    Invalid(String),
    /// A capability names no window, so it grants nothing.
    #[error("capability `{0}` names no window in \"windows\"")]
    NoWindows(String),
}

/// Grants windows (by label, `*` globs) methods and events, and optionally
/// lets pages from remote origins use them.
///
/// ```
/// use traykit_actors::ipc::Capability;
/// let cap = Capability::from_json(r#"{
///   "identifier": "notes",
///   "windows": ["notes", "popup-*"],
///   "methods": ["notes.*", "notification.show"],
///   "events": ["notes-changed"]
/// }"#).unwrap();
/// assert!(cap.grants_method("popup-1", "notes.add"));
/// assert!(!cap.grants_method("settings", "notes.add"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// A name for error messages and the capability report.
    pub identifier: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Window labels it applies to; `*` matches any run of characters.
    pub windows: Vec<String>,
    /// Methods granted; `*` globs allowed (`notes.*`).
    #[serde(default)]
    pub methods: Vec<String>,
    /// Event names the window may listen to and emit.
    #[serde(default)]
    pub events: Vec<String>,
    /// Origins (`https://example.com`) whose pages get these grants too.
    /// Pages served from the app's own protocol always do.
    #[serde(default)]
    pub remote: Vec<String>,
    /// Stores (and key prefixes) the `store.*` methods may touch.
    #[serde(default)]
    pub stores: Vec<StoreGrant>,
    /// Labels of *new* windows `window.open` may declare (`*` globs);
    /// none by default. Showing an already declared window needs only the
    /// method. A page could otherwise pick a label that a broader
    /// capability names and load its own URL under it.
    #[serde(default)]
    pub open: Vec<String>,
}

/// Access to one store (a `*` glob) limited to keys starting with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreGrant {
    /// Store name; `*` globs allowed.
    pub store: String,
    /// Only keys starting with this (default: every key).
    #[serde(default)]
    pub prefix: String,
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl Capability {
    /// Parses one capability from JSON.
    pub fn from_json(text: &str) -> Result<Capability, CapabilityError> {
        let cap: Capability =
            serde_json::from_str(text).map_err(|e| CapabilityError::Invalid(e.to_string()))?;
        if cap.windows.is_empty() {
            return Err(CapabilityError::NoWindows(cap.identifier));
        }
        for remote in &cap.remote {
            OriginPattern::parse(remote).map_err(CapabilityError::Invalid)?;
        }
        Ok(cap)
    }

    /// Whether it applies to this window.
    pub fn applies_to(&self, window: &str) -> bool {
        self.windows.iter().any(|w| glob(w, window))
    }

    /// Whether it grants `method` to `window`.
    pub fn grants_method(&self, window: &str, method: &str) -> bool {
        self.applies_to(window) && self.methods.iter().any(|m| glob(m, method))
    }

    /// Whether it grants `event` to `window`.
    pub fn grants_event(&self, window: &str, event: &str) -> bool {
        self.applies_to(window) && self.events.iter().any(|e| glob(e, event))
    }

    /// Whether pages from `origin` (`scheme://host[:port]`) may use it.
    ///
    /// Both sides are parsed as URLs and compared by scheme, host and port
    /// (default ports filled in), never as text: `http://localhost:*`
    /// admits `http://localhost:5173`, not `http://localhost:1@evil.example`
    /// nor `http://localhost.evil.example`. See [`OriginPattern`].
    pub fn admits_origin(&self, origin: &str) -> bool {
        let Some(origin) = Origin::parse(origin) else {
            return false;
        };
        self.remote
            .iter()
            .any(|r| OriginPattern::parse(r).is_ok_and(|p| p.admits(&origin)))
    }
}

/// A page origin, parsed: lowercase scheme, normalised host (lowercase,
/// IDN as punycode), port with the scheme's default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` allowed). Anything more
    /// — user info, a path, a query, no host — is not an origin: `None`.
    pub fn parse(text: &str) -> Option<Origin> {
        let url = url::Url::parse(text).ok()?;
        let plain = url.username().is_empty()
            && url.password().is_none()
            && matches!(url.path(), "" | "/")
            && url.query().is_none()
            && url.fragment().is_none();
        if !plain {
            return None;
        }
        Some(Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().filter(|h| !h.is_empty())?.to_owned(),
            port: url.port_or_known_default(),
        })
    }

    /// The page origin of a page URL (its path, query and user info
    /// dropped), or `None` if it has no host (`about:blank`, `data:`…).
    pub fn of_url(url: &str) -> Option<Origin> {
        let url = url::Url::parse(url).ok()?;
        Some(Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().filter(|h| !h.is_empty())?.to_owned(),
            port: url.port_or_known_default(),
        })
    }

    /// `scheme://host[:port]`, the port left out when it is the scheme's
    /// default.
    pub fn serialize(&self) -> String {
        let default = url::Url::parse(&format!("{}://h/", self.scheme))
            .ok()
            .and_then(|u| u.port_or_known_default());
        match self.port {
            Some(port) if Some(port) != default => {
                format!("{}://{}:{port}", self.scheme, self.host)
            }
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// One entry of a capability's `remote`: `scheme://host[:port]`, where the
/// host may start with `*.` (any subdomain, not the domain itself) and the
/// port may be `*` (any port, the default included). Nothing else is a
/// wildcard; user info, paths and queries are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    /// Normalised host, without the `*.`.
    host: String,
    subdomains: bool,
    /// `None` = any port.
    port: Option<Option<u16>>,
}

impl OriginPattern {
    /// Parses one `remote` entry.
    pub fn parse(text: &str) -> Result<OriginPattern, String> {
        let bad = |why: &str| format!("remote origin `{text}`: {why}");
        let (scheme, authority) = text
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://host[:port]"))?;
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        if authority.contains(['/', '?', '#', '@', '\\']) {
            return Err(bad("only scheme://host[:port], no user info or path"));
        }
        let (host, any_port) = match authority.strip_suffix(":*") {
            Some(host) => (host, true),
            None => (authority, false),
        };
        let (host, subdomains) = match host.strip_prefix("*.") {
            Some(host) => (host, true),
            None => (host, false),
        };
        if host.contains('*') {
            return Err(bad(
                "`*` only as a whole port or a leading `*.` of the host",
            ));
        }
        let origin = Origin::parse(&format!("{scheme}://{host}"))
            .ok_or_else(|| bad("not a valid origin"))?;
        Ok(OriginPattern {
            scheme: origin.scheme,
            host: origin.host,
            subdomains,
            port: (!any_port).then_some(origin.port),
        })
    }

    /// Whether `origin` is one this pattern names.
    pub fn admits(&self, origin: &Origin) -> bool {
        let host = if self.subdomains {
            origin
                .host
                .strip_suffix(self.host.as_str())
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
        } else {
            origin.host == self.host
        };
        origin.scheme == self.scheme && host && self.port.is_none_or(|p| p == origin.port)
    }
}

/// All capabilities of an app. Deny by default: nothing is granted unless a
/// capability names the window.
#[derive(Debug, Clone, Default)]
pub struct Capabilities(Vec<Capability>);

impl Capabilities {
    /// Adds one.
    pub fn push(&mut self, cap: Capability) {
        self.0.push(cap);
    }

    /// Every capability.
    pub fn all(&self) -> &[Capability] {
        &self.0
    }

    /// Is `method` granted to `window` for a page from `origin` (`None` =
    /// the app's own protocol)?
    pub fn allows_method(&self, window: &str, origin: Option<&str>, method: &str) -> bool {
        self.0
            .iter()
            .any(|c| c.grants_method(window, method) && origin.is_none_or(|o| c.admits_origin(o)))
    }

    /// May `window` (page from `origin`) touch keys starting with `key_or_prefix`
    /// in `store`? A watch on prefix `P` needs a grant whose prefix `P`
    /// starts with.
    pub fn allows_store(
        &self,
        window: &str,
        origin: Option<&str>,
        store: &str,
        key_or_prefix: &str,
    ) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && c.stores
                    .iter()
                    .any(|g| glob(&g.store, store) && key_or_prefix.starts_with(&g.prefix))
        })
    }

    /// Whether `window` has any store grant (so it may listen to
    /// `store.changed`).
    pub fn allows_any_store(&self, window: &str, origin: Option<&str>) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && !c.stores.is_empty()
        })
    }

    /// May `window` (page from `origin`) declare a new window `label` with
    /// `window.open`?
    pub fn allows_open(&self, window: &str, origin: Option<&str>, label: &str) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && c.open.iter().any(|g| glob(g, label))
        })
    }

    /// Is `event` granted to `window` for a page from `origin`?
    pub fn allows_event(&self, window: &str, origin: Option<&str>, event: &str) -> bool {
        self.0
            .iter()
            .any(|c| c.grants_event(window, event) && origin.is_none_or(|o| c.admits_origin(o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_table() {
        let ok = |id: Option<Value>, m: &str, p: Option<Value>| {
            Ok(Call {
                id,
                method: m.into(),
                params: p,
            })
        };
        let cases: Vec<(&str, Result<Call, Value>)> = vec![
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"a","params":[1]}"#,
                ok(Some(json!(1)), "a", Some(json!([1]))),
            ),
            (r#"{"jsonrpc":"2.0","method":"n"}"#, ok(None, "n", None)),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"a"}"#,
                ok(Some(Value::Null), "a", None),
            ),
            (
                r#"{"jsonrpc":"2.0","id":"x","method":"a","params":{"k":1}}"#,
                ok(Some(json!("x")), "a", Some(json!({"k":1}))),
            ),
            (
                r#"{"jsonrpc":"1.0","id":7,"method":"a"}"#,
                Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `jsonrpc` must be \"2.0\""}}),
                ),
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":1}"#,
                Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `method` must be a string"}}),
                ),
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"a","params":3}"#,
                Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `params` must be an object or an array"}}),
                ),
            ),
            (
                r#"{"jsonrpc":"2.0","id":{},"method":"a"}"#,
                Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: `id` must be a number, string or null"}}),
                ),
            ),
            (
                r#"1"#,
                Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected an object"}}),
                ),
            ),
            (
                r#"[]"#,
                Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: empty batch"}}),
                ),
            ),
        ];
        for (text, want) in cases {
            let Incoming::Single(got) = decode(text, &IpcLimits::default()).expect("json") else {
                panic!("{text} is not a batch");
            };
            assert_eq!(got.map_err(|invalid| invalid.response()), want, "{text}");
        }
    }

    #[test]
    fn parse_errors_have_null_id_and_hostile_depth_is_refused() {
        for text in [
            "{",
            "nul",
            "",
            "[1] x",
            &"[".repeat(100_000),
            &format!("[{}1{}]", "[".repeat(200), "]".repeat(200)),
            &format!(
                r#"{{"jsonrpc":"2.0","method":"m","params":{}1{}}}"#,
                r#"{"a":"#.repeat(200),
                "}".repeat(200)
            ),
        ] {
            let err = decode(text, &IpcLimits::default()).expect_err("parse error");
            assert_eq!(err.code, codes::PARSE_ERROR, "{text:.20}");
            // Answered as a whole-message error: id null.
            assert_eq!(failure(Value::Null, err)["id"], Value::Null);
        }
    }

    #[test]
    fn batches_keep_invalid_members_as_errors() {
        let Incoming::Batch(items) = decode(
            r#"[1,{"jsonrpc":"2.0","method":"n"}]"#,
            &IpcLimits::default(),
        )
        .expect("json") else {
            panic!("not a batch")
        };
        assert_eq!(items.len(), 2);
        assert!(items[0].is_err());
        assert!(items[1].is_ok());
    }

    #[test]
    fn a_long_batch_is_refused_while_scanning() {
        let limits = IpcLimits::default();
        // 4 MiB of `1,`: the old decoder built ~2M error responses (~3.3 GB)
        // before counting them.
        let ones = format!("[{}1]", "1,".repeat(2 * 1024 * 1024));
        let err = decode(&ones, &limits).expect_err("refused");
        assert_eq!(err.code, codes::LIMIT_EXCEEDED);
        assert!(err.message.contains("max_batch"), "{}", err.message);
        // Proof that it stops at member max_batch + 1: what follows is not
        // even JSON, yet the answer is the batch limit, not a parse error.
        let members = "1,".repeat(limits.max_batch);
        for tail in ["{{{{ not json", "1, ]]]", "\"unterminated"] {
            let err = decode(&format!("[{members}{tail}"), &limits).expect_err("refused");
            assert_eq!(err.code, codes::LIMIT_EXCEEDED, "{tail}: {err}");
        }
        // Exactly max_batch members is fine; each invalid one is answered.
        let full = format!("[{}1]", "1,".repeat(limits.max_batch - 1));
        let Ok(Incoming::Batch(items)) = decode(&full, &limits) else {
            panic!("a full batch decodes");
        };
        assert_eq!(items.len(), limits.max_batch);
        assert!(items.iter().all(|i| i
            .as_ref()
            .is_err_and(|e| e.error().code == codes::INVALID_REQUEST)));
    }

    #[test]
    fn decoded_size_is_bounded_while_scanning() {
        let limits = IpcLimits::default().max_decoded_bytes(64 * 1024);
        let call =
            |params: &str| format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{params}}}"#);
        let records = format!("[{}{{}}]", r#"{"a":1},"#.repeat(1000));
        let cases = [
            // (params, refused?): objects cost a B-tree node each, so 8 KB
            // of `{"a":1}` is ~700 KB decoded.
            (records.as_str(), true),
            (&format!("[{}0]", "0,".repeat(10_000)), true),
            (&format!(r#"["{}"]"#, "x".repeat(100_000)), true),
            (&format!("[{}0]", "0,".repeat(1000)), false),
            (&format!(r#"["{}"]"#, "x".repeat(60_000)), false),
        ];
        for (params, refused) in cases {
            let got = decode(&call(params), &limits);
            match got {
                Err(e) => {
                    assert!(refused, "{params:.30}: {e}");
                    assert_eq!(e.code, codes::LIMIT_EXCEEDED);
                    assert!(e.message.contains("max_decoded_bytes"), "{e}");
                }
                Ok(_) => assert!(!refused, "{params:.30} passed"),
            }
        }
        // The estimate is what `decode_sized` reports.
        let (_, cost) = decode_sized(&call("[1,2,3]"), &limits).expect("small");
        assert!(cost > 3 * cost::VALUE && cost < 4096, "{cost}");
    }

    #[test]
    fn backlog_bounds_messages_and_bytes_and_returns_to_zero() {
        let limits = IpcLimits::default().max_queued(3, 100);
        let backlog = Arc::new(Backlog::default());
        let mut held = Vec::new();
        // An empty backlog takes any one message (the size limit is another
        // check); then bytes, then messages run out.
        assert!(backlog.admit(500, &limits).is_ok());
        held.push(backlog.held(500));
        let err = backlog.admit(1, &limits).expect_err("bytes full");
        assert!(err.message.contains("max_queued_bytes"), "{err}");
        drop(held.pop());
        for _ in 0..3 {
            assert!(backlog.admit(10, &limits).is_ok());
            held.push(backlog.held(10));
        }
        let err = backlog.admit(10, &limits).expect_err("messages full");
        assert!(err.message.contains("max_queued_messages"), "{err}");
        held[0].grow(40);
        assert_eq!(backlog.counts(), (3, 70));
        held.clear();
        assert_eq!(backlog.counts(), (0, 0));
        // A message never admitted (sent straight to the actor) does not wrap.
        drop(backlog.held(7));
        assert_eq!(backlog.counts(), (0, 0));
    }

    #[test]
    fn byte_rate_limits_big_messages() {
        let limits = IpcLimits::default().byte_rate(0.0, 1000.0);
        let mut rate = RateLimiter::new(&limits);
        assert!(rate.allow_bytes(&limits, 600));
        assert!(!rate.allow_bytes(&limits, 600), "400 left");
        assert!(rate.allow_bytes(&limits, 400));
        // A message larger than the burst passes on a full bucket only.
        let mut rate = RateLimiter::new(&limits);
        assert!(rate.allow_bytes(&limits, 5000));
        assert!(!rate.allow_bytes(&limits, 1));
    }

    #[test]
    fn no_params_may_be_missing_empty_object_or_empty_array() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Opt {
            a: Option<i32>,
        }
        for p in [None, Some(json!({})), Some(json!([]))] {
            assert_eq!(parse_params::<()>("m", p.clone()), Ok(()), "{p:?}");
            assert_eq!(
                parse_params::<Opt>("m", p.clone()),
                Ok(Opt { a: None }),
                "{p:?}"
            );
        }
        assert_eq!(
            parse_params::<Opt>("m", Some(json!({"a": 1}))),
            Ok(Opt { a: Some(1) })
        );
        assert_eq!(
            parse_params::<()>("m", Some(json!({"x": 1}))).map_err(|e| e.code),
            Err(codes::INVALID_PARAMS)
        );
    }

    #[test]
    fn globs() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("notes.*", "notes.add", true),
            ("notes.*", "notes", false),
            ("popup-*", "popup-1", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbb", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("*.show", "window.show", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob(p, t), want, "{p} {t}");
        }
    }

    #[test]
    fn capabilities_deny_by_default() {
        let mut caps = Capabilities::default();
        assert!(!caps.allows_method("main", None, "anything"));
        caps.push(
            Capability::from_json(
                r#"{"identifier":"c","windows":["main"],"methods":["notes.*"],"events":["tick"],"remote":["https://ok.example"]}"#,
            )
            .expect("valid"),
        );
        assert!(caps.allows_method("main", None, "notes.add"));
        assert!(!caps.allows_method("other", None, "notes.add"));
        assert!(!caps.allows_method("main", None, "window.close"));
        assert!(caps.allows_method("main", Some("https://ok.example"), "notes.add"));
        assert!(!caps.allows_method("main", Some("https://evil.example"), "notes.add"));
        assert!(caps.allows_event("main", None, "tick"));
        assert!(!caps.allows_event("main", None, "tock"));
        assert!(!caps.allows_store("main", None, "settings", "ui.theme"));
        caps.push(
            Capability::from_json(
                r#"{"identifier":"s","windows":["main"],"stores":[{"store":"settings","prefix":"ui."},{"store":"notes-*"}]}"#,
            )
            .expect("valid"),
        );
        let cases = [
            ("settings", "ui.theme", true),
            ("settings", "ui.", true),
            ("settings", "secret", false),
            ("settings", "", false),
            ("notes-a", "anything", true),
            ("other", "ui.theme", false),
        ];
        for (store, key, want) in cases {
            assert_eq!(
                caps.allows_store("main", None, store, key),
                want,
                "{store} {key}"
            );
        }
        assert!(!caps.allows_store("other-window", None, "settings", "ui.theme"));
    }

    #[test]
    fn remote_origins_match_as_parsed_urls_not_text() {
        let cap = |remote: &str| {
            Capability::from_json(&format!(
                r#"{{"identifier":"r","windows":["w"],"remote":["{remote}"]}}"#
            ))
            .expect("valid")
        };
        let cases = [
            // (pattern, origin, admitted)
            ("http://localhost:*", "http://localhost:5173", true),
            ("http://localhost:*", "http://localhost", true),
            (
                "http://localhost:*",
                "http://localhost:1@evil.example",
                false,
            ),
            (
                "http://localhost:*",
                "http://localhost:1@evil.example/",
                false,
            ),
            ("http://localhost:*", "http://user@localhost:5173", false),
            ("http://localhost:*", "http://localhost.evil.example", false),
            (
                "http://localhost:*",
                "http://localhost.evil.example:80",
                false,
            ),
            ("http://localhost:*", "http://localhost:5173/path", false),
            ("http://localhost:*", "https://localhost:5173", false),
            (
                "http://localhost:*",
                "http://evil.example#localhost:1",
                false,
            ),
            ("http://LOCALHOST:*", "http://localhost:8080", true),
            ("http://localhost:*", "HTTP://LocalHost:8080", true),
            // Default ports are the same origin, spelt or not.
            ("https://ok.example", "https://ok.example:443", true),
            ("https://ok.example:443", "https://ok.example", true),
            ("https://ok.example", "https://ok.example:8443", false),
            ("http://localhost:8080", "http://localhost", false),
            // A trailing dot is another origin on the web; not admitted.
            ("https://ok.example", "https://ok.example.", false),
            ("https://ok.example.", "https://ok.example", false),
            // IDN hosts compare in their punycode form, any spelling.
            (
                "https://bücher.example",
                "https://xn--bcher-kva.example",
                true,
            ),
            (
                "https://xn--bcher-kva.example",
                "https://BÜCHER.example",
                true,
            ),
            ("https://bucher.example", "https://bücher.example", false),
            // `*.` is any subdomain, never the domain or a look-alike.
            ("https://*.ok.example", "https://a.b.ok.example", true),
            ("https://*.ok.example", "https://ok.example", false),
            ("https://*.ok.example", "https://evilok.example", false),
            (
                "https://*.ok.example",
                "https://ok.example.evil.example",
                false,
            ),
            ("http://127.0.0.1:*", "http://127.0.0.1:9", true),
            ("http://[::1]:*", "http://[::1]:9", true),
            ("http://127.0.0.1:*", "http://127.0.0.1.evil.example", false),
            // Not an origin at all.
            ("http://localhost:*", "null", false),
            ("http://localhost:*", "localhost:1", false),
        ];
        for (pattern, origin, want) in cases {
            assert_eq!(
                cap(pattern).admits_origin(origin),
                want,
                "{pattern} vs {origin}"
            );
        }
        // Patterns that are not `scheme://host[:port]` are refused on load,
        // so a typo cannot silently admit (or fail to admit) anything.
        for bad in [
            "http://localhost*",
            "http://*:*",
            "*",
            "http://a@localhost",
            "https://ok.example/path",
            "ok.example",
            "https://ok.*.example",
        ] {
            let text = format!(r#"{{"identifier":"r","windows":["w"],"remote":["{bad}"]}}"#);
            assert!(
                matches!(
                    Capability::from_json(&text),
                    Err(CapabilityError::Invalid(_))
                ),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn bad_capability_files_are_explained() {
        let cases = [
            ("{", "capability file is invalid"),
            (r#"{"identifier":"x","windows":[]}"#, "names no window"),
            (
                r#"{"identifier":"x","windows":["a"],"method":["typo"]}"#,
                "unknown field `method`",
            ),
        ];
        for (text, want) in cases {
            let err = Capability::from_json(text)
                .expect_err("refused")
                .to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn json_leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        json_leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn id() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any::<i64>().prop_map(|n| Some(Value::from(n))),
            ".{0,10}".prop_map(|s| Some(Value::String(s))),
        ]
    }

    fn params() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            prop::collection::vec(json_value(), 0..4).prop_map(|v| Some(Value::Array(v))),
            prop::collection::btree_map(".{0,8}", json_value(), 0..4)
                .prop_map(|m| Some(Value::Object(m.into_iter().collect()))),
        ]
    }

    fn call() -> impl Strategy<Value = Call> {
        (id(), ".{0,16}", params()).prop_map(|(id, method, params)| Call { id, method, params })
    }

    proptest! {
        /// Any well-formed call survives encode → text → decode unchanged.
        #[test]
        fn calls_round_trip(call in call()) {
            let text = call.to_value().to_string();
            prop_assert_eq!(decode(&text, &IpcLimits::default()), Ok(Incoming::Single(Ok(call))));
        }

        /// Batches keep their members and order.
        #[test]
        fn batches_round_trip(calls in prop::collection::vec(call(), 1..8)) {
            let text = Value::Array(calls.iter().map(Call::to_value).collect()).to_string();
            let expected = Incoming::Batch(calls.into_iter().map(Ok).collect());
            prop_assert_eq!(decode(&text, &IpcLimits::default()), Ok(expected));
        }

        /// Responses carry the id and the result or error through JSON text.
        #[test]
        fn responses_round_trip(id in id(), result in json_value(), code in any::<i64>(), msg in ".{0,20}") {
            let id = id.unwrap_or(Value::Null);
            let ok: Value = serde_json::from_str(&success(id.clone(), result.clone()).to_string()).expect("json");
            prop_assert_eq!(&ok["id"], &id);
            prop_assert_eq!(&ok["result"], &result);
            let err: Value = serde_json::from_str(&failure(id.clone(), RpcError::new(code, msg.clone())).to_string()).expect("json");
            prop_assert_eq!(&err["error"]["code"], &Value::from(code));
            prop_assert_eq!(&err["error"]["message"], &Value::from(msg));
        }

        /// Arbitrary text never panics, and every error is a JSON-RPC error
        /// response with an id.
        #[test]
        fn any_text_decodes_or_explains(text in ".{0,64}") {
            match decode(&text, &IpcLimits::default()) {
                Err(err) => prop_assert_eq!(err.code, codes::PARSE_ERROR),
                Ok(Incoming::Single(Err(invalid))) => {
                    let resp = invalid.response();
                    prop_assert!(resp.get("id").is_some());
                    prop_assert_eq!(&resp["error"]["code"], &Value::from(codes::INVALID_REQUEST));
                }
                Ok(_) => {}
            }
        }

        /// The glob matcher agrees with a plain recursive definition.
        #[test]
        fn glob_matches_the_reference(pattern in "[ab*.]{0,8}", text in "[ab.]{0,10}") {
            fn reference(p: &[u8], t: &[u8]) -> bool {
                match (p.first(), t.first()) {
                    (None, None) => true,
                    (Some(b'*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
                    (Some(a), Some(b)) if a == b => reference(&p[1..], &t[1..]),
                    _ => false,
                }
            }
            prop_assert_eq!(glob(&pattern, &text), reference(pattern.as_bytes(), text.as_bytes()));
        }
    }
}
