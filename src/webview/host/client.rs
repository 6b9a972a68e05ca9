//! The app side of the webview host: starts the host process when a window
//! is first asked for (or earlier, on a prewarm), forwards window requests
//! as frames, reads the host's replies and events, and lets the host go
//! when it has been idle for its keep-alive (`lease.rs`).

use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use traykit_actors::ids::WindowLabel;
use traykit_actors::sync::lock;
use traykit_actors::ui::{UiEvent, UiReply, UiRequest, UiResponder};
use traykit_actors::UiError;

use super::frame::{read_frame, Caps, Frame};
use super::lease::Lease;
use super::protocol::{oversize, pump, FromHost, ToHost, FROM_HOST_HEADER, HOST_ENV};
use super::{give_back_heap, EventSink};

/// How long a host released with its last window may take to exit before
/// it is killed. Its exit normally takes well under a second (WebKit's
/// teardown); a host that hangs would otherwise hold its memory forever.
const RELEASE_DEADLINE: Duration = Duration::from_secs(5);

/// How long the app's own exit waits for its host before killing it.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(2);

/// How long a prewarmed host that no window followed is kept, at least
/// (the keep-alive, if longer): a menu opened is usually clicked within
/// seconds, and one that is not must not cost the host's memory for long.
const PREWARM_HOLD: Duration = Duration::from_secs(10);

