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
        .filter(|m| m["error"]["code"] == json!(-32002))
        .count();
    assert_eq!((ok, limited), (5, 3), "{r:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}
