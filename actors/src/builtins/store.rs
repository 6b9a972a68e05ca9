//! `store.get`, `store.set`, `store.delete`, `store.keys`, each checked
//! against the capability's `stores` grants.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ipc::{codes, CallContext, Router, RpcError};

use super::method::method;

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

pub(super) fn register(router: &mut Router) {
    method(
        router,
        "store.get",
        |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            let value = ctx.app.store(&k.store)?.get::<Value>(&k.key).await?;
            Ok::<_, RpcError>(value.unwrap_or(Value::Null))
        },
    );
    method(
        router,
        "store.set",
        |k: StoreSet, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            ctx.app.store(&k.store)?.set(&k.key, &k.value).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "store.delete",
        |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            Ok::<_, RpcError>(ctx.app.store(&k.store)?.delete(&k.key).await?)
        },
    );
    method(
        router,
        "store.keys",
        |k: StoreKeys, ctx: CallContext| async move {
            check_store_listing(&ctx, &k.store, &k.prefix)?;
            let keys = ctx.app.store(&k.store)?.keys().await?;
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
