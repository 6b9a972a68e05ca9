//! Plugins: how a feature adds itself to an app — the built-in ones (stores,
//! the updater, desktop integration) and a third party's, through the same
//! trait.
//!
//! A plugin has two moments. Before the app starts, [`Plugin::build`] gets a
//! [`PluginSetup`]: it registers its `name.*` methods, its page script, its
//! capabilities, its managed state and its stores. Once the actors run,
//! [`Plugin::start`] gets the [`AppHandle`] to start its actors and
//! subscribe to what it needs; at the ordered shutdown (before trays leave
//! the panel) [`Plugin::shutdown`] runs, bounded by the shutdown timeout
//! like every other [`Shutdown`] subscriber.

use std::future::Future;

use actix::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::app::{CallContext, Router};
use crate::ipc::{typed, Capabilities, Capability, RpcError};
use crate::store::{StoreOptions, Stores};
use crate::supervise::guard_callback;

use super::{AppHandle, Shutdown, StateMap};

/// Why a plugin could not be added; `run` returns it as
/// `traykit::Error::Plugin`.
///
/// ```
/// use traykit::app::{Plugin, PluginError, PluginSetup};
/// use traykit::ipc::{CallContext, RpcError};
///
/// struct Sloppy;
/// impl Plugin for Sloppy {
///     fn name(&self) -> &str { "sloppy" }
///     fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
///         // Only `sloppy.*` methods are allowed.
///         let err = setup.method("other.ping", |(): (), _: CallContext| async { Ok::<_, RpcError>(()) });
///         assert!(matches!(err, Err(PluginError::Namespace { .. })));
///         Ok(())
///     }
/// }
/// # let _ = traykit::App::builder().plugin(Sloppy);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// Two plugins share a name.
    #[error("plugin `{0}` is added twice")]
    Duplicate(String),
    /// A method outside the plugin's `name.*` namespace.
    #[error("plugin `{plugin}` may only register `{plugin}.*` methods, not `{method}`")]
    Namespace {
        /// The plugin.
        plugin: String,
        /// The method it tried to register.
        method: String,
    },
    /// The method is registered already (by the app, a built-in or a plugin).
    #[error("method `{0}` is registered twice")]
    DuplicateMethod(String),
    /// A capability the plugin ships does not parse.
    #[error("plugin `{plugin}`: invalid capability: {reason}")]
    Capability {
        /// The plugin.
        plugin: String,
        /// The parser's explanation.
        reason: String,
    },
    /// State of this type is managed already.
    #[error("plugin `{plugin}`: state of type `{ty}` is managed twice")]
    DuplicateState {
        /// The plugin.
        plugin: String,
        /// The type's name.
        ty: &'static str,
    },
    /// [`Plugin::start`] failed.
    #[error("plugin `{plugin}` failed to start: {reason}")]
    Start {
        /// The plugin.
        plugin: String,
        /// What it said.
        reason: String,
    },
}

/// A feature added to the app with `App::builder().plugin(p)`.
///
/// ```
/// use traykit::app::{Plugin, PluginError, PluginSetup};
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
///
/// struct Hello;
///
/// impl Plugin for Hello {
///     fn name(&self) -> &str {
///         "hello"
///     }
///     fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
///         setup.method("hello.greet", |(): (), ctx: CallContext| async move {
///             Ok::<_, RpcError>(format!("hello, {}", ctx.window))
///         })?;
///         setup.page_script("window.hello = () => window.__TRAYKIT__.invoke('hello.greet');");
///         Ok(())
///     }
///     fn shutdown(&self, _app: &AppHandle) {
///         println!("bye");
///     }
/// }
///
/// let builder = App::builder().plugin(Hello);
/// # let _ = builder;
/// ```
pub trait Plugin: Send + 'static {
    /// The plugin's name: unique per app, and the namespace of its methods
    /// (`name.*`).
    fn name(&self) -> &str;

    /// Before the app starts: register methods, page script, capabilities,
    /// state and stores. May be called more than once (the capability
    /// report builds plugins without starting them), so it should only
    /// declare.
    fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
        let _ = setup;
        Ok(())
    }

    /// Once the actors run, before the app's trays, windows and `setup`:
    /// start actors, subscribe to events. An error stops the app.
    fn start(&self, app: &AppHandle) -> Result<(), PluginError> {
        let _ = app;
        Ok(())
    }

    /// At the ordered shutdown, before the trays leave the panel.
    fn shutdown(&self, app: &AppHandle) {
        let _ = app;
    }
}

/// What a plugin may add before the app starts (see [`Plugin::build`]).
///
/// ```
/// use traykit::app::{Plugin, PluginError, PluginSetup};
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
///
/// struct Counter(std::sync::atomic::AtomicU64);
///
/// struct CounterPlugin;
/// impl Plugin for CounterPlugin {
///     fn name(&self) -> &str { "counter" }
///     fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
///         setup.manage(Counter(0.into()))?;
///         setup.store(StoreOptions::new("counter"));
///         setup.method("counter.next", |(): (), ctx: CallContext| async move {
///             let counter = ctx.state::<Counter>()?;
///             Ok::<_, RpcError>(counter.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
///         })?;
///         Ok(())
///     }
/// }
/// # let _ = App::builder().plugin(CounterPlugin);
/// ```
pub struct PluginSetup<'a> {
    plugin: String,
    router: &'a mut Router,
    capabilities: &'a mut Capabilities,
    script: &'a mut String,
    state: &'a mut StateMap,
}

