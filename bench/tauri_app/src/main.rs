//! The Tauri 2 column of traykit's benchmarks: the scenarios of
//! `examples/ipc_probe` (tray "Open probe" / "Close probe" / "Quit", a probe
//! page that reports its measurements as one `PROBE_REPORT {json}` line),
//! written as a plain Tauri app. Built and run only by `scripts/bench.sh`.
//!
//! Flags, as ipc_probe's: `--open` opens the window at start; `--second`
//! opens a second window after the first page's report and prints
//! `SECOND_LOADED <ms>` (window request → its page's first IPC message).

use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

/// When the second window was asked for (`--second`).
#[derive(Default)]
struct SecondAsked(Mutex<Option<Instant>>);

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[tauri::command]
fn probe_echo(text: String) -> String {
    text
}

#[tauri::command]
fn probe_add(a: i64, b: i64) -> Result<i64, String> {
    a.checked_add(b).ok_or_else(|| "overflow".to_owned())
}

#[tauri::command]
fn probe_len(data: String) -> usize {
    data.len()
}

#[tauri::command]
fn probe_blob(size: usize) -> Result<String, String> {
    if size > 64 << 20 {
        return Err("too big".into());
    }
    Ok("y".repeat(size))
}

#[tauri::command]
fn probe_ticks(app: AppHandle, n: u32) {
    for i in 0..n {
        let _ = app.emit("tick", json!({ "n": i }));
    }
    let _ = app.emit("ticks-done", n);
}

/// UI-thread hop: `run_on_main_thread` and wait for it, `n` times (async,
/// so it runs off the main thread).
#[tauri::command]
async fn probe_hops(app: AppHandle, n: u32) -> Value {
    let mut micros = Vec::new();
    for _ in 0..n {
        let start = Instant::now();
        let (tx, rx) = std::sync::mpsc::channel();
        if app
            .run_on_main_thread(move || {
                let _ = tx.send(());
            })
            .is_err()
        {
            break;
        }
        let _ = rx.recv();
        micros.push(start.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let i = ((micros.len() as f64 - 1.0) * p).round() as usize;
        micros.get(i).copied().unwrap_or(f64::NAN)
    };
    json!({ "p50_us": pct(0.5), "p99_us": pct(0.99) })
}

#[tauri::command]
fn probe_loaded() {
    say("PROBE_LOADED");
}

#[tauri::command]
fn probe_second_loaded(state: tauri::State<'_, SecondAsked>) {
    let asked = state.0.lock().map(|mut a| a.take()).unwrap_or(None);
    if let Some(t) = asked {
        say(&format!(
            "SECOND_LOADED {:.3}",
            t.elapsed().as_secs_f64() * 1e3
        ));
    }
}

#[tauri::command]
fn probe_report(app: AppHandle, report: Value) {
    say(&format!("PROBE_REPORT {report}"));
    if std::env::args().any(|a| a == "--second") {
        if let Ok(mut asked) = app.state::<SecondAsked>().0.lock() {
            *asked = Some(Instant::now());
        }
        // Off the IPC handler: window creation waits for the event loop.
        let app = app.clone();
        std::thread::spawn(move || {
            let built =
                WebviewWindowBuilder::new(&app, "second", WebviewUrl::App("second.html".into()))
                    .title("second")
                    .inner_size(320.0, 200.0)
                    .build();
            if let Err(e) = built {
                eprintln!("second window: {e}");
            }
        });
    }
}

fn open_probe(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("probe") {
        let _ = w.show();
        return;
    }
    let built = WebviewWindowBuilder::new(app, "probe", WebviewUrl::App("index.html".into()))
        .title("IPC probe")
        .inner_size(480.0, 320.0)
        .build();
    if let Err(e) = built {
        eprintln!("probe window: {e}");
    }
}

fn main() {
    let open_at_start = std::env::args().any(|a| a == "--open");
    let app = tauri::Builder::default()
        .manage(SecondAsked::default())
        .invoke_handler(tauri::generate_handler![
            probe_echo,
            probe_add,
            probe_len,
            probe_blob,
            probe_ticks,
            probe_loaded,
            probe_hops,
            probe_second_loaded,
            probe_report
        ])
        .setup(move |app| {
            let menu = Menu::with_items(
                app,
                &[
                    &MenuItem::with_id(app, "open", "Open probe", true, None::<&str>)?,
                    &MenuItem::with_id(app, "close", "Close probe", true, None::<&str>)?,
                    &MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?,
                ],
            )?;
            let mut tray = TrayIconBuilder::with_id("probe")
                .title("probe")
                .menu(&menu)
                .on_menu_event(|app, event| match event.id.as_ref() {
                    "open" => open_probe(app),
                    "close" => {
                        if let Some(w) = app.get_webview_window("probe") {
                            let _ = w.destroy();
                        }
                    }
                    _ => app.exit(0),
                });
            if let Some(icon) = app.default_window_icon() {
                tray = tray.icon(icon.clone());
            }
            tray.build(app)?;
            if open_at_start {
                open_probe(app.handle());
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("tauri_bench: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        // A tray app: closing the last window does not quit.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
}
