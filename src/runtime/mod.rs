//! The main thread: tao's event loop, the live trays, and the actor thread.
//!
//! `run` owns the main thread. It starts the actix System on a thread of its
//! own (`actors`), then serves [`UiRequest`]s posted through the event-loop
//! proxy until an `Exit` request arrives. Menu and tray-icon events do not
//! pass through here: tray-icon reports them on its D-Bus thread, and they go
//! straight to the owning actor through `AppHandle::dispatch`
//! (`tray_events`). Window requests do not either: the poster hands them to
//! the webview host from the caller's thread (`windows`; `no_windows` is its
//! stand-in without the `webview` feature).

mod actors;
mod poster;
mod signals;
mod tray_events;
#[cfg(not(feature = "webview"))]
#[path = "no_windows.rs"]
mod windows;
#[cfg(feature = "webview")]
mod windows;

use std::sync::{Arc, Mutex, OnceLock};

use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder};
use tao::platform::run_return::EventLoopExtRunReturn;
use traykit_actors::app::AppHandle;
use traykit_actors::ui::{UiEnvelope, UiHandle, UiReply, UiRequest};
use traykit_actors::UiError;

use self::actors::ActorThread;
use self::poster::ProxyPoster;
use self::windows::WindowRequests;
use crate::builder::AppBuilder;
use crate::error::Error;
use crate::trays::Trays;

/// Runs the app on this (the main) thread until it quits; returns its exit
/// code. In the webview host process it serves windows instead and exits.
pub(crate) fn run(mut builder: AppBuilder) -> Result<i32, Error> {
    windows::serve_if_host(&mut builder)?;
    if let Some(format) = capabilities_flag() {
        return print_capabilities(&builder, &format);
    }
    let app_slot: Arc<OnceLock<AppHandle>> = Arc::default();
    // Before the display check: `--ctl` and a second launch's hand-off need
    // no display, and end here.
    let mut prepared =
        crate::desktop::prepare(&builder.name, &mut builder.desktop, app_slot.clone())?;
    let boot_part = prepared.boot_part();
    if !builder.opengl && std::env::var_os("GDK_GL").is_none() {
        // GTK's X11 backend probes GLX at start-up, which maps Mesa (tens of
        // MB) into a process that never draws with GL. Set before any thread
        // exists, so no concurrent getenv can race it, and before GTK opens
        // the display.
        std::env::set_var("GDK_GL", "disable");
    }
    crate::display::open()?;
    tray_events::install(app_slot.clone());
    let windows = WindowRequests::new(&builder, &app_slot);
    let mut event_loop =
        std::panic::catch_unwind(|| EventLoopBuilder::<UiEnvelope>::with_user_event().build())
            .map_err(|_| Error::NoDisplay)?;
    let poster = ProxyPoster {
        proxy: Mutex::new(event_loop.create_proxy()),
        windows: windows.clone(),
    };
    let ui = UiHandle::new(Arc::new(poster), builder.request_timeout);
    let actors = ActorThread::spawn(builder, ui, app_slot, boot_part)?;

    let mut trays = Trays::default();
    let exit_code = serve(&mut event_loop, &mut trays, &windows);
    windows.shutdown();
    let boot_error = actors.stop();
    // The trays go only after the actors stopped, and the instance lock and
    // the log writer (`prepared`) last of all.
    drop(trays);
    drop(prepared);
    match boot_error {
        Some(error) => Err(error),
        None => Ok(exit_code),
    }
}

/// Serves UI requests until an `Exit` request; returns its code.
fn serve(
    event_loop: &mut EventLoop<UiEnvelope>,
    trays: &mut Trays,
    windows: &WindowRequests,
) -> i32 {
    let mut exit_code = 0;
    event_loop.run_return(|event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        let Event::UserEvent(envelope) = event else {
            return;
        };
        let (request, responder) = envelope.into_parts();
        tracing::trace!(request = request.name(), "ui request");
        if windows.takes(&request) {
            // Normally routed by the poster; answered later by the host.
            windows.handle(request, responder);
            return;
        }
        let reply = match request {
            UiRequest::Exit { code } => {
                exit_code = code;
                *control_flow = ControlFlow::ExitWithCode(code);
                Ok(())
            }
            other => serve_tray(trays, other),
        };
        responder.send(reply);
    });
    exit_code
}

/// A tray request on the main thread, where the tray objects live.
fn serve_tray(trays: &mut Trays, request: UiRequest) -> UiReply {
    match request {
        UiRequest::CreateTray(spec) => trays.create(spec),
        UiRequest::UpdateTray { id, update } => trays.update(&id, update),
        UiRequest::RemoveTray(id) => trays.remove(&id),
        // No webview host in this build: nothing to warm.
        UiRequest::PrewarmHost => Ok(()),
        other => Err(UiError::Failed {
            request: other.name(),
            reason: "not supported by this build (enable the `webview` feature for windows)".into(),
        }),
    }
}

/// The format asked for with `--print-capabilities[=json]`, if any.
fn capabilities_flag() -> Option<String> {
    std::env::args().find_map(|a| {
        a.strip_prefix("--print-capabilities")
            .map(|rest| rest.trim_start_matches('=').to_owned())
    })
}

/// `--print-capabilities[=json]`: the report on stdout, then exit.
fn print_capabilities(builder: &AppBuilder, format: &str) -> Result<i32, Error> {
    use std::io::Write;
    let report = builder.capability_report()?;
    let text = match format {
        "json" => serde_json::to_string_pretty(&report).map_err(|e| Error::Report(e.to_string()))?,
        "" | "text" => report.to_string(),
        other => {
            return Err(Error::Report(format!(
                "unknown report format `{other}` (use --print-capabilities or --print-capabilities=json)"
            )))
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| Error::Report(e.to_string()))?;
    Ok(0)
}
