//! The handle's sub-registries, one per concern: plain data that imports
//! only leaves, so `handle.rs` can hold them without a file cycle (the
//! handle's methods over each live in the file of their concern). The
//! pages' registry is in `handle.rs`: it holds the router, whose context
//! holds the handle.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};

use actix::prelude::*;
use serde_json::Value;

use crate::sync::Subscribers;
use crate::tray::{MenuClicked, TrayActivated};
use crate::ui::UiEvent;
use crate::window::WindowHandle;

use super::lifecycle::Trays;

/// The handle's trays: the live ones and the subscribers that follow every
/// tray, including trays added later.
pub(super) struct TrayRegistry {
    /// Shared with the lifecycle actor, which takes every tray off the
    /// panel at quit.
    pub(super) live: Trays,
    pub(super) menus: Subscribers<MenuClicked>,
    pub(super) activations: Subscribers<TrayActivated>,
}

impl TrayRegistry {
    pub(super) fn new(live: Trays) -> Self {
        Self {
            live,
            menus: Subscribers::new(),
            activations: Subscribers::new(),
        }
    }
}

/// The handle's windows: every declared window by label, and how many of
/// them pages declared.
#[derive(Default)]
pub(super) struct WindowRegistry {
    pub(super) by_label: RwLock<BTreeMap<String, WindowHandle>>,
    /// Windows declared through `window.open` (pages, ctl), for its bound.
    pub(super) page_windows: AtomicUsize,
}

/// An event a page emitted, for Rust subscribers.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::app::PageEvent;
///
/// let builder = App::builder().on_event(|_app, event: &PageEvent| {
///     if event.event == "note-saved" {
///         println!("{} saved {}", event.source, event.payload);
///     }
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PageEvent {
    /// Event name.
    pub event: String,
    /// Payload.
    pub payload: Arc<Value>,
    /// The emitting window.
    pub source: String,
}

/// The handle's events: the Rust subscribers to what pages emit.
pub(super) struct EventRegistry {
    pub(super) subscribers: Subscribers<PageEvent>,
}

/// Boot's gate: false until boot (trays, hooks, setup) is done. UI events
/// that come earlier are held, so a click on a tray that just appeared
/// reaches the subscribers `setup` is about to add.
#[derive(Default)]
pub(super) struct BootGate {
    pub(super) ready: std::sync::atomic::AtomicBool,
    pub(super) held: std::sync::Mutex<Vec<UiEvent>>,
}
