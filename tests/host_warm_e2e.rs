//! Opens that do not wait for a process start (examples/host_warm): a
//! prewarmed webview host serves the first window; a host kept for its
//! grace period serves the reopen, and exits after it; with no keep-alive
//! it goes with the last window, as before; a click while the host is
//! still warming opens the window; opening the tray menu (dbusmenu
//! `AboutToShow`, as a shell sends it) starts the host before any click;
//! the first window after a prewarm, and a reopen in a kept host, run in
//! the web process the warm-up started.
//! Timings are printed, never asserted.

mod support;

use std::time::{Duration, Instant};

use support::bus::Bus;
use support::watcher::Watcher;
use support::{children_of, eventually, example, sni, App};

const T: Duration = Duration::from_secs(60);

/// The app with its tray, as the panel sees it (bound in drop order).
struct Warm {
    _bus: Bus,
    _watcher: Watcher,
    app: App,
    tray: sni::Item,
}

fn launch(args: &[&str]) -> Warm {
    let bus = Bus::start();
    let watcher = Watcher::start(&bus);
    let app = App::spawn_piped(&example("host_warm"), &bus, args);
    let items = watcher.wait_items(1, T);
    assert_eq!(items.len(), 1, "host_warm did not register its tray");
    let tray = sni::Item::new(&bus, items[0].clone());
    Warm {
        _bus: bus,
        _watcher: watcher,
        app,
        tray,
    }
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

/// The app's webview hosts: its children running its own executable.
fn hosts(app: &App) -> Vec<u32> {
    let comm = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let own = comm(app.pid());
    children_of(app.pid())
        .into_iter()
        .filter(|&pid| alive(pid) && comm(pid) == own)
        .collect()
}

/// The WebKit web processes under `host`.
fn web_processes(host: u32) -> Vec<u32> {
    support::memory::tree(host)
        .into_iter()
        .filter(|&p| {
            alive(p)
                && std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .is_ok_and(|c| c.starts_with("WebKitWebProces"))
        })
        .collect()
}

/// Waits for exactly one web process under `host` and returns it.
fn the_web_process(host: u32) -> u32 {
    eventually(T, || match web_processes(host)[..] {
        [pid] => Some(pid),
        _ => None,
    })
    .unwrap_or_else(|| panic!("not one web process: {:?}", web_processes(host)))
}

/// Waits for exactly one host and returns it.
fn the_host(app: &App) -> u32 {
    eventually(T, || match hosts(app)[..] {
        [pid] => Some(pid),
        _ => None,
    })
    .unwrap_or_else(|| panic!("not one webview host: {:?}", hosts(app)))
}

impl Warm {
    /// Clicks "Open" and waits for the page's first call; the app's own
    /// figure of click → first IPC, in ms.
    fn open(&self) -> f64 {
        let started = Instant::now();
        self.tray.click("Open");
        let ms = self
            .app
            .wait_line("WARM_OPENED", T)
            .expect("the window's page called the app");
        println!(
            "open: {ms} ms (click → first IPC in the app; {} ms seen by the test)",
            started.elapsed().as_millis()
        );
        ms.parse().expect("a number")
    }

    fn close(&self) {
        self.tray.click("Close");
        assert_eq!(
            self.app.wait_line("WARM_CLOSED", T).as_deref(),
            Some("true")
        );
    }

    fn quit(mut self) {
        self.tray.click("Quit");
        assert_eq!(self.app.wait_exit(T), Some(0));
    }
}

#[test]
fn a_prewarmed_host_serves_the_first_window() {
    let warm = launch(&[]);
    assert!(hosts(&warm.app).is_empty(), "no host before any window");
    warm.tray.click("Prewarm");
    let host = the_host(&warm.app);
    // The warm webview's web process: the prewarm is done.
    let warm_process = the_web_process(host);
    println!("prewarmed host {host}, warm web process {warm_process}");
    warm.open();
    assert_eq!(hosts(&warm.app), vec![host], "the prewarmed host served it");
    // The page runs in the process the prewarm started (a related view),
    // and no second one was started for it.
    assert_eq!(
        web_processes(host),
        vec![warm_process],
        "the first window runs in the warm web process"
    );
    warm.quit();
}

#[test]
fn a_window_reopened_in_the_grace_period_finds_the_same_host() {
    let warm = launch(&["--keep-alive-ms", "600000"]);
    warm.open();
    let host = the_host(&warm.app);
    let first = the_web_process(host);
    warm.close();
    assert!(alive(host), "the host is kept after its last window");
    // The kept host warms again: a new web process, waiting for the reopen.
    let rewarmed = eventually(T, || match web_processes(host)[..] {
        [pid] if pid != first => Some(pid),
        _ => None,
    })
    .unwrap_or_else(|| panic!("no new warm web process: {:?}", web_processes(host)));
    warm.open();
    assert_eq!(
        hosts(&warm.app),
        vec![host],
        "the kept host served the reopen"
    );
    assert_eq!(
        web_processes(host),
        vec![rewarmed],
        "the reopened window runs in the re-warmed web process"
    );
    warm.quit();
}

/// Open, close, and the host exits (after the keep-alive, or at once);
/// the next open starts a new one.
fn host_goes_after(keep_alive_ms: &str) {
    let warm = launch(&["--keep-alive-ms", keep_alive_ms]);
    warm.open();
    let host = the_host(&warm.app);
    let closed = Instant::now();
    warm.close();
    eventually(T, || (!alive(host)).then_some(()))
        .unwrap_or_else(|| panic!("host {host} still runs after its keep-alive"));
    println!(
        "keep-alive {keep_alive_ms} ms: host exited {} ms after the close",
        closed.elapsed().as_millis()
    );
    warm.open();
    let next = the_host(&warm.app);
    assert_ne!(next, host, "a new host for the next window");
    warm.quit();
}

#[test]
fn after_the_grace_period_the_host_exits() {
    host_goes_after("300");
}

#[test]
fn without_keep_alive_the_host_goes_with_the_last_window() {
    host_goes_after("0");
}

#[test]
fn a_click_while_the_host_warms_opens_the_window() {
    let warm = launch(&[]);
    // No wait between the two: the host is still starting when the click
    // arrives, and serves the window first.
    warm.tray.click("Prewarm");
    warm.open();
    let host = the_host(&warm.app);
    println!("host {host} served the window asked for while it warmed");
    warm.quit();
}

#[test]
fn opening_the_menu_starts_the_host_before_any_click() {
    let warm = launch(&[]);
    assert!(hosts(&warm.app).is_empty(), "no host before the menu opens");
    // What the shell sends when the user opens the menu: nothing clicked.
    let opened = Instant::now();
    warm.tray.open_menu();
    let host = the_host(&warm.app);
    println!(
        "menu opened → host {host} running after {} ms",
        opened.elapsed().as_millis()
    );
    warm.open();
    assert_eq!(
        hosts(&warm.app),
        vec![host],
        "the menu's host served the click"
    );
    warm.quit();
}
