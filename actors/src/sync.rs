//! The small concurrency helpers every actor file needs, written once.
//!
//! - [`lock`], [`read`], [`write()`]: poison-tolerant guards. Every lock in
//!   this crate guards single inserts, removes or swaps, which a panic cannot
//!   leave half done, so a poisoned lock is still usable; taking the guard
//!   anyway keeps one panicking callback from wedging the whole app.
//! - [`Subscribers`]: a fan-out list of recipients; disconnected ones are
//!   dropped on send.
//! - [`ask`]: send a message, bounded by a timeout, mailbox errors mapped to
//!   [`ActorError`] naming the actor.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::prelude::*;

use crate::error::ActorError;

/// Locks `m`, even if a panic poisoned it (see the module docs for why that
/// is sound here).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Read-locks `l`, even if poisoned.
pub fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

/// Write-locks `l`, even if poisoned.
pub fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

/// Subscribers of one message type, shareable between threads. Sending
/// drops the disconnected ones first, so a stopped subscriber costs nothing
/// after its first missed message.
///
/// ```
/// use traykit_actors::sync::Subscribers;
/// # #[derive(Clone, actix::Message)] #[rtype(result = "()")] struct Ping;
/// let subs: Subscribers<Ping> = Subscribers::new();
/// assert_eq!(subs.send(Ping), 0, "nobody listens yet");
/// ```
pub struct Subscribers<M: Message<Result = ()> + Send>(Mutex<Vec<Recipient<M>>>);

impl<M: Message<Result = ()> + Send> Default for Subscribers<M> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<M: Message<Result = ()> + Send> std::fmt::Debug for Subscribers<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Subscribers({})", lock(&self.0).len())
    }
}

impl<M: Message<Result = ()> + Send + Clone + 'static> Subscribers<M> {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a subscriber.
    pub fn push(&self, r: Recipient<M>) {
        lock(&self.0).push(r);
    }

    /// The connected subscribers, for a caller that hands each to something
    /// else (e.g. a tray added later).
    pub fn snapshot(&self) -> Vec<Recipient<M>> {
        let mut subs = lock(&self.0);
        subs.retain(|s| s.connected());
        subs.clone()
    }

    /// Sends `msg` to every connected subscriber without waiting; returns
    /// how many there were.
    pub fn send(&self, msg: M) -> usize {
        let mut subs = lock(&self.0);
        subs.retain(|s| s.connected());
        for s in subs.iter() {
            s.do_send(msg.clone());
        }
        subs.len()
    }
}

/// The same fan-out for a list an actor owns (no lock needed): drops the
/// disconnected recipients, sends `msg` to the others, returns how many.
pub fn fan_out<M>(subscribers: &mut Vec<Recipient<M>>, msg: &M) -> usize
where
    M: Message<Result = ()> + Send + Clone + 'static,
{
    subscribers.retain(|s| s.connected());
    for s in subscribers.iter() {
        s.do_send(msg.clone());
    }
    subscribers.len()
}

/// Sends `msg` to `addr` and waits at most `timeout`; a closed mailbox or
/// the timeout become an [`ActorError`] naming `actor`.
pub async fn ask<A, M>(
    addr: &Addr<A>,
    msg: M,
    actor: &'static str,
    timeout: Duration,
) -> Result<M::Result, ActorError>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message + Send + 'static,
    M::Result: Send,
{
    addr.send(msg)
        .timeout(timeout)
        .await
        .map_err(|e| ActorError::from_mailbox(e, actor, timeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_is_still_usable() {
        let m = std::sync::Arc::new(Mutex::new(1));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let _g = m2.lock().expect("first lock");
            panic!("poison it");
        })
        .join();
        assert!(m.is_poisoned());
        *lock(&m) += 1;
        assert_eq!(*lock(&m), 2);
    }
}
