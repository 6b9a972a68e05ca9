//! IPC limits: every breach gets a -32002 naming the limit; nothing over a
//! limit reaches a handler, and the window keeps serving afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use traykit::ipc::IpcLimits;
use traykit::prelude::*;
use traykit::test::TestApp;

const CAP: &str = r#"{"identifier":"t","windows":["main"],"methods":["t.*"]}"#;

fn app(limits: IpcLimits, calls: Arc<AtomicUsize>) -> traykit::AppBuilder {
    App::builder()
        .window(Window::new("main"))
        .capability(CAP)
        .ipc_limits(limits)
        .command("t.ping", move |(): (), _: CallContext| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, RpcError>("pong")
            }
        })
        .command("t.slow", |(): (), _: CallContext| async move {
            actix::clock::sleep(Duration::from_millis(300)).await;
            Ok::<_, RpcError>("done")
        })
}

fn req(id: u64, method: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method})
}

#[actix::test]
async fn oversized_messages_and_long_batches_are_refused() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::start(app(
        IpcLimits::default().max_message_bytes(1024).max_batch(3),
        calls.clone(),
    ))
    .await
    .expect("starts");
    let big = json!({"jsonrpc":"2.0","id":1,"method":"t.ping","params":{"pad":"x".repeat(2000)}});
    let r = app.ipc("main", &big.to_string()).await.expect("answer");
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "too_large", "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("max_message_bytes"));
    let batch: Vec<Value> = (1..=4).map(|i| req(i, "t.ping")).collect();
    let r = app
        .ipc("main", &Value::Array(batch).to_string())
        .await
        .expect("answer");
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "too_large", "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("max_batch"));
    assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing over a limit ran");
    // Within the limits, the window still serves.
    let r = app
        .ipc("main", &req(9, "t.ping").to_string())
        .await
        .expect("answer");
    assert_eq!(r["result"], "pong");
}

#[actix::test]
async fn requests_beyond_the_in_flight_limit_are_refused_not_queued() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::start(app(IpcLimits::default().max_in_flight(2), calls))
        .await
        .expect("starts");
    let batch: Vec<Value> = (1..=3).map(|i| req(i, "t.slow")).collect();
    let r = app
        .ipc("main", &Value::Array(batch).to_string())
        .await
        .expect("answer");
    let r = r.as_array().expect("batch answer");
    let codes: Vec<Value> = r.iter().map(|m| m["error"]["code"].clone()).collect();
    assert_eq!(r.len(), 3);
    assert_eq!(
        codes.iter().filter(|c| **c == json!(-32002)).count(),
        1,
        "{r:?}"
    );
    assert_eq!(
        r.iter().filter(|m| m["result"] == "done").count(),
        2,
        "{r:?}"
    );
    assert_eq!(
        r.iter()
            .filter(|m| m["error"]["data"]["kind"] == "backlog_full")
            .count(),
        1,
        "{r:?}"
    );
}

