//! The desktop-integration parts of the actor graph, without a display:
//! pages using autostart and the log through their capability, the log's
//! caps and rate limit, `--hidden`, second launches and deep links as
//! messages, shortcuts without a backend.

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use traykit::desktop::{PageLogLimits, SecondInstance, ShortcutError};
use traykit::prelude::*;
use traykit::test::TestApp;
use traykit::ui::UiRequest;

const CAP: &str =
    r#"{"identifier":"s","windows":["settings"],"methods":["autostart.*","log.write"]}"#;

fn call(method: &str, params: Value) -> String {
    json!({"jsonrpc":"2.0","id":1,"method":method,"params":params}).to_string()
}

struct Dir(std::path::PathBuf);
impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("traykit-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Dir(p)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[actix::test]
async fn pages_switch_autostart_through_their_capability() {
    let dir = Dir::new("autostart-headless");
    let app = TestApp::start(
        App::builder()
            .name("Head less")
            .autostart_dir(&dir.0)
            .window(Window::new("settings"))
            .window(Window::new("other"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    assert_eq!(app.handle().id(), "head-less");
    let entry = dir.0.join("head-less.desktop");
    let result = |v: Option<Value>| v.expect("answer")["result"].clone();

    assert_eq!(
        result(
            app.ipc("settings", &call("autostart.is_enabled", json!({})))
                .await
        ),
        json!(false)
    );
    assert_eq!(
        result(
            app.ipc("settings", &call("autostart.enable", json!({})))
                .await
        ),
        Value::Null
    );
    let text = std::fs::read_to_string(&entry).expect("entry written");
    let exe = std::env::current_exe().expect("exe");
    assert!(
        text.contains(&format!("\nExec={} --hidden\n", exe.display())),
        "{text}"
    );
    assert_eq!(
        result(
            app.ipc("settings", &call("autostart.is_enabled", json!({})))
                .await
        ),
        json!(true)
    );
    assert!(app
        .handle()
        .autostart()
        .is_enabled()
        .expect("rust side agrees"));
    assert_eq!(
        result(
            app.ipc("settings", &call("autostart.disable", json!({})))
                .await
        ),
        Value::Null
    );
    assert!(!entry.exists());

    // A window no capability grants it to learns nothing and changes nothing.
    let denied = app
        .ipc("other", &call("autostart.enable", json!({})))
        .await
        .expect("answer");
    assert_eq!(denied["error"]["code"], json!(-32001));
    assert_eq!(denied["error"]["data"]["kind"], "forbidden", "{denied}");
    assert!(!entry.exists());
}

/// Collects formatted log output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

#[actix::test]
async fn page_logs_reach_tracing_capped_and_rate_limited() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // The actix test runs on this thread: a thread-local subscriber sees the
    // handlers' events.
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::start(
        App::builder()
            .window(Window::new("settings"))
            .capability(CAP)
            .page_log_limits(
                PageLogLimits::default()
                    .rate(0.001, 3.0)
                    .max_message_bytes(10),
            ),
    )
    .await
    .expect("starts");
    let ok = app
        .ipc(
            "settings",
            &call(
                "log.write",
                json!({"level":"warn","message":"hello page","fields":{"n":1}}),
            ),
        )
        .await
        .expect("answer");
    assert_eq!(ok["result"], Value::Null, "{ok}");
    let long = app
        .ipc(
            "settings",
            &call(
                "log.write",
                json!({"level":"error","message":"0123456789abcdef"}),
            ),
        )
        .await
        .expect("answer");
    assert_eq!(long["result"], Value::Null);
    let bad = app
        .ipc(
            "settings",
            &call("log.write", json!({"level":"loud","message":"x"})),
        )
        .await
        .expect("answer");
    assert_eq!(bad["error"]["code"], json!(-32602), "unknown level");
    assert_eq!(bad["error"]["data"]["kind"], "invalid_params", "{bad}");
    app.ipc(
        "settings",
        &call("log.write", json!({"level":"info","message":"third"})),
    )
    .await
    .expect("answer");
    let limited = app
        .ipc(
            "settings",
            &call("log.write", json!({"level":"info","message":"fourth"})),
        )
        .await
        .expect("answer");
    assert_eq!(limited["error"]["code"], json!(-32002), "{limited}");
    assert_eq!(
        limited["error"]["data"]["kind"], "rate_limited",
        "{limited}"
    );

    let text = captured.text();
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
            .to_owned()
    };
    let hello = line("hello page");
    assert!(
        hello.contains("WARN") && hello.contains("traykit::page"),
        "{hello}"
    );
    assert!(
        hello.contains("window=\"settings\"") || hello.contains("window=settings"),
        "{hello}"
    );
    assert!(hello.contains(r#"fields={"n":1}"#), "{hello}");
    let cut = line("0123456789");
    assert!(
        cut.contains("ERROR") && !cut.contains("0123456789a") && cut.contains("truncated=true"),
        "{cut}"
    );
    assert!(!text.contains("fourth"), "a limited line is not written");
}

#[actix::test]
async fn page_log_text_cannot_forge_log_lines() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::start(
        App::builder()
            .window(Window::new("settings"))
            .capability(CAP),
    )
    .await
    .expect("starts");
    let forged =
        "benign\n2026-12-01T09:00:00.000000Z ERROR traykit::runtime: FORGED\r\u{1b}[2K\u{9b}";
    let reply = app
        .ipc(
            "settings",
            &call(
                "log.write",
                json!({"level":"info","message":forged,"fields":{"k":"v\u{85}\u{2028}FORGED2"}}),
            ),
        )
        .await
        .expect("answer");
    assert_eq!(reply["result"], Value::Null, "{reply}");
    let text = captured.text();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("FORGED")).collect();
    assert_eq!(lines.len(), 1, "one page call, one log line: {text:?}");
    let line = lines[0];
    assert!(
        line.contains("traykit::page") && line.contains("benign\\n2026"),
        "{line}"
    );
    assert!(line.contains("FORGED2"), "fields on the same line: {line}");
    assert!(
        !line
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
        "{line:?}"
    );
}

#[actix::test]
async fn started_hidden_keeps_visible_on_start_windows_hidden() {
    for hidden in [true, false] {
        let app = TestApp::start(
            App::builder()
                .started_hidden(hidden)
                .window(Window::new("welcome").visible_on_start(true)),
        )
        .await
        .expect("starts");
        assert_eq!(app.handle().started_hidden(), hidden);
        let created = app
            .ui_requests()
            .iter()
            .any(|r| matches!(r, UiRequest::CreateWindow { visible: true, .. }));
        assert_eq!(created, !hidden, "hidden={hidden}");
    }
}

#[actix::test]
async fn second_launches_and_their_links_arrive_as_messages() {
    let (tx, rx) = mpsc::channel::<String>();
    let (tx2, tx3) = (Mutex::new(tx.clone()), Mutex::new(tx));
    let app = TestApp::start(
        App::builder()
            .deep_link_scheme("myapp")
            .on_second_instance(move |_, s| {
                let _ = tx2.lock().expect("lock").send(format!(
                    "second {:?} {}",
                    s.args,
                    s.cwd.display()
                ));
            })
            .on_deep_link(move |_, l| {
                let _ = tx3.lock().expect("lock").send(format!("link {}", l.url));
            }),
    )
    .await
    .expect("starts");
    app.handle()
        .runtime()
        .deliver_second_instance(SecondInstance {
            args: vec!["--x".into(), "myapp://a/b".into(), "other://c".into()],
            cwd: "/tmp".into(),
        });
    let mut got = Vec::new();
    for _ in 0..2 {
        let rx = &rx;
        // Callbacks run on this thread's actors: yield until they do.
        let mut tries = 0;
        let line = loop {
            if let Ok(l) = rx.try_recv() {
                break l;
            }
            tries += 1;
            assert!(tries < 1000, "no message within 5 s; got {got:?}");
            actix::clock::sleep(Duration::from_millis(5)).await;
        };
        got.push(line);
    }
    assert_eq!(
        got,
        [
            r#"second ["--x", "myapp://a/b", "other://c"] /tmp"#,
            "link myapp://a/b"
        ]
    );
}

#[actix::test]
async fn shortcuts_without_a_backend_say_so() {
    let app = TestApp::start(App::builder()).await.expect("starts");
    let err = app
        .handle()
        .register_shortcut("x", "ctrl+KeyK")
        .await
        .expect_err("no backend headless");
    assert!(matches!(err, ShortcutError::Unsupported(_)), "{err}");
}
