//! The floor for the window/IPC benchmarks: the same page measurements on
//! bare tao + wry (+ tray-icon for the tray), with no framework: the IPC
//! handler answers on the main thread with one `evaluate_script` per reply
//! (events: one per 1,000-event chunk). Prints `FLOOR_LOADED` and
//! `FLOOR_REPORT {json}`; run by `scripts/bench.sh`.
//!
//! Flags, as `ipc_probe`'s: `--open` opens the window at start, `--tray`
//! adds a tray ("Open probe" / "Close probe" / "Quit") and keeps running
//! without windows, `--second` opens a second window after the report and
//! prints `SECOND_LOADED <ms>`. Without `--tray` it exits after the report.

use std::io::Write;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};
use tao::event::{Event, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy, EventLoopWindowTarget};
use tao::platform::unix::WindowExtUnix;
use tao::window::{Window, WindowBuilder};
use wry::{WebView, WebViewBuilder, WebViewBuilderExtUnix};

enum Ev {
    /// Evaluate in the probe page.
    Script(String),
    /// Send the 10,000-event burst.
    Ticks,
    /// One UI-thread hop: answer at once.
    Hop(mpsc::Sender<()>),
    /// The probe reported.
    Reported,
    /// The second page loaded.
    SecondLoaded,
    /// A tray menu entry.
    Menu(String),
}

struct Win {
    // Field order is drop order: the webview goes before its window.
    webview: WebView,
    _window: Window,
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn ipc_handler(proxy: EventLoopProxy<Ev>) -> impl Fn(wry::http::Request<String>) + 'static {
    move |req| {
        let Ok(msg) = serde_json::from_str::<Value>(req.body()) else {
            return;
        };
        let reply = |id: &Value, v: Value| format!("window.__floorReceive({id},{v})");
        let ev = match msg["op"].as_str() {
            Some("echo") => Ev::Script(reply(&msg["id"], msg["arg"].clone())),
            Some("len") => Ev::Script(reply(
                &msg["id"],
                json!(msg["arg"].as_str().map_or(0, str::len)),
            )),
            Some("blob") => {
                let n = msg["arg"].as_u64().unwrap_or(0) as usize;
                Ev::Script(reply(&msg["id"], json!("y".repeat(n))))
            }
            Some("ticks") => Ev::Ticks,
            Some("hops") => {
                // Off the main thread, as an actor would ask it.
                let (proxy, id) = (proxy.clone(), msg["id"].clone());
                let n = msg["arg"].as_u64().unwrap_or(0);
                std::thread::spawn(move || {
                    let mut micros = Vec::new();
                    for _ in 0..n {
                        let start = Instant::now();
                        let (tx, rx) = mpsc::channel();
                        if proxy.send_event(Ev::Hop(tx)).is_err() || rx.recv().is_err() {
                            return;
                        }
                        micros.push(start.elapsed().as_secs_f64() * 1e6);
                    }
                    micros.sort_by(f64::total_cmp);
                    let v = json!({"p50_us": percentile(&micros, 0.5), "p99_us": percentile(&micros, 0.99)});
                    let _ = proxy.send_event(Ev::Script(reply(&id, v)));
                });
                return;
            }
            Some("loaded") => {
                say("FLOOR_LOADED");
                return;
            }
            Some("second_loaded") => Ev::SecondLoaded,
            Some("report") => {
                say(&format!("FLOOR_REPORT {}", msg["arg"]));
                Ev::Reported
            }
            _ => return,
        };
        let _ = proxy.send_event(ev);
    }
}

fn open(
    target: &EventLoopWindowTarget<Ev>,
    proxy: &EventLoopProxy<Ev>,
    title: &str,
    size: (f64, f64),
    page: &'static str,
) -> anyhow::Result<Win> {
    let window = WindowBuilder::new()
        .with_title(title)
        .with_inner_size(tao::dpi::LogicalSize::new(size.0, size.1))
        .build(target)?;
    let vbox = window
        .default_vbox()
        .ok_or_else(|| anyhow::anyhow!("no GTK container"))?;
    // The page is fetched over a custom protocol, as traykit's and Tauri's
    // are (not `with_html`, which skips the fetch).
    let webview = WebViewBuilder::new()
        .with_url("floor://localhost/index.html")
        .with_custom_protocol("floor".into(), move |_id, request| {
            let (content_type, body) = if request.method() == "GET" {
                ("text/html", std::borrow::Cow::Borrowed(page.as_bytes()))
            } else {
                // Echo the body: the cheapest possible custom-protocol
                // round trip.
                ("text/plain", std::borrow::Cow::Owned(request.into_body()))
            };
            wry::http::Response::builder()
                .header("Content-Type", content_type)
                .body(body)
                .unwrap_or_default()
        })
        .with_ipc_handler(ipc_handler(proxy.clone()))
        .build_gtk(vbox)?;
    Ok(Win {
        webview,
        _window: window,
    })
}

