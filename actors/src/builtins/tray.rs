//! `tray.*`: change a tray's title, tooltip and menu items.

use serde::Deserialize;
use serde_json::Value;

use crate::ipc::{codes, CallContext, Router, RpcError};
use crate::tray::TrayError;

use super::method::method;

impl From<TrayError> for RpcError {
    fn from(e: TrayError) -> Self {
        let kind = match &e {
            TrayError::Id(_) => "bad_id",
            TrayError::Menu { .. } => "menu",
            TrayError::Icon { .. } => "icon",
            TrayError::Duplicate(_) => "duplicate",
            TrayError::Unknown(_) => "unknown",
            TrayError::Ui { .. } => "ui",
            _ => "other",
        };
        codes::domain_error(codes::TRAY, kind, e.to_string())
    }
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

pub(super) fn register(router: &mut Router) {
    method(
        router,
        "tray.set_title",
        |t: TrayText, ctx: CallContext| async move {
            ctx.app.tray(&t.tray)?.set_title(t.text).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "tray.set_tooltip",
        |t: TrayText, ctx: CallContext| async move {
            ctx.app.tray(&t.tray)?.set_tooltip(t.text).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "tray.set_enabled",
        |t: TrayFlag, ctx: CallContext| async move {
            ctx.app.tray(&t.tray)?.set_enabled(&t.item, t.value).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "tray.set_checked",
        |t: TrayFlag, ctx: CallContext| async move {
            ctx.app.tray(&t.tray)?.set_checked(&t.item, t.value).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "tray.set_label",
        |t: TrayLabel, ctx: CallContext| async move {
            ctx.app.tray(&t.tray)?.set_label(&t.item, t.label).await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
}
