//! The store plugin: the app's stores (their registry, as managed state)
//! and `store.get`, `store.set`, `store.delete`, `store.keys`, each checked
//! against the capability's `stores` grants.

use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::{CallContext, Plugin, PluginError, PluginSetup, Router, StoreExt};
use crate::ipc::{codes, RpcError};
use crate::store::{OnCorrupt, StoreOptions, Stores};
use crate::sync::lock;
use crate::window::WINDOW_STATE_STORE;

use super::method::method;

/// Persistent key-value stores: the registry behind `app.store(name)`
/// ([`StoreExt`]) and the `store.get/set/delete/keys` methods. The builder
/// adds it to every app, first of all plugins (so theirs may declare
/// stores); `.store(options)` on the builder configures it. Each store's
/// actor flushes at shutdown as a `Shutdown` subscriber.
///
/// ```
/// use traykit_actors::app::Plugin;
/// use traykit_actors::builtins::StorePlugin;
/// use traykit_actors::store::StoreOptions;
/// let plugin = StorePlugin::new(vec![StoreOptions::new("settings")]);
/// assert_eq!(plugin.name(), "store");
/// ```
pub struct StorePlugin {
    /// Taken by the first `build`; a later build (the capability report
    /// builds plugins it never starts) only declares the methods.
    declared: Mutex<Option<Vec<StoreOptions>>>,
}

impl std::fmt::Debug for StorePlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorePlugin").finish_non_exhaustive()
    }
}

impl StorePlugin {
    /// The plugin with the stores the builder declared.
    pub fn new(declared: Vec<StoreOptions>) -> Self {
        Self {
            declared: Mutex::new(Some(declared)),
        }
    }
}

impl Plugin for StorePlugin {
    fn name(&self) -> &str {
        "store"
    }

    fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
        let mut router = Router::default();
        register(&mut router);
        setup.extend_router(router)?;
        if let Some(declared) = lock(&self.declared).take() {
            let stores = Stores::default();
            for options in declared {
                stores.declare(options);
            }
            // Moves and resizes come in bursts: batch them, and skip the
            // corrupt-file dance for a cache.
            stores.declare(
                StoreOptions::new(WINDOW_STATE_STORE)
                    .debounce(Duration::from_millis(500))
                    .on_corrupt(OnCorrupt::StartEmpty),
            );
            setup.manage(stores)?;
        }
        Ok(())
    }
}

impl From<crate::store::StoreError> for RpcError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        // A refused quota or key length is a limit the page ran into, like
        // an oversized message; `data.kind` tells every failure apart.
        let code = match e {
            StoreError::QuotaExceeded { .. } | StoreError::KeyTooLong { .. } => {
                codes::LIMIT_EXCEEDED
            }
            _ => codes::STORE,
        };
        RpcError::new(code, e.to_string()).with_data(json!({"kind": e.kind()}))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreKey {
    store: String,
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreSet {
    store: String,
    key: String,
    value: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreKeys {
    store: String,
    #[serde(default)]
    prefix: String,
}

/// Refuses a `store.keys` listing unless some grant of this window covers
/// a key of `store` under `prefix` (a grant prefix that extends `prefix`, or
/// that `prefix` extends) — checked before the store is opened, so a name no
/// grant covers is neither created nor loaded.
fn check_store_listing(ctx: &CallContext, store: &str, prefix: &str) -> Result<(), RpcError> {
    let granted = ctx.capabilities().all().iter().any(|c| {
        c.applies_to(&ctx.window)
            && ctx.origin.as_deref().is_none_or(|o| c.admits_origin(o))
            && c.stores.iter().any(|g| {
                crate::ipc::glob(&g.store, store)
                    && (g.prefix.starts_with(prefix) || prefix.starts_with(&g.prefix))
            })
    });
    if granted {
        Ok(())
    } else {
        Err(RpcError::permission_denied(
            &ctx.window,
            &format!("keys under `{prefix}` of store `{store}`"),
        ))
    }
}

/// Refuses store access the capabilities do not grant.
fn check_store(ctx: &CallContext, store: &str, key: &str) -> Result<(), RpcError> {
    if ctx
        .capabilities()
        .allows_store(&ctx.window, ctx.origin.as_deref(), store, key)
    {
        Ok(())
    } else {
        Err(RpcError::permission_denied(
            &ctx.window,
            &format!("key `{key}` of store `{store}`"),
        ))
    }
}

fn register(router: &mut Router) {
    method(
        router,
        "store.get",
        |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            let value = ctx.store(&k.store)?.get::<Value>(&k.key).await?;
            Ok::<_, RpcError>(value.unwrap_or(Value::Null))
        },
    );
    method(
        router,
        "store.set",
        |k: StoreSet, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            ctx.store(&k.store)?.set(&k.key, &k.value).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "store.delete",
        |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            Ok::<_, RpcError>(ctx.store(&k.store)?.delete(&k.key).await?)
        },
    );
    method(
        router,
        "store.keys",
        |k: StoreKeys, ctx: CallContext| async move {
            check_store_listing(&ctx, &k.store, &k.prefix)?;
            let keys = ctx.store(&k.store)?.keys().await?;
            let caps = ctx.capabilities();
            Ok::<_, RpcError>(
                keys.into_iter()
                    .filter(|key| key.starts_with(&k.prefix))
                    .filter(|key| {
                        caps.allows_store(&ctx.window, ctx.origin.as_deref(), &k.store, key)
                    })
                    .collect::<Vec<_>>(),
            )
        },
    );
}
