//! Stable error codes. The spec's, then traykit's own (-32000..-32099 is the
//! spec's range for implementation-defined server errors).

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
