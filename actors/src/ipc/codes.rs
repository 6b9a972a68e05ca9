//! Stable error codes, in one table: the spec's, then traykit's own
//! (-32000..-32099 is the spec's range for implementation-defined server
//! errors): the IPC edge's (-32001..-32005), then a range of ten per
//! domain.
//!
//! Every error traykit answers also carries a machine-readable `data.kind`,
//! defined here beside its code: `parse_error`, `forbidden`,
//! `rate_limited`, … for the spec's and the edge's errors (one kind per
//! code, except -32002, whose kind names the [`Limit`]), and the variant's
//! own name for a domain error (`{"kind": "unknown"}`; see
//! [`domain_error`]). `kind` is merged into whatever else `data` holds
//! (a whole-message refusal's `data.message`), never replacing it.
//! Documented in the README ("Error codes").
//!
//! ```
//! use traykit_actors::ipc::{codes, RpcError};
//!
//! let e = RpcError::method_not_found("notes.gett");
//! assert_eq!(e.code, codes::METHOD_NOT_FOUND);
//! assert_eq!(e.data, Some(serde_json::json!({ "kind": codes::METHOD_NOT_FOUND_KIND })));
//! ```

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// [`PARSE_ERROR`]'s `data.kind`.
pub const PARSE_ERROR_KIND: &str = "parse_error";
/// Not a valid request object.
pub const INVALID_REQUEST: i64 = -32600;
/// [`INVALID_REQUEST`]'s `data.kind`.
pub const INVALID_REQUEST_KIND: &str = "invalid_request";
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// [`METHOD_NOT_FOUND`]'s `data.kind`.
pub const METHOD_NOT_FOUND_KIND: &str = "method_not_found";
/// Params do not fit the method.
pub const INVALID_PARAMS: i64 = -32602;
/// [`INVALID_PARAMS`]'s `data.kind`.
pub const INVALID_PARAMS_KIND: &str = "invalid_params";
/// The handler failed (or panicked).
pub const INTERNAL_ERROR: i64 = -32603;
/// [`INTERNAL_ERROR`]'s `data.kind`.
pub const INTERNAL_ERROR_KIND: &str = "internal_error";
/// No capability grants this window the method or event.
pub const PERMISSION_DENIED: i64 = -32001;
/// [`PERMISSION_DENIED`]'s `data.kind`.
pub const PERMISSION_DENIED_KIND: &str = "forbidden";
/// The message exceeds a limit (size, batch length, in-flight requests).
/// Its `data.kind` names which ([`Limit::kind`]); a store's quota or key
/// length keeps the store's kind (`quota_exceeded`, `key_too_long`).
pub const LIMIT_EXCEEDED: i64 = -32002;
/// [`LIMIT_EXCEEDED`]'s `data.kind` for [`Limit::TooLarge`].
pub const TOO_LARGE_KIND: &str = "too_large";
/// [`LIMIT_EXCEEDED`]'s `data.kind` for [`Limit::RateLimited`].
pub const RATE_LIMITED_KIND: &str = "rate_limited";
/// [`LIMIT_EXCEEDED`]'s `data.kind` for [`Limit::Backlog`].
pub const BACKLOG_FULL_KIND: &str = "backlog_full";
/// [`LIMIT_EXCEEDED`]'s `data.kind` for [`Limit::TooMany`].
pub const TOO_MANY_KIND: &str = "too_many";
/// [`LIMIT_EXCEEDED`]'s `data.kind` for [`Limit::TimedOut`].
pub const TIMED_OUT_KIND: &str = "timed_out";
/// A target refused, for app code without a domain of its own (the
/// built-in domains have their ranges below since the codes table; they
/// used this code before).
pub const TARGET_ERROR: i64 = -32003;
/// [`TARGET_ERROR`]'s `data.kind`, for app code that uses the code.
pub const TARGET_ERROR_KIND: &str = "target_error";
/// Isolation is on and the message was not sealed by this window's
/// isolation frame (sent around it, forged, replayed).
pub const ISOLATION: i64 = -32004;
/// [`ISOLATION`]'s `data.kind`.
pub const ISOLATION_KIND: &str = "isolation";
/// The isolation frame's hook refused the message (set by the page-side
/// bridge; the core never sees such a message).
pub const REJECTED_BY_HOOK: i64 = -32005;
/// [`REJECTED_BY_HOOK`]'s `data.kind` (also set by the bridge).
pub const REJECTED_BY_HOOK_KIND: &str = "rejected_by_hook";

