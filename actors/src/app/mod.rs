//! The app's lifecycle actor and the handle everything else is reached by.
//!
//! # Layout
//! - `handle`: [`AppHandle`] and what it holds (its sub-registries).
//! - `config`: [`AppConfig`], what the actor graph is started with;
//!   `start`: the handle built from it.
//! - `state`: [`StateMap`], managed state.
//! - `lifecycle`: [`AppActor`], [`Quit`] and the ordered shutdown.
//! - `trays`, `windows`, `notifications`, `events`: the handle's methods,
//!   one concern per file; `stores`: [`StoreExt`], `app.store(name)` over
//!   the store plugin's registry.
//! - `plugin`: the [`Plugin`] trait and [`PluginSetup`].
//! - `route`: UI events to their actors (held until boot is done).
//! - `runtime`: `RuntimeHandle` (hidden), the plumbing only the facade
//!   calls, reached as `app.runtime()`.
//! - `callback`: closures as subscriber actors.

mod callback;
mod config;
mod context;
mod events;
mod handle;
mod lifecycle;
mod notifications;
mod plugin;
mod registry;
mod route;
mod runtime;
mod start;
mod state;
mod stores;
mod trays;
mod windows;

pub(crate) use callback::Callback;
pub use config::default_data_dir;
#[doc(hidden)]
pub use config::AppConfig;
pub(crate) use context::AppPages;
pub use handle::{AppHandle, CallContext, Handler, Router};
pub use lifecycle::Shutdown;
// The runtime's plumbing: users call `app.quit()` and `app.on_shutdown()`.
#[doc(hidden)]
pub use lifecycle::{AppActor, Quit, SubscribeShutdown};
pub use plugin::{Plugin, PluginError, PluginSetup};
pub use registry::PageEvent;
#[doc(hidden)]
pub use runtime::RuntimeHandle;
#[doc(hidden)]
pub use state::StateMap;
pub use stores::StoreExt;
