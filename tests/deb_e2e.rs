//! Packaging: `cargo deb -p desk-helper` builds a .deb (release binary,
//! desktop entry with the deskhelper:// handler, icon; an `autostart`
//! variant adds the system-wide autostart entry), `dpkg -i` installs it with
//! its dependencies resolved, and the installed `/usr/bin/desk-helper`
//! starts under the rig: its tray registers, `--ctl` and a second launch
//! work. `dpkg -r` removes it again.
//!
//! Installing into the system needs root and dpkg, and building needs
//! cargo-deb (`scripts/setup.sh` installs it); without them the test says
//! why and skips. CI runs as root.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bus::{Bus, TempDir};
use support::desktop::Home;
use support::watcher::Watcher;

const T: Duration = Duration::from_secs(20);
const PACKAGE: &str = "desk-helper";
const INSTALLED: &str = "/usr/bin/desk-helper";

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn skip_reason() -> Option<String> {
    if !is_root() {
        return Some("not running as root: `dpkg -i` would need it".into());
    }
    for tool in ["dpkg", "dpkg-deb"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Some(format!("{tool} is not installed"));
        }
    }
    let cargo = env!("CARGO");
    if Command::new(cargo)
        .args(["deb", "--version"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        return Some("cargo-deb is not installed (scripts/setup.sh installs it)".into());
    }
    None
}

fn is_root() -> bool {
    // /proc/self/status: "Uid:\treal\teffective…"
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|u| u.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn cargo_deb(out_dir: &Path, extra: &[&str]) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let started = Instant::now();
    run(Command::new(env!("CARGO"))
        .args(["deb", "-p", PACKAGE, "--locked", "-o"])
        .arg(out_dir)
        .args(extra)
        .current_dir(root));
    println!("cargo deb {extra:?}: {:?}", started.elapsed());
    let deb = std::fs::read_dir(out_dir)
        .expect("output dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("a .deb was written");
    deb
}

fn contents(deb: &Path) -> String {
    String::from_utf8_lossy(&run(Command::new("dpkg-deb").arg("-c").arg(deb)).stdout).into_owned()
}

/// Removes the package when the test ends, however it ends.
struct Installed;
impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["-r", PACKAGE]).output();
    }
}

#[test]
fn the_deb_installs_and_the_installed_app_starts() {
    if let Some(reason) = skip_reason() {
        println!("SKIP deb_e2e: {reason}");
        return;
    }
    let out = TempDir::new("deb");
    let deb = cargo_deb(&out.0, &[]);
    let size = std::fs::metadata(&deb).expect("deb").len();
    println!("{}: {:.1} MB", deb.display(), size as f64 / 1e6);

    let files = contents(&deb);
    for path in [
        "./usr/bin/desk-helper",
        "./usr/share/applications/desk-helper.desktop",
        "./usr/share/icons/hicolor/scalable/apps/desk-helper.svg",
    ] {
        assert!(files.contains(path), "{path} missing from:\n{files}");
    }
    assert!(
        !files.contains("etc/xdg/autostart"),
        "autostart is the variant's"
    );
    let depends = run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends")).stdout;
    let depends = String::from_utf8_lossy(&depends);
    assert!(
        depends.contains("libwebkit2gtk-4.1-0") && depends.contains("libgtk-3-0"),
        "{depends}"
    );

    // Install for real: dpkg checks the dependencies against the system.
    let _installed = Installed;
    run(Command::new("dpkg").arg("-i").arg(&deb));
    let entry =
        std::fs::read_to_string("/usr/share/applications/desk-helper.desktop").expect("entry");
    assert!(
        entry.contains("\nExec=/usr/bin/desk-helper %u\n"),
        "{entry}"
    );
    assert!(
        entry.contains("\nMimeType=x-scheme-handler/deskhelper;\n"),
        "{entry}"
    );

    // The installed binary, under the rig.
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let installed = Path::new(INSTALLED);
    let mut app = home.spawn(
        installed,
        &bus,
        &["--no-shortcut", "deskhelper://installed"],
    );
    assert_eq!(
        watcher.wait_items(1, T).len(),
        1,
        "the installed app's tray"
    );
    assert_eq!(
        app.wait_line("ready:", T).as_deref(),
        Some("hidden=false autostart=false")
    );
    assert_eq!(
        app.wait_line("deep-link:", T).as_deref(),
        Some("deskhelper://installed")
    );
    let second = home.run(installed, Some(&bus), &["from-second"]);
    assert_eq!(second.status.code(), Some(0));
    let line = app.wait_line("second-instance:", T).expect("handed over");
    assert_eq!(
        serde_json::from_str::<Value>(&line).expect("json")["args"],
        json!(["from-second"])
    );
    let ctl = home.run(installed, None, &["--ctl", "app.info"]);
    let reply: Value = serde_json::from_slice(&ctl.stdout).expect("ctl reply");
    assert_eq!(reply["result"], json!({"name": "Desk helper"}));
    app.signal("TERM");
    assert_eq!(app.wait_exit(T), Some(0));

    run(Command::new("dpkg").args(["-r", PACKAGE]));
    assert!(!installed.exists(), "dpkg -r removed the binary");

    // The autostart option: a variant with the system-wide entry (the binary
    // is already built).
    let variant_out = TempDir::new("deb-autostart");
    let variant = cargo_deb(&variant_out.0, &["--variant", "autostart", "--no-build"]);
    let files = contents(&variant);
    assert!(
        files.contains("./etc/xdg/autostart/desk-helper.desktop"),
        "{files}"
    );
    let exec = run(Command::new("dpkg-deb").arg("--fsys-tarfile").arg(&variant)).stdout;
    let listing = String::from_utf8_lossy(&exec);
    assert!(
        listing.contains("Exec=/usr/bin/desk-helper --hidden"),
        "autostart entry runs it hidden"
    );
}
