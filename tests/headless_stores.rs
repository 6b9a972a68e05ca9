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

#[actix::test]
async fn store_keys_checks_the_grant_before_opening_the_store() {
    let dir = temp("keys-grant");
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("a"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    for (id, params) in [
        (1, r#"{"store":"other"}"#),
        (2, r#"{"store":"other","prefix":"ui."}"#),
        (3, r#"{"store":"settings","prefix":"secret"}"#),
    ] {
        let r = app
            .ipc(
                "a",
                &format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":"store.keys","params":{params}}}"#
                ),
            )
            .await
            .expect("answer");
        assert_eq!(r["error"]["code"], -32001, "{params}: {r}");
    }
    let stores = dir.join("stores");
    for file in ["other.json", "other.json.lock"] {
        assert!(
            !stores.join(file).exists(),
            "{file}: not opened, not created"
        );
    }
    // A prefix narrower or wider than the grant's still lists what it covers.
    app.handle()
        .store("settings")
        .expect("store")
        .set("ui.theme", &"dark")
        .await
        .expect("set");
    for params in [
        r#"{"store":"settings"}"#,
        r#"{"store":"settings","prefix":"ui.t"}"#,
    ] {
        let r = app
            .ipc(
                "a",
                &format!(r#"{{"jsonrpc":"2.0","id":4,"method":"store.keys","params":{params}}}"#),
            )
            .await
            .expect("answer");
        assert_eq!(
            r["result"],
            serde_json::json!(["ui.theme"]),
            "{params}: {r}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix::test]
async fn a_page_over_the_store_quota_gets_a_limit_error_and_nothing_changes() {
    let dir = temp("quota");
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("a"))
            .capability(CAP)
            .store(StoreOptions::new("settings").max_bytes(1024)),
    )
    .await
    .expect("starts");
    let set = |id: u32, value: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"store.set","params":{{"store":"settings","key":"ui.note","value":"{value}"}}}}"#
        )
    };
    let r = app.ipc("a", &set(1, "short")).await.expect("answer");
    assert_eq!(r["result"], serde_json::Value::Null, "{r}");
    let r = app
        .ipc("a", &set(2, &"x".repeat(2000)))
        .await
        .expect("answer");
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "quota_exceeded", "{r}");
    let long_key = format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"store.set","params":{{"store":"settings","key":"ui.{}","value":1}}}}"#,
        "k".repeat(traykit::store::MAX_KEY_BYTES)
    );
    let r = app.ipc("a", &long_key).await.expect("answer");
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["kind"], "key_too_long", "{r}");
    let r = app
        .ipc("a", r#"{"jsonrpc":"2.0","id":4,"method":"store.get","params":{"store":"settings","key":"ui.note"}}"#)
        .await
        .expect("answer");
    assert_eq!(r["result"], "short", "unchanged: {r}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn migrated_options() -> StoreOptions {
    StoreOptions::new("prefs")
        .version(2)
        .migrate(1, |mut data| {
            data["migrated"] = serde_json::json!(true);
            Ok(data)
        })
}

#[actix::test]
async fn declared_options_survive_a_failed_open() {
    let dir = temp("retry-open");
    let file = dir.join("stores/prefs.json");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
    std::fs::write(&file, br#"{"version":1,"data":{"#).expect("corrupt");
    let app = TestApp::start(App::builder().data_dir(&dir).store(migrated_options()))
        .await
        .expect("starts");
    assert!(matches!(
        app.handle().store("prefs"),
        Err(StoreError::Corrupt { .. })
    ));
    // The user repairs the file; the retry runs the declared migration.
    std::fs::write(&file, br#"{"version":1,"data":{"a":1}}"#).expect("repair");
    let prefs = app.handle().store("prefs").expect("opens now");
    assert_eq!(prefs.get::<bool>("migrated").await, Ok(Some(true)));
    let (version, _) = traykit::store::parse(&std::fs::read(&file).expect("read")).expect("loads");
    assert_eq!(version, 2, "written back at the declared version");
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix::test]
async fn a_panicking_migration_fails_store_calls_without_killing_the_window() {
    let dir = temp("panic-migration");
    let file = dir.join("stores/settings.json");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
    std::fs::write(&file, br#"{"version":1,"data":{"ui.a":1}}"#).expect("v1");
    let app = TestApp::start(
        App::builder()
            .data_dir(&dir)
            .window(Window::new("a"))
            .capability(CAP)
            .store(
                StoreOptions::new("settings")
                    .version(2)
                    .migrate(1, |_| panic!("bad migration")),
            ),
    )
    .await
    .expect("starts");
    let watch = r#"{"jsonrpc":"2.0","id":1,"method":"store.watch","params":{"store":"settings","prefix":"ui."}}"#;
    let get = r#"{"jsonrpc":"2.0","id":2,"method":"store.get","params":{"store":"settings","key":"ui.a"}}"#;
    for request in [watch, get, watch] {
        let r = app
            .ipc("a", request)
            .await
            .expect("the window still answers");
        assert_eq!(r["error"]["code"], -32030, "{r}");
        assert_eq!(r["error"]["data"]["kind"], "migration", "{r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("panicked: bad migration")),
            "{r}"
        );
    }
    // Rust callers get the same error; the file was not touched.
    assert!(matches!(
        app.handle().store("settings"),
        Err(StoreError::Migration { from: 1, .. })
    ));
    assert_eq!(
        std::fs::read(&file).expect("read"),
        br#"{"version":1,"data":{"ui.a":1}}"#
    );
    let r = app
        .ipc("a", r#"{"jsonrpc":"2.0","id":3,"method":"window.label"}"#)
        .await;
    assert!(r.is_some(), "the window actor is alive");
    let _ = std::fs::remove_dir_all(&dir);
}
