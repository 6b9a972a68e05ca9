//! Single instance and the control CLI, with the desk_helper example: a
//! second launch hands its arguments and directory to the running instance
//! and exits 0; a socket left by a SIGKILLed instance is replaced; `--ctl`
//! calls go through the router and its own capability.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bus::Bus;
use support::desktop::Home;
use support::watcher::Watcher;
use support::{eventually, example, App};

const T: Duration = Duration::from_secs(20);
const ID: &str = "desk-helper";

struct Rig {
    bus: Bus,
    watcher: Watcher,
    home: Home,
}

impl Rig {
    fn new() -> Rig {
        let bus = Bus::start();
        let watcher = Watcher::start(&bus);
        Rig {
            bus,
            watcher,
            home: Home::new(),
        }
    }

    /// Starts desk_helper and waits until it is up (tray on the panel,
    /// setup done).
    fn start(&self, args: &[&str], trays_before: usize) -> App {
        let app = self.home.spawn(
            &example("desk_helper"),
            &self.bus,
            &[&["--no-shortcut"], args].concat(),
        );
        let items = self.watcher.wait_items(trays_before + 1, T);
        assert_eq!(
            items.len(),
            trays_before + 1,
            "desk_helper did not register its tray"
        );
        app.wait_line("ready:", T).expect("desk_helper ready");
        app
    }

    fn launch(&self, args: &[&str]) -> std::process::Output {
        self.home
            .run(&example("desk_helper"), Some(&self.bus), args)
    }

    fn ctl(&self, args: &[&str]) -> (Option<i32>, Value, String) {
        let out = self
            .home
            .run(&example("desk_helper"), None, &[&["--ctl"], args].concat());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let reply = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
        (
            out.status.code(),
            reply,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[test]
fn a_second_launch_hands_over_and_exits() {
    let rig = Rig::new();
    let mut first = rig.start(&[], 0);

    // The socket is private: directory 0700, socket 0600.
    let socket = rig.home.socket(ID);
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(socket.parent().expect("dir")), 0o700);
    assert_eq!(mode(&socket), 0o600);

    let started = Instant::now();
    let second = rig.launch(&["hello", "two words", "--flag"]);
    let handoff = started.elapsed();
    assert_eq!(
        second.status.code(),
        Some(0),
        "second launch must exit 0; stderr: {}",
        String::from_utf8_lossy(&second.stderr)
    );
    let line = first
        .wait_line("second-instance:", T)
        .expect("the first instance got the second launch");
    let got: Value = serde_json::from_str(&line).expect("json");
    assert_eq!(
        got,
        json!({"args": ["hello", "two words", "--flag"], "cwd": rig.home.data.0})
    );
    println!("second launch → exit 0 in {handoff:?} (process start, hand-off, reply)");
    // The second launch never put a tray on the panel.
    assert_eq!(
        rig.watcher.wait_items(2, Duration::from_millis(500)).len(),
        1
    );

    // Still the one instance afterwards, and it quits cleanly.
    first.signal("TERM");
    assert_eq!(first.wait_exit(T), Some(0));
    assert!(!socket.exists(), "a clean exit removes the socket");
}

#[test]
fn a_socket_left_by_a_killed_instance_is_replaced() {
    let rig = Rig::new();
    let mut first = rig.start(&[], 0);
    let socket = rig.home.socket(ID);
    first.signal("KILL");
    assert!(first.wait_exit(T).is_some());
    assert!(socket.exists(), "SIGKILL leaves the socket behind");
    // Nobody listens on it now, and --ctl says so at once.
    assert!(std::os::unix::net::UnixStream::connect(&socket).is_err());
    let started = Instant::now();
    let (code, _, stderr) = rig.ctl(&["app.info"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no running instance"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no connection retries"
    );

    // The next launch becomes primary (its own tray), not a hand-off into
    // the void.
    let mut next = rig.start(&[], 0);
    let second = rig.launch(&["again"]);
    assert_eq!(second.status.code(), Some(0));
    let line = next
        .wait_line("second-instance:", T)
        .expect("new primary serves");
    assert_eq!(
        serde_json::from_str::<Value>(&line).expect("json")["args"],
        json!(["again"])
    );
    next.signal("TERM");
    assert_eq!(next.wait_exit(T), Some(0));
}

#[test]
fn ctl_calls_go_through_the_router_and_their_own_capability() {
    let rig = Rig::new();

    // Nothing running: a clear message, exit 2.
    let (code, _, stderr) = rig.ctl(&["app.info"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no running instance"), "{stderr}");

    let mut app = rig.start(&[], 0);
    let (code, reply, stderr) = rig.ctl(&["app.info"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reply["result"], json!({"name": "Desk helper"}));

    // Not granted to ctl (and an unknown name): refused before lookup, and
    // the app keeps running.
    for method in ["app.quit", "no.such.method"] {
        let (code, reply, _) = rig.ctl(&[method]);
        assert_eq!(code, Some(1), "{method}");
        assert_eq!(reply["error"]["code"], json!(-32001), "{method}: {reply}");
        assert_eq!(
            reply["error"]["data"]["kind"], "forbidden",
            "{method}: {reply}"
        );
    }
    assert_eq!(
        app.wait_exit(Duration::from_millis(300)),
        None,
        "app.quit was refused"
    );

    // Params: key=value pairs; invalid params are the router's -32602.
    let (code, reply, _) = rig.ctl(&["log.write", "level=loud", "message=x"]);
    assert_eq!((code, &reply["error"]["code"]), (Some(1), &json!(-32602)));
    assert_eq!(reply["error"]["data"]["kind"], "invalid_params", "{reply}");

    // Store calls are checked against the ctl capability's own `stores`
    // (store `desk`, keys `ctl.…`), not a page capability's.
    let (code, reply, stderr) = rig.ctl(&["store.set", "store=desk", "key=ctl.n", "value=7"]);
    assert_eq!(
        (code, &reply["result"]),
        (Some(0), &Value::Null),
        "{reply} {stderr}"
    );
    let (code, reply, _) = rig.ctl(&["store.get", "store=desk", "key=ctl.n"]);
    assert_eq!((code, &reply["result"]), (Some(0), &json!(7)), "{reply}");
    for key in ["key=other", "key=ctl"] {
        let (code, reply, _) = rig.ctl(&["store.get", "store=desk", key]);
        assert_eq!(code, Some(1), "{key}");
        assert_eq!(reply["error"]["code"], json!(-32001), "{key}: {reply}");
    }

    // A granted call with an effect: window.open opens a real window.
    assert!(app.web_processes().is_empty());
    let (code, reply, stderr) = rig.ctl(&["window.open", "label=settings"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reply["result"], Value::Null);
    eventually(T, || (!app.web_processes().is_empty()).then_some(()))
        .expect("window.open started a webview");

    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));
}

#[test]
fn a_socket_directory_others_can_enter_is_refused() {
    let rig = Rig::new();
    let dir = rig.home.runtime.0.join(ID);
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = rig.launch(&[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not safe") && stderr.contains("mode 755"),
        "{stderr}"
    );
    assert!(!dir.join("instance.sock").exists());

    // A symlink planted in its place is refused too.
    std::fs::remove_dir(&dir).expect("rmdir");
    let elsewhere = support::bus::TempDir::new("elsewhere");
    std::os::unix::fs::symlink(&elsewhere.0, &dir).expect("symlink");
    let out = rig.launch(&[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a directory (a symlink?)"), "{stderr}");
    assert!(std::fs::read_dir(&elsewhere.0)
        .expect("dir")
        .next()
        .is_none());
}
