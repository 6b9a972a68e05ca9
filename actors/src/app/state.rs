//! Managed state: one value per type, handed to the app at build time.

use std::any::{Any, TypeId};
use std::collections::HashMap;

/// Values handed to the app at build time and reachable from every handler
/// through [`AppHandle::state`](crate::app::AppHandle::state). One value per type.
#[derive(Default)]
pub struct StateMap(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl StateMap {
    /// Adds a value; returns `false` (and keeps the first) if one of this type
    /// is already there.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> bool {
        let key = TypeId::of::<T>();
        if self.0.contains_key(&key) {
            return false;
        }
        self.0.insert(key, Box::new(value));
        true
    }

    pub(super) fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl std::fmt::Debug for StateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StateMap({} values)", self.0.len())
    }
}
