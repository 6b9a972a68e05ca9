//! Decoding posted text into calls (with the limits applied while
//! scanning) and building responses.

use std::cell::Cell;

use serde::de::DeserializeSeed;
use serde_json::{json, Map, Value};

use super::{codes, limit_exceeded, IpcLimits, RpcError};

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
        RpcError::invalid_request(self.reason)
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

/// The answer to a message refused whole (id null: its ids were not or
/// could not be read). The message's number goes into `error.data.message`
/// beside the error's own data (its `kind`), so the page's bridge rejects
/// exactly the calls that message carried. The window actor and the
/// webview host both answer refusals with it, so the two cannot drift.
pub fn refusal(seq: Option<u64>, error: RpcError) -> Value {
    let mut refusal = failure(Value::Null, error);
    if let (Some(seq), Some(Value::Object(error))) = (seq, refusal.get_mut("error")) {
        match error.get_mut("data") {
            Some(Value::Object(data)) => {
                data.insert("message".into(), seq.into());
            }
            Some(other) => {
                let detail = other.take();
                *other = json!({"message": seq, "detail": detail});
            }
            None => {
                error.insert("data".into(), json!({ "message": seq }));
            }
        }
    }
    refusal
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
        (Some(Refused::Batch), _) => Err(limit_exceeded(
            codes::Limit::TooLarge,
            format!(
                "a batch of more than {} calls (IpcLimits::max_batch)",
                limits.max_batch
            ),
        )),
        (Some(Refused::Decoded), _) => Err(limit_exceeded(
            codes::Limit::TooLarge,
            format!(
                "a message whose decoded values take more than {} bytes \
             (IpcLimits::max_decoded_bytes)",
                limits.max_decoded_bytes
            ),
        )),
        (None, Err(e)) => Err(codes::domain_error(
            codes::PARSE_ERROR,
            codes::PARSE_ERROR_KIND,
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
pub(super) mod cost {
    pub(crate) const VALUE: usize = std::mem::size_of::<serde_json::Value>();
    pub(crate) const HEAP_OVERHEAD: usize = 16;
    pub(crate) const MAP_NODE: usize = 640;
    pub(crate) const MAP_NODE_ENTRIES: usize = 11;

    pub(crate) fn string(len: usize) -> usize {
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
