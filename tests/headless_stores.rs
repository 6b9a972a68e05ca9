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
