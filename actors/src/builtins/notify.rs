//! `notification.show`.

use serde::Deserialize;

use crate::ipc::{codes, CallContext, Router, RpcError};
use crate::notify::Notification;

use super::method::method;

impl From<crate::notify::NotifyError> for RpcError {
    fn from(e: crate::notify::NotifyError) -> Self {
        use crate::notify::NotifyError;
        let kind = match &e {
            NotifyError::Invalid(_) => "invalid",
            NotifyError::Server(_) => "server",
            NotifyError::Actor(_) => "actor",
        };
        codes::domain_error(codes::NOTIFICATION, kind, e.to_string())
    }
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

pub(super) fn register(router: &mut Router) {
    method(
        router,
        "notification.show",
        |n: Notify, ctx: CallContext| async move {
            let mut notification = Notification::new(n.summary).body(n.body).icon(n.icon);
            for (id, label) in n.actions {
                notification = notification.action(id, label);
            }
            let id = ctx.app.notify(notification).await?;
            Ok::<_, RpcError>(id.0)
        },
    );
}
