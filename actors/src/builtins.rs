//! Methods every app has, exposing the actors to pages. Like app commands,
//! each is callable only by windows a capability grants it to.
//!
//! | method | params | result |
//! |---|---|---|
//! | `window.show` `window.hide` `window.close` `window.focus` `window.center` | `{label?}` (default: the caller) | null |
//! | `window.set_title` | `{label?, title}` | null |
//! | `window.set_size` | `{label?, width, height}` | null |
//! | `window.set_position` | `{label?, x, y}` | null |
//! | `window.open` | `{label, url?, title?, width?, height?}` (declares it if new — only labels the caller's capability lists in `open`, at most [`MAX_PAGE_WINDOWS`] — then shows it) | null |
//! | `window.label` | – | the caller's label |
//! | `tray.set_title` `tray.set_tooltip` | `{tray, text}` | null |
//! | `tray.set_enabled` `tray.set_checked` | `{tray, item, value}` | null |
//! | `tray.set_label` | `{tray, item, label}` | null |
//! | `notification.show` | `{summary, body?, icon?, actions?: [[id, label]…]}` | the notification id |
//! | `store.get` | `{store, key}` | the value or null |
//! | `store.set` | `{store, key, value}` | null, once durable |
//! | `store.delete` | `{store, key}` | whether it existed |
//! | `store.keys` | `{store, prefix?}` | the keys under the granted prefixes |
//! | `app.info` | – | `{name}` |
//! | `app.quit` | `{code?}` | null |
//! | `autostart.*`, `shortcut.*`, `log.write` | see [`crate::desktop::register_builtins`] | |
//!
//! | `event.listen` `event.unlisten` | `{event}` | null |
//! | `event.emit` | `{event, payload?}` | null |
//! | `event.emit_to` | `{target, event, payload?}` | null |
//! | `store.watch` `store.unwatch` | `{store, prefix?}` | null; changes arrive as `store.changed` events |
//!
//! The `event.*` methods are granted by the capability's `events` list
//! (per event name) instead of `methods` (see `page.rs`). Every `store.*`
//! call, `store.watch` included, needs the method in `methods` and is also
//! checked against the capability's `stores` (store glob + key prefix).

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ipc::{codes, typed, CallContext, Router, RpcError};
use crate::notifier::Notification;
use crate::tray::TrayError;
use crate::window::{Window, WindowCommand, WindowError};

mod page;

impl From<TrayError> for RpcError {
    fn from(e: TrayError) -> Self {
        RpcError::new(codes::TARGET_ERROR, e.to_string())
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
            _ => codes::TARGET_ERROR,
        };
        RpcError::new(code, e.to_string()).with_data(json!({"kind": e.kind()}))
    }
}

