//! Every refusal of a whole message (id null: the core did not read its
//! ids) names the message by the bridge's sequence number, so the page can
//! reject exactly that message's calls instead of leaving them pending.

use std::time::Duration;

use serde_json::{json, Value};
use traykit::ids::WindowLabel;
use traykit::ipc::{IpcLimits, RpcError};
use traykit::isolation::Isolation;
use traykit::prelude::*;
use traykit::test::TestApp;
use traykit::ui::UiEvent;

const CAP: &str = r#"{"identifier":"t","windows":["main"],"methods":["t.*"]}"#;

fn builder() -> traykit::AppBuilder {
    App::builder()
        .window(Window::new("main"))
        .capability(CAP)
        .ipc_limits(IpcLimits::default().max_message_bytes(1024).max_batch(3))
        .command("t.ping", |(): (), _: CallContext| async move {
            Ok::<_, RpcError>("pong")
        })
}

/// Posts `text` as message `seq` of the main window's bridge and returns
/// the id-null refusal the page gets.
async fn refusal(app: &TestApp, seq: u64, event: UiEvent) -> Value {
    app.handle()
        .window("main")
        .expect("declared")
        .show()
        .await
        .expect("opens");
    let before = app.page_messages("main").len();
    app.handle().dispatch(event);
    // `page_messages` reads the UI log, so it is called between waits, not
    // inside the wait's check (which holds that log).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut seen = 0usize;
    loop {
        if let Some(found) = app.page_messages("main")[before..]
            .iter()
            .find(|m| m["id"].is_null() && m["error"]["data"]["message"] == json!(seq))
        {
            return found.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no refusal naming message {seq}: {:?}",
            app.page_messages("main")
        );
        app.wait_for_ui(Duration::from_millis(200), |log| {
            let more = log.len() > seen;
            seen = log.len();
            more
        })
        .await;
    }
}

fn ipc(seq: u64, body: &str) -> UiEvent {
    UiEvent::Ipc {
        window: WindowLabel::new("main").expect("label"),
        url: "traykit://localhost/index.html".into(),
        seq: Some(seq),
        body: body.to_owned(),
    }
}

#[actix::test]
async fn whole_message_refusals_name_the_message() {
    let app = TestApp::start(builder()).await.expect("starts");
    let big = json!({"jsonrpc":"2.0","id":1,"method":"t.ping","params":{"pad":"x".repeat(2000)}});
    let r = refusal(&app, 11, ipc(11, &big.to_string())).await;
    assert_eq!(r["error"]["code"], -32002, "{r}");
    // The kind and the message's number share `data`.
    assert_eq!(
        r["error"]["data"],
        json!({"kind": "too_large", "message": 11}),
        "{r}"
    );

    let batch: Vec<Value> = (1..=4)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"t.ping"}))
        .collect();
    let r = refusal(&app, 12, ipc(12, &Value::Array(batch).to_string())).await;
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "too_large", "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("max_batch"));

    let r = refusal(&app, 13, ipc(13, "{\"jsonrpc\":")).await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert_eq!(
        r["error"]["data"],
        json!({"kind": "parse_error", "message": 13}),
        "{r}"
    );

    // Refused before the actor (the app's pipe reader skipped it unread).
    let r = refusal(
        &app,
        14,
        UiEvent::IpcRefused {
            window: WindowLabel::new("main").expect("label"),
            seq: Some(14),
            error: traykit::ipc::limit_exceeded(
                traykit::ipc::codes::Limit::TooLarge,
                "a message of 5000 bytes is over",
            ),
        },
    )
    .await;
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(
        r["error"]["data"],
        json!({"kind": "too_large", "message": 14}),
        "{r}"
    );

    // The window goes on serving.
    let ok = app
        .ipc("main", r#"{"jsonrpc":"2.0","id":2,"method":"t.ping"}"#)
        .await
        .expect("answer");
    assert_eq!(ok["result"], "pong");
}

#[actix::test]
async fn an_isolation_refusal_names_the_message() {
    let app = TestApp::start(builder().isolation(Isolation::hook(
        "window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;",
    )))
    .await
    .expect("starts");
    let r = refusal(
        &app,
        21,
        ipc(21, r#"{"jsonrpc":"2.0","id":1,"method":"t.ping"}"#),
    )
    .await;
    assert_eq!(r["error"]["code"], -32004, "{r}");
    assert_eq!(
        r["error"]["data"],
        json!({"kind": "isolation", "message": 21}),
        "{r}"
    );
}
