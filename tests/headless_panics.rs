//! Caught handler panics are logged once each, rate-limited, as a `tracing`
//! error naming the method — not also as the default panic report, whose
//! backtrace per panic made 8,250 caught panics write 105 MB to stderr under
//! `RUST_BACKTRACE=1`.

use std::process::Command;

use serde_json::{json, Value};
use traykit::prelude::*;
use traykit::test::TestApp;

const CHILD: &str = "TRAYKIT_PANIC_CHILD";
const PANICS: usize = 1000;
const CAP: &str = r#"{"identifier":"t","windows":["main"],"methods":["t.*"]}"#;

#[test]
fn caught_handler_panics_are_logged_once_without_a_report() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    // The hook is per process and the log goes to stderr: a process of its
    // own (this test binary, re-run as the child).
    let out = Command::new(std::env::current_exe().expect("test exe"))
        .args([
            "--exact",
            "caught_handler_panics_are_logged_once_without_a_report",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LOG", "info")
        .output()
        .expect("child runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{stderr:.4000}"
    );
    assert!(
        stdout.contains(&format!("answered {PANICS} panics")),
        "{stdout}"
    );
    assert!(
        stderr.contains("t.boom"),
        "the method is logged: {stderr:.2000}"
    );
    assert!(
        stderr.contains("boom in a handler"),
        "and the panic message"
    );
    // A panic outside a handler still gets the default report (the hook
    // chains to the one before it).
    assert!(stderr.contains("outside a handler"), "{stderr:.2000}");
    assert!(
        out.stderr.len() < 100_000,
        "{} bytes of stderr for {PANICS} caught panics:\n{stderr:.4000}",
        out.stderr.len()
    );
}

fn child() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let answered = actix::System::new().block_on(async {
        let app = TestApp::start(
            App::builder()
                .window(Window::new("main"))
                .capability(CAP)
                .command("t.boom", |(): (), _: CallContext| async move {
                    if std::hint::black_box(true) {
                        panic!("boom in a handler");
                    }
                    Ok::<_, RpcError>(())
                }),
        )
        .await
        .expect("starts");
        let mut answered = 0;
        for round in 0..PANICS / 100 {
            let batch: Vec<Value> = (0..100)
                .map(|i| json!({"jsonrpc":"2.0","id":round * 100 + i,"method":"t.boom"}))
                .collect();
            let r = app
                .ipc("main", &Value::Array(batch).to_string())
                .await
                .expect("answer");
            answered += r
                .as_array()
                .expect("batch answer")
                .iter()
                .filter(|m| {
                    m["error"]["code"] == -32603 && m["error"]["data"]["kind"] == "internal_error"
                })
                .count();
        }
        answered
    });
    let outside = std::panic::catch_unwind(|| panic!("outside a handler"));
    assert!(outside.is_err());
    println!("answered {answered} panics");
}
