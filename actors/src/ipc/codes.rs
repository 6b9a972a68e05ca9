//! Stable error codes, in one table: the spec's, then traykit's own
//! (-32000..-32099 is the spec's range for implementation-defined server
//! errors): the IPC edge's (-32001..-32005), then a range of ten per
//! domain. A domain error also carries a machine-readable `data.kind`
//! (`{"kind": "unknown"}`) naming the variant; see [`domain_error`].
//! Documented in the README ("Error codes").

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
/// A target refused, for app code without a domain of its own (the
/// built-in domains have their ranges below since the codes table; they
/// used this code before).
pub const TARGET_ERROR: i64 = -32003;
/// Isolation is on and the message was not sealed by this window's
/// isolation frame (sent around it, forged, replayed).
pub const ISOLATION: i64 = -32004;
/// The isolation frame's hook refused the message (set by the page-side
/// bridge; the core never sees such a message).
pub const REJECTED_BY_HOOK: i64 = -32005;

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
}