type Pending = Arc<Mutex<HashMap<u64, (&'static str, UiResponder)>>>;

/// A host process and whether it has exited. It is reaped only under the
/// lock that `kill` takes, so `kill` can never hit a recycled pid.
struct Process {
    state: Mutex<(Child, Option<ExitStatus>)>,
    exited: Condvar,
}

impl Process {
    /// Starts a thread that waits for the process to exit and reaps it.
    fn watch(child: Child) -> std::io::Result<Arc<Self>> {
        let pid = rustix::process::Pid::from_child(&child);
        let process = Arc::new(Self {
            state: Mutex::new((child, None)),
            exited: Condvar::new(),
        });
        let watched = process.clone();
        std::thread::Builder::new()
            .name("traykit-host-wait".into())
            .spawn(move || {
                // Wait without reaping (WNOWAIT): until `wait` below runs
                // under the lock, the pid stays this zombie's.
                while let Err(rustix::io::Errno::INTR) = rustix::process::waitid(
                    rustix::process::WaitId::Pid(pid),
                    rustix::process::WaitIdOptions::EXITED | rustix::process::WaitIdOptions::NOWAIT,
                ) {}
                let mut state = lock(&watched.state);
                let status = state.0.wait();
                tracing::debug!(?status, "webview host exited");
                state.1 = Some(
                    status.unwrap_or_else(|_| std::os::unix::process::ExitStatusExt::from_raw(0)),
                );
                watched.exited.notify_all();
            })?;
        Ok(process)
    }

    /// Waits up to `deadline` for the process to exit; true if it did.
    fn wait_exit(&self, deadline: Duration) -> bool {
        let state = lock(&self.state);
        let (state, _) = self
            .exited
            .wait_timeout_while(state, deadline, |s| s.1.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        state.1.is_some()
    }

    /// SIGKILL, unless it already exited (and so may have been reaped).
    fn kill(&self) {
        let mut state = lock(&self.state);
        if state.1.is_none() {
            let _ = state.0.kill();
        }
    }

    /// Waits up to `deadline`, then kills: what a released host gets.
    fn reap_within(&self, deadline: Duration, why: &str) {
        if !self.wait_exit(deadline) {
            let pid = lock(&self.state).0.id();
            tracing::warn!(
                pid,
                ?deadline,
                "webview host did not exit after {why}; killing it"
            );
            self.kill();
        }
    }
}

/// One running host process, seen from the app.
struct Host {
    /// Its request channel; letting it go closes the host's request pipe
    /// and the host exits.
    lease: Arc<Lease>,
    alive: Arc<AtomicBool>,
    process: Arc<Process>,
    /// A `Prewarm` was sent to it.
    warmed: bool,
}

/// Clears close-on-exec on `fds` in the forked child, so exactly these two
/// pipe ends (and no other descriptor of the app) reach the host.
fn inherit(cmd: &mut Command, fds: [RawFd; 2]) {
    // SAFETY: the closure runs between fork and exec and only calls fcntl
    // (async-signal-safe) on two descriptor numbers copied in by value; it
    // allocates nothing and touches no lock.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(move || {
            for fd in fds {
                if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// The app side: forwards window requests to the host, starting it when
/// needed and letting it go when the last window is destroyed.
pub(crate) struct HostWindows {
    host: Option<Host>,
    /// Hosts let go with their last window that may still be exiting; the
    /// app's own exit gives them the rest of their deadline.
    released: Vec<Arc<Process>>,
    /// Windows alive in the current host. Each host gets its own set, so a
    /// released host's exit cannot touch its successor's windows.
    live: Arc<Mutex<HashSet<WindowLabel>>>,
    pending: Pending,
    sink: EventSink,
    next_id: u64,
    /// `IpcLimits::max_message_bytes`: the longest page message read from
    /// the host, and passed on to it.
    max_message_bytes: usize,
    /// How long a host is kept after its last window closed
    /// (`AppBuilder::host_keep_alive`); zero lets it go at once.
    keep_alive: Duration,
}

impl HostWindows {
    pub(crate) fn new(sink: EventSink, max_message_bytes: usize, keep_alive: Duration) -> Self {
        Self {
            host: None,
            released: Vec::new(),
            live: Arc::default(),
            pending: Pending::default(),
            sink,
            next_id: 0,
            max_message_bytes,
            keep_alive,
        }
    }

    fn spawn(&mut self) -> Result<&Host, UiError> {
        let failed = |reason: String| UiError::Failed {
            request: "CreateWindow",
            reason: format!("could not start the webview host: {reason}"),
        };
        let exe = std::env::current_exe().map_err(|e| failed(e.to_string()))?;
        // Close-on-exec (std's default) on every end; only the child's two
        // are made inheritable, in the child.
        let pipe = || {
            rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
                .map(|(r, w)| (std::fs::File::from(r), std::fs::File::from(w)))
                .map_err(|e| failed(format!("pipe: {e}")))
        };
        let (host_in, requests) = pipe()?;
        let (events, host_out) = pipe()?;
        let fds = [host_in.as_raw_fd(), host_out.as_raw_fd()];
        let mut cmd = Command::new(exe);
        cmd.args(std::env::args_os().skip(1))
            .env(HOST_ENV, format!("{},{}", fds[0], fds[1]))
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        inherit(&mut cmd, fds);
        let child = cmd.spawn().map_err(|e| failed(e.to_string()))?;
        // The host has its copies; ours would keep its input open forever.
        drop((host_in, host_out));
        tracing::debug!(pid = child.id(), "webview host started");
        let process = match Process::watch(child) {
            Ok(process) => process,
            Err(e) => return Err(failed(e.to_string())),
        };
        let (tx, rx) = mpsc::channel::<Option<ToHost>>();
        std::thread::Builder::new()
            .name("traykit-host-tx".into())
            .spawn(move || pump(rx, requests))
            .map_err(|e| failed(e.to_string()))?;
        let alive = Arc::new(AtomicBool::new(true));
        self.live = Arc::default();
        self.read_host(events, alive.clone())
            .map_err(|e| failed(e.to_string()))?;
        self.host = Some(Host {
            lease: Lease::new(tx),
            alive,
            process,
            warmed: false,
        });
        self.host.as_ref().ok_or_else(|| failed("lost".into()))
    }

    /// Starts the thread that reads the host's frames until its pipe
    /// closes; then `alive` is false and the host's windows are gone.
    fn read_host(&self, events: std::fs::File, alive: Arc<AtomicBool>) -> std::io::Result<()> {
        let (pending, sink, live) = (self.pending.clone(), self.sink.clone(), self.live.clone());
        let caps = Caps {
            header: FROM_HOST_HEADER,
            body: self.max_message_bytes,
        };
        std::thread::Builder::new()
            .name("traykit-host-rx".into())
            .spawn(move || {
                let mut input = BufReader::with_capacity(64 * 1024, events);
                read_events(&mut input, caps, &pending, &sink);
                alive.store(false, Ordering::SeqCst);
                // Requests the host never answered get `Closed`.
                lock(&pending).clear();
                // A host let go has no window left; any window still here
                // means it died: tell their actors.
                let orphans: Vec<WindowLabel> = lock(&live).drain().collect();
                if !orphans.is_empty() {
                    tracing::error!(windows = orphans.len(), "webview host exited unexpectedly");
                }
                for window in orphans {
                    sink(UiEvent::WindowGone { window });
                }
                // Page traffic (megabytes of IPC text) passed through this
                // process's heap too; give it back with the host.
                give_back_heap();
            })
            .map(drop)
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

    /// Starts the host (if none runs) and warms it for a window that is
    /// probably coming: a hidden blank webview, so the window that follows
    /// finds the WebContext, the network process and the first paint done.
    /// Idempotent. A host with no window is let go again after
    /// [`PREWARM_HOLD`] (or the keep-alive, if longer); a window asked for
    /// meanwhile is never held up by the prewarm (the host serves it
    /// first).
    pub(crate) fn prewarm(&mut self) {
        self.forget_gone_host();
        if self.host.is_none() {
            if let Err(error) = self.spawn() {
                tracing::warn!(%error, "webview host not prewarmed");
                return;
            }
        }
        let idle = lock(&self.live).is_empty();
        let hold = self.keep_alive.max(PREWARM_HOLD);
        let Some(host) = self.host.as_mut() else {
            return;
        };
        if !host.warmed {
            host.warmed = true;
            tracing::debug!(
                pid = lock(&host.process.state).0.id(),
                "webview host prewarm"
            );
            if !host.lease.send(ToHost::Prewarm) {
                return; // let go meanwhile: the next window starts a new one
            }
        }
        if idle {
            let process = host.process.clone();
            host.lease.release_when_idle(hold, move || {
                process.reap_within(RELEASE_DEADLINE, "its prewarm hold")
            });
        }
    }

    /// Forgets a host that died, or that its idle countdown let go: the
    /// next window starts a new one.
    fn forget_gone_host(&mut self) {
        let Some(host) = &self.host else { return };
        if !host.alive.load(Ordering::SeqCst) {
            // The host died (or exited): its windows are gone, and their
            // actors were told by the reader thread.
            self.host = None;
            lock(&self.live).clear();
        } else if host.lease.released() {
            // Its exit is still pending: the app's exit waits for it too.
            let process = host.process.clone();
            self.host = None;
            self.released.retain(|p| !p.wait_exit(Duration::ZERO));
            self.released.push(process);
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
        if !host.lease.send(make(id)) {
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

    /// Lets the current host go: closing its request pipe lets it finish
    /// what it was sent, answer, and exit, and all its memory goes back. A
    /// host that hangs instead is killed after [`RELEASE_DEADLINE`].
    fn release(&mut self) {
        let Some(host) = self.host.take() else { return };
        host.lease.release();
        let process = host.process;
        self.released.retain(|p| !p.wait_exit(Duration::ZERO));
        self.released.push(process.clone());
        let started = std::thread::Builder::new()
            .name("traykit-host-release".into())
            .spawn(move || process.reap_within(RELEASE_DEADLINE, "its release"));
        if let Err(error) = started {
            tracing::warn!(%error, "no deadline for the released webview host");
        }
    }

    /// Serves one window request. Replies arrive later, from the host.
    pub(crate) fn handle(&mut self, request: UiRequest, responder: UiResponder) {
        self.forget_gone_host();
        match request {
            UiRequest::CreateWindow {
                spec,
                visible,
                init_script,
                isolation,
            } => {
                // Stops an idle countdown for good, or finds that it let
                // the host go since the check above: a new host then.
                if self.host.as_ref().is_some_and(|h| !h.lease.hold()) {
                    self.forget_gone_host();
                }
                if self.host.is_none() {
                    if let Err(e) = self.spawn() {
                        responder.send(Err(e));
                        return;
                    }
                }
                lock(&self.live).insert(spec.label.clone());
                let max_message_bytes = self.max_message_bytes;
                self.send(
                    "CreateWindow",
                    |id| ToHost::Create {
                        id,
                        spec,
                        visible,
                        init_script,
                        isolation,
                        max_message_bytes,
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
                    self.idle();
                }
            }
            UiRequest::PrewarmHost => {
                self.prewarm();
                responder.send(Ok(()));
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

    /// The last window closed: keep the host for the keep-alive grace (a
    /// window opened meanwhile cancels the release), or let it go now.
    fn idle(&mut self) {
        if self.keep_alive.is_zero() {
            self.release();
            return;
        }
        let Some(host) = &mut self.host else { return };
        // A kept host is kept for a quick re-open: warm it again, so that
        // window starts in a web process that is already running (the
        // closed window's went with it) instead of waiting ~100-200 ms for
        // a new one. Its memory comes back with the host's. Sent before the
        // countdown starts: every send cancels a running one.
        host.warmed = true;
        host.lease.send(ToHost::Prewarm);
        let process = host.process.clone();
        tracing::debug!(keep_alive = ?self.keep_alive, "webview host idle");
        host.lease.release_when_idle(self.keep_alive, move || {
            process.reap_within(RELEASE_DEADLINE, "its keep-alive")
        });
    }

    /// Ends the host with the app: close its pipe, wait a little, then
    /// kill; hosts released earlier that still run get the same.
    pub(crate) fn shutdown(&mut self) {
        if let Some(host) = self.host.take() {
            // A deliberate release: its windows are not "lost".
            lock(&self.live).clear();
            host.lease.release();
            self.released.push(host.process);
        }
        let until = Instant::now() + SHUTDOWN_DEADLINE;
        for process in self.released.drain(..) {
            let left = until.saturating_duration_since(Instant::now());
            process.reap_within(left, "the app's exit");
        }
    }
}

/// The app's reader of the host's frames: answers requests, dispatches page
/// messages and window events, until the stream ends or breaks.
fn read_events(input: &mut impl std::io::BufRead, caps: Caps, pending: &Pending, sink: &EventSink) {
    let mut line = Vec::new();
    loop {
        let frame = match read_frame::<FromHost>(input, &mut line, caps) {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, "webview host: broken protocol stream");
                return;
            }
        };
        match frame {
            Frame::Msg(FromHost::Reply { id, error }) => {
                if let Some((request, responder)) = lock(pending).remove(&id) {
                    responder.send(match error {
                        None => Ok(()),
                        Some(reason) => Err(UiError::Failed { request, reason }),
                    });
                }
            }
            Frame::Msg(FromHost::Ipc {
                window,
                url,
                seq,
                body,
                ..
            }) => sink(UiEvent::Ipc {
                window,
                url,
                seq,
                body,
            }),
            Frame::Oversize {
                msg: FromHost::Ipc { window, seq, .. },
                len,
            } => {
                // Skipped unread; the page still hears why.
                tracing::warn!(%window, bytes = len, "oversized IPC message refused");
                sink(UiEvent::IpcRefused {
                    window,
                    seq,
                    error: oversize(len, caps.body),
                })
            }
            Frame::Msg(FromHost::CloseRequested { window }) => {
                sink(UiEvent::WindowCloseRequested { window })
            }
            Frame::Msg(FromHost::Geometry { window, geometry }) => {
                sink(UiEvent::WindowGeometry { window, geometry })
            }
            Frame::Oversize { len, .. } => {
                tracing::debug!(bytes = len, "webview host: oversized frame skipped")
            }
            Frame::Bad(error) => tracing::debug!(
                %error,
                header = %String::from_utf8_lossy(&line[..line.len().min(80)]),
                "webview host: not a protocol frame"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webview::host::frame::write_frame;
    use traykit_actors::ipc;

    fn label(s: &str) -> WindowLabel {
        WindowLabel::new(s).expect("label")
    }

    const CAPS: Caps = Caps {
        header: FROM_HOST_HEADER,
        body: 64,
    };

    fn ipc(body: &str, seq: u64) -> FromHost {
        FromHost::Ipc {
            window: label("main"),
            url: "traykit://localhost/".into(),
            seq: Some(seq),
            body: body.to_owned(),
            ticket: None,
        }
    }

    /// What `read_events` hands the app for `wire`.
    fn events_of(wire: Vec<u8>) -> Vec<UiEvent> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink: EventSink = {
            let seen = seen.clone();
            Arc::new(move |e| lock(&seen).push(e))
        };
        read_events(
            &mut std::io::Cursor::new(wire),
            CAPS,
            &Pending::default(),
            &sink,
        );
        let mut guard = lock(&seen);
        std::mem::take(&mut *guard)
    }

    #[test]
    fn ipc_bodies_round_trip_with_their_sequence_number() {
        let mut wire = b"3 {\"NoSuchMessage\":1}\nxyz".to_vec();
        let body = "{\"jsonrpc\":\"2.0\",\"method\":\"m\"}";
        write_frame(&mut wire, ipc(body, 9)).expect("write");
        assert_eq!(
            events_of(wire),
            vec![UiEvent::Ipc {
                window: label("main"),
                url: "traykit://localhost/".into(),
                seq: Some(9),
                body: body.into(),
            }]
        );
    }

    #[test]
    fn an_oversize_page_message_is_skipped_unread_and_refused_to_its_page() {
        let mut wire = Vec::new();
        write_frame(&mut wire, ipc(&"x".repeat(300 * 1024), 4)).expect("write");
        write_frame(&mut wire, ipc("{}", 5)).expect("write");
        let events = events_of(wire);
        assert_eq!(events.len(), 2, "{events:?}");
        match &events[0] {
            UiEvent::IpcRefused { window, seq, error } => {
                assert_eq!(window.as_str(), "main");
                assert_eq!(*seq, Some(4));
                assert_eq!(error.code, ipc::codes::LIMIT_EXCEEDED);
                assert!(error.message.contains("307200 bytes"), "{error:?}");
                assert!(error.message.contains("max_message_bytes"), "{error:?}");
            }
            other => panic!("not a refusal: {other:?}"),
        }
        // The stream goes on after the skipped body.
        assert!(matches!(&events[1], UiEvent::Ipc { seq: Some(5), body, .. } if body == "{}"));
    }

    #[test]
    fn a_process_that_does_not_exit_by_its_deadline_is_killed() {
        // Stands in for a hung host: alive until killed.
        let child = Command::new("sleep")
            .arg("600")
            .spawn()
            .expect("spawn sleep");
        let pid = child.id();
        let process = Process::watch(child).expect("watch");
        assert!(!process.wait_exit(Duration::ZERO));
        process.reap_within(Duration::from_millis(50), "a test");
        assert!(
            process.wait_exit(Duration::from_secs(30)),
            "{pid} still runs"
        );
        let status = lock(&process.state).1.expect("status");
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(libc::SIGKILL)
        );
        // Killing again after the reap sends nothing to a recycled pid.
        process.kill();
    }
}