/// Which limit a [`LIMIT_EXCEEDED`] refusal ran into; its [`kind`](Self::kind)
/// is the refusal's `data.kind`.
///
/// ```
/// use traykit_actors::ipc::{codes::Limit, limit_exceeded};
///
/// let e = limit_exceeded(Limit::RateLimited, "more than 200 calls per second");
/// assert_eq!(e.code, -32002);
/// assert_eq!(e.data, Some(serde_json::json!({ "kind": "rate_limited" })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// One message is too big: its bytes, its decoded values, its batch
    /// length, a `--ctl` request line.
    TooLarge,
    /// Too much per second: calls, bytes, `log.write` lines.
    RateLimited,
    /// Too much of this page's already queued or running (messages, bytes,
    /// requests in flight).
    Backlog,
    /// A count the page may hold is used up: listened events, store
    /// watches, windows opened by pages.
    TooMany,
    /// A request did not arrive whole in time (the instance socket).
    TimedOut,
}

impl Limit {
    /// Every limit, in table order.
    pub const ALL: [Limit; 5] = [
        Limit::TooLarge,
        Limit::RateLimited,
        Limit::Backlog,
        Limit::TooMany,
        Limit::TimedOut,
    ];

    /// The refusal's `data.kind`.
    pub const fn kind(self) -> &'static str {
        match self {
            Limit::TooLarge => TOO_LARGE_KIND,
            Limit::RateLimited => RATE_LIMITED_KIND,
            Limit::Backlog => BACKLOG_FULL_KIND,
            Limit::TooMany => TOO_MANY_KIND,
            Limit::TimedOut => TIMED_OUT_KIND,
        }
    }
}

/// The spec's and the edge's codes with their `data.kind`s, for
/// documentation and tests (-32002 once per [`Limit`]).
pub const EDGE_KINDS: &[(i64, &str)] = &[
    (PARSE_ERROR, PARSE_ERROR_KIND),
    (INVALID_REQUEST, INVALID_REQUEST_KIND),
    (METHOD_NOT_FOUND, METHOD_NOT_FOUND_KIND),
    (INVALID_PARAMS, INVALID_PARAMS_KIND),
    (INTERNAL_ERROR, INTERNAL_ERROR_KIND),
    (PERMISSION_DENIED, PERMISSION_DENIED_KIND),
    (LIMIT_EXCEEDED, TOO_LARGE_KIND),
    (LIMIT_EXCEEDED, RATE_LIMITED_KIND),
    (LIMIT_EXCEEDED, BACKLOG_FULL_KIND),
    (LIMIT_EXCEEDED, TOO_MANY_KIND),
    (LIMIT_EXCEEDED, TIMED_OUT_KIND),
    (TARGET_ERROR, TARGET_ERROR_KIND),
    (ISOLATION, ISOLATION_KIND),
    (REJECTED_BY_HOOK, REJECTED_BY_HOOK_KIND),
];

/// Window errors (`window.*`, `event.emit_to` to an unknown window):
/// -32010..-32019.
pub const WINDOW: i64 = -32010;
/// Tray errors (`tray.*`): -32020..-32029.
pub const TRAY: i64 = -32020;
/// Store errors (`store.*`): -32030..-32039. A quota or key length the page
/// ran into is a limit ([`LIMIT_EXCEEDED`]), with the store's `kind`.
pub const STORE: i64 = -32030;
/// Notification errors (`notification.*`): -32040..-32049.
pub const NOTIFICATION: i64 = -32040;
/// Autostart errors (`autostart.*`): -32050..-32059.
pub const AUTOSTART: i64 = -32050;
/// Global shortcut errors (`shortcut.*`): -32060..-32069.
pub const SHORTCUT: i64 = -32060;
/// The updater's errors (`updater.*`; its own code from before the table).
pub const UPDATER: i64 = 4100;

