//! The JSON-RPC error object every failure becomes at the IPC edge.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::{self, Limit};

/// A JSON-RPC error object. Also what command handlers fail with: give your
/// error type an `impl From<MyError> for RpcError` with a stable code.
///
/// ```
/// use traykit::ipc::{CallContext, RpcError};
///
/// #[derive(Debug, thiserror::Error)]
/// enum NoteError {
///     #[error("no note `{0}`")]
///     Missing(String),
/// }
///
/// impl From<NoteError> for RpcError {
///     fn from(e: NoteError) -> Self {
///         RpcError::new(4004, e.to_string()).with_data(serde_json::json!({ "kind": "missing" }))
///     }
/// }
///
/// let err = RpcError::from(NoteError::Missing("42".into()));
/// assert_eq!((err.code, err.message.as_str()), (4004, "no note `42`"));
/// # let _ = traykit::App::builder().command("notes.get", |id: String, _: CallContext| async move {
/// #     Err::<(), _>(NoteError::Missing(id))
/// # });
/// ```
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

    /// -32601 naming the method (`data.kind` `method_not_found`).
    pub fn method_not_found(method: &str) -> Self {
        domain_error(
            codes::METHOD_NOT_FOUND,
            codes::METHOD_NOT_FOUND_KIND,
            format!("method `{method}` not found: no command or built-in has this name"),
        )
    }

    /// -32602 with the deserializer's explanation (`invalid_params`).
    pub fn invalid_params(method: &str, detail: impl std::fmt::Display) -> Self {
        domain_error(
            codes::INVALID_PARAMS,
            codes::INVALID_PARAMS_KIND,
            format!("invalid params for `{method}`: {detail}"),
        )
    }

    /// -32603 (`internal_error`).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        domain_error(
            codes::INTERNAL_ERROR,
            codes::INTERNAL_ERROR_KIND,
            format!("internal error: {detail}"),
        )
    }

    /// -32001 saying how to grant it (`forbidden`).
    pub fn permission_denied(window: &str, what: &str) -> Self {
        Self::forbidden(format!(
            "window `{window}` may not use {what}: no capability grants it \
             (add it to a capability that names this window)"
        ))
    }

    /// -32001 with a message of its own (`forbidden`), for a refusal no
    /// grant can lift.
    pub fn forbidden(message: impl Into<String>) -> Self {
        domain_error(
            codes::PERMISSION_DENIED,
            codes::PERMISSION_DENIED_KIND,
            message,
        )
    }

    /// -32600 (`invalid_request`).
    pub fn invalid_request(detail: impl std::fmt::Display) -> Self {
        domain_error(
            codes::INVALID_REQUEST,
            codes::INVALID_REQUEST_KIND,
            format!("invalid request: {detail}"),
        )
    }

    /// The `data.kind` this error carries, if any.
    pub fn kind(&self) -> Option<&str> {
        self.data.as_ref()?.get("kind")?.as_str()
    }
}

/// -32002 naming the limit; `data.kind` says which ([`Limit::kind`]).
pub fn limit_exceeded(limit: Limit, what: impl std::fmt::Display) -> RpcError {
    domain_error(
        codes::LIMIT_EXCEEDED,
        limit.kind(),
        format!("limit exceeded: {what}"),
    )
}

/// A domain error as it crosses the IPC edge: the domain's `code`, the
/// error's text, and `data: {"kind": kind}` for code that must tell the
/// variants apart (`"unknown"`, `"not_open"` …). The edge's own errors are
/// built the same way, with their kind from the [`codes`] table.
///
/// ```
/// use traykit_actors::ipc::codes;
/// let e = codes::domain_error(codes::TRAY, "unknown", "no tray `main`");
/// assert_eq!(e.code, -32020);
/// assert_eq!(e.data, Some(serde_json::json!({"kind": "unknown"})));
/// ```
pub fn domain_error(code: i64, kind: &'static str, message: impl Into<String>) -> RpcError {
    RpcError::new(code, message).with_data(serde_json::json!({ "kind": kind }))
}