impl std::fmt::Debug for PluginSetup<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginSetup")
            .field("plugin", &self.plugin)
            .finish_non_exhaustive()
    }
}

impl<'a> PluginSetup<'a> {
    /// A setup for plugin `name` writing into the app's declarations.
    /// Called by the builder; public so a test harness can build plugins.
    #[doc(hidden)]
    pub fn new(
        name: &str,
        router: &'a mut Router,
        capabilities: &'a mut Capabilities,
        script: &'a mut String,
        state: &'a mut StateMap,
    ) -> Self {
        Self {
            plugin: name.to_owned(),
            router,
            capabilities,
            script,
            state,
        }
    }

    /// The plugin being built.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Registers method `name` (which must be `<plugin>.<verb>`), with
    /// typed params and result like an app command. Pages reach it only
    /// where a capability grants it.
    pub fn method<A, R, E, F, Fut>(&mut self, name: &str, f: F) -> Result<&mut Self, PluginError>
    where
        A: DeserializeOwned + 'static,
        R: Serialize + 'static,
        E: Into<RpcError> + 'static,
        F: Fn(A, CallContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + 'static,
    {
        let in_namespace = name
            .strip_prefix(self.plugin.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|verb| !verb.is_empty());
        if !in_namespace {
            return Err(PluginError::Namespace {
                plugin: self.plugin.clone(),
                method: name.to_owned(),
            });
        }
        self.insert_method(name, typed(name, f))
    }

    /// Registers a method by its full name, outside the `name.*` rule: for
    /// built-in plugins whose namespaces predate plugins (`autostart.*`).
    #[doc(hidden)]
    pub fn insert_method(
        &mut self,
        name: &str,
        handler: crate::app::Handler,
    ) -> Result<&mut Self, PluginError> {
        if self.router.contains(name) {
            return Err(PluginError::DuplicateMethod(name.to_owned()));
        }
        self.router.insert(name, handler);
        Ok(self)
    }

    /// Adds every method of `router` (built-in plugins registering a
    /// finished table); a name already taken is an error.
    #[doc(hidden)]
    pub fn extend_router(&mut self, router: Router) -> Result<&mut Self, PluginError> {
        if let Some(name) = router
            .methods()
            .into_iter()
            .find(|m| self.router.contains(m))
        {
            return Err(PluginError::DuplicateMethod(name.to_owned()));
        }
        self.router.extend(router);
        Ok(self)
    }

    /// Adds JavaScript run in every page after the IPC bridge
    /// (`window.__TRAYKIT__`) and before the page's own scripts.
    pub fn page_script(&mut self, js: &str) -> &mut Self {
        self.script.push('\n');
        self.script.push_str(js);
        self
    }

    /// Adds a capability from its JSON text (what windows may call of this
    /// plugin, or of anything else).
    pub fn capability(&mut self, json: &str) -> Result<&mut Self, PluginError> {
        let cap = Capability::from_json(json).map_err(|e| PluginError::Capability {
            plugin: self.plugin.clone(),
            reason: e.to_string(),
        })?;
        self.capabilities.push(cap);
        Ok(self)
    }

    /// Hands a value to the app, reachable as `app.state::<T>()`.
    pub fn manage<T: Send + Sync + 'static>(&mut self, value: T) -> Result<&mut Self, PluginError> {
        if !self.state.insert(value) {
            return Err(PluginError::DuplicateState {
                plugin: self.plugin.clone(),
                ty: std::any::type_name::<T>(),
            });
        }
        Ok(self)
    }

    /// Declares a store with options (opened on first use). The store
    /// plugin is built before every other plugin, so its registry is there
    /// to take the declaration.
    pub fn store(&mut self, options: StoreOptions) -> &mut Self {
        match self.state.get::<Stores>() {
            Some(stores) => stores.declare(options),
            None => tracing::warn!(
                plugin = %self.plugin,
                store = options.name(),
                "store declared without the store plugin; ignored"
            ),
        }
        self
    }
}

/// Holds a started plugin so its shutdown hook runs as a [`Shutdown`]
/// subscriber: in parallel with the others, bounded by the same timeout.
struct PluginHost {
    plugin: Box<dyn Plugin>,
    app: AppHandle,
}

impl Actor for PluginHost {
    type Context = Context<Self>;
}

impl Handler<Shutdown> for PluginHost {
    type Result = ();
    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) {
        let (plugin, app) = (&self.plugin, &self.app);
        guard_callback("Plugin::shutdown", || plugin.shutdown(app));
    }
}

impl AppHandle {
    /// Starts a built plugin: runs [`Plugin::start`] and subscribes its
    /// [`Plugin::shutdown`]. Called by the builder after the app's actors
    /// exist. Must run inside the actix `System`.
    pub(super) fn start_plugin(&self, plugin: Box<dyn Plugin>) -> Result<(), PluginError> {
        let name = plugin.name().to_owned();
        let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| plugin.start(self)));
        match started {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(p) => {
                return Err(PluginError::Start {
                    plugin: name,
                    reason: format!("panicked: {}", crate::supervise::panic_message(p.as_ref())),
                })
            }
        }
        crate::sync::write(&self.inner.plugins).push(name);
        let host = PluginHost {
            plugin,
            app: self.clone(),
        }
        .start();
        self.on_shutdown(host.recipient());
        Ok(())
    }

    /// The names of the started plugins, in the order they were added.
    pub fn plugins(&self) -> Vec<String> {
        crate::sync::read(&self.inner.plugins).clone()
    }
}
