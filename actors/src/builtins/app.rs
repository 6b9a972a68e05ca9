//! `app.info`, `app.quit`.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ipc::{CallContext, Router, RpcError};

use super::method::method;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Quit {
    #[serde(default)]
    code: i32,
}

pub(super) fn register(router: &mut Router) {
    method(router, "app.info", |(): (), ctx: CallContext| async move {
        Ok::<_, RpcError>(json!({"name": ctx.app.name()}))
    });
    method(router, "app.quit", |q: Quit, ctx: CallContext| async move {
        ctx.app.exit(q.code);
        Ok::<_, RpcError>(Value::Null)
    });
}
