//! The isolation pattern, headless: with isolation on, the core takes only
//! messages sealed under the key it gave this webview's frame, once each.
//! Unsealed text (a page going around the frame), another key, tampered
//! bytes, replays and keys of an earlier webview are refused with -32004,
//! and nothing refused reaches a handler.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use traykit::isolation::{seal, Isolation};
use traykit::prelude::*;
use traykit::test::TestApp;
use traykit::ui::UiRequest;

const CAP: &str = r#"{"identifier":"t","windows":["main"],"methods":["t.*","window.*"]}"#;
const PING: &str = r#"{"jsonrpc":"2.0","id":7,"method":"t.ping"}"#;

fn app(calls: Arc<AtomicUsize>) -> traykit::AppBuilder {
    App::builder()
        .window(Window::new("main"))
        .capability(CAP)
        .isolation(Isolation::hook(
            "window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;",
        ))
        .command("t.ping", move |(): (), _: CallContext| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, RpcError>("pong")
            }
        })
}

/// The key and meta of the latest webview created for `main`.
fn latest_frame(app: &TestApp) -> (String, String) {
    app.ui_requests()
        .into_iter()
        .rev()
        .find_map(|r| match r {
            UiRequest::CreateWindow {
                isolation: Some(frame),
                init_script,
                ..
            } => Some((frame.key, init_script)),
            _ => None,
        })
        .expect("the window was created with an isolation frame")
}

fn code(r: &Value) -> i64 {
    r["error"]["code"].as_i64().unwrap_or(0)
}

#[actix::test]
async fn only_fresh_messages_sealed_under_this_webviews_key_get_through() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::start(app(calls.clone())).await.expect("starts");

    // Going around the frame: refused, and the handler never runs.
    let r = app.ipc("main", PING).await.expect("answer");
    assert_eq!(code(&r), -32004, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "isolation", "{r}");
    assert_eq!(r["id"], Value::Null);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("isolation frame"),
        "{r}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    let (key, meta) = latest_frame(&app);
    assert!(
        meta.contains(r#""isolation":"traykit-isolation://localhost/""#),
        "the page's bridge is told to use the frame: {meta}"
    );
    assert!(!meta.contains(&key), "the page never sees the key");

    let sealed = seal(&key, 1, 1, PING).expect("seal");
    let r = app.ipc("main", &sealed).await.expect("answer");
    assert_eq!(r["result"], "pong", "{r}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // The same ciphertext again: a replay.
    let r = app.ipc("main", &sealed).await.expect("answer");
    assert_eq!(code(&r), -32004, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("replayed"),
        "{r}"
    );

    // Another key (an attacker's own frame), and tampered bytes.
    let (other, _) = Isolation::hook("").frame().expect("key");
    let r = app
        .ipc("main", &seal(&other.key, 1, 2, PING).expect("seal"))
        .await
        .expect("answer");
    assert_eq!(code(&r), -32004, "{r}");
    let mut tampered = seal(&key, 1, 3, PING).expect("seal");
    tampered.replace_range(tampered.len() - 6..tampered.len() - 2, "AAAA");
    let r = app.ipc("main", &tampered).await.expect("answer");
    assert_eq!(code(&r), -32004, "{r}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "nothing refused ran");

    // A newer message in the same session still works.
    let r = app
        .ipc("main", &seal(&key, 1, 4, PING).expect("seal"))
        .await
        .expect("answer");
    assert_eq!(r["result"], "pong", "{r}");

    // A new webview gets a new key: the old one's messages are dead.
    let window = app.handle().window("main").expect("window");
    window.close().await.expect("closes");
    window.show().await.expect("re-opens");
    let (new_key, _) = latest_frame(&app);
    assert_ne!(new_key, key);
    let r = app
        .ipc("main", &seal(&key, 2, 1, PING).expect("seal"))
        .await
        .expect("answer");
    assert_eq!(code(&r), -32004, "{r}");
    let r = app
        .ipc("main", &seal(&new_key, 1, 1, PING).expect("seal"))
        .await
        .expect("answer");
    assert_eq!(r["result"], "pong", "{r}");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[actix::test]
async fn without_isolation_windows_get_no_frame() {
    let app = TestApp::start(
        App::builder()
            .window(Window::new("main"))
            .capability(CAP)
            .command("t.ping", |(): (), _: CallContext| async {
                Ok::<_, RpcError>("pong")
            }),
    )
    .await
    .expect("starts");
    let r = app.ipc("main", PING).await.expect("answer");
    assert_eq!(r["result"], "pong", "{r}");
    assert!(app.ui_requests().iter().any(|r| matches!(
        r,
        UiRequest::CreateWindow {
            isolation: None,
            ..
        }
    )));
}
