//! What one page may hold: event names it listens to, store watches.

/// Event names only traykit emits to pages: `store.changed`, the updater's
/// `updater://…`, anything `traykit…`, and the `tauri://…` names the Tauri
/// shim may use. Pages may listen to them, never emit them.
pub const CORE_EVENT_PREFIXES: &[&str] = &["store.", "updater://", "traykit", "tauri://"];

/// Whether `event` is one only traykit itself may emit to pages.
pub fn is_core_event(event: &str) -> bool {
    CORE_EVENT_PREFIXES.iter().any(|p| event.starts_with(p))
}

/// Most event names one page may listen to at once: the names are the
/// page's choice, and each costs memory until the page goes away.
pub const MAX_LISTENS: usize = 256;

/// Most `(store, prefix)` watches one page may hold at once (and stores one
/// window actor subscribes to over its life).
pub const MAX_WATCHES: usize = 256;
