//! Methods every app has, exposing the actors to pages. Like app commands,
//! each is callable only by windows a capability grants it to.
//!
//! | method | params | result |
//! |---|---|---|
//! | `window.show` `window.hide` `window.close` `window.focus` `window.center` | `{label?}` (default: the caller) | null |
//! | `window.set_title` | `{label?, title}` | null |
//! | `window.set_size` | `{label?, width, height}` | null |
//! | `window.set_position` | `{label?, x, y}` | null |
//! | `window.open` | `{label, url?, title?, width?, height?}` (declares it if new — only labels the caller's capability lists in `open`, at most [`MAX_PAGE_WINDOWS`] — then shows it) | null |
//! | `window.label` | – | the caller's label |
//! | `tray.set_title` `tray.set_tooltip` | `{tray, text}` | null |
//! | `tray.set_enabled` `tray.set_checked` | `{tray, item, value}` | null |
//! | `tray.set_label` | `{tray, item, label}` | null |
//! | `notification.show` | `{summary, body?, icon?, actions?: [[id, label]…]}` | the notification id |
//! | `store.get` | `{store, key}` | the value or null |
//! | `store.set` | `{store, key, value}` | null, once durable |
//! | `store.delete` | `{store, key}` | whether it existed |
//! | `store.keys` | `{store, prefix?}` | the keys under the granted prefixes |
//! | `app.info` | – | `{name}` |
//! | `app.quit` | `{code?}` | null |
//! | `autostart.*`, `shortcut.*`, `log.write` | see `crate::desktop` | |
//!
//! | `event.listen` `event.unlisten` | `{event}` | null |
//! | `event.emit` | `{event, payload?}` | null |
//! | `event.emit_to` | `{target, event, payload?}` | null |
//! | `store.watch` `store.unwatch` | `{store, prefix?}` | null; changes arrive as `store.changed` events |
//!
//! The `event.*` methods are granted by the capability's `events` list
//! (per event name) instead of `methods` (`page.rs`). Every `store.*`
//! call, `store.watch` included, needs the method in `methods` and is also
//! checked against the capability's `stores` (store glob + key prefix).
//!
//! # Layout
//! One file per domain, each with its own `register`: `window`, `tray`,
//! `notify`, `store` (with [`StorePlugin`], which registers it), `app`,
//! and `page` (the `event.*` and `store.watch`
//! methods, acting on the calling page's session). The desktop
//! integration's built-ins (`autostart.*`, `shortcut.*`, `log.write`) come
//! with its plugin (`crate::desktop::DesktopPlugin`).

use crate::app::Router;

mod app;
mod method;
mod notify;
mod page;
mod store;
mod tray;
mod window;

pub use store::StorePlugin;
pub use window::MAX_PAGE_WINDOWS;

/// Registers every built-in method but the plugins' (`store.get/set/
/// delete/keys` come with [`StorePlugin`]).
pub fn register(router: &mut Router) {
    window::register(router);
    tray::register(router);
    notify::register(router);
    app::register(router);
    page::register(router);
}
