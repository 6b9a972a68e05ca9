//! The host side: the webview host process serves windows instead of
//! running the app, until the app closes its request pipe.

use std::io::BufReader;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::sync::{mpsc, Arc, Mutex};

use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy, EventLoopWindowTarget};
use tao::platform::run_return::EventLoopExtRunReturn;
use traykit_actors::sync::lock;
use traykit_actors::ui::UiEvent;
use traykit_actors::UiError;

use super::frame::{read_frame, Caps, Frame};
use super::protocol::{pump, FromHost, ToHost, HOST_ENV, TO_HOST_BODY, TO_HOST_HEADER};
use super::windows::{PageMessage, PageSink, Windows};
use super::EventSink;
use crate::error::Error;
use crate::webview::assets::Assets;

/// The host side: runs in the child process instead of the app, until the
/// app closes the request pipe.
pub(crate) fn serve(assets: Assets) -> Result<i32, Error> {
    let (requests, events) = protocol_pipes()?;
    crate::display::open()?;
    let mut event_loop =
        std::panic::catch_unwind(|| EventLoopBuilder::<Option<ToHost>>::with_user_event().build())
            .map_err(|_| Error::NoDisplay)?;
    let proxy = event_loop.create_proxy();

    // `None` ends the writer: senders cloned into webview callbacks may
    // outlive the webviews (WebKit keeps some closures), so waiting for every
    // sender to drop could wait forever.
    let (out_tx, out_rx) = mpsc::channel::<Option<FromHost>>();
    let writer = std::thread::Builder::new()
        .name("traykit-host-out".into())
        .spawn(move || pump(out_rx, events))
        .map_err(|e| Error::EventLoop(e.to_string()))?;

    let replies = Mutex::new(out_tx.clone());
    std::thread::Builder::new()
        .name("traykit-host-in".into())
        .spawn(move || {
            read_requests(requests, &proxy, &replies);
            let _ = proxy.send_event(None); // the app let us go
        })
        .map_err(|e| Error::EventLoop(e.to_string()))?;

    let sinks = (event_sink(out_tx.clone()), page_sink(out_tx.clone()));
    let mut windows = Windows::new(Arc::new(assets), sinks.0, sinks.1);
    // A prewarm waits until the queue is empty: a window asked for in the
    // same moment (a click while the host was starting) goes first, and
    // warms the host itself.
    let mut warm_wanted = false;
    event_loop.run_return(|event, target, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(Some(ToHost::Prewarm)) => warm_wanted = true,
            Event::UserEvent(Some(msg)) => {
                if let Some((id, result)) = apply(&mut windows, target, msg) {
                    let error = result.err().map(|e| e.to_string());
                    let _ = out_tx.send(Some(FromHost::Reply { id, error }));
                }
            }
            Event::MainEventsCleared if warm_wanted => {
                warm_wanted = false;
                if let Err(error) = windows.prewarm(target) {
                    // Only the head start is lost: windows still open.
                    tracing::warn!(%error, "webview host not prewarmed");
                }
            }
            Event::UserEvent(None) => *control_flow = ControlFlow::Exit,
            Event::WindowEvent {
                window_id, event, ..
            } => windows.window_event(window_id, &event),
            _ => {}
        }
    });
    drop(windows);
    let _ = out_tx.send(None);
    let _ = writer.join();
    Ok(0)
}

/// The request reader (its own thread): hands each request to the main
/// loop, until the app closes the pipe or the stream breaks. A script over
/// its cap is answered here, unread, so the actor waiting on it hears why.
fn read_requests(
    requests: std::fs::File,
    proxy: &EventLoopProxy<Option<ToHost>>,
    replies: &Mutex<mpsc::Sender<Option<FromHost>>>,
) {
    let mut input = BufReader::with_capacity(64 * 1024, requests);
    let mut line = Vec::new();
    let caps = Caps {
        header: TO_HOST_HEADER,
        body: TO_HOST_BODY,
    };
    loop {
        match read_frame::<ToHost>(&mut input, &mut line, caps) {
            Ok(Some(Frame::Msg(msg))) => {
                if proxy.send_event(Some(msg)).is_err() {
                    return;
                }
            }
            Ok(Some(Frame::Oversize { msg, len })) => {
                tracing::error!(bytes = len, "webview host: request body over its limit");
                if let ToHost::Eval { id, .. } = msg {
                    let error = Some(format!(
                        "a script of {len} bytes is over the host's {TO_HOST_BODY} byte limit"
                    ));
                    let _ = lock(replies).send(Some(FromHost::Reply { id, error }));
                }
            }
            Ok(Some(Frame::Bad(error))) => {
                tracing::warn!(%error, "webview host: bad request frame")
            }
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, "webview host: broken request stream");
                return;
            }
        }
    }
}

