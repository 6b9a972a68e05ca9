//! The IPC bridge with a real WebKitGTK page under Xvfb: the window opens
//! from a tray click over D-Bus, the page runs every JSON-RPC case, events
//! both ways, large payloads, and reports back; Destroy ends the web process.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::screen::Shot;
use support::{eventually, launch_with_tray, App, WithTray};

const T: Duration = Duration::from_secs(60);

fn code(v: &Value) -> i64 {
    v["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no code in {v}"))
}

#[test]
fn page_invokes_commands_events_and_errors_end_to_end() {
    let WithTray {
        bus: _bus,
        watcher: _panel,
        mut app,
        tray,
    } = launch_with_tray("ipc_probe", true, T);

    // Lazy: nothing of WebKit runs before the window is first shown.
    assert!(
        app.web_processes().is_empty(),
        "web process before first show"
    );

    tray.click("Open probe");
    let report = app
        .wait_line("PROBE_REPORT", T)
        .expect("the page reported back");
    let r: Value = serde_json::from_str(&report).expect("report is JSON");
    assert!(r.get("fatal").is_none(), "page failed: {r}");

    assert_eq!(r["label"], "probe");
    assert_eq!(r["echo"], "hi");
    assert_eq!(r["positional"], 5);
    assert_eq!(r["named"], 42);
    assert_eq!(code(&r["unknown"]), -32601);
    assert_eq!(code(&r["bad_params"]), -32602);
    assert!(r["bad_params"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("expected i64"));
    assert_eq!(
        r["app_error"],
        json!({"code": 4004, "message": "no such note", "data": {"id": 7}})
    );
    assert_eq!(code(&r["panic"]), -32603);
    // Denied calls are refused, and the ungranted handler never ran.
    assert_eq!(code(&r["denied"]), -32001);
    assert_eq!(code(&r["builtin_denied"]), -32001);
    assert_eq!(code(&r["denied_event"]), -32001);
    assert_eq!(r["secret_calls"], 0);

    // Raw JSON-RPC: parse error with id null, [] → one -32600 object.
    assert_eq!(r["parse_error"]["id"], Value::Null);
    assert_eq!(code(&r["parse_error"]["error"]), -32700);
    assert_eq!(
        r["parse_error"]["error"]["data"]["kind"], "parse_error",
        "{r}"
    );
    assert!(r["empty_batch"].is_object());
    assert_eq!(code(&r["empty_batch"]["error"]), -32600);
    assert_eq!(
        r["empty_batch"]["error"]["data"]["kind"], "invalid_request",
        "{r}"
    );
    // A mixed batch: an array, no answer for the notification.
    let batch = r["batch"].as_array().expect("batch answered as an array");
    assert_eq!(batch.len(), 4, "{batch:?}");
    let by_id = |id: Value| batch.iter().find(|m| m["id"] == id).cloned();
    assert_eq!(by_id(json!(900)).expect("900")["result"], "a");
    assert_eq!(code(&by_id(json!(901)).expect("901")["error"]), -32601);
    assert_eq!(by_id(json!(902)).expect("902")["result"], 2);
    assert_eq!(
        code(&by_id(Value::Null).expect("invalid member")["error"]),
        -32600
    );
    // A batch of only notifications got nothing: next came 903's answer.
    assert_eq!(r["after_notifications"]["id"], 903);

    // A store change made in Rust reached the watching page 200 times, in
    // order (the probe waits for each value before the next).
    assert!(
        r["store_watch_p50_us"].as_f64().is_some_and(|v| v > 0.0),
        "{r}"
    );

    // 10 MiB both ways.
    assert_eq!(r["big_request"], 10 * 1024 * 1024);
    assert_eq!(r["big_response"], 10 * 1024 * 1024);

    // Events: a 10,000-event burst arrives whole and in order; page → Rust
    // and page → pages (itself included).
    assert_eq!(r["ticks"], 10_000);
    assert_eq!(r["ticks_in_order"], true);
    assert_eq!(
        r["self_event"],
        json!({"event": "page-note", "payload": {"from": "page"}, "source": "probe"})
    );
    assert_eq!(
        r["rust_saw_page_event"],
        json!([{"event": "page-note", "payload": {"from": "page"}, "source": "probe"}])
    );

    // The window shows a rendered page, not a blank one: the page's
    // background and its status box colours are on screen.
    let shot = Shot::take();
    let background = shot.count([0xf4, 0xf1, 0xea]);
    let status_box = shot.count([0x1f, 0x3a, 0x5f]);
    if background < 10_000 || status_box < 1_000 {
        shot.save_ppm(&std::env::temp_dir().join("traykit-ipc-e2e.ppm"));
    }
    assert!(
        background > 10_000,
        "page background not on screen ({background} px)"
    );
    assert!(
        status_box > 1_000,
        "status box not on screen ({status_box} px)"
    );
    assert!(
        shot.distinct_colours() > 20,
        "looks blank: {} colours",
        shot.distinct_colours()
    );

    // Destroy policy: closing ends the web process; reopening starts anew.
    let web = app.web_processes();
    assert!(!web.is_empty(), "no web process while the window is open");
    tray.click("Close probe");
    eventually(T, || app.web_processes().is_empty().then_some(()))
        .expect("web process still alive after Destroy");
    // The last window gone, the webview host and WebKit's network process
    // exit too: nothing of WebKit stays behind.
    eventually(T, || app.descendants().is_empty().then_some(()))
        .unwrap_or_else(|| panic!("left behind after Destroy: {:?}", app.descendants()));
    tray.click("Open probe");
    let again = app
        .wait_line("PROBE_REPORT", T)
        .expect("reopened page reports");
    assert!(again.contains("\"echo\":\"hi\""));
    let reopened = app.web_processes();
    assert!(!reopened.is_empty() && reopened != web, "a new web process");

    // Quit with the window open: the webview host and WebKit go too.
    let descendants: Vec<u32> = app.descendants().into_iter().map(|(pid, _)| pid).collect();
    assert!(
        !descendants.is_empty(),
        "the reopened window has its host and web process"
    );
    tray.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
    assert_eq!(
        App::survivors(&descendants),
        Vec::<u32>::new(),
        "processes left behind"
    );
}

#[test]
fn a_crashed_webview_host_is_replaced_on_the_next_show() {
    let WithTray {
        bus: _bus,
        watcher: _panel,
        mut app,
        tray,
    } = launch_with_tray("ipc_probe", true, T);
    tray.click("Open probe");
    app.wait_line("PROBE_LOADED", T).expect("page loads");

    // The webview host is the app's child running the same executable.
    let host = app
        .descendants()
        .into_iter()
        .find(|(pid, name)| name == "ipc_probe" && support::children_of(app.pid()).contains(pid))
        .map(|(pid, _)| pid)
        .expect("a webview host process");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &host.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    eventually(T, || app.web_processes().is_empty().then_some(()))
        .expect("the crashed host's web process goes");

    // The app survives, and the next show starts a fresh host and page.
    assert!(
        app.child.try_wait().expect("try_wait").is_none(),
        "app died with its host"
    );
    tray.click("Open probe");
    app.wait_line("PROBE_LOADED", T)
        .expect("a new page loads after the crash");
    tray.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
}
