//! The floor for the IPC benchmarks: the same page measurements on bare
//! tao + wry, with no framework: the IPC handler answers on the main thread
//! with one `evaluate_script` per reply (events: one per 1,000-event chunk).
//! Prints `FLOOR_LOADED` and `FLOOR_REPORT {json}`; run by `scripts/bench.sh`.

use std::io::Write;

use serde_json::{json, Value};
use tao::event::{Event, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tao::platform::unix::WindowExtUnix;
use tao::window::WindowBuilder;
use wry::{WebViewBuilder, WebViewBuilderExtUnix};

fn main() -> anyhow::Result<()> {
    let event_loop = EventLoopBuilder::<String>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let window = WindowBuilder::new()
        .with_title("wry floor")
        .with_inner_size(tao::dpi::LogicalSize::new(480.0, 320.0))
        .build(&event_loop)?;
    let vbox = window
        .default_vbox()
        .ok_or_else(|| anyhow::anyhow!("no GTK container"))?;
    let page = include_str!("wry_floor/index.html");
    let webview = WebViewBuilder::new()
        .with_html(page)
        .with_custom_protocol("floor".into(), |_id, request| {
            // Echo the body: the cheapest possible custom-protocol round trip.
            wry::http::Response::builder()
                .header("Access-Control-Allow-Origin", "*")
                .header("Content-Type", "text/plain")
                .body(std::borrow::Cow::Owned(request.into_body()))
                .unwrap_or_default()
        })
        .with_ipc_handler(move |req| {
            let Ok(msg) = serde_json::from_str::<Value>(req.body()) else {
                return;
            };
            let reply = |id: &Value, v: Value| format!("window.__floorReceive({id},{v})");
            let script = match msg["op"].as_str() {
                Some("echo") => reply(&msg["id"], msg["arg"].clone()),
                Some("len") => reply(&msg["id"], json!(msg["arg"].as_str().map_or(0, str::len))),
                Some("blob") => {
                    let n = msg["arg"].as_u64().unwrap_or(0) as usize;
                    reply(&msg["id"], json!("y".repeat(n)))
                }
                Some("ticks") => "TICKS".to_owned(),
                Some("loaded") => {
                    println!("FLOOR_LOADED");
                    let _ = std::io::stdout().flush();
                    return;
                }
                Some("report") => {
                    println!("FLOOR_REPORT {}", msg["arg"]);
                    let _ = std::io::stdout().flush();
                    "EXIT".to_owned()
                }
                _ => return,
            };
            let _ = proxy.send_event(script);
        })
        .build_gtk(vbox)?;

    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(script) if script == "EXIT" => *control_flow = ControlFlow::Exit,
            Event::UserEvent(script) if script == "TICKS" => {
                // 10,000 events in chunks of 1,000 per evaluation.
                for chunk in 0..10 {
                    let events: Vec<Value> =
                        (0..1000).map(|i| json!({"n": chunk * 1000 + i})).collect();
                    let _ = webview.evaluate_script(&format!(
                        "{}.forEach(()=>{{}});window.__floorTick(1000)",
                        Value::from(events)
                    ));
                }
            }
            Event::UserEvent(script) => {
                let _ = webview.evaluate_script(&script);
            }
            Event::WindowEvent {
                event: WindowEvent::CloseRequested,
                ..
            } => *control_flow = ControlFlow::Exit,
            _ => {}
        }
    });
}
