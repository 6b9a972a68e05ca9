//! The page methods: `event.listen` / `event.unlisten` / `event.emit` /
//! `event.emit_to` and `store.watch` / `store.unwatch`. Ordinary routed
//! built-ins: the dispatcher admits them like any method (`event.*` by the
//! capability's `events`, see [`crate::ipc::Capabilities::admits_call`];
//! `store.watch` by `methods`), then each checks its name or store grant
//! and acts on the calling page's session ([`crate::window::PageLink`]).

use serde::Deserialize;
use serde_json::Value;

use crate::app::CallContext;
use crate::app::Router;
use crate::ipc::{codes, typed, RpcError};
use crate::window::{is_core_event, PageLink, CORE_EVENT_PREFIXES};

#[derive(Deserialize)]
struct EventArgs {
    event: String,
    #[serde(default)]
    payload: Value,
    #[serde(default)]
    target: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WatchArgs {
    store: String,
    #[serde(default)]
    prefix: String,
}

/// The event grant: the capability's `events` names it. A page with any
/// store grant may listen to `store.changed` (what it receives is limited
/// by its watches, which need the store grant).
fn check_event(ctx: &CallContext, event: &str, listening: bool) -> Result<(), RpcError> {
    let caps = ctx.capabilities();
    let origin = ctx.origin.as_deref();
    let store_event =
        listening && event == "store.changed" && caps.allows_any_store(&ctx.window, origin);
    if !store_event && !caps.allows_event(&ctx.window, origin, event) {
        return Err(RpcError::permission_denied(
            &ctx.window,
            &format!("event `{event}`"),
        ));
    }
    if !listening && is_core_event(event) {
        // Other pages trust these to come from traykit (a forged
        // `store.changed` would feed them values no store holds), so no
        // grant, not even `*`, lets a page send one.
        return Err(RpcError::forbidden(
            format!(
                "event `{event}` is reserved for traykit itself (names starting with {}); pages may listen to it but not emit it",
                CORE_EVENT_PREFIXES.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Both grants, as for every other `store.*` method: a window refused the
/// method (checked by the dispatcher) must not receive values through it,
/// and the store grant covers the prefix.
fn check_watch(ctx: &CallContext, a: &WatchArgs) -> Result<(), RpcError> {
    let caps = ctx.capabilities();
    if !caps.allows_store(&ctx.window, ctx.origin.as_deref(), &a.store, &a.prefix) {
        return Err(RpcError::permission_denied(
            &ctx.window,
            &format!("prefix `{}` of store `{}`", a.prefix, a.store),
        ));
    }
    Ok(())
}

/// The calling page, or -32601 for a transport without one (`--ctl`):
/// there is nothing there to listen or watch.
fn page<'a>(ctx: &'a CallContext, method: &str) -> Result<&'a PageLink, RpcError> {
    ctx.page.as_ref().ok_or_else(|| {
        codes::domain_error(
            codes::METHOD_NOT_FOUND,
            codes::METHOD_NOT_FOUND_KIND,
            format!("method `{method}` needs a page; `{}` has none", ctx.window),
        )
    })
}

/// Registers the page methods.
pub(crate) fn register(router: &mut Router) {
    for (name, on) in [("event.listen", true), ("event.unlisten", false)] {
        router.insert(
            name,
            typed(name, move |a: EventArgs, ctx: CallContext| async move {
                check_event(&ctx, &a.event, true)?;
                let page = page(&ctx, name)?;
                if on {
                    page.listen(a.event).await?;
                } else {
                    page.unlisten(a.event).await?;
                }
                Ok::<_, RpcError>(Value::Null)
            }),
        );
    }
    router.insert(
        "event.emit",
        typed("event.emit", |a: EventArgs, ctx: CallContext| async move {
            check_event(&ctx, &a.event, false)?;
            ctx.app.emit_from(Some(&ctx.window), &a.event, a.payload);
            Ok::<_, RpcError>(Value::Null)
        }),
    );
    router.insert(
        "event.emit_to",
        typed(
            "event.emit_to",
            |a: EventArgs, ctx: CallContext| async move {
                check_event(&ctx, &a.event, false)?;
                let target = a.target.ok_or_else(|| {
                    RpcError::invalid_params("event.emit_to", "missing field `target`")
                })?;
                ctx.app
                    .emit_to_from(Some(&ctx.window), &target, &a.event, a.payload)?;
                Ok::<_, RpcError>(Value::Null)
            },
        ),
    );
    for (name, on) in [("store.watch", true), ("store.unwatch", false)] {
        router.insert(
            name,
            typed(name, move |a: WatchArgs, ctx: CallContext| async move {
                check_watch(&ctx, &a)?;
                let page = page(&ctx, name)?;
                if on {
                    page.watch(a.store, a.prefix).await?;
                } else {
                    page.unwatch(a.store, a.prefix).await?;
                }
                Ok::<_, RpcError>(Value::Null)
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::report::CapabilityReport;
    use crate::ipc::Capabilities;

    #[test]
    fn page_methods_are_routed_and_a_store_watch_grant_is_no_typo() {
        let mut router = Router::default();
        crate::builtins::register(&mut router);
        for m in [
            "event.listen",
            "event.unlisten",
            "event.emit",
            "event.emit_to",
            "store.watch",
            "store.unwatch",
        ] {
            assert!(router.contains(m), "{m} is routed");
        }
        let mut caps = Capabilities::default();
        caps.push(
            crate::ipc::Capability::from_json(
                r#"{"identifier":"c","windows":["w"],"methods":["store.watch","store.unwatch"],
                    "stores":[{"store":"notes"}],"events":["store.changed"]}"#,
            )
            .expect("valid"),
        );
        let report = CapabilityReport::new(&caps, router.methods(), ["w"]);
        assert!(
            report.unmatched_grants.is_empty(),
            "{:?}",
            report.unmatched_grants
        );
        assert_eq!(report.windows[0].methods, ["store.unwatch", "store.watch"]);
        // Granted by `events`, not reported as unreachable methods.
        assert!(!report.unreachable.iter().any(|m| m.starts_with("event.")));
    }
}
