//! The main thread: tao's event loop, the live trays, and the actor thread.
//!
//! `run` owns the main thread. It starts the actix System on a thread of its
//! own, then serves [`UiRequest`]s posted through the event-loop proxy until
//! an `Exit` request arrives. Menu and tray-icon events do not pass through
//! here: tray-icon reports them on its D-Bus thread, and they go straight to
//! the owning actor through [`AppHandle::dispatch`].

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use traykit_actors::app::AppHandle;
use traykit_actors::notifier::DbusNotifications;
use traykit_actors::ui::{MouseButton, UiEnvelope, UiEvent, UiHandle, UiPoster, UiRequest};

use crate::builder::AppBuilder;
use crate::error::Error;
use crate::trays::{parse_menu_event, Trays};

/// Posts to the main thread through tao's proxy — except window requests,
/// which go straight to the webview host from the caller's thread.
struct ProxyPoster {
    proxy: Mutex<EventLoopProxy<UiEnvelope>>,
    /// Windows live in the webview host process; the app side only writes
    /// to its pipe and touches no GTK object, so a window request needs no
    /// stop on the main thread (that hop cost every reply and event batch
    /// a main-loop wake-up).
    #[cfg(feature = "webview")]
    windows: Arc<Mutex<crate::webview::host::HostWindows>>,
}

impl UiPoster for ProxyPoster {
    fn post(&self, envelope: UiEnvelope) -> Result<(), traykit_actors::UiError> {
        #[cfg(feature = "webview")]
        if is_window_request(envelope.request()) {
            let (request, responder) = envelope.into_parts();
            self.windows
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .handle(request, responder);
            return Ok(());
        }
        self.proxy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send_event(envelope)
            .map_err(|_| traykit_actors::UiError::Closed)
    }
}

/// Requests served by the webview host, not by the main thread.
#[cfg(feature = "webview")]
fn is_window_request(request: &UiRequest) -> bool {
    matches!(
        request,
        UiRequest::CreateWindow { .. }
            | UiRequest::Window { .. }
            | UiRequest::DestroyWindow(_)
            | UiRequest::Eval { .. }
    )
}

#[cfg(feature = "webview")]
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn has_display() -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Routes tray-icon's and muda's process-wide event handlers to the app.
fn install_event_handlers(app: Arc<OnceLock<AppHandle>>) {
    let menu_app = app.clone();
    tray_icon::menu::MenuEvent::set_event_handler(Some(
        move |event: tray_icon::menu::MenuEvent| {
            let Some(app) = menu_app.get() else { return };
            match parse_menu_event(event.id.as_ref()) {
                Some((tray, item)) => app.dispatch(UiEvent::MenuActivated { tray, item }),
                None => tracing::debug!(id = ?event.id, "menu event not from a traykit tray"),
            }
        },
    ));
    tray_icon::TrayIconEvent::set_event_handler(Some(move |event: tray_icon::TrayIconEvent| {
        let Some(app) = app.get() else { return };
        if let tray_icon::TrayIconEvent::Click {
            id,
            position,
            button,
            ..
        } = event
        {
            let Ok(tray) = traykit_actors::ids::TrayId::new(id.0) else {
                return;
            };
            let button = match button {
                tray_icon::MouseButton::Left => MouseButton::Left,
                tray_icon::MouseButton::Right => MouseButton::Right,
                tray_icon::MouseButton::Middle => MouseButton::Middle,
            };
            app.dispatch(UiEvent::TrayActivated {
                tray,
                button,
                position: (position.x, position.y),
            });
        }
    }));
}

/// SIGTERM and SIGINT handlers, installed before the app boots: a signal
/// that arrives while trays are being created is held, not fatal.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside the actor thread's runtime).
    fn install() -> Option<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Some(Signals { term, int }),
            _ => {
                tracing::warn!(
                    "could not install signal handlers; SIGTERM will not shut down cleanly"
                );
                None
            }
        }
    }

    /// Quits cleanly, with exit code 0, on the first signal (also one that
    /// arrived during boot).
    fn quit_on_signal(mut self, app: AppHandle) {
        actix::spawn(async move {
            tokio::select! {
                _ = self.term.recv() => tracing::info!("SIGTERM received"),
                _ = self.int.recv() => tracing::info!("SIGINT received"),
            }
            app.quit();
        });
    }
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