/// Every domain and its code, for documentation and tests.
pub const DOMAINS: &[(&str, i64)] = &[
    ("window", WINDOW),
    ("tray", TRAY),
    ("store", STORE),
    ("notification", NOTIFICATION),
    ("autostart", AUTOSTART),
    ("shortcut", SHORTCUT),
    ("updater", UPDATER),
];

// Defined beside `RpcError` (which uses this table): a re-export keeps
// `codes` a leaf of `ipc` with no import back.
pub use super::error::domain_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_codes_are_distinct_and_in_their_ranges() {
        let mut seen = std::collections::BTreeSet::new();
        for (domain, code) in DOMAINS {
            assert!(seen.insert(code), "{domain} reuses {code}");
            if *code != UPDATER {
                assert!((-32099..=-32010).contains(code), "{domain}: {code}");
                assert_eq!(code % 10, 0, "{domain} starts a range of ten");
            }
        }
        for edge in [
            PERMISSION_DENIED,
            LIMIT_EXCEEDED,
            TARGET_ERROR,
            ISOLATION,
            REJECTED_BY_HOOK,
        ] {
            assert!(!seen.contains(&edge));
        }
    }

    #[test]
    fn edge_kinds_are_snake_case_distinct_and_one_per_code_but_limits() {
        let mut kinds = std::collections::BTreeSet::new();
        for (code, kind) in EDGE_KINDS {
            assert!(kinds.insert(*kind), "{kind} is used twice");
            assert!(
                !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{kind}"
            );
            let same_code = EDGE_KINDS.iter().filter(|(c, _)| c == code).count();
            assert_eq!(same_code == 1, *code != LIMIT_EXCEEDED, "{code} {kind}");
        }
        let limits: Vec<&str> = Limit::ALL.iter().map(|l| l.kind()).collect();
        let listed: Vec<&str> = EDGE_KINDS
            .iter()
            .filter(|(c, _)| *c == LIMIT_EXCEEDED)
            .map(|(_, k)| *k)
            .collect();
        assert_eq!(limits, listed);
    }

    /// Every constructor of the edge's errors carries its class's kind.
    #[test]
    fn every_edge_error_has_its_kind() {
        use crate::ipc::{limit_exceeded, RpcError};
        let cases: Vec<(RpcError, i64, &str)> = vec![
            (
                RpcError::method_not_found("m"),
                METHOD_NOT_FOUND,
                "method_not_found",
            ),
            (
                RpcError::invalid_params("m", "x"),
                INVALID_PARAMS,
                "invalid_params",
            ),
            (RpcError::internal("x"), INTERNAL_ERROR, "internal_error"),
            (
                RpcError::invalid_request("x"),
                INVALID_REQUEST,
                "invalid_request",
            ),
            (
                RpcError::permission_denied("w", "m"),
                PERMISSION_DENIED,
                "forbidden",
            ),
            (RpcError::forbidden("no"), PERMISSION_DENIED, "forbidden"),
            (
                limit_exceeded(Limit::TooLarge, "x"),
                LIMIT_EXCEEDED,
                "too_large",
            ),
            (
                limit_exceeded(Limit::RateLimited, "x"),
                LIMIT_EXCEEDED,
                "rate_limited",
            ),
            (
                limit_exceeded(Limit::Backlog, "x"),
                LIMIT_EXCEEDED,
                "backlog_full",
            ),
            (
                limit_exceeded(Limit::TooMany, "x"),
                LIMIT_EXCEEDED,
                "too_many",
            ),
            (
                limit_exceeded(Limit::TimedOut, "x"),
                LIMIT_EXCEEDED,
                "timed_out",
            ),
            (
                domain_error(ISOLATION, ISOLATION_KIND, "x"),
                ISOLATION,
                "isolation",
            ),
        ];
        for (err, code, kind) in cases {
            assert_eq!((err.code, err.kind()), (code, Some(kind)), "{err}");
            assert!(
                EDGE_KINDS.contains(&(code, kind)),
                "{kind} not in the table"
            );
            // On the wire it is `error.data.kind`.
            let wire = crate::ipc::failure(serde_json::Value::Null, err);
            assert_eq!(wire["error"]["data"]["kind"], kind);
        }
        let parse = crate::ipc::decode("{", &crate::ipc::IpcLimits::default()).expect_err("parse");
        assert_eq!(parse.kind(), Some(PARSE_ERROR_KIND));
    }
}
