//! What a compromised page may not do with the grants it has, without a
//! display: receive store values through `store.watch` without the method
//! grant, forge traykit's own events with a broad `events` grant, grow its
//! listen and watch sets without bound, or declare windows (and so pick
//! their capability) that its capability does not list in `open`.

use std::time::Duration;

use serde_json::{json, Value};
use traykit::prelude::*;
use traykit::test::TestApp;

const T: Duration = Duration::from_secs(5);

fn temp(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("traykit-hg-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn call(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":method,"params":params})
}

fn code(reply: &Value) -> Value {
    reply["error"]["code"].clone()
}

#[actix::test]
async fn store_watch_needs_the_method_grant_as_well_as_the_store_grant() {
    let dir = temp("watch");
    // `spy` has the store grant but no `store.*` method: it is refused
    // `store.get`, and must be refused `store.watch` too.
    const SPY: &str = r#"{"identifier":"spy","windows":["spy"],"stores":[{"store":"notes"}]}"#;
    const OK: &str = r#"{"identifier":"ok","windows":["ok"],"methods":["store.watch","store.unwatch"],"stores":[{"store":"notes"}]}"#;
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("spy"))
            .window(Window::new("ok"))
            .capability(SPY)
            .capability(OK),
    )
    .await
    .expect("starts");
    let listen = call(1, "event.listen", json!({"event": "store.changed"}));
    let watch = call(2, "store.watch", json!({"store": "notes"}));
    for w in ["spy", "ok"] {
        let reply = app.ipc(w, &listen.to_string()).await.expect("answer");
        assert_eq!(reply["result"], Value::Null, "{w}: {reply}");
    }
    let get = call(3, "store.get", json!({"store": "notes", "key": "k"}));
    let refused = app.ipc("spy", &get.to_string()).await.expect("answer");
    assert_eq!(code(&refused), json!(-32001), "{refused}");
    assert_eq!(refused["error"]["data"]["kind"], "forbidden", "{refused}");
    let refused = app.ipc("spy", &watch.to_string()).await.expect("answer");
    assert_eq!(code(&refused), json!(-32001), "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("store.watch")),
        "{refused}"
    );
    let granted = app.ipc("ok", &watch.to_string()).await.expect("answer");
    assert_eq!(granted["result"], Value::Null, "{granted}");

    let notes = app.handle().store("notes").expect("opens");
    notes.set("k", &"secret").await.expect("set");
    let seen = app.wait_for_page_events("ok", "store.changed", 1, T).await;
    assert_eq!(seen.len(), 1, "the granted window sees the change");
    // The spy's actor is subscribed to nothing, so nothing can be on its way.
    assert!(app.page_events("spy", "store.changed").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix::test]
