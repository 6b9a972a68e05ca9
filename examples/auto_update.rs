//! A tray app that keeps itself up to date: background checks, a "Check for
//! updates" menu item, download progress in the tray, signed updates, and
//! a rollback if the new version does not start healthy.
//!
//! Built-in at compile time (so one source makes the test's v1, v2 and a
//! crashing v2):
//! - `AUTO_UPDATE_VERSION` — the version it reports (default: the crate's);
//! - `AUTO_UPDATE_PUBKEY` — the updater public key (Tauri's base64 form;
//!   default: the test key in `tests/updater/keys/updater.pub`);
//! - `AUTO_UPDATE_CRASH` — set to build a version that crashes at start.
//!
//! At run time (arguments, kept across the update's restart): `--feed URL`,
//! `--state-dir DIR` (default: the data dir), `--interval-ms N` (background
//! checks; default none), `--health-ms N` (how long a new version has to
//! confirm its health; default 20 s), `--no-confirm` (do not confirm health
//! from `setup`: plays a new version that hangs at start, for the rollback
//! test), `--auto-confirm-ms N` (let the updater confirm N ms after boot),
//! `--insecure-loopback` (admit a plain-http feed on 127.0.0.1, as the test
//! serves it), `--allow-unbound` (accept plain Tauri-style signatures),
//! `--single-instance ID` (one instance per user, under app id ID). The
//! updater's app id is `auto-update` whatever the instance id: the release
//! signs for it (`traykit-release manifest --app-id auto-update`).
//!
//! It prints one machine-readable line per step on stdout (`version`,
//! `update-available`, `progress`, `installed`, `healthy`, `failed`, …), which
//! the end-to-end test reads.

use std::time::Duration;

use actix::prelude::*;
use traykit::prelude::*;
use traykit_updater::{UpdateEvent, UpdaterConfig, UpdaterExt, UpdaterHandle};

const VERSION: &str = match option_env!("AUTO_UPDATE_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};
const PUBLIC_KEY: &str = match option_env!("AUTO_UPDATE_PUBKEY") {
    Some(k) => k,
    None => include_str!("../tests/updater/keys/updater.pub"),
};
const CRASHY: bool = option_env!("AUTO_UPDATE_CRASH").is_some();
const TRAY: &str = "updates";

/// The value after `--name` on the command line.
fn arg(name: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a.strip_prefix("--") == Some(name) {
            return args.next();
        }
    }
    None
}

fn arg_ms(name: &str) -> Option<Duration> {
    arg(name)?.parse().ok().map(Duration::from_millis)
}

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let feed = arg("feed")
        .unwrap_or_else(|| "https://updates.example.invalid/auto_update/latest.json".into());
    let flag = |name: &str| std::env::args().any(|a| a.strip_prefix("--") == Some(name));
    let mut config = UpdaterConfig::new(VERSION, [feed], PUBLIC_KEY)
        .app_id("auto-update")
        .allow_insecure_loopback(flag("insecure-loopback"))
        .allow_unbound_signatures(flag("allow-unbound"))
        .health_timeout(arg_ms("health-ms").unwrap_or(Duration::from_secs(20)))
        .network(traykit_updater::NetOptions {
            backoff: Duration::from_millis(200),
            read_timeout: Duration::from_secs(5),
            ..Default::default()
        });
    if let Some(delay) = arg_ms("auto-confirm-ms") {
        config = config.auto_confirm_after(delay);
    }
    if let Some(dir) = arg("state-dir") {
        config = config.state_dir(dir);
    }
    config = match arg_ms("interval-ms") {
        Some(every) => config
            .check_every(every)
            .first_check_after(Duration::from_millis(300)),
        None => config.manual_only(),
    };

    let mut builder = App::builder()
        .name("Auto update")
        // First: a start during an update's trial is handed to the watchdog.
        .updater(config);
    if let Some(id) = arg("single-instance") {
        builder = builder.id(id).single_instance(true);
    }
    builder
        .tray(
            Tray::new(TRAY)
                .icon(Icon::solid(22, [0x2e, 0x7d, 0x32, 0xff]).expect("valid icon"))
                .title(format!("v{VERSION}"))
                .tooltip(format!("Auto update v{VERSION}"))
                .menu(
                    Menu::new()
                        .item("check", "Check for updates")
                        .disabled_item("restart", "Restart to update")
                        .item("confirm", "Confirm health")
                        .separator()
                        .item("quit", "Quit"),
                ),
        )
        .setup(|app| {
            let updater = traykit_updater::updater(app).ok_or("the updater did not start")?;
            println!(
                "version {VERSION} pid {} ppid {} trial {}",
                std::process::id(),
                std::os::unix::process::parent_id(),
                updater.on_trial()
            );
            if CRASHY {
                eprintln!("auto_update {VERSION}: crashing at start, on purpose");
                std::process::abort();
            }
            let ui = Ui {
                app: app.clone(),
                tray: app.tray(TRAY)?,
                updater: updater.clone(),
            }
            .start();
            updater.subscribe(ui.clone().recipient());
            app.tray(TRAY)?.subscribe(ui.recipient());
            if updater.on_trial() && !std::env::args().any(|a| a == "--no-confirm") {
                // The tray is up and the actors run: this version works.
                updater.confirm_healthy()?; // printed as `healthy` by `Ui`
            }
            Ok(())
        })
        .run()
}

