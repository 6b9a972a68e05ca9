//! The desktop integration's built-in methods.

use serde::Deserialize;
use serde_json::Value;

use crate::app::{CallContext, Router};
use crate::ipc::{typed, RpcError};

use super::page_log::{page_log, LogWrite};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortcutArgs {
    id: String,
    accelerator: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortcutId {
    id: String,
}
/// Registers `autostart.*`, `shortcut.*` and `log.write`.
///
/// | method | params | result |
/// |---|---|---|
/// | `autostart.enable` `autostart.disable` | – | null |
/// | `autostart.is_enabled` | – | bool |
/// | `shortcut.register` | `{id, accelerator}` | null |
/// | `shortcut.unregister` | `{id}` | null |
/// | `log.write` | `{level, message, fields?}` | null (-32002 over the rate) |
pub fn register_builtins(router: &mut Router) {
    router.insert(
        "autostart.enable",
        typed("autostart.enable", |(): (), ctx: CallContext| async move {
            ctx.app.autostart().enable()?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "autostart.disable",
        typed("autostart.disable", |(): (), ctx: CallContext| async move {
            ctx.app.autostart().disable()?;
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "autostart.is_enabled",
        typed(
            "autostart.is_enabled",
            |(): (), ctx: CallContext| async move {
                Ok::<_, RpcError>(ctx.app.autostart().is_enabled()?)
            },
        ),
    );
    router.insert(
        "shortcut.register",
        typed(
            "shortcut.register",
            |a: ShortcutArgs, ctx: CallContext| async move {
                ctx.app.register_shortcut(&a.id, &a.accelerator).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "shortcut.unregister",
        typed(
            "shortcut.unregister",
            |a: ShortcutId, ctx: CallContext| async move {
                ctx.app.unregister_shortcut(&a.id).await?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    router.insert(
        "log.write",
        typed("log.write", |w: LogWrite, ctx: CallContext| async move {
            page_log(&ctx, w)
        }),
    );
}
