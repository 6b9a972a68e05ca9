//! Persistent key-value stores: one [`StoreActor`] per named store.
//!
//! A store is a JSON document `{"version": N, "data": {key: value…}}` in the
//! app's data directory. Every change is written with an atomic replace (a
//! temporary file, fsync, rename over the old file, fsync of the directory),
//! so the file on disk is always a complete old or new version — never a
//! mix. By default a `set` is acknowledged only once it is durable; with
//! [`StoreOptions::debounce`] it is acknowledged when queued and written at
//! most that much later (or on [`Flush`], or at shutdown).
//!
//! Watchers (Rust recipients, by key prefix) get every change once, in the
//! order the actor applied them.
//!
//! # Layout
//! - `error`: [`StoreError`] and the size limits.
//! - `options`: [`StoreOptions`], [`OnCorrupt`], and [`parse`] of a file.
//! - `file`: the file side — the advisory lock, atomic writes' temporary
//!   files, size accounting.
//! - `load`: reading a file (or keeping a corrupt one aside), migrations.
//! - `actor`: [`StoreActor`] and its messages.
//! - `handle`: [`StoreHandle`], the typed `Send + Clone` way in.
//! - `registry`: the app's open stores and their thread (the store
//!   plugin's state).

mod actor;
mod error;
mod file;
mod handle;
mod load;
mod options;
mod registry;

pub use actor::StoreChanged;
// The store actor and its messages: users go through `StoreHandle`; the
// crash tests, the store benchmark and the facade drive them directly.
#[doc(hidden)]
pub use actor::{Clear, Delete, Flush, Get, Keys, Set, StoreActor, Update, UpdateFn, Watch};
pub use error::{StoreError, DEFAULT_MAX_BYTES, MAX_KEY_BYTES};
pub use file::DEFAULT_LOCK_WAIT;
pub use handle::StoreHandle;
#[doc(hidden)]
pub use options::parse;
pub use options::{OnCorrupt, StoreOptions};
pub(crate) use registry::Stores;

const ACTOR: &str = "StoreActor";