#[actix::test]
async fn a_flooding_page_is_rate_limited() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::start(app(IpcLimits::default().rate(1.0, 5.0), calls.clone()))
        .await
        .expect("starts");
    let batch: Vec<Value> = (1..=8).map(|i| req(i, "t.ping")).collect();
    let r = app
        .ipc("main", &Value::Array(batch).to_string())
        .await
        .expect("answer");
    let r = r.as_array().expect("batch answer");
    let ok = r.iter().filter(|m| m["result"] == "pong").count();
    let limited = r
        .iter()
        .filter(|m| {
            m["error"]["code"] == json!(-32002) && m["error"]["data"]["kind"] == "rate_limited"
        })
        .count();
    assert_eq!((ok, limited), (5, 3), "{r:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

const TWO: &str = r#"{"identifier":"t","windows":["main","other"],"methods":["t.*"]}"#;

#[derive(serde::Deserialize)]
struct Data {
    data: String,
}

fn two_windows(limits: IpcLimits) -> traykit::AppBuilder {
    App::builder()
        .window(Window::new("main"))
        .window(Window::new("other"))
        .capability(TWO)
        .ipc_limits(limits)
        .command("t.ping", |(): (), _: CallContext| async move {
            Ok::<_, RpcError>("pong")
        })
        .command("t.len", |d: Data, _: CallContext| async move {
            Ok::<_, RpcError>(d.data.len())
        })
}

/// Posts `text` as `window`'s page without waiting for anything: the router
/// runs, the actor has not yet (the test holds its thread).
fn post(app: &TestApp, window: &str, text: String) {
    app.handle().dispatch(traykit::ui::UiEvent::Ipc {
        window: traykit::ids::WindowLabel::new(window).expect("label"),
        url: format!("{}/index.html", traykit::window::APP_ORIGIN),
        seq: None,
        body: text,
    });
}

/// Waits (on UI traffic, not time) until `window`'s page got `n` messages.
async fn messages(app: &TestApp, window: &str, n: usize) -> Vec<Value> {
    loop {
        let got = app.page_messages(window);
        if got.len() >= n {
            return got;
        }
        let seen = app.ui_requests().len();
        if !app
            .wait_for_ui(Duration::from_secs(10), |reqs| reqs.len() > seen)
            .await
        {
            return app.page_messages(window);
        }
    }
}

/// Refusals of a queue limit (`data.kind` `backlog_full`) naming `limit`.
fn limited(messages: &[Value], limit: &str) -> usize {
    messages
        .iter()
        .filter(|m| {
            m["error"]["code"] == -32002
                && m["error"]["data"]["kind"] == "backlog_full"
                && m["error"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains(limit))
        })
        .count()
}

#[actix::test]
async fn a_flood_of_big_messages_is_refused_and_other_windows_still_answer() {
    let app = TestApp::start(two_windows(
        IpcLimits::default().max_queued(10_000, 1024 * 1024),
    ))
    .await
    .expect("starts");
    for window in ["main", "other"] {
        let r = app.ipc(window, &req(0, "t.ping").to_string()).await;
        assert_eq!(r.expect("answer")["result"], "pong");
    }
    let pad = "x".repeat(256 * 1024);
    let flood = 40;
    for id in 1..=flood {
        let msg = json!({"jsonrpc":"2.0","id":id,"method":"t.len","params":{"data":pad}});
        post(&app, "main", msg.to_string());
    }
    // The router refused what would not fit before queueing it.
    let main = app.handle().window("main").expect("main");
    let backlog = main.backlog();
    let (queued, bytes) = backlog.counts();
    assert!(queued < flood, "{queued} of {flood} queued");
    assert!(bytes <= 1024 * 1024, "{bytes} bytes queued");
    // Another window is its own queue: it answers meanwhile.
    let r = app.ipc("other", &req(7, "t.ping").to_string()).await;
    assert_eq!(r.expect("answer")["result"], "pong");
    // Every flood message is answered: its length, or -32002 naming the
    // limit.
    let got = messages(&app, "main", 1 + flood).await;
    assert_eq!(got.len(), 1 + flood, "{got:?}");
    let ok = got
        .iter()
        .filter(|m| m["result"] == json!(256 * 1024))
        .count();
    let refused = limited(&got, "max_queued_bytes");
    assert!(ok >= 1 && refused >= 1, "ok {ok}, refused {refused}");
    assert_eq!(ok + refused, flood);
    // The accounting returns to zero once the page is idle.
    assert_eq!(backlog.counts(), (0, 0));
    let r = app.ipc("main", &req(99, "t.ping").to_string()).await;
    assert_eq!(r.expect("answer")["result"], "pong");
}

#[actix::test]
async fn a_flood_of_small_messages_is_refused_by_count() {
    let app = TestApp::start(two_windows(IpcLimits::default().max_queued(3, 1 << 30)))
        .await
        .expect("starts");
    let r = app.ipc("main", &req(0, "t.ping").to_string()).await;
    assert_eq!(r.expect("answer")["result"], "pong");
    for id in 1..=10 {
        post(&app, "main", req(id, "t.ping").to_string());
    }
    let got = messages(&app, "main", 11).await;
    let ok = got.iter().filter(|m| m["result"] == "pong").count();
    let refused = limited(&got, "max_queued_messages");
    assert_eq!((ok, refused), (1 + 3, 7), "{got:?}");
    let main = app.handle().window("main").expect("main");
    let backlog = main.backlog();
    assert_eq!(backlog.counts(), (0, 0));
}

#[actix::test]
async fn the_byte_rate_counts_bytes_not_calls() {
    let app = TestApp::start(two_windows(
        IpcLimits::default().byte_rate(1.0, 1024.0 * 1024.0),
    ))
    .await
    .expect("starts");
    let msg =
        json!({"jsonrpc":"2.0","id":1,"method":"t.len","params":{"data":"x".repeat(600 * 1024)}})
            .to_string();
    let r = app.ipc("main", &msg).await.expect("answer");
    assert_eq!(r["result"], 600 * 1024);
    let r = app.ipc("main", &msg).await.expect("answer");
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "rate_limited", "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .is_some_and(|s| s.contains("byte_rate")));
    // The other window's bucket is its own.
    let r = app.ipc("other", &msg).await.expect("answer");
    assert_eq!(r["result"], 600 * 1024);
}
