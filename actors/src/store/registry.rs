//! [`Stores`]: the store plugin's state — the open stores, the options of
//! stores not opened yet, and the one thread every store actor runs on.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use actix::{Actor, ArbiterHandle, Recipient};

use crate::shutdown::Shutdown;
use crate::sync::lock;

use super::{StoreActor, StoreError, StoreHandle, StoreOptions};

/// The registry of an app's stores. The store plugin hands it to the app as
/// managed state; `app.store(name)` (`StoreExt`) opens through it.
#[derive(Default)]
pub(crate) struct Stores {
    open: Mutex<BTreeMap<String, StoreHandle>>,
    /// Options for stores not opened yet (declared by the builder and by
    /// plugins); others open with defaults.
    declared: Mutex<BTreeMap<String, StoreOptions>>,
    /// The thread every store actor runs on, started with the first store.
    thread: OnceLock<ArbiterHandle>,
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stores")
            .field("open", &lock(&self.open).keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Declares a store's options; a later declaration of the same name
    /// replaces an earlier one, as the builder's list did.
    pub(crate) fn declare(&self, options: StoreOptions) {
        lock(&self.declared).insert(options.name().to_owned(), options);
    }

    /// The store `name` in `dir`, opened (loaded, migrated) on first use;
    /// `on_open` gets the new actor's [`Shutdown`] recipient, so its changes
    /// are flushed at shutdown.
    pub(crate) fn open(
        &self,
        dir: &Path,
        name: &str,
        timeout: Duration,
        on_open: impl FnOnce(Recipient<Shutdown>),
    ) -> Result<StoreHandle, StoreError> {
        let mut open = lock(&self.open);
        if let Some(handle) = open.get(name) {
            return Ok(handle.clone());
        }
        // The declared options stay until an open succeeds: after a corrupt
        // file, a locked store or a failed migration, the next try must run
        // the same migrations at the same version, not fall back to defaults.
        let mut declared = lock(&self.declared);
        let store = match declared.get(name) {
            Some(options) => StoreActor::open_with(dir, options)?,
            None => StoreActor::open(dir, StoreOptions::new(name))?,
        };
        declared.remove(name);
        drop(declared);
        // Stores write with fsync (milliseconds; on a busy disk, seconds).
        // On the actor thread that stalled every window's IPC and every
        // other actor meanwhile, so stores get a thread of their own (one
        // for all of them: writes of one store stay in order).
        let thread = self.thread.get_or_init(|| actix::Arbiter::new().handle());
        let actor = StoreActor::start_in_arbiter(thread, move |_| store);
        on_open(actor.clone().recipient());
        let handle = StoreHandle::new(name, actor, timeout);
        open.insert(name.to_owned(), handle.clone());
        Ok(handle)
    }
}
