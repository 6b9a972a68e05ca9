//! What a page has queued into and running in its window actor.

use std::sync::Arc;

use super::codes::Limit;
use super::{limit_exceeded, IpcLimits, RpcError};

/// What one window's page has queued into and running in its window actor:
/// counted by the app's router before a message is queued (and refused there
/// when over [`IpcLimits::max_queued_messages`] or
/// [`IpcLimits::max_queued_bytes`]), released by the actor when the
/// message's handlers are done.
///
/// **Invariant:** every admitted message is released exactly once (the
/// release is a [`Held`] guard, dropped on every path), so both counts
/// return to zero when the page is idle.
#[derive(Debug, Default)]
pub struct Backlog {
    messages: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicUsize,
    /// Refusals sent to the actor and not yet answered: each is small, but
    /// a page flooding faster than its actor answers must not grow them
    /// without bound either.
    refusals: std::sync::atomic::AtomicUsize,
}

impl Backlog {
    /// Most refusals queued for one window's actor and not yet answered
    /// (~100 bytes each): beyond this a page is flooding faster than its
    /// actor can even say no, and further refusals are dropped unanswered.
    pub const MAX_PENDING_REFUSALS: usize = 4096;

    /// Takes a slot for one refusal (up to
    /// [`MAX_PENDING_REFUSALS`](Self::MAX_PENDING_REFUSALS) pending); `false`
    /// when the page already has that many, and this one is dropped.
    pub fn refusal_slot(&self) -> bool {
        use std::sync::atomic::Ordering::AcqRel;
        if self.refusals.fetch_add(1, AcqRel) >= Self::MAX_PENDING_REFUSALS {
            self.refusals.fetch_sub(1, AcqRel);
            return false;
        }
        true
    }

    /// Releases a slot taken by [`refusal_slot`](Self::refusal_slot).
    pub fn refusal_done(&self) {
        let _ = self.refusals.fetch_update(
            std::sync::atomic::Ordering::AcqRel,
            std::sync::atomic::Ordering::Acquire,
            |c| Some(c.saturating_sub(1)),
        );
    }

    /// Counts a message of `bytes` if it fits, else says which limit it
    /// would break (the -32002 to answer).
    pub fn admit(&self, bytes: usize, limits: &IpcLimits) -> Result<(), RpcError> {
        use std::sync::atomic::Ordering::AcqRel;
        let messages = self.messages.fetch_add(1, AcqRel);
        if messages >= limits.max_queued_messages {
            self.messages.fetch_sub(1, AcqRel);
            return Err(limit_exceeded(
                Limit::Backlog,
                format!(
                    "{messages} messages of this page are already queued or running \
                 (IpcLimits::max_queued_messages)"
                ),
            ));
        }
        let held = self.bytes.fetch_add(bytes, AcqRel);
        // One message always fits into an empty queue: the size limit, not
        // this one, decides whether it is too big.
        if held > 0 && held.saturating_add(bytes) > limits.max_queued_bytes {
            self.bytes.fetch_sub(bytes, AcqRel);
            self.messages.fetch_sub(1, AcqRel);
            return Err(limit_exceeded(
                Limit::Backlog,
                format!(
                    "{held} bytes of this page's messages are already queued or running; \
                 {bytes} more is over {} (IpcLimits::max_queued_bytes)",
                    limits.max_queued_bytes
                ),
            ));
        }
        Ok(())
    }

    /// The admitted message of `bytes`, released when the guard drops.
    pub fn held(self: &Arc<Self>, bytes: usize) -> Held {
        Held {
            backlog: self.clone(),
            bytes,
        }
    }

    /// (messages, bytes) counted now.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Acquire;
        (self.messages.load(Acquire), self.bytes.load(Acquire))
    }
}

/// One admitted message's share of a [`Backlog`]; released on drop.
#[derive(Debug)]
pub struct Held {
    backlog: Arc<Backlog>,
    bytes: usize,
}

impl Held {
    /// Counts `more` bytes for this message (its decoded values, while its
    /// handlers run), released with it.
    pub fn grow(&mut self, more: usize) {
        self.backlog
            .bytes
            .fetch_add(more, std::sync::atomic::Ordering::AcqRel);
        self.bytes += more;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::AcqRel;
        // Saturating: an `IpcIn` sent straight to the actor's address (not
        // through the router) was never counted and must not wrap the count.
        let release = |count: &std::sync::atomic::AtomicUsize, n: usize| {
            let _ = count.fetch_update(AcqRel, std::sync::atomic::Ordering::Acquire, |c| {
                Some(c.saturating_sub(n))
            });
        };
        release(&self.backlog.messages, 1);
        release(&self.backlog.bytes, self.bytes);
    }
}
