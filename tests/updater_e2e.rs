//! The updater end to end: `examples/auto_update` built as v1, v2 and a
//! crashing v2 (`scripts/build-updater-fixtures.sh`), v1 installed in a temp
//! dir and run under the desktop rig (private bus, a panel, Xvfb), a feed
//! written by the release tool and served over real HTTP on 127.0.0.1 by a
//! server that can fail on purpose. The user's clicks go through the tray
//! menu over D-Bus.
//!
//! After every failure path, v1's binary on disk is byte-for-byte intact.

#[path = "updater/server.rs"]
mod server;
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use server::{Fault, FeedServer};
use support::bus::{Bus, TempDir};
use support::sni::Item;
use support::watcher::Watcher;
use support::{eventually, App};
use traykit_updater::release::{self, ManifestRequest};
use traykit_updater::state::State;

const T: Duration = Duration::from_secs(30);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A build of the example: `v1`, `v2` or `crashy`.
fn fixture(name: &str) -> PathBuf {
    let path = root()
        .join("target/updater-e2e")
        .join(name)
        .join("auto_update");
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/build-updater-fixtures.sh` (scripts/test.sh does)",
        path.display()
    );
    path
}

fn secret_key(name: &str) -> release::SecretKey {
    let dir = root().join("tests/updater/keys");
    let stored = std::fs::read_to_string(dir.join(format!("{name}.key"))).expect("key");
    let password = std::fs::read_to_string(dir.join("password")).expect("password");
    release::unlock_secret_key(&stored, password.trim()).expect("unlock test key")
}

fn version(v: &str) -> traykit_updater::semver::Version {
    traykit_updater::semver::Version::parse(v).expect("semver")
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

/// Processes the app started (learned from its `version … pid N` lines),
/// stopped by pid when the test ends, however it ends.
#[derive(Default)]
struct Pids(Vec<u32>);

impl Pids {
    fn stop(&mut self, pid: u32) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        eventually(T, || (!alive(pid)).then_some(())).expect("app did not stop on SIGTERM");
        self.0.retain(|p| *p != pid);
    }
}

impl Drop for Pids {
    fn drop(&mut self) {
        for pid in &self.0 {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// `version X pid P ppid Q trial B`
struct Started {
    version: String,
    pid: u32,
    ppid: u32,
    trial: bool,
}

fn parse_started(rest: &str) -> Started {
    let f: Vec<&str> = rest.split_whitespace().collect();
    assert_eq!(f.len(), 7, "bad version line {rest:?}");
    Started {
        version: f[0].to_owned(),
        pid: f[2].parse().expect("pid"),
        ppid: f[4].parse().expect("ppid"),
        trial: f[6] == "true",
    }
}

/// One install of v1, its feed and server, and the desktop it runs in.
/// Field order = drop order: the app goes before its bus.
struct Scenario {
    pids: Pids,
    app: App,
    watcher: Watcher,
    bus: Bus,
    server: FeedServer,
    feed: TempDir,
    _install: TempDir,
    exe: PathBuf,
    state: PathBuf,
    v1: Vec<u8>,
    /// What every launch gets: the feed, the state dir, loopback http.
    base: Vec<String>,
    args: Vec<String>,
}

/// Waits for the tray's "Restart to update" (enabled once an update is
/// installed) and clicks it.
fn restart_when_offered(item: &Item) {
    eventually(T, || {
        (item.menu().find("Restart to update")?.enabled).then_some(())
    })
    .expect("restart offered");
    item.click("Restart to update");
}

impl Scenario {
    /// Publishes with `publish` (given the feed dir and the server's URL),
    /// then starts v1 with `args`.
    fn start(args: &[&str], publish: impl FnOnce(&Path, &str)) -> (Scenario, Item) {
        Self::start_as("v1", "1.0.0", args, publish)
    }

    /// Like `start`, with fixture `name` (version `version`) installed.
    fn start_as(
        name: &str,
        version: &str,
        args: &[&str],
        publish: impl FnOnce(&Path, &str),
    ) -> (Scenario, Item) {
        let feed = TempDir::new("upd-feed");
        let server = FeedServer::start(feed.0.clone());
        publish(&feed.0, &server.url());
        let install = TempDir::new("upd-install");
        let exe = install.0.join("auto_update");
        std::fs::copy(fixture(name), &exe).expect("install the fixture");
        let v1 = std::fs::read(&exe).expect("installed bytes");
        let state = install.0.join("state");
        let bus = Bus::start();
        let watcher = Watcher::start(&bus);
        let feed_url = format!("{}/latest.json", server.url());
        // The test server is plain http on 127.0.0.1: the app opts in.
        let mut all = vec![
            "--feed",
            &feed_url,
            "--state-dir",
            state.to_str().expect("utf-8 path"),
            "--insecure-loopback",
        ];
        let base: Vec<String> = all.iter().map(|a| a.to_string()).collect();
        all.extend_from_slice(args);
        let args: Vec<String> = all.iter().map(|a| a.to_string()).collect();
        let app = App::spawn_piped(&exe, &bus, &all);
        let items = watcher.wait_items(1, T);
        assert_eq!(items.len(), 1, "v1 did not show its tray");
        let item = Item::new(&bus, items[0].clone());
        let s = Scenario {
            pids: Pids::default(),
            app,
            watcher,
            bus,
            server,
            feed,
            _install: install,
            exe,
            state,
            v1,
            base,
            args,
        };
        let started = parse_started(&s.line("version "));
        assert_eq!((started.version.as_str(), started.trial), (version, false));
        assert_eq!(item.string_prop("Title"), format!("v{version}"));
        (s, item)
    }

    fn line(&self, prefix: &str) -> String {
        self.app
            .wait_line(prefix, T)
            .unwrap_or_else(|| panic!("no `{prefix}` line from the app within {T:?}"))
    }

    /// The tray of process `pid` (ksni names it `…-<pid>-<n>`).
    fn item_of(&self, pid: u32) -> Item {
        let tag = format!("-{pid}-");
        let registered = eventually(T, || {
            self.watcher
                .wait_items(0, Duration::ZERO)
                .into_iter()
                .find(|r| r.service.contains(&tag))
        })
        .unwrap_or_else(|| panic!("process {pid} did not show its tray"));
        Item::new(&self.bus, registered)
    }

    fn assert_v1_intact(&self, after: &str) {
        let now = std::fs::read(&self.exe).expect("exe");
        assert!(now == self.v1, "v1's binary changed after {after}");
        let state = State::load(&self.state).expect("state");
        assert_eq!(state.pending, None, "a trial is pending after {after}");
    }

    fn assert_v1_running(&mut self) {
        assert!(
            self.app.child.try_wait().expect("try_wait").is_none(),
            "v1 exited"
        );
    }

    /// Starts the installed executable again, as a user would.
    fn relaunch(&mut self) {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.app = App::spawn_piped(&self.exe, &self.bus, &args);
    }

    /// The launch arguments with `extra` instead of the test's own.
    fn args_with(&self, extra: &[&str]) -> Vec<String> {
        let mut args = self.base.clone();
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    }

    /// Relaunches with `extra` instead of the test's own arguments (kept
    /// for later relaunches).
    fn relaunch_with(&mut self, extra: &[&str]) {
        self.args = self.args_with(extra);
        self.relaunch();
    }

    /// A second process of the installed executable beside the first.
    fn launch_another(&self, extra: &[&str]) -> App {
        let args = self.args_with(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        App::spawn_piped(&self.exe, &self.bus, &args)
    }

    /// v1 finds and installs 2.0.0, then the user quits instead of
    /// restarting: the update waits on disk, on trial.
    fn install_then_quit(&mut self, item: &Item) {
        item.click("Check for updates");
        assert!(self.line("installed ").starts_with("2.0.0 full"));
        item.click("Quit");
        assert_eq!(self.app.wait_exit(T), Some(0));
        let pending = self.state().pending.expect("a trial is pending");
        assert_eq!(pending.version, "2.0.0");
    }

    fn state(&self) -> State {
        State::load(&self.state).expect("state")
    }

    fn assert_exe_is(&self, name: &str, after: &str) {
        let now = std::fs::read(&self.exe).expect("exe");
        assert!(
            now == std::fs::read(fixture(name)).expect("fixture"),
            "the binary on disk is not {name} after {after}"
        );
    }

    /// Waits for the new version to start on trial and confirm; returns it.
    fn wait_v2_healthy(&mut self) -> Started {
        let v2 = parse_started(&self.line("version "));
        self.pids.0.push(v2.pid);
        assert_eq!((v2.version.as_str(), v2.trial), ("2.0.0", true));
        assert_eq!(self.line("healthy "), "2.0.0");
        // v1 quit cleanly when it handed over.
        assert_eq!(self.app.wait_exit(T), Some(0), "v1 did not quit cleanly");
        // The watchdog closes the trial and exits, leaving v2 running.
        eventually(T, || {
            let s = State::load(&self.state).ok()?;
            (s.pending.is_none() && s.last_good.as_deref() == Some("2.0.0")).then_some(())
        })
        .expect("the trial was not closed as healthy");
        assert_eq!(
            App::survivors(&[v2.ppid]),
            Vec::<u32>::new(),
            "watchdog left running"
        );
        assert!(alive(v2.pid), "v2 is not running");
        assert!(
            std::fs::read(&self.exe).expect("exe") == std::fs::read(fixture("v2")).expect("v2"),
            "the binary on disk is not v2"
        );
        let item = self.item_of(v2.pid);
        assert_eq!(item.string_prop("Title"), "v2.0.0");
        v2
    }
}

fn publish(
    dir: &Path,
    url: &str,
    key: &str,
    v: &str,
    artifact: &Path,
    previous: Vec<(traykit_updater::semver::Version, PathBuf)>,
) {
    release::write_manifest(
        &ManifestRequest {
            dir: dir.to_path_buf(),
            base_url: url.to_owned(),
            version: version(v),
            target: traykit_updater::feed::current_platform(),
            channel: "stable".into(),
            app_id: "auto-update".into(),
            rollout: None,
            notes: Some(format!("version {v}")),
            artifact: artifact.to_path_buf(),
            previous,
        },
        &secret_key(key),
    )
    .expect("publish");
}

fn published_artifact(dir: &Path, v: &str) -> PathBuf {
    dir.join(format!(
        "auto_update-{v}-{}",
        traykit_updater::feed::current_platform()
    ))
}

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let mut it = line.split_whitespace();
    while let Some(w) = it.next() {
        if w == name {
            return it.next().unwrap_or("");
        }
    }
    panic!("no `{name}` in {line:?}")
}

#[test]
fn v1_updates_to_v2_by_delta_restarts_and_v2_confirms_health() {
    let (mut s, item) = Scenario::start(&[], |dir, url| {
        publish(
            dir,
            url,
            "updater",
            "2.0.0",
            &fixture("v2"),
            vec![(version("1.0.0"), fixture("v1"))],
        );
    });
    let clicked = Instant::now();
    item.click("Check for updates");
    let found = s.line("update-available ");
    let found_at = Instant::now();
    assert_eq!(found.split_whitespace().next(), Some("2.0.0"));
    let check_ms: u64 = field(&found, "check_ms").parse().expect("ms");
    let progress = s.line("progress ");
    assert!(progress.contains('/'), "{progress}");
    assert_eq!(s.line("verified "), "2.0.0");
    let installed = s.line("installed ");
    assert!(installed.starts_with("2.0.0 delta"), "{installed}");
    let patch: u64 = field(&installed, "patch_bytes").parse().expect("n");
    let full: u64 = field(&installed, "full_bytes").parse().expect("n");
    assert_eq!(full, std::fs::metadata(fixture("v2")).expect("v2").len());
    assert!(patch < full / 10, "patch {patch} vs full {full}");
    // Only the patch crossed the network, not the artifact.
    let log = s.server.log();
    assert!(log
        .iter()
        .any(|r| r.path.ends_with(".bsdiff") && r.status == 200));
    assert!(!log
        .iter()
        .any(|r| r.path.ends_with("-x86_64") || r.path.ends_with("-aarch64")));
    // The tray shows progress and offers the restart; the user clicks it.
    eventually(T, || {
        (item.menu().find("Restart to update")?.enabled).then_some(())
    })
    .expect("Restart to update is enabled once installed");
    assert!(item.tooltip().1.contains("2.0.0"), "{:?}", item.tooltip());
    // Until the restart, v1 keeps running: never a forced restart.
    s.assert_v1_running();
    let restart_at = Instant::now();
    item.click("Restart to update");
    let v2 = s.wait_v2_healthy();
    let healthy_at = Instant::now();
    println!(
        "NUMBERS delta: check {check_ms} ms (click→found {} ms); update found → v2 healthy {} ms \
         (restart click → healthy {} ms); patch {patch} B vs full {full} B ({:.2}%)",
        (found_at - clicked).as_millis(),
        (healthy_at - found_at).as_millis(),
        (healthy_at - restart_at).as_millis(),
        patch as f64 * 100.0 / full as f64,
    );
    s.pids.stop(v2.pid);
}

#[test]
fn a_full_download_survives_500s_and_a_cut_connection_by_resuming() {
    let (mut s, item) = Scenario::start(&["--interval-ms", "600000"], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    // The background check (first one shortly after start) finds it;
    // the menu item installs.
    let found = s.line("update-available ");
    assert!(found.starts_with("2.0.0"), "{found}");
    let full = std::fs::metadata(fixture("v2")).expect("v2").len();
    let artifact = format!(
        "auto_update-2.0.0-{}",
        traykit_updater::feed::current_platform()
    );
    s.server.fault(&artifact, Fault::Status(500));
    s.server.fault(&artifact, Fault::Status(503));
    s.server.fault(&artifact, Fault::CutAfter(full / 3));
    item.click("Check for updates");
    let installed = s.line("installed ");
    assert!(installed.starts_with("2.0.0 full"), "{installed}");
    let downloaded: u64 = field(&installed, "downloaded_bytes").parse().expect("n");
    let ms: u64 = field(&installed, "download_ms").parse().expect("n");
    assert_eq!(downloaded, full);
    let served: Vec<(u16, Option<u64>, u64)> = s
        .server
        .log()
        .into_iter()
        .filter(|r| r.path.ends_with(&artifact))
        .map(|r| (r.status, r.range_from, r.body_bytes))
        .collect();
    assert_eq!(
        served,
        [
            (500, None, 0),
            (503, None, 0),
            (200, None, full / 3),
            (206, Some(full / 3), full - full / 3)
        ],
        "500, 503, a cut, then a Range request for the rest"
    );
    println!(
        "NUMBERS full download: {full} B in {ms} ms incl. 2 retries with backoff and a resume"
    );
    item.click("Restart to update");
    let v2 = s.wait_v2_healthy();
    s.pids.stop(v2.pid);
}

#[test]
fn failures_leave_v1_untouched_and_explain_themselves() {
    let (mut s, item) = Scenario::start(&[], |_, _| {});
    let feed_file = s.feed.0.join("latest.json");
    let check = |s: &Scenario, want: &str| {
        item.click("Check for updates");
        let line = s.line("failed ");
        assert!(line.starts_with(want), "expected `{want}`, got {line:?}");
        line
    };

    // No feed published: 404.
    let line = check(&s, "http");
    assert!(line.contains("HTTP 404"), "{line}");
    s.assert_v1_intact("a 404 feed");

    // Not JSON.
    std::fs::write(&feed_file, b"<html>oops</html>").expect("feed");
    check(&s, "invalid_feed");
    s.assert_v1_intact("an invalid feed");

    // The feed server keeps failing: retried with backoff, then an error.
    for _ in 0..5 {
        s.server.fault("latest.json", Fault::Status(500));
    }
    let line = check(&s, "http");
    assert!(line.contains("HTTP 500"), "{line}");
    // (The server logs a request after answering it: wait for the last.)
    let tries = || s.server.log().iter().filter(|r| r.status == 500).count();
    eventually(T, || (tries() >= 5).then_some(()));
    assert_eq!(tries(), 5, "one try and four retries");
    s.assert_v1_intact("500s");

    // An older version: downgrade refused.
    std::fs::remove_file(&feed_file).expect("rm feed");
    publish(
        &s.feed.0,
        &s.server.url(),
        "updater",
        "0.9.0",
        &fixture("v1"),
        vec![],
    );
    let line = check(&s, "downgrade");
    assert!(line.contains("0.9.0") && line.contains("1.0.0"), "{line}");
    s.assert_v1_intact("a downgrade offer");

    // v2 signed with the right key, then tampered with on the server.
    publish(
        &s.feed.0,
        &s.server.url(),
        "updater",
        "2.0.0",
        &fixture("v2"),
        vec![],
    );
    let artifact = published_artifact(&s.feed.0, "2.0.0");
    let mut bytes = std::fs::read(&artifact).expect("artifact");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&artifact, &bytes).expect("tamper");
    let line = check(&s, "bad_signature");
    assert!(line.contains("does not verify"), "{line}");
    s.assert_v1_intact("a tampered artifact");

    // v2 signed with a key the app does not trust.
    publish(
        &s.feed.0,
        &s.server.url(),
        "wrong",
        "2.0.0",
        &fixture("v2"),
        vec![],
    );
    check(&s, "bad_signature");
    s.assert_v1_intact("a signature by the wrong key");

    // A download cut again and again: resumed each time, then given up.
    publish(
        &s.feed.0,
        &s.server.url(),
        "updater",
        "2.0.0",
        &fixture("v2"),
        vec![],
    );
    let name = artifact
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    for _ in 0..5 {
        s.server.fault(&name, Fault::CutAfter(1_000_000));
    }
    let line = check(&s, "truncated");
    assert!(line.contains("5000000 of"), "{line}");
    s.assert_v1_intact("a truncated download");

    // 204: no update.
    s.server.fault("latest.json", Fault::NoContent);
    item.click("Check for updates");
    assert_eq!(s.line("up-to-date "), "1.0.0");

    s.assert_v1_running();
    assert!(item.string_prop("Title").starts_with("v1.0.0"));
    s.app.signal("TERM");
    assert_eq!(s.app.wait_exit(T), Some(0));
    s.assert_v1_intact("all of the above");
}

#[test]
fn a_v2_that_crashes_at_start_is_rolled_back_and_not_offered_again() {
    let (mut s, item) = Scenario::start(&["--health-ms", "15000"], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("crashy"), vec![]);
    });
    item.click("Check for updates");
    assert!(s.line("installed ").starts_with("2.0.0 full"));
    restart_when_offered(&item);
    // The crashy build gets as far as printing its version, then aborts.
    let crashed = parse_started(&s.line("version "));
    assert_eq!((crashed.version.as_str(), crashed.trial), ("2.0.0", true));
    assert_eq!(s.app.wait_exit(T), Some(0), "v1 quit cleanly to restart");
    // The watchdog (v1's code) restores v1 and becomes it (same pid).
    let back = parse_started(&s.line("version "));
    s.pids.0.push(back.pid);
    assert_eq!((back.version.as_str(), back.trial), ("1.0.0", false));
    assert_eq!(
        back.pid, crashed.ppid,
        "the watchdog became the restored v1"
    );
    assert!(!alive(crashed.pid));
    s.assert_v1_intact("a rollback");
    let state = State::load(&s.state).expect("state");
    assert_eq!(state.bad_versions, ["2.0.0"]);
    // The restored v1 runs and has its tray; 2.0.0 is not offered again.
    let restored = s.item_of(back.pid);
    assert_eq!(restored.string_prop("Title"), "v1.0.0");
    restored.click("Check for updates");
    let line = s.line("failed ");
    assert!(line.starts_with("bad_version"), "{line}");
    s.assert_v1_intact("the re-check");
    s.pids.stop(back.pid);
}

#[test]
fn a_corrupt_patch_falls_back_to_the_full_download() {
    let (mut s, item) = Scenario::start(&[], |dir, url| {
        publish(
            dir,
            url,
            "updater",
            "2.0.0",
            &fixture("v2"),
            vec![(version("1.0.0"), fixture("v1"))],
        );
        // Damage the patch after signing.
        let patch = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "bsdiff"))
            .expect("a patch");
        let mut bytes = std::fs::read(&patch).expect("patch");
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&patch, bytes).expect("corrupt");
    });
    item.click("Check for updates");
    let failed = s.line("delta-failed ");
    assert!(failed.contains("does not verify"), "{failed}");
    let installed = s.line("installed ");
    assert!(installed.starts_with("2.0.0 full"), "{installed}");
    restart_when_offered(&item);
    let v2 = s.wait_v2_healthy();
    s.pids.stop(v2.pid);
}

#[test]
fn without_a_restart_the_update_runs_at_the_next_launch() {
    // This time the new version confirms through the updater's automatic
    // confirmation (`auto_confirm_after`), not from its own code.
    let args = ["--no-confirm", "--auto-confirm-ms", "300"];
    let (mut s, item) = Scenario::start(&args, |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    item.click("Check for updates");
    assert!(s.line("installed ").starts_with("2.0.0 full"));
    // The user quits instead: the swapped binary waits on disk, on trial.
    item.click("Quit");
    assert_eq!(s.app.wait_exit(T), Some(0));
    let pending = State::load(&s.state)
        .expect("state")
        .pending
        .expect("a trial is pending");
    assert_eq!(
        (pending.version.as_str(), pending.previous_version.as_str()),
        ("2.0.0", "1.0.0")
    );
    assert_eq!(
        std::fs::read(&pending.previous).expect("kept"),
        s.v1,
        "v1 kept for rollback"
    );
    // Binaries kept from updates long ago: pruned when 2.0.0 confirms, the
    // newest two kept.
    let kept = pending.previous.parent().expect("previous/").to_path_buf();
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(86_400);
    for (i, v) in ["0.1.0", "0.2.0", "0.3.0"].iter().enumerate() {
        let path = kept.join(format!("auto_update-{v}"));
        std::fs::write(&path, v).expect("old binary");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(long_ago + Duration::from_secs(60 * i as u64)))
            .expect("mtime");
    }
    // Next launch: the process hands over to the watchdog (same pid), which
    // runs 2.0.0 on trial; it confirms, the watchdog exits.
    s.relaunch();
    let v2 = s.wait_v2_healthy();
    let mut left: Vec<String> = std::fs::read_dir(&kept)
        .expect("previous/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["auto_update-0.3.0", "auto_update-1.0.0"]);
    s.pids.stop(v2.pid);
}

#[test]
fn a_v2_that_never_confirms_is_rolled_back_at_the_deadline() {
    // `--no-confirm` (kept across the restart) makes the new version run
    // but never confirm, as one that hangs at start would.
    let (mut s, item) = Scenario::start(&["--health-ms", "3000", "--no-confirm"], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    item.click("Check for updates");
    assert!(s.line("installed ").starts_with("2.0.0 full"));
    restart_when_offered(&item);
    let hung = parse_started(&s.line("version "));
    s.pids.0.push(hung.pid);
    assert_eq!((hung.version.as_str(), hung.trial), ("2.0.0", true));
    let waited = Instant::now();
    let back = parse_started(&s.line("version "));
    s.pids.0.push(back.pid);
    assert_eq!((back.version.as_str(), back.trial), ("1.0.0", false));
    assert_eq!(back.pid, hung.ppid, "the watchdog became the restored v1");
    assert!(
        waited.elapsed() >= Duration::from_millis(2000),
        "rolled back before the deadline"
    );
    eventually(T, || (!alive(hung.pid)).then_some(())).expect("the hung v2 was stopped");
    s.assert_v1_intact("a health timeout");
    assert_eq!(
        State::load(&s.state).expect("state").bad_versions,
        ["2.0.0"]
    );
    s.pids.stop(back.pid);
}

fn print_delta_numbers(to: &str, label: &str) {
    let old = std::fs::read(fixture("v1")).expect("v1");
    let new = std::fs::read(fixture(to)).expect("new");
    let started = Instant::now();
    let patch = traykit_updater::delta::make_patch(&old, &new).expect("diff");
    let diff_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let rebuilt =
        traykit_updater::delta::apply_patch("1.0.0", &old, &patch, 1 << 30).expect("apply");
    let apply_ms = started.elapsed().as_millis();
    assert_eq!(rebuilt, new);
    println!(
        "NUMBERS delta v1→{to} ({label}): full {} B, patch {} B ({:.3}%), diff {diff_ms} ms, apply {apply_ms} ms",
        new.len(),
        patch.len(),
        patch.len() as f64 * 100.0 / new.len() as f64
    );
}

/// Numbers, not assertions on them: v1→v2 differ in the version string.
#[test]
fn delta_size_numbers() {
    print_delta_numbers("v2", "version string only");
}

/// v1→crashy also differs in code (an extra branch in `setup`). Diffing
/// 26 MB takes ~25 s of both cores, which would slow the e2e tests running
/// beside it, so it runs on request:
/// `cargo test --test updater_e2e delta_size_numbers_code_change -- --ignored --nocapture`.
#[test]
#[ignore = "slow (bsdiff of 26 MB); run for the numbers"]
fn delta_size_numbers_code_change() {
    print_delta_numbers("crashy", "a code change");
}

/// The feed is not signed; the artifact is, and its signature says which
/// version it is. A hostile feed offering v1's signed build as "9.0.0" to
/// a running v2 is refused at the check — nothing downloaded, nothing
/// installed, nothing to loop on.
#[test]
fn a_feed_offering_v1s_signed_build_as_9_is_refused() {
    let (mut s, item) =
        Scenario::start_as("v2", "2.0.0", &["--interval-ms", "600000"], |dir, url| {
            publish(dir, url, "updater", "1.0.0", &fixture("v1"), vec![]);
            let path = dir.join("latest.json");
            let text = std::fs::read_to_string(&path).expect("feed");
            let relabelled = text.replacen("\"version\": \"1.0.0\"", "\"version\": \"9.0.0\"", 1);
            assert_ne!(text, relabelled, "relabelled");
            std::fs::write(&path, relabelled).expect("feed");
        });
    let v1_published = std::fs::read(published_artifact(&s.feed.0, "1.0.0")).expect("v1");
    // The background check and two clicks: refused each time, the same way.
    for _ in 0..3 {
        let line = s.line("failed ");
        assert!(line.starts_with("signature_mismatch"), "{line}");
        assert!(line.contains("`1.0.0`, not `9.0.0`"), "{line}");
        item.click("Check for updates");
    }
    let line = s.line("failed ");
    assert!(line.starts_with("signature_mismatch"), "{line}");
    assert!(
        s.server
            .log()
            .iter()
            .all(|r| r.path.ends_with("latest.json")),
        "only the feed was fetched: {:?}",
        s.server.log()
    );
    s.assert_exe_is("v2", "a relabelled offer");
    assert_eq!(s.state().pending, None);
    assert_eq!(
        std::fs::read(published_artifact(&s.feed.0, "1.0.0")).expect("v1"),
        v1_published
    );
    assert_eq!(v1_published, std::fs::read(fixture("v1")).expect("v1"));
    assert!(
        s.app.child.try_wait().expect("try_wait").is_none(),
        "v2 exited"
    );
    assert_eq!(item.string_prop("Title"), "v2.0.0");
    s.app.signal("TERM");
    assert_eq!(s.app.wait_exit(T), Some(0));
}

/// A plain Tauri feed (signatures without a version) is accepted only with
/// `allow_unbound_signatures`, and then the relabel is caught when the
/// build starts: v1 installed as "9.0.0" reports 1.0.0 on trial, is rolled
/// back to v2 at once and listed as bad — one restart, not a loop.
#[test]
fn an_unbound_relabel_is_rolled_back_once_and_never_reinstalled() {
    let (mut s, item) = Scenario::start_as("v2", "2.0.0", &["--allow-unbound"], |dir, url| {
        let name = format!(
            "auto_update-9.0.0-{}",
            traykit_updater::feed::current_platform()
        );
        std::fs::copy(fixture("v1"), dir.join(&name)).expect("artifact");
        let signature =
            release::sign_file(&secret_key("updater"), &dir.join(&name), None).expect("sign");
        let feed = serde_json::json!({
            "version": "9.0.0",
            "platforms": { traykit_updater::feed::current_platform(): {
                "url": format!("{url}/{name}"), "signature": signature } }
        });
        std::fs::write(dir.join("latest.json"), feed.to_string()).expect("feed");
    });
    item.click("Check for updates");
    assert!(s.line("installed ").starts_with("9.0.0 full"));
    restart_when_offered(&item);
    assert_eq!(s.app.wait_exit(T), Some(0), "v2 quit cleanly to restart");
    // v1's code may get as far as printing its version before its watchdog
    // (v2's code) sees the report and rolls it back.
    let back = loop {
        let started = parse_started(&s.line("version "));
        s.pids.0.push(started.pid);
        if started.version == "2.0.0" {
            break started;
        }
        assert_eq!((started.version.as_str(), started.trial), ("1.0.0", true));
    };
    assert!(!back.trial, "the restored v2 runs normally");
    s.assert_exe_is("v2", "the rollback of a relabelled build");
    let state = s.state();
    assert_eq!(state.pending, None);
    assert_eq!(state.bad_versions, ["9.0.0"]);
    let restored = s.item_of(back.pid);
    restored.click("Check for updates");
    let line = s.line("failed ");
    assert!(line.starts_with("bad_version"), "{line}");
    let artifact_fetches = s
        .server
        .log()
        .iter()
        .filter(|r| r.path.contains("9.0.0"))
        .count();
    assert_eq!(artifact_fetches, 1, "downloaded once, never again");
    s.assert_exe_is("v2", "the re-check");
    s.pids.stop(back.pid);
}

/// The user quits the new version before it confirmed: not a failure. The
/// trial stays pending and goes on at the next launch, which confirms.
#[test]
fn quitting_during_the_trial_is_neutral_and_the_trial_goes_on() {
    let (mut s, item) = Scenario::start(&["--no-confirm", "--health-ms", "60000"], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    item.click("Check for updates");
    assert!(s.line("installed ").starts_with("2.0.0 full"));
    restart_when_offered(&item);
    let v2 = parse_started(&s.line("version "));
    s.pids.0.push(v2.pid);
    assert_eq!((v2.version.as_str(), v2.trial), ("2.0.0", true));
    assert_eq!(s.app.wait_exit(T), Some(0), "v1 quit cleanly to restart");
    s.item_of(v2.pid).click("Quit");
    eventually(T, || (!alive(v2.pid)).then_some(())).expect("v2 quit");
    // The watchdog ended (it did not become a restored v1)…
    eventually(T, || (!alive(v2.ppid)).then_some(())).expect("the watchdog exited");
    // …and nothing was rolled back.
    s.assert_exe_is("v2", "a quit during the trial");
    let state = s.state();
    assert!(state.bad_versions.is_empty(), "{:?}", state.bad_versions);
    let pending = state.pending.expect("the trial goes on");
    assert_eq!(
        (pending.version.as_str(), pending.clean_exits),
        ("2.0.0", 1)
    );
    // The next launch runs the trial again; this time it confirms.
    s.relaunch_with(&["--health-ms", "60000"]);
    let v2 = s.wait_v2_healthy();
    assert!(s.state().bad_versions.is_empty());
    s.pids.stop(v2.pid);
}

/// A second launch while the new version is on trial (a single-instance
/// app hands over to it and exits) does not disturb the trial: no second
/// watchdog, no rollback, no state written over.
#[test]
fn a_second_launch_during_the_trial_leaves_it_alone() {
    let (mut s, item) = Scenario::start(&[], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    s.install_then_quit(&item);
    let id = format!("auto-update-e2e-{}", std::process::id());
    let args = [
        "--no-confirm",
        "--health-ms",
        "60000",
        "--single-instance",
        &id,
    ];
    s.relaunch_with(&args);
    let c1 = parse_started(&s.line("version "));
    s.pids.0.push(c1.pid);
    assert_eq!((c1.version.as_str(), c1.trial), ("2.0.0", true));
    assert_eq!(c1.ppid, s.app.pid(), "the launch became the watchdog");
    let on_trial = s.item_of(c1.pid);
    let mut second = s.launch_another(&args);
    assert_eq!(
        second.wait_exit(T),
        Some(0),
        "the second launch handed over"
    );
    assert!(
        alive(c1.pid) && alive(c1.ppid),
        "the trial and its watchdog run on"
    );
    s.assert_exe_is("v2", "a second launch");
    let state = s.state();
    assert!(state.bad_versions.is_empty(), "{:?}", state.bad_versions);
    assert_eq!(state.pending.map(|t| t.version).as_deref(), Some("2.0.0"));
    // Now the version on trial confirms: its watchdog closes the trial.
    on_trial.click("Confirm health");
    assert_eq!(s.line("healthy "), "2.0.0");
    eventually(T, || {
        let st = s.state();
        (st.pending.is_none() && st.last_good.as_deref() == Some("2.0.0")).then_some(())
    })
    .expect("the trial was not closed as healthy");
    assert_eq!(s.app.wait_exit(T), Some(0), "the watchdog exited");
    assert!(s.state().bad_versions.is_empty());
    s.assert_exe_is("v2", "the confirmation");
    assert!(alive(c1.pid));
    s.pids.stop(c1.pid);
}

/// The watchdog is killed while the new version runs on trial; the new
/// version confirms anyway. That confirmation counts: the next launch's
/// watchdog finds it and closes the trial as good instead of starting it
/// over.
#[test]
fn a_confirmation_survives_a_killed_watchdog() {
    let (mut s, item) = Scenario::start(&[], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    s.install_then_quit(&item);
    let args = ["--no-confirm", "--health-ms", "60000"];
    s.relaunch_with(&args);
    let c1 = parse_started(&s.line("version "));
    s.pids.0.push(c1.pid);
    assert_eq!((c1.version.as_str(), c1.trial), ("2.0.0", true));
    s.app.signal("KILL");
    assert_eq!(s.app.wait_exit(T), Some(-1), "the watchdog was killed");
    s.item_of(c1.pid).click("Confirm health");
    assert_eq!(s.line("healthy "), "2.0.0");
    assert!(s.state().pending.is_some(), "no watchdog closed the trial");
    s.pids.stop(c1.pid);
    s.relaunch_with(&args);
    let next = parse_started(&s.line("version "));
    s.pids.0.push(next.pid);
    assert_eq!(
        (next.version.as_str(), next.trial),
        ("2.0.0", false),
        "the earlier confirmation counted"
    );
    let state = s.state();
    assert_eq!(state.pending, None);
    assert_eq!(state.last_good.as_deref(), Some("2.0.0"));
    assert!(state.bad_versions.is_empty(), "{:?}", state.bad_versions);
    s.assert_exe_is("v2", "a confirmation without its watchdog");
    s.pids.stop(next.pid);
}

/// The kept previous binary cannot start (here: it exits 3 at once), so the
/// launch that hands over to it fails. The next launch does not hand over
/// again: it drops the trial and runs what is installed.
#[test]
fn a_previous_binary_that_cannot_start_does_not_brick_the_app() {
    use std::os::unix::fs::PermissionsExt;
    let (mut s, item) = Scenario::start(&[], |dir, url| {
        publish(dir, url, "updater", "2.0.0", &fixture("v2"), vec![]);
    });
    s.install_then_quit(&item);
    let previous = s.state().pending.expect("pending").previous;
    std::fs::write(&previous, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n").expect("break");
    std::fs::set_permissions(&previous, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    s.relaunch();
    assert_eq!(
        s.app.wait_exit(T),
        Some(3),
        "the handover to the broken binary"
    );
    s.relaunch();
    let next = parse_started(&s.line("version "));
    s.pids.0.push(next.pid);
    assert_eq!((next.version.as_str(), next.trial), ("2.0.0", false));
    assert_eq!(s.state().pending, None, "the trial was dropped");
    s.assert_exe_is("v2", "a previous binary that cannot start");
    s.pids.stop(next.pid);
}
