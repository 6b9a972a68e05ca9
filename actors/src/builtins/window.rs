//! `window.*`: show, hide, move, declare windows.

use serde::Deserialize;
use serde_json::Value;

use crate::app::{CallContext, Router};
use crate::ipc::{codes, RpcError};
use crate::window::{Window, WindowCommand, WindowError};

use super::method::method;

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
        return Err(RpcError::forbidden(
            format!(
                "window `{}` may not open a new window `{}`: no `open` entry of its capability names that label",
                ctx.window, o.label
            ),
        ));
    }
    let Some(slot) = ctx.app.reserve_page_window(MAX_PAGE_WINDOWS) else {
        return Err(crate::ipc::limit_exceeded(
            codes::Limit::TooMany,
            format!(
                "pages have already opened {MAX_PAGE_WINDOWS} windows (the most an app allows)"
            ),
        ));
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

pub(super) fn register(router: &mut Router) {
    type Make = fn() -> WindowCommand;
    let simple: [(&'static str, Make); 5] = [
        ("window.show", || WindowCommand::Show),
        ("window.hide", || WindowCommand::Hide),
        ("window.close", || WindowCommand::Close),
        ("window.focus", || WindowCommand::Focus),
        ("window.center", || WindowCommand::Center),
    ];
    for (name, cmd) in simple {
        method(
            router,
            name,
            move |t: Target, ctx: CallContext| async move {
                let label = label_or_caller(t.label, &ctx);
                window_cmd(&ctx, label, cmd()).await
            },
        );
    }
    method(
        router,
        "window.set_title",
        |t: Title, ctx: CallContext| async move {
            let label = label_or_caller(t.label, &ctx);
            window_cmd(&ctx, label, WindowCommand::SetTitle(t.title)).await
        },
    );
    method(
        router,
        "window.set_size",
        |t: Size, ctx: CallContext| async move {
            let label = label_or_caller(t.label, &ctx);
            window_cmd(&ctx, label, WindowCommand::SetSize(t.width, t.height)).await
        },
    );
    method(
        router,
        "window.set_position",
        |t: Position, ctx: CallContext| async move {
            let label = label_or_caller(t.label, &ctx);
            window_cmd(&ctx, label, WindowCommand::SetPosition(t.x, t.y)).await
        },
    );
    method(
        router,
        "window.open",
        |o: Open, ctx: CallContext| async move {
            let handle = match ctx.app.window(&o.label) {
                // Already declared (by the app or earlier): this is a show.
                Ok(handle) => handle,
                Err(WindowError::Unknown(_)) => declare_page_window(&ctx, o).await?,
                Err(e) => return Err(e.into()),
            };
            handle.show().await?;
            Ok::<_, RpcError>(Value::Null)
        },
    );
    method(
        router,
        "window.label",
        |(): (), ctx: CallContext| async move { Ok::<_, RpcError>(ctx.window) },
    );
}
