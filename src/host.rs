//! Webviews in a child process, so closing the last window gives back all of
//! WebKit's memory.
//!
//! WebKit leaves tens of MB behind in the process that hosted a webview even
//! after it is dropped (Mesa/LLVM mapped for EGL, its allocators' caches, a
//! network process that outlives its last view). A tray app that opens a
//! popup now and then would carry that forever. So windows live in a *webview
//! host*: the app's own executable re-run with [`HOST_ENV`] set. `App::run`
//! in that process serves windows instead of running the app (`serve`). It
//! starts on the first `CreateWindow` and is told to exit when the last
//! window is destroyed.
//!
//! Protocol: frames. App → host on the host's stdin ([`ToHost`]); host → app
//! on the host's original stdout ([`FromHost`]); the host points its own fd 1
//! at stderr first, so stray prints cannot corrupt the stream. A frame is
//! `<body length> <JSON header>\n<body bytes>`: page text (IPC in) and
//! scripts (replies and events out) travel as raw bytes after the header,
//! not as JSON strings, so megabytes of page traffic are neither escaped nor
//! re-parsed on the way (see `write_frame`). Headers that do not parse are
//! skipped; a frame whose length is unreadable ends the stream.
//!
//! Code that runs before `run()` in `main` runs in the host too: keep it free
//! of side effects (Electron and Tauri's multi-process models have the same
//! rule).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tao::platform::run_return::EventLoopExtRunReturn;
use traykit_actors::ids::WindowLabel;
use traykit_actors::isolation::IsolationFrame;
use traykit_actors::ui::{UiEvent, UiReply, UiRequest, UiResponder, WindowOp};
use traykit_actors::window::WindowSpec;
use traykit_actors::UiError;

use crate::assets::Assets;
use crate::error::Error;
use crate::windows::{EventSink, Windows};

/// Set in the environment of the webview host process.
pub(crate) const HOST_ENV: &str = "TRAYKIT_WEBVIEW_HOST";

