//! A compromised page in a real WebKitGTK webview, with the isolation pattern
//! on, next to a legitimate window (examples/hostile_page). Every attack is
//! refused with the right JSON-RPC error, nothing ungranted runs, and the
//! legitimate window keeps being served throughout. A page from another
//! origin (served here on loopback) gets nothing either.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use support::bus::Bus;
use support::{example, App};

const T: Duration = Duration::from_secs(60);

fn code(v: &Value) -> i64 {
    v["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no code in {v}"))
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or("")
}

const REMOTE_PAGE: &str = r#"<!doctype html><html><body><script>
(async () => {
  const out = {};
  const raw = [];
  window.__TRAYKIT__.onMessage((m) => raw.push(m));
  const timeout = new Promise((r) => setTimeout(() => r({ timeout: true }), 5000));
  out.invoke = await Promise.race([
    window.__TRAYKIT__.invoke('hostile.echo', { from: 'remote' }).then((ok) => ({ ok }), (e) => ({ code: e.code, message: e.message })),
    timeout,
  ]);
  window.__TRAYKIT__.post(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'hostile.echo' }));
  for (let i = 0; i < 200 && !raw.flat().some((m) => m && m.id === null); i++) await new Promise((r) => setTimeout(r, 10));
  out.bypass = (raw.flat().find((m) => m && m.id === null) || {}).error || 'timeout';
  await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
})();
</script></body></html>"#;

/// A page server on 127.0.0.1: serves the remote page and hands what the
/// page POSTs to `/result` to the test.
fn serve_remote_page() -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!(
        "http://{}/remote.html",
        listener.local_addr().expect("addr")
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let reply = if request_line.starts_with("POST /result") {
                if let Ok(v) = serde_json::from_slice(&body) {
                    let _ = tx.send(v);
                }
                String::new()
            } else {
                REMOTE_PAGE.to_owned()
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, rx)
}

/// A folder for `--assets-dir`, with a secret next to it and symlinks in
/// it leading inside and out.
struct AssetsDir(std::path::PathBuf);

impl AssetsDir {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("traykit-hostile-{}", std::process::id()));
        std::fs::remove_dir_all(&root).ok();
        let served = root.join("served");
        std::fs::create_dir_all(&served).expect("dir");
        std::fs::write(root.join("secret.txt"), "SECRET").expect("write");
        std::fs::write(served.join("ok.txt"), "ok").expect("write");
        for (target, name) in [
            ("ok.txt", "inside.txt"),
            ("../secret.txt", "out.txt"),
            ("..", "up"),
        ] {
            std::os::unix::fs::symlink(target, served.join(name)).expect("symlink");
        }
        Self(root)
    }
}

impl Drop for AssetsDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