/// Shows the updater's progress in the tray and prints it for the test.
struct Ui {
    app: AppHandle,
    tray: TrayHandle,
    updater: UpdaterHandle,
}

impl Actor for Ui {
    type Context = Context<Self>;
}

impl Handler<MenuClicked> for Ui {
    type Result = ();

    fn handle(&mut self, click: MenuClicked, _: &mut Context<Self>) {
        match click.item.as_str() {
            "check" => {
                let updater = self.updater.clone();
                actix::spawn(async move {
                    // Failures arrive as `UpdateEvent::Failed`.
                    if let Ok(Some(_)) = updater.check().await {
                        let _ = updater.install().await;
                    }
                });
            }
            "restart" => {
                // The user chose to restart now; otherwise the new version
                // starts with the next launch.
                if let Err(error) = self.updater.restart(&self.app) {
                    println!("failed restart: {error}");
                }
            }
            "confirm" => {
                // What a new version does once it knows it works (a no-op
                // outside a trial); printed as `healthy` by the event.
                if let Err(error) = self.updater.confirm_healthy() {
                    println!("failed confirm: {error}");
                }
            }
            "quit" => self.app.quit(),
            _ => {}
        }
    }
}

impl Handler<UpdateEvent> for Ui {
    type Result = ();

    fn handle(&mut self, event: UpdateEvent, _: &mut Context<Self>) {
        let tooltip = match &event {
            UpdateEvent::Available(info) => {
                println!(
                    "update-available {} check_ms {}",
                    info.version, info.check_ms
                );
                Some(format!("Update {} available", info.version))
            }
            UpdateEvent::UpToDate { current } => {
                println!("up-to-date {current}");
                None
            }
            UpdateEvent::Skipped { version, reason } => {
                println!("skipped {version}: {reason}");
                None
            }
            UpdateEvent::Progress { downloaded, total } => {
                let total = total.map_or_else(|| "?".into(), |t| t.to_string());
                println!("progress {downloaded}/{total}");
                self.tray.post(TrayChange::Title(Some(format!(
                    "v{VERSION} ↓ {downloaded}/{total}"
                ))));
                Some(format!("Downloading: {downloaded}/{total} bytes"))
            }
            UpdateEvent::DeltaFailed { error } => {
                println!("delta-failed {error}");
                None
            }
            UpdateEvent::Confirmed { version } => {
                println!("healthy {version}");
                None
            }
            UpdateEvent::Verified { version } => {
                println!("verified {version}");
                None
            }
            UpdateEvent::Installed(installed) => {
                match &installed.delta {
                    Some(d) => println!(
                        "installed {} delta patch_bytes {} full_bytes {} saved_bytes {}",
                        installed.version, d.patch_bytes, d.full_bytes, d.saved_bytes
                    ),
                    None => println!(
                        "installed {} full downloaded_bytes {} download_ms {}",
                        installed.version, installed.downloaded_bytes, installed.download_ms
                    ),
                }
                let tray = self.tray.clone();
                actix::spawn(async move {
                    let _ = tray.set_enabled("restart", true).await;
                });
                Some(format!(
                    "Update {} installed; restart to use it",
                    installed.version
                ))
            }
            UpdateEvent::Failed { kind, error } => {
                println!("failed {kind}: {error}");
                Some(format!("Update failed: {error}"))
            }
            _ => None,
        };
        if let Some(text) = tooltip {
            self.tray.post(TrayChange::Tooltip(Some(text)));
        }
    }
}
