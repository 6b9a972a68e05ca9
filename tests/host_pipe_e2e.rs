//! The webview host's edges in a real WebKitGTK page (examples/frame_probe):
//! the app prints to stdout before `run()` and windows still work; no
//! sub-frame (same-origin, cross-origin on loopback, sandboxed) reaches a
//! handler while the main page does; refused messages settle their calls,
//! with and without the isolation pattern; a released host that hangs is
//! killed after its deadline.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::{json, Value};
use support::bus::Bus;
use support::{eventually, example, App};

const T: Duration = Duration::from_secs(60);

const FRAME_JS: &str = include_str!("../examples/frame_probe/frame.js");

/// Serves the cross-origin frame's page on 127.0.0.1 (any path).
fn serve_cross_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/cross.html", listener.local_addr().expect("addr"));
    let page = format!("<!doctype html><html><body><script>{FRAME_JS}</script></body></html>");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            // The request line and headers, up to the blank line.
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line == "\r\n" || line == "\n" {
                    break;
                }
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    url
}

fn code(v: &Value) -> i64 {
    v["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no code in {v}"))
}

/// The probe as started: the app, the pids that printed the prelude from
/// `main` (the app's, then the webview host's), and the page's report.
struct Probe {
    app: App,
    preludes: Vec<u32>,
    report: Value,
}

fn run_probe(bus: &Bus, isolation: bool) -> Probe {
    let cross = serve_cross_page();
    let mut args = vec!["--cross", cross.as_str()];
    if isolation {
        args.push("--isolation");
    }
    let app = App::spawn_piped(&example("frame_probe"), bus, &args);
    // Both print before the page can report: the host runs `main` first.
    let preludes = (0..2)
        .map(|_| {
            app.wait_line("FRAME_PROBE_PRELUDE", T)
                .and_then(|pid| pid.parse().ok())
                .expect("a prelude line")
        })
        .collect();
    let report = app
        .wait_line("FRAME_REPORT", T)
        .expect("the probe page reported");
    let report: Value = serde_json::from_str(&report).expect("report is JSON");
    assert!(report.get("fatal").is_none(), "the page failed: {report}");
    Probe {
        app,
        preludes,
        report,
    }
}

fn check_refusals_settle(r: &Value) {
    // A 300 KB invoke over the 64 KiB limit rejects (not a timeout).
    assert_eq!(code(&r["oversized"]), -32002, "{r}");
    let m = r["oversized"]["message"].as_str().unwrap_or("");
    assert!(m.contains("max_message_bytes"), "{r}");
    // Every call of a batch over max_batch rejects with the batch refusal.
    let batch = r["long_batch"].as_array().expect("batch outcomes");
    assert_eq!(batch.len(), 12);
    for call in batch {
        assert_eq!(code(call), -32002, "{r}");
        assert!(
            call["message"].as_str().unwrap_or("").contains("max_batch"),
            "{r}"
        );
    }
    // A raw post's refusal names its message.
    assert_eq!(r["parse"]["message_seq"], r["parse"]["seq"], "{r}");
    assert_eq!(r["after"], json!({"ok": {"still": "here"}}), "{r}");
}

#[test]
fn sub_frames_never_reach_a_handler_and_refused_messages_settle() {
    let bus = Bus::start();
    let Probe {
        mut app,
        preludes,
        report: r,
    } = run_probe(&bus, false);

    // main() printed to stdout before run() in the app and in the webview
    // host, whose stdout is the app's own: and yet the window opened and the
    // report came through IPC (the protocol has pipes of its own).
    assert_eq!(preludes[0], app.pid());
    assert!(
        support::children_of(app.pid()).contains(&preludes[1]),
        "the second prelude is the host's: {preludes:?}"
    );

    // The main page's bridge works; nothing else reached the handler: not
    // the main page posting around its bridge, not any frame by any route.
    assert_eq!(r["main_call"], json!({"ok": true}), "{r}");
    assert_eq!(r["hits"], json!({"main": 1}), "{r}");
    assert_eq!(r["frames_reported"], true, "{r}");
    for kind in ["same", "sandboxed_same", "cross", "sandboxed_cross"] {
        let tried = r["frames"][kind]
            .as_array()
            .unwrap_or_else(|| panic!("{kind} did not report: {r}"));
        // Each frame got its posts off to the handler, and none has a
        // bridge (it is injected into the main frame only).
        assert!(tried.contains(&json!("handler")), "{kind}: {r}");
        assert!(tried.contains(&json!("guess")), "{kind}: {r}");
        assert!(!tried.contains(&json!("bridge")), "{kind}: {r}");
    }
    check_refusals_settle(&r);
    assert_eq!(code(&r["parse"]), -32700, "{r}");

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}

#[test]
fn with_isolation_refused_sealed_messages_settle_too() {
    let bus = Bus::start();
    let Probe {
        mut app, report: r, ..
    } = run_probe(&bus, true);
    assert_eq!(r["isolated"], true);
    assert_eq!(r["hits"], json!({"main": 1}), "{r}");
    check_refusals_settle(&r);
    // Raw text is not sealed: the core refuses it, naming the message.
    assert_eq!(code(&r["parse"]), -32004, "{r}");
    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z")
        })
        .unwrap_or(false)
}

#[test]
fn a_released_host_that_hangs_is_killed_after_its_deadline() {
    let bus = Bus::start();
    let Probe {
        mut app, preludes, ..
    } = run_probe(&bus, false);
    let host = preludes[1];
    assert!(support::children_of(app.pid()).contains(&host));
    // A host that will never exit on its own: stopped.
    let stop = std::process::Command::new("kill")
        .args(["-STOP", &host.to_string()])
        .status()
        .expect("kill");
    assert!(stop.success());
    // Closing the last window releases the host (closes its request pipe).
    app.signal("USR1");
    eventually(T, || (!alive(host)).then_some(()))
        .unwrap_or_else(|| panic!("the released, hung host {host} still runs"));
    // The app lives on, and the window's close was answered.
    assert!(app.wait_line("FRAME_CLOSED", T).is_some());
    assert!(app.child.try_wait().expect("try_wait").is_none());
    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}
