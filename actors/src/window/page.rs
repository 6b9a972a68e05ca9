//! One page's session ([`PageSession`]: listens, watches, generation,
//! running calls, rate) and the link the routed page methods reach it by.

use std::collections::HashSet;

use actix::prelude::*;

use crate::ipc::codes::Limit;
use crate::ipc::{limit_exceeded, IpcLimits, RateLimiter, RpcError};

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

/// Everything that lives as long as one page (one webview creation): what
/// it listens to and watches, which creation it is, what it has running,
/// its rate buckets. [`PageSession::reset`] starts a new page; nothing of
/// the old one leaks into it.
#[derive(Debug)]
pub(super) struct PageSession {
    /// Bumped on each new page, so replies for a gone page are dropped.
    pub(super) generation: u64,
    /// Event names the page listens to.
    listening: HashSet<String>,
    /// (store, prefix) the page watches.
    watches: HashSet<(String, String)>,
    /// Stores the window actor is subscribed to: once each, for the actor's
    /// whole life (the actor filters per page), so not reset with the page.
    subscriptions: HashSet<String>,
    /// Requests whose handlers are still running.
    pub(super) in_flight: usize,
    /// Estimated bytes of the decoded values those requests hold.
    pub(super) running_bytes: usize,
    pub(super) rate: RateLimiter,
}

impl PageSession {
    pub(super) fn new() -> Self {
        Self {
            generation: 0,
            listening: HashSet::new(),
            watches: HashSet::new(),
            subscriptions: HashSet::new(),
            in_flight: 0,
            running_bytes: 0,
            rate: RateLimiter::new(&IpcLimits::default()),
        }
    }

    /// The page is gone (or replaced): its listens and watches end with it.
    pub(super) fn reset(&mut self) {
        self.generation += 1;
        self.listening.clear();
        self.watches.clear();
    }

    /// Whether the page listens to `event`.
    pub(super) fn listens(&self, event: &str) -> bool {
        self.listening.contains(event)
    }

    /// Whether a change of `key` in `store` is for this page.
    pub(super) fn watches(&self, store: &str, key: &str) -> bool {
        self.listening.contains("store.changed")
            && self
                .watches
                .iter()
                .any(|(s, prefix)| s == store && key.starts_with(prefix.as_str()))
    }

    /// Admits one call of a message by the page's limits: the call rate,
    /// and how many requests run (`admitted` of this message so far).
    pub(super) fn admit(&mut self, limits: &IpcLimits, admitted: usize) -> Result<(), RpcError> {
        if !self.rate.allow(limits) {
            return Err(limit_exceeded(
                Limit::RateLimited,
                format!(
                    "more than {} calls per second (IpcLimits::rate)",
                    limits.calls_per_second
                ),
            ));
        }
        if self.in_flight + admitted >= limits.max_in_flight {
            return Err(limit_exceeded(
                Limit::Backlog,
                format!(
                    "{} requests already running (IpcLimits::max_in_flight)",
                    limits.max_in_flight
                ),
            ));
        }
        Ok(())
    }

    /// Applies `event.listen` / `event.unlisten` (grants already checked).
    pub(super) fn listen(&mut self, event: String, on: bool) -> Result<(), RpcError> {
        if !on {
            self.listening.remove(&event);
            return Ok(());
        }
        if self.listening.len() >= MAX_LISTENS && !self.listening.contains(&event) {
            return Err(limit_exceeded(
                Limit::TooMany,
                format!("the page already listens to {MAX_LISTENS} event names"),
            ));
        }
        self.listening.insert(event);
        Ok(())
    }

    /// Checks a new `store.watch` against the limits — before the store is
    /// opened: the limit is on the work. True when the actor must subscribe
    /// to the store first.
    pub(super) fn check_watch(&self, store: &str, prefix: &str) -> Result<bool, RpcError> {
        let subscribed = self.subscriptions.contains(store);
        if !self
            .watches
            .contains(&(store.to_owned(), prefix.to_owned()))
        {
            if self.watches.len() >= MAX_WATCHES {
                return Err(limit_exceeded(
                    Limit::TooMany,
                    format!("the page already holds {MAX_WATCHES} store watches"),
                ));
            }
            if !subscribed && self.subscriptions.len() >= MAX_WATCHES {
                return Err(limit_exceeded(
                    Limit::TooMany,
                    format!("this window has watched {MAX_WATCHES} different stores"),
                ));
            }
        }
        Ok(!subscribed)
    }

    /// Records a watch (after [`check_watch`](Self::check_watch) and the
    /// subscription, if one was needed).
    pub(super) fn watch(&mut self, store: String, prefix: String) {
        self.subscriptions.insert(store.clone());
        self.watches.insert((store, prefix));
    }

    /// Ends a watch.
    pub(super) fn unwatch(&mut self, store: String, prefix: String) {
        self.watches.remove(&(store, prefix));
    }
}

/// What a routed page method asks of the page's session.
#[derive(Debug)]
pub(super) enum PageOp {
    Listen(String),
    Unlisten(String),
    Watch { store: String, prefix: String },
    Unwatch { store: String, prefix: String },
}

/// A [`PageOp`] for the page of one generation.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), RpcError>")]
pub(super) struct ForPage {
    pub(super) generation: u64,
    pub(super) op: PageOp,
}

/// The calling page, as the built-in page methods (`event.listen`,
/// `store.watch` …) reach it: its window actor and which page of it the
/// call came from. A call that arrives after its page is gone changes
/// nothing.
#[derive(Clone)]
pub struct PageLink {
    // A recipient, not the actor's address: the session's file need not know
    // the actor (which owns the session).
    addr: Recipient<ForPage>,
    generation: u64,
}

impl std::fmt::Debug for PageLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageLink")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl PageLink {
    pub(super) fn new(addr: Recipient<ForPage>, generation: u64) -> Self {
        Self { addr, generation }
    }

    async fn run(&self, op: PageOp) -> Result<(), RpcError> {
        self.addr
            .send(ForPage {
                generation: self.generation,
                op,
            })
            .await
            .map_err(|_| RpcError::internal("the window actor is gone"))?
    }

    /// The page listens to `event` from now on (at most [`MAX_LISTENS`]).
    pub async fn listen(&self, event: String) -> Result<(), RpcError> {
        self.run(PageOp::Listen(event)).await
    }

    /// The page stops listening to `event`.
    pub async fn unlisten(&self, event: String) -> Result<(), RpcError> {
        self.run(PageOp::Unlisten(event)).await
    }

    /// The page gets `store.changed` for keys of `store` under `prefix`
    /// (while it listens to `store.changed`; at most [`MAX_WATCHES`]).
    pub async fn watch(&self, store: String, prefix: String) -> Result<(), RpcError> {
        self.run(PageOp::Watch { store, prefix }).await
    }

    /// Ends a watch.
    pub async fn unwatch(&self, store: String, prefix: String) -> Result<(), RpcError> {
        self.run(PageOp::Unwatch { store, prefix }).await
    }
}
