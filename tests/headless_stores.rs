//! Stores through the app: opened on first use under the data directory,
//! declared options honoured, flushed at shutdown.

use std::time::Duration;

use traykit::prelude::*;
use traykit::store::StoreError;
use traykit::test::TestApp;
use traykit::ui::UiRequest;

fn temp(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("traykit-hs-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[actix::test]
async fn stores_open_on_first_use_and_persist() {
    let dir = temp("persist");
    let app = TestApp::start(App::builder().data_dir(&dir))
        .await
        .expect("starts");
    let settings = app.handle().store("settings").expect("opens");
    settings.set("volume", &7).await.expect("set");
    let again = app.handle().store("settings").expect("same store");
    assert_eq!(again.get::<i32>("volume").await, Ok(Some(7)));
    assert!(dir.join("stores/settings.json").exists());
    assert!(matches!(
        app.handle().store("../evil"),
        Err(StoreError::BadName(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix::test]
async fn debounced_stores_are_flushed_at_shutdown() {
    let dir = temp("shutdown");
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .store(StoreOptions::new("cache").debounce(Duration::from_secs(3600))),
    )
    .await
    .expect("starts");
    let cache = app.handle().store("cache").expect("opens");
    cache.set("a", &1).await.expect("queued");
    let file = dir.join("stores/cache.json");
    assert!(!file.exists(), "debounced: not written yet");
    app.handle().quit();
    assert!(
        app.wait_for_ui(Duration::from_secs(5), |r| r
            .contains(&UiRequest::Exit { code: 0 }))
            .await
    );
    let (_, data) =
        traykit::store::parse(&std::fs::read(&file).expect("written at shutdown")).expect("loads");
    assert_eq!(data.get("a"), Some(&serde_json::json!(1)));
    let _ = std::fs::remove_dir_all(&dir);
}

const CAP: &str = r#"{
  "identifier": "settings",
  "windows": ["a", "b"],
  "methods": ["store.*"],
  "stores": [{"store": "settings", "prefix": "ui."}]
}"#;

#[actix::test]
async fn two_windows_watching_a_key_see_every_change_once_in_order() {
    let dir = temp("sync");
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("a"))
            .window(Window::new("b"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    for w in ["a", "b"] {
        let r = app
            .ipc(w, r#"{"jsonrpc":"2.0","id":1,"method":"event.listen","params":{"event":"store.changed"}}"#)
            .await
            .expect("answer");
        assert_eq!(r["result"], serde_json::Value::Null, "{r}");
        let r = app
            .ipc(w, r#"{"jsonrpc":"2.0","id":2,"method":"store.watch","params":{"store":"settings","prefix":"ui."}}"#)
            .await
            .expect("answer");
        assert_eq!(r["result"], serde_json::Value::Null, "{r}");
    }
    // Window a writes, Rust writes, window b writes.
    let r = app
        .ipc("a", r#"{"jsonrpc":"2.0","id":3,"method":"store.set","params":{"store":"settings","key":"ui.theme","value":"dark"}}"#)
        .await
        .expect("answer");
    assert_eq!(r["result"], serde_json::Value::Null, "{r}");
    let settings = app.handle().store("settings").expect("store");
    settings.set("ui.theme", &"light").await.expect("set");
    app.ipc("b", r#"{"jsonrpc":"2.0","id":4,"method":"store.set","params":{"store":"settings","key":"ui.size","value":14}}"#)
        .await
        .expect("answer");
    settings
        .set("secret", &1)
        .await
        .expect("outside the watched prefix");
    let want = vec![
        serde_json::json!({"store":"settings","key":"ui.theme","value":"dark"}),
        serde_json::json!({"store":"settings","key":"ui.theme","value":"light"}),
        serde_json::json!({"store":"settings","key":"ui.size","value":14}),
    ];
    for w in ["a", "b"] {
        let seen = app
            .wait_for_page_events(w, "store.changed", 3, Duration::from_secs(5))
            .await;
        assert_eq!(seen, want, "window {w}");
    }
    // Keys outside the grant are refused, and not listed.
    let denied = app
        .ipc("a", r#"{"jsonrpc":"2.0","id":5,"method":"store.get","params":{"store":"settings","key":"secret"}}"#)
        .await
        .expect("answer");
    assert_eq!(denied["error"]["code"], -32001);
    let keys = app
        .ipc(
            "a",
            r#"{"jsonrpc":"2.0","id":6,"method":"store.keys","params":{"store":"settings"}}"#,
        )
        .await
        .expect("answer");
    assert_eq!(keys["result"], serde_json::json!(["ui.size", "ui.theme"]));
    let get = app
        .ipc("b", r#"{"jsonrpc":"2.0","id":7,"method":"store.get","params":{"store":"settings","key":"ui.theme"}}"#)
        .await
        .expect("answer");
    assert_eq!(get["result"], "light");
    let _ = std::fs::remove_dir_all(&dir);
}
