//! The updater inside an app, without a display: pages call `updater.*`
//! within their capabilities and hear `updater://…` events, Rust
//! subscribers get every `UpdateEvent`, against a real feed on 127.0.0.1.
//! (Nothing is installed here: that would replace the test binary; the
//! install paths run in tests/updater_e2e.rs.)

#[path = "updater/server.rs"]
mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;
use serde_json::{json, Value};
use traykit::prelude::*;
use traykit::test::TestApp;
use traykit_updater::release::{self, ManifestRequest};
use traykit_updater::{UpdateEvent, UpdaterConfig, UpdaterExt};

const T: Duration = Duration::from_secs(10);

struct Temp(std::path::PathBuf);

impl Temp {
    fn new(tag: &str) -> Temp {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!("tk-hu-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp");
        Temp(p)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn keys_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/updater/keys")
}

/// A feed offering 2.0.0 (a small stand-in artifact: only checked here).
fn feed() -> (Temp, server::FeedServer) {
    feed_with(&[("stable", "2.0.0", None)])
}

/// A feed with `(channel, version, rollout)` releases.
fn feed_with(releases: &[(&str, &str, Option<u8>)]) -> (Temp, server::FeedServer) {
    let dir = Temp::new("feed");
    let artifact = dir.0.join("app");
    std::fs::write(&artifact, b"v2 bytes").expect("artifact");
    let server = server::FeedServer::start(dir.0.clone());
    let stored = std::fs::read_to_string(keys_dir().join("updater.key")).expect("key");
    let password = std::fs::read_to_string(keys_dir().join("password")).expect("pw");
    let sk = release::unlock_secret_key(&stored, password.trim()).expect("unlock");
    for (channel, version, rollout) in releases {
        release::write_manifest(
            &ManifestRequest {
                dir: dir.0.clone(),
                base_url: server.url(),
                app_id: "headless-updater".into(),
                version: traykit_updater::semver::Version::parse(version).expect("semver"),
                target: traykit_updater::feed::current_platform(),
                channel: (*channel).into(),
                rollout: *rollout,
                notes: Some("faster".into()),
                artifact: artifact.clone(),
                previous: vec![],
            },
            &sk,
        )
        .expect("publish");
    }
    (dir, server)
}

fn app(url: &str, key: &str, state: &std::path::Path) -> traykit::AppBuilder {
    app_on(url, key, state, "stable")
}

fn app_on(url: &str, key: &str, state: &std::path::Path, channel: &str) -> traykit::AppBuilder {
    App::builder()
        .name("headless updater")
        .updater(
            UpdaterConfig::new("1.0.0", [format!("{url}/latest.json")], key)
                .allow_insecure_loopback(true)
                .manual_only()
                .channel(channel)
                .state_dir(state),
        )
        .window(Window::new("main").url("index.html"))
        .window(Window::new("other").url("index.html"))
        .capability(
            r#"{"identifier":"updates","windows":["main"],"methods":["updater.*"],"events":["updater://*"]}"#,
        )
}

#[derive(Default, Clone)]
struct Seen(Arc<Mutex<Vec<UpdateEvent>>>);

impl Actor for Collector {
    type Context = Context<Self>;
}

struct Collector(Seen);

impl Handler<UpdateEvent> for Collector {
    type Result = ();
    fn handle(&mut self, e: UpdateEvent, _: &mut Context<Self>) {
        self.0 .0.lock().expect("lock").push(e);
    }
}

fn call(id: u64, method: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method}).to_string()
}

