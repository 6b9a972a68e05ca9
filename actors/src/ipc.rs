//! JSON-RPC 2.0, the page ↔ core protocol: decoding, the method router,
//! typed commands, and capability checks. Pure logic, no UI: the window actor
//! feeds it the text a page posted and sends back what it returns.
//!
//! The spec is followed to the letter: batches are answered as an array (in
//! any order), notifications get no response, a batch of only notifications
//! gets nothing, `[]` is one `-32600`, a parse error is `-32700` with id null.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::app::AppHandle;
use crate::supervise::panic_message;

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
    Single(Result<Call, Value>),
    /// A batch; invalid members carry the error response to send.
    Batch(Vec<Result<Call, Value>>),
}

/// Builds a success response.
pub fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// Builds an error response.
pub fn failure(id: Value, error: RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

fn decode_call(value: Value) -> Result<Call, Value> {
    let invalid = |id: Value, why: &str| {
        failure(
            id,
            RpcError::new(codes::INVALID_REQUEST, format!("invalid request: {why}")),
        )
    };
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

/// Decodes posted text. `Err` is the `-32700` response to send.
pub fn decode(text: &str) -> Result<Incoming, Value> {
    // serde_json refuses nesting deeper than 128, so hostile depth is a parse
    // error, not a stack overflow.
    let value: Value = serde_json::from_str(text).map_err(|e| {
        failure(
            Value::Null,
            RpcError::new(codes::PARSE_ERROR, format!("parse error: {e}")),
        )
    })?;
    Ok(match value {
        Value::Array(items) if items.is_empty() => Incoming::Single(Err(failure(
            Value::Null,
            RpcError::new(codes::INVALID_REQUEST, "invalid request: empty batch"),
        ))),
        Value::Array(items) => Incoming::Batch(items.into_iter().map(decode_call).collect()),
        other => Incoming::Single(decode_call(other)),
    })
}

/// Per-webview limits on what a page may send. Each breach is answered with
/// [`codes::LIMIT_EXCEEDED`] and a message naming the limit; nothing over a
/// limit reaches a handler, so a flooding page can neither starve other
/// windows nor grow the app's memory without bound.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct IpcLimits {
    /// Largest message a page may post, in bytes.
    pub max_message_bytes: usize,
    /// Most calls in one batch.
    pub max_batch: usize,
    /// Most requests of one page whose handlers are still running.
    pub max_in_flight: usize,
    /// Calls per second a page may make on average…
    pub calls_per_second: f64,
    /// …with bursts up to this many calls.
    pub burst: f64,
}

impl Default for IpcLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 32 * 1024 * 1024,
            max_batch: 4096,
            max_in_flight: 4096,
            calls_per_second: 20_000.0,
            burst: 40_000.0,
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
    /// Sets [`max_in_flight`](Self::max_in_flight).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n;
        self
    }
    /// Sets the rate limit: `per_second` on average, bursts of `burst`.
    pub fn rate(mut self, per_second: f64, burst: f64) -> Self {
        self.calls_per_second = per_second;
        self.burst = burst;
        self
    }
}

/// A token bucket: how many calls a page may make right now.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tokens: f64,
    last: std::time::Instant,
}

impl RateLimiter {
    /// A full bucket.
    pub fn new(limits: &IpcLimits) -> Self {
        Self {
            tokens: limits.burst,
            last: std::time::Instant::now(),
        }
    }

    /// Takes one token if there is one.
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
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(|| handler(ctx, params))) {
            Ok(fut) => fut,
            Err(p) => {
                let err =
                    RpcError::internal(format!("handler panicked: {}", panic_message(p.as_ref())));
                return Box::pin(async move { Err(err) });
            }
        };
        Box::pin(async move {
            AssertUnwindSafe(fut)
                .catch_unwind()
                .await
                .unwrap_or_else(|p| {
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
        let cases: Vec<(&str, Incoming)> = vec![
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"a","params":[1]}"#,
                Incoming::Single(ok(Some(json!(1)), "a", Some(json!([1])))),
            ),
            (
                r#"{"jsonrpc":"2.0","method":"n"}"#,
                Incoming::Single(ok(None, "n", None)),
            ),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"a"}"#,
                Incoming::Single(ok(Some(Value::Null), "a", None)),
            ),
            (
                r#"{"jsonrpc":"2.0","id":"x","method":"a","params":{"k":1}}"#,
                Incoming::Single(ok(Some(json!("x")), "a", Some(json!({"k":1})))),
            ),
            (
                r#"{"jsonrpc":"1.0","id":7,"method":"a"}"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `jsonrpc` must be \"2.0\""}}),
                )),
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":1}"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `method` must be a string"}}),
                )),
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"a","params":3}"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `params` must be an object or an array"}}),
                )),
            ),
            (
                r#"{"jsonrpc":"2.0","id":{},"method":"a"}"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: `id` must be a number, string or null"}}),
                )),
            ),
            (
                r#"1"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected an object"}}),
                )),
            ),
            (
                r#"[]"#,
                Incoming::Single(Err(
                    json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: empty batch"}}),
                )),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(decode(text).expect("json"), want, "{text}");
        }
    }

    #[test]
    fn parse_errors_have_null_id_and_hostile_depth_is_refused() {
        for text in ["{", "nul", "", &"[".repeat(100_000)] {
            let err = decode(text).expect_err("parse error");
            assert_eq!(
                err["error"]["code"],
                json!(codes::PARSE_ERROR),
                "{text:.20}"
            );
            assert_eq!(err["id"], Value::Null);
        }
    }

    #[test]
    fn batches_keep_invalid_members_as_errors() {
        let Incoming::Batch(items) = decode(r#"[1,{"jsonrpc":"2.0","method":"n"}]"#).expect("json")
        else {
            panic!("not a batch")
        };
        assert_eq!(items.len(), 2);
        assert!(items[0].is_err());
        assert!(items[1].is_ok());
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
            prop_assert_eq!(decode(&text), Ok(Incoming::Single(Ok(call))));
        }

        /// Batches keep their members and order.
        #[test]
        fn batches_round_trip(calls in prop::collection::vec(call(), 1..8)) {
            let text = Value::Array(calls.iter().map(Call::to_value).collect()).to_string();
            let expected = Incoming::Batch(calls.into_iter().map(Ok).collect());
            prop_assert_eq!(decode(&text), Ok(expected));
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
            match decode(&text) {
                Err(resp) => {
                    prop_assert_eq!(&resp["error"]["code"], &Value::from(codes::PARSE_ERROR));
                    prop_assert_eq!(&resp["id"], &Value::Null);
                }
                Ok(Incoming::Single(Err(resp))) => prop_assert!(resp.get("id").is_some()),
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