#[derive(Debug, Serialize, Deserialize)]
enum ToHost {
    Create {
        id: u64,
        spec: WindowSpec,
        visible: bool,
        init_script: String,
        isolation: Option<IsolationFrame>,
    },
    Op {
        id: u64,
        label: WindowLabel,
        op: WindowOp,
    },
    Destroy {
        id: u64,
        label: WindowLabel,
    },
    Eval {
        id: u64,
        label: WindowLabel,
        /// The frame's body, not part of the header.
        #[serde(skip)]
        script: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
enum FromHost {
    Reply {
        id: u64,
        error: Option<String>,
    },
    Ipc {
        window: WindowLabel,
        url: String,
        /// The frame's body, not part of the header.
        #[serde(skip)]
        body: String,
    },
    CloseRequested {
        window: WindowLabel,
    },
    Geometry {
        window: WindowLabel,
        geometry: traykit_actors::window::Geometry,
    },
}

/// A protocol message whose bulk text (if any) travels as the frame body.
trait Framed: Serialize + serde::de::DeserializeOwned {
    fn body(&mut self) -> Option<&mut String>;
}

impl Framed for ToHost {
    fn body(&mut self) -> Option<&mut String> {
        match self {
            ToHost::Eval { script, .. } => Some(script),
            _ => None,
        }
    }
}

impl Framed for FromHost {
    fn body(&mut self) -> Option<&mut String> {
        match self {
            FromHost::Ipc { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// Writes one frame (not flushed): the body's length, the header as JSON
/// with the body left out, a newline, then the body's bytes as they are.
fn write_frame<T: Framed>(out: &mut impl Write, mut msg: T) -> std::io::Result<()> {
    let body = msg.body().map(std::mem::take).unwrap_or_default();
    write!(out, "{} ", body.len())?;
    serde_json::to_writer(&mut *out, &msg)?;
    out.write_all(b"\n")?;
    out.write_all(body.as_bytes())
}

/// Reads one frame. `Ok(None)` at the end of the stream; `Ok(Some(Err))`
/// for a header that does not parse (its body is skipped); `Err` when the
/// stream is broken (unreadable length, short body, not UTF-8).
fn read_frame<T: Framed>(
    input: &mut impl BufRead,
    line: &mut String,
) -> std::io::Result<Option<Result<T, serde_json::Error>>> {
    let broken = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    line.clear();
    if input.read_line(line)? == 0 {
        return Ok(None);
    }
    let (len, header) = line
        .trim_end()
        .split_once(' ')
        .ok_or_else(|| broken("frame without a length"))?;
    let len: usize = len.parse().map_err(|_| broken("bad frame length"))?;
    let mut body = vec![0; len];
    input.read_exact(&mut body)?;
    Ok(Some(serde_json::from_str::<T>(header).and_then(
        |mut msg| {
            if let Some(slot) = msg.body() {
                // UTF-8 checked once here; the text was a Rust String or a
                // page's posted string at the other end.
                *slot = String::from_utf8(body)
                    .map_err(|_| serde::de::Error::custom("frame body is not UTF-8"))?;
            }
            Ok(msg)
        },
    )))
}

/// Writes every message from `rx` as a frame, flushing only when no more
/// are queued (a burst of replies goes out in few writes).
fn pump<T: Framed>(rx: mpsc::Receiver<Option<T>>, out: impl Write) {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    while let Ok(Some(msg)) = rx.recv() {
        let mut next = Some(msg);
        while let Some(msg) = next.take() {
            if write_frame(&mut out, msg).is_err() {
                return;
            }
            match rx.try_recv() {
                Ok(Some(more)) => next = Some(more),
                Ok(None) => {
                    let _ = out.flush();
                    return;
                }
                Err(_) => {}
            }
        }
        if out.flush().is_err() {
            return;
        }
    }
    let _ = out.flush();
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

type Pending = Arc<Mutex<HashMap<u64, (&'static str, UiResponder)>>>;

/// One running host process, seen from the app.
struct Host {
    /// Dropping it closes the host's stdin: the host exits when idle.
    tx: mpsc::Sender<Option<ToHost>>,
    alive: Arc<AtomicBool>,
    child: Arc<Mutex<Child>>,
}

/// The app side: forwards window requests to the host, starting it when
/// needed and letting it go when the last window is destroyed.
pub(crate) struct HostWindows {
    host: Option<Host>,
    /// Windows alive in the current host. Each host gets its own set, so a
    /// released host's exit cannot touch its successor's windows.
    live: Arc<Mutex<HashSet<WindowLabel>>>,
    pending: Pending,
    sink: EventSink,
    next_id: u64,
}

impl HostWindows {
    pub(crate) fn new(sink: EventSink) -> Self {
        Self {
            host: None,
            live: Arc::default(),
            pending: Pending::default(),
            sink,
            next_id: 0,
        }
    }

    fn spawn(&mut self) -> Result<&Host, UiError> {
        let failed = |reason: String| UiError::Failed {
            request: "CreateWindow",
            reason: format!("could not start the webview host: {reason}"),
        };
        let exe = std::env::current_exe().map_err(|e| failed(e.to_string()))?;
        let mut child = Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(HOST_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(failed("no pipes".into()));
        };
        tracing::debug!(pid = child.id(), "webview host started");
        let (tx, rx) = mpsc::channel::<Option<ToHost>>();
        std::thread::Builder::new()
            .name("traykit-host-tx".into())
            .spawn(move || pump(rx, stdin))
            .map_err(|e| failed(e.to_string()))?;
        let alive = Arc::new(AtomicBool::new(true));
        let child = Arc::new(Mutex::new(child));
        self.live = Arc::default();
        {
            let (alive, child, pending, sink, live) = (
                alive.clone(),
                child.clone(),
                self.pending.clone(),
                self.sink.clone(),
                self.live.clone(),
            );
            std::thread::Builder::new()
                .name("traykit-host-rx".into())
                .spawn(move || {
                    let mut input = BufReader::with_capacity(64 * 1024, stdout);
                    let mut line = String::new();
                    loop {
                        let frame = match read_frame::<FromHost>(&mut input, &mut line) {
                            Ok(Some(frame)) => frame,
                            Ok(None) => break,
                            Err(error) => {
                                tracing::error!(%error, "webview host: broken protocol stream");
                                break;
                            }
                        };
                        match frame {
                            Ok(FromHost::Reply { id, error }) => {
                                if let Some((request, responder)) = lock(&pending).remove(&id) {
                                    responder.send(match error {
                                        None => Ok(()),
                                        Some(reason) => Err(UiError::Failed { request, reason }),
                                    });
                                }
                            }
                            Ok(FromHost::Ipc { window, url, body }) => {
                                sink(UiEvent::Ipc { window, url, body })
                            }
                            Ok(FromHost::CloseRequested { window }) => {
                                sink(UiEvent::WindowCloseRequested { window })
                            }
                            Ok(FromHost::Geometry { window, geometry }) => {
                                sink(UiEvent::WindowGeometry { window, geometry })
                            }
                            Err(error) => tracing::debug!(%error, header = %line.chars().take(80).collect::<String>(), "webview host: not a protocol frame"),
                        }
                    }
                    alive.store(false, Ordering::SeqCst);
                    // Requests the host never answered get `Closed`.
                    lock(&pending).clear();
                    // A host released with its last window has none left; any
                    // window still here means it died: tell their actors.
                    let orphans: Vec<WindowLabel> = lock(&live).drain().collect();
                    if !orphans.is_empty() {
                        tracing::error!(windows = orphans.len(), "webview host exited unexpectedly");
                    }
                    for window in orphans {
                        sink(UiEvent::WindowGone { window });
                    }
                    let status = lock(&child).wait();
                    tracing::debug!(?status, "webview host exited");
                    // Page traffic (megabytes of IPC text) passed through
                    // this process's heap too; give it back with the host.
                    crate::windows::give_back_heap();
                })
                .map_err(|e| failed(e.to_string()))?;
        }
        self.host = Some(Host { tx, alive, child });
        self.host.as_ref().ok_or_else(|| failed("lost".into()))
    }

    /// Starts the host before any window is asked for, when one will open
    /// at start: its start-up (exec, linking WebKit, GTK) then overlaps the
    /// app's own boot instead of following it.
    pub(crate) fn prespawn(&mut self) {
        if self.host.is_none() {
            if let Err(error) = self.spawn() {
                // CreateWindow will try again and report it.
                tracing::warn!(%error, "webview host not started early");
            }
        }
    }

    fn send(
        &mut self,
        name: &'static str,
        make: impl FnOnce(u64) -> ToHost,
        responder: UiResponder,
    ) {
        self.next_id += 1;
        let id = self.next_id;
        let Some(host) = &self.host else {
            responder.send(Err(UiError::Closed));
            return;
        };
        lock(&self.pending).insert(id, (name, responder));
        if host.tx.send(Some(make(id))).is_err() {
            if let Some((_, responder)) = lock(&self.pending).remove(&id) {
                responder.send(Err(UiError::Closed));
            }
        }
    }

    fn unknown(request: &'static str, label: &WindowLabel) -> UiReply {
        Err(UiError::Unknown {
            request,
            what: "window",
            id: label.to_string(),
        })
    }

    /// Serves one window request. Replies arrive later, from the host.
    pub(crate) fn handle(&mut self, request: UiRequest, responder: UiResponder) {
        if self
            .host
            .as_ref()
            .is_some_and(|h| !h.alive.load(Ordering::SeqCst))
        {
            // The host died (or exited): its windows are gone, and their
            // actors were told by the reader thread.
            self.host = None;
            lock(&self.live).clear();
        }
        match request {
            UiRequest::CreateWindow {
                spec,
                visible,
                init_script,
                isolation,
            } => {
                if self.host.is_none() {
                    if let Err(e) = self.spawn() {
                        responder.send(Err(e));
                        return;
                    }
                }
                lock(&self.live).insert(spec.label.clone());
                self.send(
                    "CreateWindow",
                    |id| ToHost::Create {
                        id,
                        spec,
                        visible,
                        init_script,
                        isolation,
                    },
                    responder,
                );
            }
            UiRequest::Window { label, op } if lock(&self.live).contains(&label) => {
                self.send("Window", |id| ToHost::Op { id, label, op }, responder)
            }
            UiRequest::Eval { label, script } if lock(&self.live).contains(&label) => {
                self.send("Eval", |id| ToHost::Eval { id, label, script }, responder)
            }
            UiRequest::DestroyWindow(label) if lock(&self.live).contains(&label) => {
                let now_empty = {
                    let mut live = lock(&self.live);
                    live.remove(&label);
                    live.is_empty()
                };
                self.send(
                    "DestroyWindow",
                    |id| ToHost::Destroy { id, label },
                    responder,
                );
                if now_empty {
                    // Closing its stdin lets the host finish what it was
                    // sent, answer, and exit: all its memory goes back.
                    self.host = None;
                }
            }
            UiRequest::Window { label, .. } => responder.send(Self::unknown("Window", &label)),
            UiRequest::Eval { label, .. } => responder.send(Self::unknown("Eval", &label)),
            UiRequest::DestroyWindow(label) => {
                responder.send(Self::unknown("DestroyWindow", &label))
            }
            other => responder.send(Err(UiError::Failed {
                request: other.name(),
                reason: "not a window request".into(),
            })),
        }
    }

    /// Ends the host with the app: close its stdin, wait a little, then kill.
    pub(crate) fn shutdown(&mut self) {
        let Some(host) = self.host.take() else { return };
        // A deliberate release: its windows are not "lost".
        lock(&self.live).clear();
        drop(host.tx);
        for _ in 0..100 {
            if !host.alive.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        tracing::warn!("webview host did not exit in 2 s; killing it");
        let _ = lock(&host.child).kill();
    }
}

/// The host side: runs in the child process instead of the app.
pub(crate) fn serve(assets: Assets) -> Result<i32, Error> {
    let protocol = protocol_stdout()?;
    let mut event_loop =
        std::panic::catch_unwind(|| EventLoopBuilder::<Option<ToHost>>::with_user_event().build())
            .map_err(|_| Error::NoDisplay)?;
    let proxy = event_loop.create_proxy();
    std::thread::Builder::new()
        .name("traykit-host-stdin".into())
        .spawn(move || {
            let mut input = BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
            let mut line = String::new();
            loop {
                match read_frame::<ToHost>(&mut input, &mut line) {
                    Ok(Some(Ok(msg))) => {
                        if proxy.send_event(Some(msg)).is_err() {
                            return;
                        }
                    }
                    Ok(Some(Err(error))) => {
                        tracing::warn!(%error, "webview host: bad request frame")
                    }
                    Ok(None) => break,
                    Err(error) => {
                        tracing::error!(%error, "webview host: broken request stream");
                        break;
                    }
                }
            }
            let _ = proxy.send_event(None); // the app let us go
        })
        .map_err(|e| Error::EventLoop(e.to_string()))?;

    // `None` ends the writer: senders cloned into webview callbacks may
    // outlive the webviews (WebKit keeps some closures), so waiting for every
    // sender to drop could wait forever.
    let (out_tx, out_rx) = mpsc::channel::<Option<FromHost>>();
    let writer = std::thread::Builder::new()
        .name("traykit-host-stdout".into())
        .spawn(move || pump(out_rx, protocol))
        .map_err(|e| Error::EventLoop(e.to_string()))?;

    let sink_tx = Mutex::new(out_tx.clone());
    let sink: EventSink = Arc::new(move |event| {
        let msg = match event {
            UiEvent::Ipc { window, url, body } => FromHost::Ipc { window, url, body },
            UiEvent::WindowCloseRequested { window } => FromHost::CloseRequested { window },
            UiEvent::WindowGeometry { window, geometry } => FromHost::Geometry { window, geometry },
            _ => return,
        };
        let _ = lock(&sink_tx).send(Some(msg));
    });
    let mut windows = Windows::new(Arc::new(assets), sink);
    event_loop.run_return(|event, target, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(Some(msg)) => {
                let (id, result) = match msg {
                    ToHost::Create {
                        id,
                        spec,
                        visible,
                        init_script,
                        isolation,
                    } => (
                        id,
                        windows.create(target, spec, visible, init_script, isolation),
                    ),
                    ToHost::Op { id, label, op } => (id, windows.op(target, &label, op)),
                    ToHost::Destroy { id, label } => (id, windows.destroy(&label)),
                    ToHost::Eval { id, label, script } => (id, windows.eval(&label, &script)),
                };
                let error = result.err().map(|e| e.to_string());
                let _ = out_tx.send(Some(FromHost::Reply { id, error }));
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

/// Keeps the real stdout for the protocol and points fd 1 at stderr.
fn protocol_stdout() -> Result<std::fs::File, Error> {
    use std::os::fd::FromRawFd;
    let fail = |what: &str| Error::EventLoop(format!("webview host: {what} failed"));
    std::io::stdout().flush().ok();
    // SAFETY: dup/dup2 on the standard descriptors, which are open for the
    // life of the process; the duplicate is owned by the File we return and
    // nothing else closes it.
    #[allow(unsafe_code)]
    unsafe {
        let protocol = libc::dup(1);
        if protocol < 0 {
            return Err(fail("dup"));
        }
        if libc::dup2(2, 1) < 0 {
            return Err(fail("dup2"));
        }
        Ok(std::fs::File::from_raw_fd(protocol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> WindowLabel {
        WindowLabel::new(s).expect("label")
    }

    #[test]
    fn frames_carry_bodies_verbatim_and_in_order() {
        let script = "receive([{\"a\":\"line\\nbreak\"}])\n\u{e9}\u{1F600}\"\\".repeat(3);
        let mut wire = Vec::new();
        write_frame(
            &mut wire,
            ToHost::Eval {
                id: 1,
                label: label("w"),
                script: script.clone(),
            },
        )
        .expect("write");
        write_frame(
            &mut wire,
            ToHost::Destroy {
                id: 2,
                label: label("w"),
            },
        )
        .expect("write");
        // The body is on the wire as it is, not escaped.
        assert!(wire.windows(script.len()).any(|w| w == script.as_bytes()));
        let mut input = std::io::Cursor::new(wire);
        let mut line = String::new();
        match read_frame::<ToHost>(&mut input, &mut line) {
            Ok(Some(Ok(ToHost::Eval {
                id, script: got, ..
            }))) => {
                assert_eq!(id, 1);
                assert_eq!(got, script);
            }
            other => panic!("not the eval frame: {other:?}"),
        }
        assert!(matches!(
            read_frame::<ToHost>(&mut input, &mut line),
            Ok(Some(Ok(ToHost::Destroy { id: 2, .. })))
        ));
        assert!(matches!(
            read_frame::<ToHost>(&mut input, &mut line),
            Ok(None)
        ));
    }

    #[test]
    fn ipc_bodies_round_trip_and_bad_headers_are_skipped() {
        let mut wire = b"3 {\"NoSuchMessage\":1}\nxyz".to_vec();
        let body = "{\"jsonrpc\":\"2.0\",\"method\":\"m\"}".to_owned();
        write_frame(
            &mut wire,
            FromHost::Ipc {
                window: label("main"),
                url: "traykit://localhost/".into(),
                body: body.clone(),
            },
        )
        .expect("write");
        let mut input = std::io::Cursor::new(wire);
        let mut line = String::new();
        assert!(matches!(
            read_frame::<FromHost>(&mut input, &mut line),
            Ok(Some(Err(_)))
        ));
        match read_frame::<FromHost>(&mut input, &mut line) {
            Ok(Some(Ok(FromHost::Ipc { body: got, url, .. }))) => {
                assert_eq!(got, body);
                assert_eq!(url, "traykit://localhost/");
            }
            other => panic!("not the ipc frame: {other:?}"),
        }
    }

    #[test]
    fn a_broken_stream_is_an_error_not_a_guess() {
        let mut line = String::new();
        for wire in [
            &b"not-a-length {}\n"[..],
            b"{\"Reply\":{}}\n",
            b"10 {\"Reply\":{\"id\":1,\"error\":null}}\nshort",
        ] {
            let mut input = std::io::Cursor::new(wire.to_vec());
            assert!(
                read_frame::<FromHost>(&mut input, &mut line).is_err(),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }
}
