//! Stores, opened on first use.

use actix::Actor;

use crate::sync::lock;

use super::AppHandle;

impl AppHandle {
    /// The store `name`, opened (loaded, migrated) on first use with the
    /// options given to the builder, or defaults. Its changes are flushed at
    /// shutdown.
    pub fn store(&self, name: &str) -> Result<crate::store::StoreHandle, crate::store::StoreError> {
        let mut stores = lock(&self.inner.stores);
        if let Some(handle) = stores.get(name) {
            return Ok(handle.clone());
        }
        let dir = self.inner.data_dir.join("stores");
        // The declared options stay until an open succeeds: after a corrupt
        // file, a locked store or a failed migration, the next try must run
        // the same migrations at the same version, not fall back to defaults.
        let mut declared = lock(&self.inner.store_options);
        let store = match declared.get(name) {
            Some(options) => crate::store::StoreActor::open_with(&dir, options)?,
            None => crate::store::StoreActor::open(&dir, crate::store::StoreOptions::new(name))?,
        };
        declared.remove(name);
        drop(declared);
        // Stores write with fsync (milliseconds; on a busy disk, seconds).
        // On the actor thread that stalled every window's IPC and every
        // other actor meanwhile, so stores get a thread of their own (one
        // for all of them: writes of one store stay in order).
        let thread = self
            .inner
            .store_thread
            .get_or_init(|| actix::Arbiter::new().handle());
        let actor = crate::store::StoreActor::start_in_arbiter(thread, move |_| store);
        self.on_shutdown(actor.clone().recipient());
        let handle = crate::store::StoreHandle::new(name, actor, self.inner.timeout);
        stores.insert(name.to_owned(), handle.clone());
        Ok(handle)
    }
}