async fn a_page_holds_at_most_256_store_watches() {
    let dir = temp("bound");
    const CAP: &str =
        r#"{"identifier":"w","windows":["w"],"methods":["store.*"],"stores":[{"store":"notes"}]}"#;
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("w"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    let batch: Vec<Value> = (0..=256)
        .map(|i| {
            call(
                i,
                "store.watch",
                json!({"store": "notes", "prefix": format!("p{i}.")}),
            )
        })
        .collect();
    let replies = app
        .ipc("w", &Value::Array(batch).to_string())
        .await
        .expect("answer");
    let replies = replies.as_array().expect("a batch reply");
    assert_eq!(replies.len(), 257);
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.get("error").is_some())
        .collect();
    assert_eq!(refused.len(), 1, "only the 257th: {refused:?}");
    assert_eq!(refused[0]["id"], json!(256));
    assert_eq!(code(refused[0]), json!(-32002));
    assert_eq!(refused[0]["error"]["data"]["kind"], "too_many");
    // At the bound, watching again what is watched already still works.
    let again = call(1, "store.watch", json!({"store": "notes", "prefix": "p0."}));
    let reply = app.ipc("w", &again.to_string()).await.expect("answer");
    assert_eq!(reply["result"], Value::Null, "{reply}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix::test]
async fn pages_cannot_emit_core_events_even_with_every_event_granted() {
    const CAP: &str = r#"{"identifier":"all","windows":["evil","victim"],"events":["*"]}"#;
    let app = TestApp::start(
        App::builder()
            .window(Window::new("evil"))
            .window(Window::new("victim"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    let core = [
        "store.changed",
        "updater://available",
        "updater://installed",
        "traykit.anything",
        "tauri://focus",
    ];
    for event in core.iter().chain(["mine"].iter()) {
        let listen = call(1, "event.listen", json!({"event": event}));
        let reply = app
            .ipc("victim", &listen.to_string())
            .await
            .expect("answer");
        assert_eq!(
            reply["result"],
            Value::Null,
            "pages may listen to {event}: {reply}"
        );
    }
    for event in core {
        for (method, params) in [
            (
                "event.emit",
                json!({"event": event, "payload": {"store":"s","key":"k","value":1}}),
            ),
            (
                "event.emit_to",
                json!({"event": event, "target": "victim", "payload": 1}),
            ),
        ] {
            let reply = app
                .ipc("evil", &call(2, method, params).to_string())
                .await
                .expect("answer");
            assert_eq!(code(&reply), json!(-32001), "{method} {event}: {reply}");
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("reserved")),
                "{reply}"
            );
        }
    }
    // An app event still goes through, and is the only thing that arrives.
    let ok = call(3, "event.emit", json!({"event": "mine", "payload": 1}));
    let reply = app.ipc("evil", &ok.to_string()).await.expect("answer");
    assert_eq!(reply["result"], Value::Null, "{reply}");
    assert_eq!(
        app.wait_for_page_events("victim", "mine", 1, T).await.len(),
        1
    );
    for event in core {
        assert!(
            app.page_events("victim", event).is_empty(),
            "{event} forged"
        );
    }
    // Rust may emit them.
    app.handle()
        .emit("updater://available", json!({"version": "2.0.0"}));
    let seen = app
        .wait_for_page_events("victim", "updater://available", 1, T)
        .await;
    assert_eq!(seen, [json!({"version": "2.0.0"})]);
}

#[actix::test]
async fn a_page_listens_to_at_most_256_event_names() {
    const CAP: &str = r#"{"identifier":"all","windows":["w"],"events":["*"]}"#;
    let app = TestApp::start(App::builder().window(Window::new("w")).capability(CAP))
        .await
        .expect("starts");
    let batch: Vec<Value> = (0..=256)
        .map(|i| call(i, "event.listen", json!({"event": format!("e{i}")})))
        .collect();
    let replies = app
        .ipc("w", &Value::Array(batch).to_string())
        .await
        .expect("answer");
    let replies = replies.as_array().expect("a batch reply");
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.get("error").is_some())
        .collect();
    assert_eq!(refused.len(), 1, "only the 257th: {refused:?}");
    assert_eq!(refused[0]["id"], json!(256));
    assert_eq!(code(refused[0]), json!(-32002));
    assert_eq!(refused[0]["error"]["data"]["kind"], "too_many");
    // Unlistening makes room again.
    let unlisten = call(1, "event.unlisten", json!({"event": "e0"}));
    let listen = call(2, "event.listen", json!({"event": "e256"}));
    let replies = app
        .ipc("w", &json!([unlisten, listen]).to_string())
        .await
        .expect("answer");
    assert!(
        replies
            .as_array()
            .is_some_and(|r| r.iter().all(|r| r["result"] == Value::Null)),
        "{replies}"
    );
}

#[actix::test]
async fn window_open_declares_only_labels_listed_in_open_and_at_most_16() {
    const CAP: &str = r#"{"identifier":"p","windows":["main","popup-*"],"methods":["window.*"],"open":["popup-*"]}"#;
    // A broader capability for `admin`: a page must not get it by opening
    // a window of that label with a URL of its choosing.
    const ADMIN: &str =
        r#"{"identifier":"admin","windows":["admin"],"methods":["*"],"stores":[{"store":"*"}]}"#;
    let app = TestApp::start(
        App::builder()
            .window(Window::new("main"))
            .window(Window::new("settings"))
            .capability(CAP)
            .capability(ADMIN),
    )
    .await
    .expect("starts");
    let open = |id: u64, label: &str| {
        call(
            id,
            "window.open",
            json!({"label": label, "url": "data:text/html,<script>evil()</script>"}),
        )
        .to_string()
    };
    let refused = app.ipc("main", &open(1, "admin")).await.expect("answer");
    assert_eq!(code(&refused), json!(-32001), "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("open")),
        "{refused}"
    );
    assert!(app.handle().window("admin").is_err(), "nothing declared");
    // A declared window is only shown (its own URL): the method is enough.
    let shown = app.ipc("main", &open(2, "settings")).await.expect("answer");
    assert_eq!(shown["result"], Value::Null, "{shown}");
    let (spec, _) = app
        .handle()
        .window("settings")
        .expect("declared")
        .state()
        .await
        .expect("state");
    assert!(!spec.url.starts_with("data:"), "{}", spec.url);

    for i in 0..16 {
        let reply = app
            .ipc("main", &open(10 + i, &format!("popup-{i}")))
            .await
            .expect("answer");
        assert_eq!(reply["result"], Value::Null, "popup-{i}: {reply}");
    }
    let over = app
        .ipc("main", &open(99, "popup-16"))
        .await
        .expect("answer");
    assert_eq!(code(&over), json!(-32002), "{over}");
    assert_eq!(over["error"]["data"]["kind"], "too_many", "{over}");
    assert!(app.handle().window("popup-16").is_err());
    // Re-opening one that exists is still a show.
    let again = app
        .ipc("main", &open(100, "popup-3"))
        .await
        .expect("answer");
    assert_eq!(again["result"], Value::Null, "{again}");
}