impl From<crate::notifier::NotifyError> for RpcError {
    fn from(e: crate::notifier::NotifyError) -> Self {
        RpcError::new(codes::TARGET_ERROR, e.to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Title {
    label: Option<String>,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Size {
    label: Option<String>,
    width: f64,
    height: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Position {
    label: Option<String>,
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Open {
    label: String,
    url: Option<String>,
    title: Option<String>,
    width: Option<f64>,
    height: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrayText {
    tray: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrayFlag {
    tray: String,
    item: String,
    value: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrayLabel {
    tray: String,
    item: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Notify {
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    icon: String,
    #[serde(default)]
    actions: Vec<(String, String)>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Quit {
    #[serde(default)]
    code: i32,
}

fn label_or_caller(label: Option<String>, ctx: &CallContext) -> String {
    label.unwrap_or_else(|| ctx.window.clone())
}

async fn window_cmd(
    ctx: &CallContext,
    label: String,
    cmd: WindowCommand,
) -> Result<Value, RpcError> {
    ctx.app.window(&label)?.command(cmd).await?;
    Ok(Value::Null)
}

/// Most windows pages (and ctl) may declare with `window.open` over the
/// app's life: declared windows are never removed, and each one is an actor
/// and, once shown, a webview.
pub const MAX_PAGE_WINDOWS: usize = 16;

/// `window.open` of a label nobody declared: only labels the caller's
/// capability lists in `open`, and at most [`MAX_PAGE_WINDOWS`]. Both are
/// checked before anything is declared.
async fn declare_page_window(
    ctx: &CallContext,
    o: Open,
) -> Result<crate::window::WindowHandle, RpcError> {
    if !ctx
        .capabilities()
        .allows_open(&ctx.window, ctx.origin.as_deref(), &o.label)
    {
        return Err(RpcError::new(
            codes::PERMISSION_DENIED,
            format!(
                "window `{}` may not open a new window `{}`: no `open` entry of its capability names that label",
                ctx.window, o.label
            ),
        ));
    }
    let Some(slot) = ctx.app.reserve_page_window(MAX_PAGE_WINDOWS) else {
        return Err(crate::ipc::limit_exceeded(format!(
            "pages have already opened {MAX_PAGE_WINDOWS} windows (the most an app allows)"
        )));
    };
    let mut w = Window::new(o.label);
    if let Some(url) = o.url {
        w = w.url(url);
    }
    if let Some(title) = o.title {
        w = w.title(title);
    }
    w = w.size(o.width.unwrap_or(800.0), o.height.unwrap_or(600.0));
    let handle = ctx.app.add_window(w).await?;
    slot.keep();
    Ok(handle)
}

/// Registers every built-in method.
pub fn register(router: &mut Router) {
    crate::desktop::register_builtins(router);
    page::register(router);
    type Make = fn() -> WindowCommand;
    let simple: [(&str, Make); 5] = [
        ("window.show", || WindowCommand::Show),
        ("window.hide", || WindowCommand::Hide),
        ("window.close", || WindowCommand::Close),
        ("window.focus", || WindowCommand::Focus),
        ("window.center", || WindowCommand::Center),
    ];
    for (name, cmd) in simple {
        router.insert(
            name,
            typed(name, move |t: Target, ctx: CallContext| async move {
                let label = label_or_caller(t.label, &ctx);
                window_cmd(&ctx, label, cmd()).await
            }),
        );
    }
    router.insert(
        "window.set_title",
        typed(
            "window.set_title",
            |t: Title, ctx: CallContext| async move {
                let label = label_or_caller(t.label, &ctx);
                window_cmd(&ctx, label, WindowCommand::SetTitle(t.title)).await
            },
        ),
    );
    router.insert(
        "window.set_size",
        typed("window.set_size", |t: Size, ctx: CallContext| async move {
            let label = label_or_caller(t.label, &ctx);
            window_cmd(&ctx, label, WindowCommand::SetSize(t.width, t.height)).await
        }),
    );
    router.insert(
        "window.set_position",
        typed(
            "window.set_position",
            |t: Position, ctx: CallContext| async move {
                let label = label_or_caller(t.label, &ctx);
                window_cmd(&ctx, label, WindowCommand::SetPosition(t.x, t.y)).await
            },
        ),
    );
    router.insert(
        "window.open",
        typed("window.open", |o: Open, ctx: CallContext| async move {
            let handle = match ctx.app.window(&o.label) {
                // Already declared (by the app or earlier): this is a show.
                Ok(handle) => handle,
                Err(WindowError::Unknown(_)) => declare_page_window(&ctx, o).await?,
                Err(e) => return Err(e.into()),
            };
            handle.show().await?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "window.label",
        typed("window.label", |(): (), ctx: CallContext| async move {
            Ok::<_, RpcError>(ctx.window)
        }),
    );
    router.insert(
        "tray.set_title",
        typed(
            "tray.set_title",
            |t: TrayText, ctx: CallContext| async move {
                ctx.app.tray(&t.tray)?.set_title(t.text).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "tray.set_tooltip",
        typed(
            "tray.set_tooltip",
            |t: TrayText, ctx: CallContext| async move {
                ctx.app.tray(&t.tray)?.set_tooltip(t.text).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "tray.set_enabled",
        typed(
            "tray.set_enabled",
            |t: TrayFlag, ctx: CallContext| async move {
                ctx.app.tray(&t.tray)?.set_enabled(&t.item, t.value).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "tray.set_checked",
        typed(
            "tray.set_checked",
            |t: TrayFlag, ctx: CallContext| async move {
                ctx.app.tray(&t.tray)?.set_checked(&t.item, t.value).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "tray.set_label",
        typed(
            "tray.set_label",
            |t: TrayLabel, ctx: CallContext| async move {
                ctx.app.tray(&t.tray)?.set_label(&t.item, t.label).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "notification.show",
        typed(
            "notification.show",
            |n: Notify, ctx: CallContext| async move {
                let mut notification = Notification::new(n.summary).body(n.body).icon(n.icon);
                for (id, label) in n.actions {
                    notification = notification.action(id, label);
                }
                let id = ctx.app.notify(notification).await?;
                Ok::<_, RpcError>(id.0)
            },
        ),
    );
    router.insert(
        "store.get",
        typed("store.get", |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            let value = ctx.app.store(&k.store)?.get::<Value>(&k.key).await?;
            Ok::<_, RpcError>(value.unwrap_or(Value::Null))
        }),
    );
    router.insert(
        "store.set",
        typed("store.set", |k: StoreSet, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            ctx.app.store(&k.store)?.set(&k.key, &k.value).await?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "store.delete",
        typed("store.delete", |k: StoreKey, ctx: CallContext| async move {
            check_store(&ctx, &k.store, &k.key)?;
            Ok::<_, RpcError>(ctx.app.store(&k.store)?.delete(&k.key).await?)
        }),
    );
    router.insert(
        "store.keys",
        typed("store.keys", |k: StoreKeys, ctx: CallContext| async move {
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
        }),
    );
    router.insert(
        "app.info",
        typed("app.info", |(): (), ctx: CallContext| async move {
            Ok::<_, RpcError>(json!({"name": ctx.app.name()}))
        }),
    );
    router.insert(
        "app.quit",
        typed("app.quit", |q: Quit, ctx: CallContext| async move {
            ctx.app.exit(q.code);
            Ok::<_, RpcError>(Value::Null)
        }),
    );
}