pub(crate) fn run(mut builder: AppBuilder) -> Result<i32, Error> {
    #[cfg(feature = "webview")]
    if std::env::var_os(crate::webview::host::HOST_ENV).is_some() {
        // This process is the app's webview host, not the app. Exit here so
        // no code after `run()` in the app's `main` runs a second time.
        let code = crate::webview::host::serve(std::mem::take(&mut builder.assets))?;
        std::process::exit(code);
    }
    if let Some(format) = std::env::args().find_map(|a| {
        a.strip_prefix("--print-capabilities")
            .map(|rest| rest.trim_start_matches('=').to_owned())
    }) {
        return print_capabilities(&builder, &format);
    }
    let app_slot: Arc<OnceLock<AppHandle>> = Arc::default();
    // Before the display check: `--ctl` and a second launch's hand-off need
    // no display, and end here.
    let mut prepared = crate::integration::prepare(&mut builder, app_slot.clone())?;
    let boot_part = prepared.boot_part();
    if !has_display() {
        return Err(Error::NoDisplay);
    }
    if !builder.opengl && std::env::var_os("GDK_GL").is_none() {
        // GTK's X11 backend probes GLX at start-up, which maps Mesa (tens of
        // MB) into a process that never draws with GL. Set before any thread
        // exists, so no concurrent getenv can race it.
        std::env::set_var("GDK_GL", "disable");
    }
    install_event_handlers(app_slot.clone());
    #[cfg(feature = "webview")]
    let windows = {
        let app = app_slot.clone();
        Arc::new(Mutex::new(crate::webview::host::HostWindows::new(
            Arc::new(move |event| {
                if let Some(app) = app.get() {
                    app.dispatch(event);
                }
            }),
            builder.ipc_limits.max_message_bytes,
        )))
    };
    // Before the event loop (GTK start-up): the host's own start-up then
    // runs alongside the app's.
    #[cfg(feature = "webview")]
    if builder
        .windows
        .iter()
        .any(|w| matches!(w.clone().into_spec(), Ok((_, true, _) | (_, _, true))))
    {
        lock(&windows).prespawn();
    }
    let mut event_loop =
        std::panic::catch_unwind(|| EventLoopBuilder::<UiEnvelope>::with_user_event().build())
            .map_err(|_| Error::NoDisplay)?;
    let ui = UiHandle::new(
        Arc::new(ProxyPoster {
            proxy: Mutex::new(event_loop.create_proxy()),
            #[cfg(feature = "webview")]
            windows: windows.clone(),
        }),
        builder.request_timeout,
    );

    let boot_error: Arc<Mutex<Option<Error>>> = Arc::default();
    let (system_tx, system_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let actor_thread = {
        let boot_error = boot_error.clone();
        let ui = ui.clone();
        std::thread::Builder::new()
            .name("traykit-actors".into())
            .spawn(move || {
                let system = actix::System::new();
                let _ = system_tx.send(actix::System::current());
                let booted = system.block_on(async move {
                    let signals = Signals::install();
                    let app = builder
                        .boot(ui.clone(), Arc::new(DbusNotifications::default()), |app| {
                            let _ = app_slot.set(app.clone());
                        })
                        .await;
                    match app {
                        Ok(app) => {
                            boot_part.start(&app);
                            if let Some(signals) = signals {
                                signals.quit_on_signal(app);
                            }
                            true
                        }
                        Err(error) => {
                            *boot_error.lock().unwrap_or_else(PoisonError::into_inner) =
                                Some(error);
                            let _ = ui.request(UiRequest::Exit { code: 1 }).await;
                            false
                        }
                    }
                });
                if booted {
                    if let Err(error) = system.run() {
                        tracing::error!(%error, "actor system stopped with an error");
                    }
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| Error::ActorThread(e.to_string()))?
    };
    let system = system_rx
        .recv()
        .map_err(|_| Error::ActorThread("the actor thread died at start".into()))?;

    let mut trays = Trays::default();
    let mut exit_code = 0;
    event_loop.run_return(|event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        let Event::UserEvent(envelope) = event else {
            return;
        };
        let (request, responder) = envelope.into_parts();
        tracing::trace!(request = request.name(), "ui request");
        #[cfg(feature = "webview")]
        let request = match request {
            r if is_window_request(&r) => {
                // Normally routed by the poster; answered later by the host.
                lock(&windows).handle(r, responder);
                return;
            }
            other => other,
        };
        let reply = match request {
            UiRequest::CreateTray(spec) => trays.create(spec),
            UiRequest::UpdateTray { id, update } => trays.update(&id, update),
            UiRequest::RemoveTray(id) => trays.remove(&id),
            UiRequest::Exit { code } => {
                exit_code = code;
                *control_flow = ControlFlow::ExitWithCode(code);
                Ok(())
            }
            #[allow(unreachable_patterns)]
            other => Err(traykit_actors::UiError::Failed {
                request: other.name(),
                reason: "not supported by this build (enable the `webview` feature for windows)"
                    .into(),
            }),
        };
        responder.send(reply);
    });
    #[cfg(feature = "webview")]
    lock(&windows).shutdown();

    system.stop();
    if done_rx.recv_timeout(Duration::from_secs(5)).is_ok() {
        let _ = actor_thread.join();
    } else {
        tracing::warn!("actor thread did not stop within 5 s; exiting without it");
    }
    drop(trays);
    drop(prepared);
    if let Some(error) = boot_error
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        return Err(error);
    }
    Ok(exit_code)
}