const SECOND_PAGE: &str = "<!doctype html><html><body><p>second window</p>\
    <script>window.ipc.postMessage(JSON.stringify({op:'second_loaded'}))</script></body></html>";

fn main() -> anyhow::Result<()> {
    let has = |flag: &str| std::env::args().any(|a| a == flag);
    let (open_at_start, with_tray, second) = (has("--open"), has("--tray"), has("--second"));
    let event_loop = EventLoopBuilder::<Ev>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let page = include_str!("wry_floor/index.html");

    let _tray = if with_tray {
        use tray_icon::menu::{Menu, MenuEvent, MenuItem};
        let menu = Menu::new();
        for (id, text) in [
            ("open", "Open probe"),
            ("close", "Close probe"),
            ("quit", "Quit"),
        ] {
            menu.append(&MenuItem::with_id(id, text, true, None))?;
        }
        let menu_proxy = Mutex::new(proxy.clone());
        MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
            if let Ok(p) = menu_proxy.lock() {
                let _ = p.send_event(Ev::Menu(e.id.0));
            }
        }));
        Some(
            tray_icon::TrayIconBuilder::new()
                .with_title("floor")
                .with_menu(Box::new(menu))
                .build()?,
        )
    } else {
        None
    };

    let mut probe: Option<Win> = None;
    // The second window: kept alive (open) until the tray closes windows.
    let mut others: Vec<Win> = Vec::new();
    let second_asked: Arc<Mutex<Option<Instant>>> = Arc::default();
    if open_at_start {
        probe = Some(open(
            &event_loop,
            &proxy,
            "wry floor",
            (480.0, 320.0),
            page,
        )?);
    }

    event_loop.run(move |event, target, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(Ev::Script(script)) => {
                if let Some(w) = &probe {
                    let _ = w.webview.evaluate_script(&script);
                }
            }
            Event::UserEvent(Ev::Ticks) => {
                // 10,000 events in chunks of 1,000 per evaluation.
                let Some(w) = &probe else { return };
                for chunk in 0..10 {
                    let events: Vec<Value> =
                        (0..1000).map(|i| json!({"n": chunk * 1000 + i})).collect();
                    let _ = w.webview.evaluate_script(&format!(
                        "{}.forEach(()=>{{}});window.__floorTick(1000)",
                        Value::from(events)
                    ));
                }
            }
            Event::UserEvent(Ev::Hop(tx)) => {
                let _ = tx.send(());
            }
            Event::UserEvent(Ev::Reported) => {
                if second {
                    if let Ok(mut a) = second_asked.lock() {
                        *a = Some(Instant::now());
                    }
                    match open(target, &proxy, "second", (320.0, 200.0), SECOND_PAGE) {
                        Ok(w) => others.push(w),
                        Err(e) => eprintln!("second window: {e}"),
                    }
                } else if !with_tray {
                    *control_flow = ControlFlow::Exit;
                }
            }
            Event::UserEvent(Ev::SecondLoaded) => {
                let asked = second_asked.lock().map(|mut a| a.take()).unwrap_or(None);
                if let Some(t) = asked {
                    say(&format!(
                        "SECOND_LOADED {:.3}",
                        t.elapsed().as_secs_f64() * 1e3
                    ));
                }
                if !with_tray {
                    *control_flow = ControlFlow::Exit;
                }
            }
            Event::UserEvent(Ev::Menu(id)) => match id.as_str() {
                "open" if probe.is_none() => {
                    match open(target, &proxy, "wry floor", (480.0, 320.0), page) {
                        Ok(w) => probe = Some(w),
                        Err(e) => eprintln!("probe window: {e}"),
                    }
                }
                "close" => {
                    probe = None;
                    others.clear();
                }
                "quit" => *control_flow = ControlFlow::Exit,
                _ => {}
            },
            Event::WindowEvent {
                event: WindowEvent::CloseRequested,
                ..
            } if !with_tray => *control_flow = ControlFlow::Exit,
            _ => {}
        }
    });
}