/// Carries one request out on the host's main thread: `(its id, result)`,
/// or `None` for a message that is not answered.
fn apply<T: 'static>(
    windows: &mut Windows,
    target: &EventLoopWindowTarget<T>,
    msg: ToHost,
) -> Option<(u64, Result<(), UiError>)> {
    Some(match msg {
        ToHost::Prewarm => return None,
        ToHost::Create {
            id,
            spec,
            visible,
            init_script,
            isolation,
            max_message_bytes,
        } => (
            id,
            windows.create(
                target,
                spec,
                visible,
                init_script,
                isolation,
                max_message_bytes,
            ),
        ),
        ToHost::Op { id, label, op } => (id, windows.op(target, &label, op)),
        ToHost::Destroy { id, label } => (id, windows.destroy(&label)),
        ToHost::Eval { id, label, script } => (id, windows.eval(&label, &script)),
    })
}

/// Window events (close requests, geometry) for the app, down the pipe.
/// Page messages have their own sink: they carry a ticket.
fn event_sink(out: mpsc::Sender<Option<FromHost>>) -> EventSink {
    let out = Mutex::new(out);
    Arc::new(move |event| {
        let msg = match event {
            UiEvent::WindowCloseRequested { window } => FromHost::CloseRequested { window },
            UiEvent::WindowGeometry { window, geometry } => FromHost::Geometry { window, geometry },
            _ => return,
        };
        let _ = lock(&out).send(Some(msg));
    })
}

/// Page messages whose envelope checked out, down the pipe with their
/// ticket (given back once written).
fn page_sink(out: mpsc::Sender<Option<FromHost>>) -> PageSink {
    let out = Mutex::new(out);
    Arc::new(move |page: PageMessage| {
        let _ = lock(&out).send(Some(FromHost::Ipc {
            window: page.window,
            url: page.url,
            seq: Some(page.seq),
            body: page.body,
            ticket: Some(page.ticket),
        }));
    })
}

/// The two protocol pipes the app opened for this process, named by
/// [`HOST_ENV`]: `(requests from the app, events to the app)`.
fn protocol_pipes() -> Result<(std::fs::File, std::fs::File), Error> {
    let fail = |what: String| {
        Error::EventLoop(format!(
            "webview host: {what} (this process is started by traykit, with {HOST_ENV}=<fd>,<fd>)"
        ))
    };
    let value = std::env::var(HOST_ENV).map_err(|_| fail(format!("{HOST_ENV} is not set")))?;
    let parsed = value
        .split_once(',')
        .and_then(|(a, b)| Some((a.parse::<RawFd>().ok()?, b.parse::<RawFd>().ok()?)));
    let Some((input, output)) = parsed.filter(|&(a, b)| a > 2 && b > 2 && a != b) else {
        return Err(fail(format!("bad {HOST_ENV} value `{value}`")));
    };
    let take = |fd: RawFd, want_read: bool| -> Result<std::fs::File, Error> {
        // SAFETY: fcntl only queries the number's flags; it is fine on any
        // integer (a closed one gives EBADF).
        #[allow(unsafe_code)]
        let mode = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        let readable = mode >= 0 && mode & libc::O_ACCMODE == libc::O_RDONLY;
        let writable = mode >= 0 && mode & libc::O_ACCMODE == libc::O_WRONLY;
        let right_end = if want_read { readable } else { writable };
        if !right_end {
            return Err(fail(format!("descriptor {fd} is not the protocol pipe")));
        }
        // SAFETY: the app opened this pipe end for this process alone and
        // named it in HOST_ENV; it is open (checked above) and nothing else
        // in this process owns it: it is taken once, here, before any
        // window exists.
        #[allow(unsafe_code)]
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        // Not into WebKit's own child processes: their copies would keep
        // the app's reader from seeing this process end.
        rustix::io::fcntl_setfd(&owned, rustix::io::FdFlags::CLOEXEC)
            .map_err(|e| fail(format!("close-on-exec on {fd}: {e}")))?;
        Ok(std::fs::File::from(owned))
    };
    Ok((take(input, true)?, take(output, false)?))
}