/// Posts one call from `window` and returns the response to it. It may
/// come in a later delivery than the first (events are flushed as they
/// happen), so wait for it.
async fn rpc(app: &TestApp, window: &str, id: u64, method: &str) -> Value {
    app.ipc(window, &call(id, method)).await.expect("answered");
    let deadline = std::time::Instant::now() + T;
    loop {
        let found = app
            .page_messages(window)
            .into_iter()
            .flat_map(|m| match m {
                Value::Array(items) => items,
                other => vec![other],
            })
            .find(|m| m["id"] == json!(id));
        if let Some(reply) = found {
            return reply;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no response to {method}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix::test]
async fn pages_check_and_hear_events_within_their_capability() {
    let (_feed, server) = feed();
    let state = Temp::new("state");
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");
    let app = TestApp::start(app(&server.url(), &key, &state.0))
        .await
        .expect("boots");
    let updater = traykit_updater::updater(app.handle()).expect("updater running");
    assert!(!updater.on_trial());
    let seen = Seen::default();
    updater.subscribe(Collector(seen.clone()).start().recipient());

    let listen = json!({"jsonrpc":"2.0","id":1,"method":"event.listen","params":{"event":"updater://available"}});
    app.ipc("main", &listen.to_string())
        .await
        .expect("listen answered");
    let reply = rpc(&app, "main", 2, "updater.check").await;
    assert_eq!(reply["result"]["version"], "2.0.0", "{reply}");
    assert_eq!(reply["result"]["current"], "1.0.0");
    assert_eq!(reply["result"]["notes"], "faster");
    let events = app
        .wait_for_page_events("main", "updater://available", 1, T)
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "available");
    assert_eq!(events[0]["version"], "2.0.0");

    let status = rpc(&app, "main", 3, "updater.status").await;
    assert_eq!(status["result"]["available"], "2.0.0", "{status}");
    assert_eq!(status["result"]["phase"], "idle");
    assert_eq!(status["result"]["channel"], "stable");

    // A window no capability grants `updater.*` learns nothing.
    let denied = rpc(&app, "other", 4, "updater.check").await;
    assert_eq!(denied["error"]["code"], -32001, "{denied}");

    // Restart with nothing installed is refused, with a reason.
    let refused = rpc(&app, "main", 5, "updater.restart").await;
    assert_eq!(
        refused["error"]["data"]["kind"], "nothing_ready",
        "{refused}"
    );

    let kinds: Vec<String> = seen
        .0
        .lock()
        .expect("lock")
        .iter()
        .map(|e| {
            serde_json::to_value(e).expect("json")["type"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(kinds, ["checking", "available"]);
}

#[actix::test]
async fn without_a_public_key_nothing_is_fetched() {
    let (_feed, server) = feed();
    let state = Temp::new("state");
    let app = TestApp::start(app(&server.url(), "", &state.0))
        .await
        .expect("boots");
    let reply = rpc(&app, "main", 1, "updater.check").await;
    assert_eq!(reply["error"]["data"]["kind"], "no_public_key", "{reply}");
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("refusing to update"), "{message}");
    assert!(server.log().is_empty(), "no request without a key");
    let status: Value = rpc(&app, "main", 2, "updater.status").await;
    assert_eq!(status["result"]["phase"], "failed");
}

#[actix::test]
async fn github_releases_work_as_the_source() {
    // A fake GitHub API on 127.0.0.1: the release points at signed assets.
    let dir = Temp::new("gh");
    let server = server::FeedServer::start(dir.0.clone());
    let name = format!(
        "app-{}-{}",
        traykit_updater::feed::current_os(),
        std::env::consts::ARCH
    );
    std::fs::create_dir_all(dir.0.join("repos/acme/app/releases")).expect("dirs");
    std::fs::write(dir.0.join(&name), b"v2").expect("asset");
    let stored = std::fs::read_to_string(keys_dir().join("updater.key")).expect("key");
    let password = std::fs::read_to_string(keys_dir().join("password")).expect("pw");
    let sk = release::unlock_secret_key(&stored, password.trim()).expect("unlock");
    let binding = traykit_updater::signature::Binding {
        app: "gh-app".into(),
        version: traykit_updater::semver::Version::new(2, 0, 0),
        target: traykit_updater::feed::current_platform(),
        from: None,
    };
    release::sign_file(&sk, &dir.0.join(&name), Some(&binding)).expect("sign");
    let asset =
        |n: &str| json!({"name": n, "browser_download_url": format!("{}/{n}", server.url())});
    let latest = json!({"tag_name": "v2.0.0", "body": "From GitHub",
        "assets": [asset(&name), asset(&format!("{name}.sig"))]});
    std::fs::write(
        dir.0.join("repos/acme/app/releases/latest"),
        latest.to_string(),
    )
    .expect("api");

    let state = Temp::new("state");
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");
    let builder = App::builder()
        .updater(
            UpdaterConfig::new("1.0.0", Vec::<String>::new(), &key)
                .app_id("gh-app")
                .allow_insecure_loopback(true)
                .manual_only()
                .state_dir(&state.0)
                .github(
                    traykit_updater::GithubSource::new("acme", "app", "app-{{target}}-{{arch}}")
                        .api_url(&server.url()),
                ),
        )
        .window(Window::new("main").url("index.html"))
        .capability(r#"{"identifier":"u","windows":["main"],"methods":["updater.*"]}"#);
    let app = TestApp::start(builder).await.expect("boots");
    let reply = rpc(&app, "main", 1, "updater.check").await;
    assert_eq!(reply["result"]["version"], "2.0.0", "{reply}");
    assert_eq!(reply["result"]["notes"], "From GitHub");
    assert!(server
        .log()
        .iter()
        .any(|r| r.path == "/repos/acme/app/releases/latest"));
}

#[actix::test]
async fn channels_and_a_closed_rollout() {
    // Stable 2.0.0 is published to 0 % of installs; beta has 2.1.0-beta.1.
    let (_feed, server) =
        feed_with(&[("stable", "2.0.0", Some(0)), ("beta", "2.1.0-beta.1", None)]);
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");

    let state = Temp::new("state");
    let stable = TestApp::start(app_on(&server.url(), &key, &state.0, "stable"))
        .await
        .expect("boots");
    let listen = json!({"jsonrpc":"2.0","id":1,"method":"event.listen","params":{"event":"updater://skipped"}});
    stable
        .ipc("main", &listen.to_string())
        .await
        .expect("listen");
    let reply = rpc(&stable, "main", 2, "updater.check").await;
    assert_eq!(reply["result"], Value::Null, "outside the rollout: {reply}");
    let skipped = stable
        .wait_for_page_events("main", "updater://skipped", 1, T)
        .await;
    assert_eq!(skipped[0]["version"], "2.0.0");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("0% rollout"),
        "{skipped:?}"
    );

    let state = Temp::new("state");
    let beta = TestApp::start(app_on(&server.url(), &key, &state.0, "beta"))
        .await
        .expect("boots");
    let reply = rpc(&beta, "main", 1, "updater.check").await;
    assert_eq!(reply["result"]["version"], "2.1.0-beta.1", "{reply}");
}

#[actix::test]
async fn plain_http_is_refused_unless_the_app_opts_in_for_loopback() {
    let (_feed, server) = feed();
    let state = Temp::new("state");
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");
    let builder = App::builder()
        .name("headless updater")
        .updater(
            UpdaterConfig::new("1.0.0", [format!("{}/latest.json", server.url())], &key)
                .manual_only()
                .state_dir(&state.0),
        )
        .window(Window::new("main").url("index.html"))
        .capability(r#"{"identifier":"u","windows":["main"],"methods":["updater.*"]}"#);
    let app = TestApp::start(builder).await.expect("boots");
    let reply = rpc(&app, "main", 1, "updater.check").await;
    assert_eq!(reply["error"]["data"]["kind"], "insecure", "{reply}");
    assert!(server.log().is_empty(), "nothing requested over plain http");
}

/// The feed is not signed, the artifact is: a feed that relabels a signed
/// build as another version is refused at the check, before any download,
/// because the signature says which version it is.
#[actix::test]
async fn a_feed_that_relabels_a_signed_build_is_refused() {
    let (feed_dir, server) = feed();
    let path = feed_dir.0.join("latest.json");
    let text = std::fs::read_to_string(&path).expect("feed");
    let relabelled = text.replacen("\"version\": \"2.0.0\"", "\"version\": \"9.0.0\"", 1);
    assert_ne!(text, relabelled);
    std::fs::write(&path, relabelled).expect("relabel");
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");
    let state = Temp::new("state");
    let app = TestApp::start(app(&server.url(), &key, &state.0))
        .await
        .expect("boots");
    let reply = rpc(&app, "main", 1, "updater.check").await;
    assert_eq!(
        reply["error"]["data"]["kind"], "signature_mismatch",
        "{reply}"
    );
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("`2.0.0`, not `9.0.0`"), "{message}");
    let reply = rpc(&app, "main", 2, "updater.install").await;
    assert_eq!(
        reply["error"]["data"]["kind"], "signature_mismatch",
        "{reply}"
    );
    assert!(
        server.log().iter().all(|r| r.path.ends_with("latest.json")),
        "only the feed was fetched: {:?}",
        server.log()
    );
    // Another app's id (the same key signing two apps) is refused as well.
    let state = Temp::new("state");
    let (_other_feed, other) = feed();
    let builder = App::builder()
        .name("another app")
        .updater(
            UpdaterConfig::new("1.0.0", [format!("{}/latest.json", other.url())], &key)
                .allow_insecure_loopback(true)
                .manual_only()
                .state_dir(&state.0),
        )
        .window(Window::new("main").url("index.html"))
        .capability(r#"{"identifier":"u","windows":["main"],"methods":["updater.*"]}"#);
    let app = TestApp::start(builder).await.expect("boots");
    let reply = rpc(&app, "main", 1, "updater.check").await;
    assert_eq!(
        reply["error"]["data"]["kind"], "signature_mismatch",
        "{reply}"
    );
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("app `headless-updater`"), "{message}");
}

/// A plain Tauri feed (signatures without a binding) works only with
/// `allow_unbound_signatures`.
#[actix::test]
async fn plain_tauri_signatures_need_the_app_to_opt_in() {
    let (feed_dir, server) = feed();
    // Re-sign the published artifact the way `tauri signer sign` does.
    let stored = std::fs::read_to_string(keys_dir().join("updater.key")).expect("key");
    let password = std::fs::read_to_string(keys_dir().join("password")).expect("pw");
    let sk = release::unlock_secret_key(&stored, password.trim()).expect("unlock");
    let path = feed_dir.0.join("latest.json");
    let mut feed: traykit_updater::feed::Feed =
        serde_json::from_slice(&std::fs::read(&path).expect("feed")).expect("json");
    for artifact in feed.stable.platforms.values_mut() {
        let name = artifact.url.rsplit('/').next().expect("name").to_owned();
        artifact.signature = release::sign_file(&sk, &feed_dir.0.join(name), None).expect("sign");
    }
    std::fs::write(&path, serde_json::to_vec(&feed).expect("json")).expect("feed");
    let key = std::fs::read_to_string(keys_dir().join("updater.pub")).expect("pub");
    let state = Temp::new("state");
    let strict = TestApp::start(app(&server.url(), &key, &state.0))
        .await
        .expect("boots");
    let reply = rpc(&strict, "main", 1, "updater.check").await;
    assert_eq!(
        reply["error"]["data"]["kind"], "unbound_signature",
        "{reply}"
    );

    let state = Temp::new("state");
    let builder = App::builder()
        .name("headless updater")
        .updater(
            UpdaterConfig::new("1.0.0", [format!("{}/latest.json", server.url())], &key)
                .allow_insecure_loopback(true)
                .allow_unbound_signatures(true)
                .manual_only()
                .state_dir(&state.0),
        )
        .window(Window::new("main").url("index.html"))
        .capability(r#"{"identifier":"u","windows":["main"],"methods":["updater.*"]}"#);
    let tauri = TestApp::start(builder).await.expect("boots");
    let reply = rpc(&tauri, "main", 1, "updater.check").await;
    assert_eq!(reply["result"]["version"], "2.0.0", "{reply}");
}
