//! The starter: `traykit new` creates an app that builds and passes its own
//! tests right away (and rustfmt and clippy -D warnings), and whose binary
//! runs: its tray registers and "Open" opens its window.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::bus::{Bus, TempDir};
use support::desktop::Home;
use support::eventually;
use support::sni::Item;
use support::watcher::Watcher;

const T: Duration = Duration::from_secs(20);

fn cargo(dir: &Path, args: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        // The checkout's target directory: the new app reuses the
        // dependencies already built for traykit.
        .env("CARGO_TARGET_DIR", Path::new(root).join("target"))
        // The new app's tests keep their updater state in the test's dirs.
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("traykit-starter-data"),
        )
        .output()
        .expect("cargo");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cargo {args:?} in {}:\n{text}",
        dir.display()
    );
    text
}

#[test]
fn a_new_app_builds_passes_its_tests_and_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new("starter");
    let project = tmp.0.join("demo");
    let created = cargo(
        root,
        &[
            "run",
            "-q",
            "-p",
            "traykit-cli",
            "--",
            "new",
            "Demo tray",
            "--path",
            project.to_str().expect("utf-8 path"),
            "--traykit",
            root.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        created.contains(&format!("created {}", project.display())),
        "{created}"
    );
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"demo-tray\""), "{manifest}");
    assert!(manifest.contains("traykit-updater"), "{manifest}");
    // Its update signing keys: the public one compiled in, the secret one
    // (password-protected, owner-only) kept out of git.
    let public = std::fs::read_to_string(project.join("updater.pub")).expect("updater.pub");
    assert!(
        public.starts_with("untrusted comment: minisign public key"),
        "{public}"
    );
    let secret = project.join(".traykit/updater.key");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&secret)
            .expect("secret key")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let ignored = std::fs::read_to_string(project.join(".gitignore")).expect(".gitignore");
    assert!(ignored.contains("/.traykit/"), "{ignored}");
    // A second `new` into the same place is refused, nothing overwritten.
    let again = Command::new(env!("CARGO"))
        .args([
            "run",
            "-q",
            "-p",
            "traykit-cli",
            "--",
            "new",
            "Demo tray",
            "--path",
        ])
        .arg(&project)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("cargo");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // Its own tests pass as created, and it is formatted and lint-clean.
    let tested = cargo(&project, &["test"]);
    assert!(tested.contains("test result: ok. 3 passed"), "{tested}");
    cargo(&project, &["fmt", "--check"]);
    cargo(
        &project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
    );

    // And the app runs: tray on the panel, "Open" opens its window.
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let home = Home::new();
    let binary = root.join("target/debug/demo-tray");
    let mut app = home.spawn(&binary, &bus, &[]);
    let item = Item::new(&bus, watcher.wait_items(1, T).remove(0));
    assert_eq!(item.string_prop("Title"), "Demo tray");
    assert_eq!(
        item.menu().labels(),
        ["Open", "Check for updates", "---", "Quit"]
    );
    item.click("Open");
    eventually(T, || (!app.web_processes().is_empty()).then_some(())).expect("the window opens");
    item.click("Quit");
    assert_eq!(app.wait_exit(T), Some(0));
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join("traykit-starter-data"));
}
