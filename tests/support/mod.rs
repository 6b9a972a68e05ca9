//! The headless desktop the end-to-end tests run in.
//!
//! Each test starts its own `dbus-daemon` (a config with no service
//! directories, so nothing auto-starts) and plays the desktop's parts on it:
//! a StatusNotifierWatcher (the panel), a notification server, and a client
//! that reads and clicks tray menus over `com.canonical.dbusmenu`, as a shell
//! does. Apps are started by the test and stopped by the pid it started.

#![allow(dead_code)] // each test binary uses a different part of the rig

pub mod bus;
pub mod desktop;
pub mod memory;
pub mod notifications;
pub mod screen;
pub mod sni;
pub mod watcher;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// An app started on its own bus with a panel (a watcher) already there,
/// and its one tray as the panel sees it. Bind the fields in this order so
/// the app goes before its bus.
pub struct WithTray {
    pub bus: bus::Bus,
    pub watcher: watcher::Watcher,
    pub app: App,
    pub tray: sni::Item,
}

/// Starts `example` (stdout collected when `piped`) and waits for its tray.
pub fn launch_with_tray(example_name: &str, piped: bool, timeout: Duration) -> WithTray {
    let bus = bus::Bus::start();
    let watcher = watcher::Watcher::start(&bus);
    let binary = example(example_name);
    let app = if piped {
        App::spawn_piped(&binary, &bus, &[])
    } else {
        App::spawn(&binary, &bus, &[])
    };
    let items = watcher.wait_items(1, timeout);
    assert_eq!(items.len(), 1, "{example_name} did not register one tray");
    let tray = sni::Item::new(&bus, items[0].clone());
    WithTray {
        bus,
        watcher,
        app,
        tray,
    }
}

/// Path of a release example (benchmarks; `scripts/bench.sh` builds them).
pub fn release_example(name: &str) -> PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/release/examples")
        .join(name);
    assert!(
        path.exists(),
        "{} missing: run `bash scripts/bench.sh` (it builds the release examples)",
        path.display()
    );
    path
}

/// Path of an example binary built by `cargo test`.
pub fn example(name: &str) -> PathBuf {
    // target/debug/deps/<test> → target/debug/examples/<name>
    let mut path = std::env::current_exe().expect("test exe path");
    path.pop();
    path.pop();
    path.push("examples");
    path.push(name);
    assert!(
        path.exists(),
        "{} is missing: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// A process the test started; killed (by its pid) on drop if still running.
pub struct App {
    pub child: Child,
    /// Lines the app printed on stdout, when started with `spawn_piped`.
    lines: Option<mpsc::Receiver<String>>,
    /// The app's XDG data home, removed with it.
    _data: bus::TempDir,
}

impl App {
    fn command(
        binary: &std::path::Path,
        bus: &bus::Bus,
        args: &[&str],
        data: &bus::TempDir,
    ) -> Command {
        let mut cmd = Command::new(binary);
        cmd.args(args)
            .env("XDG_DATA_HOME", &data.0)
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("NO_AT_BRIDGE", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("RUST_BACKTRACE", "0")
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info,zbus=error".into()),
            )
            .stdin(Stdio::null());
        cmd
    }

    /// Starts `binary` on `bus` (and the X display the suite runs under).
    pub fn spawn(binary: &std::path::Path, bus: &bus::Bus, args: &[&str]) -> App {
        let data = bus::TempDir::new("data");
        let child = Self::command(binary, bus, args, &data)
            .spawn()
            .expect("spawn app");
        App {
            child,
            lines: None,
            _data: data,
        }
    }

    /// Like `spawn`, and collects the app's stdout lines.
    pub fn spawn_piped(binary: &std::path::Path, bus: &bus::Bus, args: &[&str]) -> App {
        let data = bus::TempDir::new("data");
        let cmd = Self::command(binary, bus, args, &data);
        Self::start_piped(cmd, data)
    }

    /// Starts `cmd` (made by `command`, maybe with more environment) with
    /// its stdout lines collected; `data` goes with the app.
    fn start_piped(mut cmd: Command, data: bus::TempDir) -> App {
        let mut child = cmd.stdout(Stdio::piped()).spawn().expect("spawn app");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        App {
            child,
            lines: Some(rx),
            _data: data,
        }
    }

    /// The next stdout line starting with `prefix` (rest of the line), or
    /// `None` after `timeout`.
    pub fn wait_line(&self, prefix: &str, timeout: Duration) -> Option<String> {
        let rx = self.lines.as_ref().expect("started with spawn_piped");
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let line = rx.recv_timeout(left).ok()?;
            if let Some(rest) = line.strip_prefix(prefix) {
                return Some(rest.trim().to_owned());
            }
        }
    }

    /// Descendant processes (children, grandchildren…) with their names.
    pub fn descendants(&self) -> Vec<(u32, String)> {
        let mut all = vec![self.pid()];
        let mut i = 0;
        while i < all.len() {
            all.extend(children_of(all[i]));
            i += 1;
        }
        all.into_iter()
            .skip(1)
            .map(|pid| {
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                (pid, name)
            })
            .collect()
    }

    /// Live WebKit web-content processes under the app.
    pub fn web_processes(&self) -> Vec<u32> {
        self.descendants()
            .into_iter()
            .filter(|(_, name)| name.starts_with("WebKitWebProces"))
            .map(|(pid, _)| pid)
            .collect()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to the app's pid.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal} {}", self.pid());
    }

    /// Waits for the app to exit; its exit code, or `None` on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Child processes of the app that are still alive.
    pub fn children(&self) -> Vec<u32> {
        children_of(self.pid())
    }

    /// Of `pids` (taken while the app ran), those still alive after it
    /// exited — orphans it left behind. Waits up to 5 s for them to go.
    pub fn survivors(pids: &[u32]) -> Vec<u32> {
        let alive = |pid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|stat| {
                    // State is the field after the parenthesised name; Z is a
                    // zombie (exited, not yet reaped by its new parent).
                    stat.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().next())
                        .is_some_and(|state| state != "Z")
                })
                .unwrap_or(false)
        };
        eventually(Duration::from_secs(5), || {
            (!pids.iter().any(alive)).then_some(())
        });
        pids.iter().copied().filter(alive).collect()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Pids whose parent is `pid`, from /proc.
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // Field 4 (ppid) comes after the parenthesised command name.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

/// Polls `f` until it returns `Some`, at most `timeout`. Used only where the
/// thing awaited has no event the rig can subscribe to (a process's state).
pub fn eventually<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}