#[test]
fn a_hostile_page_is_refused_everything_and_the_legit_window_keeps_working() {
    let bus = Bus::start();
    let (remote_url, remote_results) = serve_remote_page();
    let dir = AssetsDir::new();
    let served = dir.0.join("served");
    let mut app = App::spawn_piped(
        &example("hostile_page"),
        &bus,
        &[
            "--remote-url",
            &remote_url,
            "--assets-dir",
            served.to_str().expect("utf-8 temp dir"),
        ],
    );
    let report = app
        .wait_line("HOSTILE_REPORT", T)
        .expect("the hostile page reported");
    let r: Value = serde_json::from_str(&report).expect("report is JSON");
    assert!(r.get("fatal").is_none(), "the page failed: {r}");

    // Nothing ungranted ran, whatever the route.
    assert_eq!(r["secret_calls"], 0, "{r}");
    assert_eq!(r["hook_blocked_calls"], 0, "{r}");

    // The isolation frame is in place, and its document (and key) is out of
    // the page's reach.
    assert_eq!(r["frame_mounted"], true);
    assert_eq!(r["frame_readable"], false);
    assert_eq!(r["frame_fetch"], "blocked");

    // Ungranted methods: app commands, built-ins, another window.
    for key in ["ungranted", "ungranted_builtin", "other_window"] {
        assert_eq!(code(&r[key]), -32001, "{key}: {r}");
    }
    // Forged ids: not an id at all, or another window's kind of id (which
    // only comes back to this page, refused).
    assert_eq!(code(&r["forged_object_id"]), -32600, "{r}");
    assert_eq!(r["forged_string_id"]["id"], "legit:1");
    assert_eq!(code(&r["forged_string_id"]["error"]), -32001, "{r}");
    // Oversized, deeply nested, a long batch.
    assert_eq!(code(&r["oversized"]), -32002, "{r}");
    assert!(message(&r["oversized"]).contains("max_message_bytes"));
    assert_eq!(code(&r["deep"]), -32700, "{r}");
    assert!(message(&r["deep"]).contains("recursion limit"));
    assert_eq!(code(&r["long_batch"]), -32002, "{r}");
    assert!(message(&r["long_batch"]).contains("max_batch"));
    // Floods: at most max_in_flight (16) run at once; past the rate, calls
    // are refused rather than queued.
    assert_eq!(r["in_flight"], json!({"ok": 16, "refused": 24}), "{r}");
    assert_eq!(
        r["rate"]["replies"], 270,
        "every flooded call was answered: {r}"
    );
    assert!(r["rate"]["refused"].as_u64().unwrap_or(0) > 0, "{r}");
    // Prototype pollution goes nowhere: "__proto__" stays a plain key.
    assert_eq!(
        r["proto"],
        json!({"global_polluted": false, "result_inherits": false,
               "result_prototype_is_object": true, "result_keeps_key": true}),
        "{r}"
    );
    // Around the frame, replayed, tampered: refused by the core.
    assert_eq!(code(&r["bypass"]), -32004, "{r}");
    assert_eq!(r["bypass"]["data"]["kind"], "isolation", "{r}");
    assert_eq!(code(&r["bypass_secret"]), -32004, "{r}");
    assert_eq!(r["captured"], true);
    assert_eq!(code(&r["replay"]), -32004, "{r}");
    assert!(message(&r["replay"]).contains("replayed"), "{r}");
    assert_eq!(code(&r["tampered"]), -32004, "{r}");
    // The app's hook vetoes and rewrites.
    assert_eq!(code(&r["hook_blocked"]), -32005, "{r}");
    assert_eq!(r["hook_blocked"]["data"]["kind"], "rejected_by_hook", "{r}");
    assert_eq!(r["hook_rewrite"], json!({"a": 1, "checked_by_hook": true}));
    // CSP: the page's inline script is allowed by its hash; injected
    // scripts and eval are not.
    assert_eq!(r["inline_ran"], true);
    assert_eq!(r["injected_ran"], false);
    assert_eq!(r["eval_ran"], false);
    // SVG and XHTML documents get the policy too (their inline scripts are
    // not hashed: they do not run).
    assert_eq!(
        r["svg_script"],
        json!({"loaded": "svg", "ran": false}),
        "{r}"
    );
    assert_eq!(
        r["xhtml_script"],
        json!({"loaded": "html", "ran": false}),
        "{r}"
    );
    // A frame nested in the page cannot use an isolation frame of its own
    // (issue 12, item 9): the frame's CSP (`frame-ancestors`) and its
    // runtime refuse; the page's own second mount, timed alike, works.
    assert_eq!(r["top_mount_ready"], true, "{r}");
    for key in ["nested_sandboxed", "nested_same_origin"] {
        assert_eq!(
            r[key],
            json!({"ready": false, "sealed": false}),
            "{key}: {r}"
        );
    }
    assert_eq!(r["nested_calls"], 0, "{r}");
    // A folder on disk: nothing outside it, however spelled (issue 12,
    // item 2); a symlink inside to a file inside is fine.
    let dir_results = &r["dir"];
    for ok in ["/ok.txt", "/inside.txt"] {
        assert_eq!(
            dir_results[ok],
            json!({"status": 200, "leaked": false, "body": "ok"}),
            "{ok}: {r}"
        );
    }
    let refused: Vec<_> = dir_results
        .as_object()
        .expect("dir results")
        .iter()
        .filter(|(p, _)| !matches!(p.as_str(), "/ok.txt" | "/inside.txt"))
        .collect();
    assert_eq!(refused.len(), 9, "{r}");
    for (path, got) in refused {
        assert_eq!(got["leaked"], false, "{path}: {r}");
        assert_eq!(got["status"], 404, "{path}: {r}");
    }
    // An invoke of an oversized message rejects with the core's refusal.
    assert_eq!(code(&r["oversized_invoke"]), -32002, "{r}");
    assert!(
        message(&r["oversized_invoke"]).contains("max_message_bytes"),
        "{r}"
    );
    // The worst message under these limits is refused while it is read,
    // and a flood of 200 × 900 KB is answered message by message, each
    // refused, none queued whole.
    assert_eq!(code(&r["worst_batch"]), -32002, "{r}");
    assert!(message(&r["worst_batch"]).contains("max_batch"), "{r}");
    assert_eq!(r["flood"]["answered"], 200, "{r}");
    let refused =
        r["flood"]["limit"].as_u64().unwrap_or(0) + r["flood"]["isolation"].as_u64().unwrap_or(0);
    assert_eq!(refused, 200, "every flooded message refused: {r}");
    // What the app process held at its peak during the attack: the queues
    // are bounded in bytes (32 MiB backlog by default), so 180 MB of
    // posted text never lands in its memory at once.
    let before = r["memory"]["hwm_before_kb"].as_u64().unwrap_or(0);
    let after = r["memory"]["hwm_after_kb"].as_u64().unwrap_or(u64::MAX);
    println!(
        "app peak RSS: {before} KiB before the attack, {after} KiB after (+{} KiB); legit round trips: {}",
        after.saturating_sub(before),
        r["legit_rtt_ms"]
    );
    assert!(before > 0, "VmHWM read: {r}");
    assert!(
        after.saturating_sub(before) < 96 * 1024,
        "peak RSS grew by {} KiB during the attack: {r}",
        after.saturating_sub(before)
    );
    // The legit window was measured before and during the attack.
    assert!(
        r["legit_rtt_ms"]["idle"]["count"].as_u64().unwrap_or(0) >= 10,
        "{r}"
    );
    assert!(
        r["legit_rtt_ms"]["attack"]["count"].as_u64().unwrap_or(0) >= 10,
        "{r}"
    );
    // And the hostile page itself is still served.
    assert_eq!(r["after"]["ok"]["still"], "here", "{r}");

    // The legitimate window was served all along, and still is.
    let pongs_at_report: u64 = app
        .wait_line("LEGIT_PONG", T)
        .and_then(|n| n.parse().ok())
        .expect("legit pings");
    assert!(
        pongs_at_report > 20,
        "legit window starved: {pongs_at_report} pongs"
    );
    let mut later = 0u64;
    for _ in 0..50 {
        later = app
            .wait_line("LEGIT_PONG", T)
            .and_then(|n| n.parse().ok())
            .expect("more pongs");
    }
    assert!(later >= pongs_at_report + 49);

    // A page from another origin: no capability admits it.
    let remote = remote_results
        .recv_timeout(T)
        .expect("the remote page reported");
    assert_eq!(code(&remote["invoke"]), -32001, "{remote}");
    assert!(message(&remote["invoke"]).contains("remote"), "{remote}");
    assert_eq!(code(&remote["bypass"]), -32004, "{remote}");

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}
