//! Single instance and the control CLI, over one per-user Unix socket.
//!
//! `$XDG_RUNTIME_DIR/<id>/` (or a private `0700` directory in `/tmp`) holds
//! `instance.lock` and `instance.sock`. Whoever holds an exclusive `flock`
//! on the lock file is the primary instance: the kernel drops the lock when
//! the process dies, however it dies, so a socket left behind by a crash is
//! recognised as stale (lock free) and replaced, and two launches at the same
//! moment cannot both become primary.
//!
//! The socket speaks line-delimited JSON-RPC 2.0. A second launch sends
//! `traykit.second_instance {args, cwd}`; `myapp --ctl METHOD key=value…`
//! sends METHOD, which goes through the app's router like a page's call,
//! checked against the capabilities given with `.ctl_capability` (window
//! name `ctl`) — deny by default. Peers must run as the same user
//! (`SO_PEERCRED`).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use traykit_actors::app::AppHandle;
use traykit_actors::app::CallContext;
use traykit_actors::desktop::SecondInstance;
use traykit_actors::ipc::{self, codes, Capabilities, Incoming, RpcError};

/// The method a second launch calls.
pub(crate) const SECOND_INSTANCE_METHOD: &str = "traykit.second_instance";
/// The caller name ctl requests are checked and routed as.
pub const CTL_WINDOW: &str = "ctl";
/// Longest request line accepted.
const MAX_LINE: u64 = 1024 * 1024;

/// Why the instance channel failed; `run` returns it as
/// [`Error::Instance`](crate::Error::Instance).
///
/// ```no_run
/// use traykit::prelude::*;
///
/// match App::builder().single_instance(true).run() {
///     Err(Error::Instance(e)) => eprintln!("cannot hand over to the running instance: {e}"),
///     other => other?,
/// }
/// # Ok::<(), traykit::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// A file or directory operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The socket directory exists but is not private to this user.
    #[error("instance directory {path} is not safe: {reason}")]
    Insecure {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No instance of the app is running (for `--ctl`).
    #[error("no running instance of `{0}` (is the app started?)")]
    NotRunning(String),
    /// The running instance did not answer in time or answered nonsense.
    #[error("the running instance did not answer properly: {0}")]
    Protocol(String),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> InstanceError {
    let path = path.to_owned();
    move |source| InstanceError::Io { what, path, source }
}

/// The per-user directory of app `id`'s socket: `$XDG_RUNTIME_DIR/<id>`,
/// or `<tmp>/<id>-<uid>` without a runtime dir. Created `0700`; refused if
/// it is a symlink, someone else's, or open to others.
pub fn socket_dir(id: &str) -> Result<PathBuf, InstanceError> {
    let uid = rustix::process::getuid().as_raw();
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir());
    let dir = match base {
        Some(base) => base.join(id),
        None => std::env::temp_dir().join(format!("{id}-{uid}")),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io("creating", &dir)(e)),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(io("checking", &dir))?;
    let insecure = |reason: String| InstanceError::Insecure {
        path: dir.clone(),
        reason,
    };
    if !meta.is_dir() {
        return Err(insecure("not a directory (a symlink?)".into()));
    }
    if meta.uid() != uid {
        return Err(insecure(format!("owned by uid {}, not {uid}", meta.uid())));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(insecure(format!(
            "mode {:o}, others may enter (want 700)",
            meta.mode() & 0o777
        )));
    }
    Ok(dir)
}

/// The socket path of app `id`.
pub fn socket_path(id: &str) -> Result<PathBuf, InstanceError> {
    Ok(socket_dir(id)?.join("instance.sock"))
}

/// This process is the primary instance: it holds the lock and listens.
#[derive(Debug)]
pub(crate) struct Primary {
    /// Held (locked) for the life of the process.
    _lock: std::fs::File,
    listener: Option<UnixListener>,
    path: PathBuf,
}

impl Drop for Primary {
    fn drop(&mut self) {
        // Only the lock holder may remove the socket; a crash leaves it,
        // and the next primary replaces it.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What a launch found.
#[derive(Debug)]
pub(crate) enum Acquired {
    /// No other instance: this one is primary.
    Primary(Primary),
    /// Another instance runs and listens here.
    Running(PathBuf),
}

/// Becomes the primary instance of `id`, or finds the running one.
pub(crate) fn acquire(id: &str) -> Result<Acquired, InstanceError> {
    let dir = socket_dir(id)?;
    let lock_path = dir.join("instance.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(io("opening", &lock_path))?;
    let sock = dir.join("instance.sock");
    match rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => return Ok(Acquired::Running(sock)),
        Err(e) => return Err(io("locking", &lock_path)(e.into())),
    }
    match std::fs::remove_file(&sock) {
        Ok(()) => {
            tracing::info!(socket = %sock.display(), "removed a stale instance socket (the previous instance died)")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("removing stale", &sock)(e)),
    }
    let listener = UnixListener::bind(&sock).map_err(io("binding", &sock))?;
    // The directory is 0700 already; the socket's own mode is belt and braces.
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o600))
        .map_err(io("chmod", &sock))?;
    tracing::debug!(socket = %sock.display(), "primary instance");
    Ok(Acquired::Primary(Primary {
        _lock: lock,
        listener: Some(listener),
        path: sock,
    }))
}

impl Primary {
    /// The listening socket, for the actor thread to serve.
    pub(crate) fn take_listener(&mut self) -> Option<UnixListener> {
        self.listener.take()
    }
}

/// Whether a primary instance of `id` holds the lock right now (for
/// `--ctl`, so a stale socket is reported as "not running" at once).
pub(crate) fn is_running(id: &str) -> Result<bool, InstanceError> {
    let lock_path = socket_dir(id)?.join("instance.lock");
    let lock = match std::fs::File::open(&lock_path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io("opening", &lock_path)(e)),
    };
    match rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockShared) {
        // Free: nobody is primary. The lock goes with the file, now.
        Ok(()) => Ok(false),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(true),
        Err(e) => Err(io("checking", &lock_path)(e.into())),
    }
}

/// Sends one JSON-RPC request and returns the response object.
pub(crate) fn request(
    path: &Path,
    method: &str,
    params: Value,
    timeout: Duration,
) -> Result<Value, InstanceError> {
    // The primary may be between taking the lock and binding: retry briefly.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut stream = loop {
        match UnixStream::connect(path) {
            Ok(s) => break s,
            Err(e) if Instant::now() < deadline => {
                tracing::debug!(error = %e, "instance socket not ready; retrying");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(io("connecting to", path)(e)),
        }
    };
    stream
        .set_read_timeout(Some(timeout))
        .map_err(io("configuring", path))?;
    let line = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    writeln!(stream, "{line}").map_err(io("writing to", path))?;
    let mut reply = String::new();
    BufReader::new(Read::take(&stream, MAX_LINE))
        .read_line(&mut reply)
        .map_err(|e| InstanceError::Protocol(format!("no reply within {timeout:?}: {e}")))?;
    serde_json::from_str(&reply)
        .map_err(|e| InstanceError::Protocol(format!("bad reply {reply:?}: {e}")))
}

/// Hands this launch's arguments and directory to the running instance.
pub(crate) fn hand_off(path: &Path, args: &[String]) -> Result<(), InstanceError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let reply = request(
        path,
        SECOND_INSTANCE_METHOD,
        json!({"args": args, "cwd": cwd}),
        Duration::from_secs(15),
    )?;
    match reply.get("error") {
        None => Ok(()),
        Some(e) => Err(InstanceError::Protocol(e.to_string())),
    }
}

/// `--ctl METHOD [ARGS…]` params: one JSON object/array argument as is, or
/// `key=value` pairs (a value that parses as JSON is taken as JSON, else as
/// a string) into an object.
pub fn ctl_params(args: &[String]) -> Result<Value, String> {
    if let [one] = args {
        if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(one) {
            return Ok(v);
        }
    }
    let mut map = serde_json::Map::new();
    for arg in args {
        let (k, v) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}`: expected key=value or one JSON object"))?;
        let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_owned()));
        map.insert(k.to_owned(), value);
    }
    Ok(Value::Object(map))
}

/// How long a connection may take to send one request line. A client that
/// connects and sends nothing (a hung or hostile process) would otherwise
/// hold its task and descriptor for the app's life.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Per-connection limits of the instance socket.
#[derive(Debug, Clone, Copy)]
struct ConnLimits {
    /// Time allowed for each request line to arrive whole.
    request_timeout: Duration,
    /// Longest request line, in bytes (without its newline).
    max_line: u64,
}

const CONN_LIMITS: ConnLimits = ConnLimits {
    request_timeout: REQUEST_TIMEOUT,
    max_line: MAX_LINE,
};

/// Serves the socket on the actor thread: second launches and ctl calls.
pub(crate) fn serve(listener: UnixListener, app: AppHandle, ctl: Arc<Capabilities>) {
    let listener = match listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::UnixListener::from_std(listener))
    {
        Ok(l) => l,
        Err(error) => {
            tracing::error!(%error, "instance socket unusable; second launches will hang");
            return;
        }
    };
    actix::spawn(accept_loop(listener, app, ctl, CONN_LIMITS));
}

async fn accept_loop(
    listener: tokio::net::UnixListener,
    app: AppHandle,
    ctl: Arc<Capabilities>,
    limits: ConnLimits,
) {
    let me = rustix::process::getuid();
    let mut backoff = AcceptBackoff::default();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => {
                backoff.succeeded();
                stream
            }
            Err(error) => {
                // Out of descriptors (EMFILE) and the like fail again at
                // once: wait, so the loop neither spins nor floods the log.
                let (delay, report) = backoff.failed(Instant::now());
                if let Some(suppressed) = report {
                    tracing::warn!(%error, suppressed, retry_in = ?delay, "instance socket accept failed");
                }
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        match rustix::net::sockopt::socket_peercred(&stream) {
            Ok(cred) if cred.uid == me => {}
            Ok(cred) => {
                tracing::warn!(
                    uid = cred.uid.as_raw(),
                    "refused an instance connection from another user"
                );
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, "no peer credentials; connection refused");
                continue;
            }
        }
        actix::spawn(connection(stream, app.clone(), ctl.clone(), limits));
    }
}

/// Backs off after failed `accept`s (10 ms doubling to 1 s) and logs the
/// first failure of a run, then at most one line per [`AcceptBackoff::LOG_EVERY`]
/// with how many it left out.
#[derive(Debug, Default)]
struct AcceptBackoff {
    /// Failures in a row.
    failures: u32,
    /// When the last line was logged.
    logged: Option<Instant>,
    /// Failures not logged since then.
    suppressed: u64,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);
    const LOG_EVERY: Duration = Duration::from_secs(60);

    /// One more failure at `now`: how long to wait, and `Some(suppressed)`
    /// when this one is to be logged.
    fn failed(&mut self, now: Instant) -> (Duration, Option<u64>) {
        let delay = Self::FIRST
            .saturating_mul(1 << self.failures.min(16))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        let due = self
            .logged
            .is_none_or(|at| now.saturating_duration_since(at) >= Self::LOG_EVERY);
        if due {
            self.logged = Some(now);
            let suppressed = std::mem::take(&mut self.suppressed);
            (delay, Some(suppressed))
        } else {
            self.suppressed += 1;
            (delay, None)
        }
    }

    /// An accept worked: the next failure starts from the shortest wait
    /// (the log rate limit stays, so alternating success and failure
    /// cannot flood it either).
    fn succeeded(&mut self) {
        self.failures = 0;
    }
}

/// What reading one request line gave.
#[derive(Debug, PartialEq, Eq)]
enum LineRead {
    Line,
    /// The peer closed the connection (or sent bytes that are not UTF-8).
    Closed,
    /// Nothing whole within the timeout.
    TimedOut,
    /// Longer than the limit.
    TooLong,
}

async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut String,
    limits: ConnLimits,
) -> LineRead {
    line.clear();
    // One byte over the limit tells a line of exactly `max_line` bytes (and
    // its newline) from a longer one; nothing beyond is read or kept.
    let mut bounded = tokio::io::AsyncReadExt::take(reader, limits.max_line + 2);
    match tokio::time::timeout(limits.request_timeout, bounded.read_line(line)).await {
        Err(_) => LineRead::TimedOut,
        Ok(Ok(0) | Err(_)) => LineRead::Closed,
        Ok(Ok(_)) if line.trim_end_matches(['\n', '\r']).len() as u64 > limits.max_line => {
            LineRead::TooLong
        }
        Ok(Ok(_)) if !line.ends_with('\n') => LineRead::Closed, // cut off by EOF
        Ok(Ok(_)) => LineRead::Line,
    }
}

async fn connection(
    stream: tokio::net::UnixStream,
    app: AppHandle,
    ctl: Arc<Capabilities>,
    limits: ConnLimits,
) {
    let (read, mut write) = stream.into_split();
    let mut reader = tokio::io::BufReader::new(read);
    let mut line = String::new();
    loop {
        let refusal = match read_request(&mut reader, &mut line, limits).await {
            LineRead::Line => None,
            LineRead::Closed => return,
            LineRead::TimedOut => {
                tracing::debug!(timeout = ?limits.request_timeout, "instance connection idle; dropped");
                Some((
                    codes::Limit::TimedOut,
                    format!(
                        "no whole request within {:?}; connection closed",
                        limits.request_timeout
                    ),
                ))
            }
            LineRead::TooLong => {
                tracing::warn!(limit = limits.max_line, "oversize instance request refused");
                Some((
                    codes::Limit::TooLarge,
                    format!(
                        "a request line over {} bytes is refused; connection closed",
                        limits.max_line
                    ),
                ))
            }
        };
        let reply = match &refusal {
            Some((limit, why)) => Some(ipc::failure(Value::Null, ipc::limit_exceeded(*limit, why))),
            None => answer(&line, &app, &ctl).await,
        };
        if let Some(reply) = reply {
            let mut text = reply.to_string();
            text.push('\n');
            // A peer that does not read its replies must not hold us either.
            let sent =
                tokio::time::timeout(limits.request_timeout, write.write_all(text.as_bytes()));
            if !matches!(sent.await, Ok(Ok(()))) {
                return;
            }
        }
        if refusal.is_some() {
            return;
        }
    }
}

async fn answer(line: &str, app: &AppHandle, ctl: &Arc<Capabilities>) -> Option<Value> {
    let call = match ipc::decode(line, app.ipc_limits()) {
        Err(err) => return Some(ipc::failure(Value::Null, err)),
        Ok(Incoming::Single(Err(invalid))) => return Some(invalid.response()),
        Ok(Incoming::Batch(_)) => {
            return Some(ipc::failure(
                Value::Null,
                codes::domain_error(
                    codes::INVALID_REQUEST,
                    codes::INVALID_REQUEST_KIND,
                    "batches are not served on the instance socket",
                ),
            ))
        }
        Ok(Incoming::Single(Ok(call))) => call,
    };
    if call.method == SECOND_INSTANCE_METHOD {
        let result = second_instance(app, call.params);
        return call.id.map(|id| match result {
            Ok(v) => ipc::success(id, v),
            Err(e) => ipc::failure(id, e),
        });
    }
    // The same dispatcher as a window's, admitted by the ctl capabilities.
    let single = Incoming::Single(Ok(call));
    ipc::dispatch(single, app.router(), |call, _| {
        if !ctl.admits_call(CTL_WINDOW, None, &call.method) {
            tracing::info!(method = %call.method, "ctl call refused: no ctl capability grants it");
            return Err(RpcError::permission_denied(
                CTL_WINDOW,
                &format!("method `{}`", call.method),
            ));
        }
        tracing::info!(method = %call.method, "ctl call");
        Ok(CallContext {
            app: app.clone(),
            window: CTL_WINDOW.into(),
            origin: None,
            // Store keys and window.open labels are checked against the ctl
            // capabilities too, never against a page's for a window `ctl`.
            grants: Some(ctl.clone()),
            // No page: `event.listen` and `store.watch` have nothing to act on.
            page: None,
        })
    })
    .settle()
    .await
}

fn second_instance(app: &AppHandle, params: Option<Value>) -> Result<Value, RpcError> {
    #[derive(serde::Deserialize)]
    struct Args {
        args: Vec<String>,
        cwd: PathBuf,
    }
    let a: Args = ipc::parse_params(SECOND_INSTANCE_METHOD, params)?;
    tracing::info!(args = ?a.args, cwd = %a.cwd.display(), "second instance");
    app.deliver_second_instance(SecondInstance {
        args: a.args,
        cwd: a.cwd,
    });
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::test::TestApp;
    use tokio::io::AsyncReadExt;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("traykit-inst-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// Serves a socket in `dir` with `limits`, for `app`.
    fn serve_at(dir: &Path, app: &TestApp, ctl: Capabilities, limits: ConnLimits) -> PathBuf {
        let path = dir.join("instance.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = tokio::net::UnixListener::from_std(listener).expect("tokio listener");
        actix::spawn(accept_loop(
            listener,
            app.handle().clone(),
            Arc::new(ctl),
            limits,
        ));
        path
    }

    /// Everything the server sends until it closes the connection.
    async fn read_to_end(stream: &mut tokio::net::UnixStream) -> String {
        let mut text = String::new();
        // Bounded so that a server that never closes fails the test rather
        // than hanging it.
        tokio::time::timeout(Duration::from_secs(20), stream.read_to_string(&mut text))
            .await
            .expect("the server closed the connection")
            .expect("read");
        text
    }

    #[actix::test]
    async fn a_silent_client_is_dropped_and_second_launches_still_work() {
        let dir = temp("idle");
        let app = TestApp::start(App::builder()).await.expect("starts");
        let limits = ConnLimits {
            request_timeout: Duration::from_millis(300),
            max_line: MAX_LINE,
        };
        let path = serve_at(&dir, &app, Capabilities::default(), limits);
        let mut silent = tokio::net::UnixStream::connect(&path)
            .await
            .expect("connect");
        // While it sits there, a second launch is answered.
        let mut launch = tokio::net::UnixStream::connect(&path)
            .await
            .expect("connect");
        let request = json!({"jsonrpc":"2.0","id":1,"method":SECOND_INSTANCE_METHOD,"params":{"args":["x"],"cwd":"/"}});
        launch
            .write_all(format!("{request}\n").as_bytes())
            .await
            .expect("send");
        let mut reply = String::new();
        tokio::io::BufReader::new(&mut launch)
            .read_line(&mut reply)
            .await
            .expect("reply");
        let reply: Value = serde_json::from_str(&reply).expect("json");
        assert_eq!(reply["result"], Value::Null, "{reply}");
        // The silent one is told why and closed.
        let text = read_to_end(&mut silent).await;
        let refusal: Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(
            refusal["error"]["code"],
            json!(codes::LIMIT_EXCEEDED),
            "{refusal}"
        );
        assert!(
            refusal["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("no whole request")),
            "{refusal}"
        );
        assert_eq!(refusal["error"]["data"]["kind"], "timed_out", "{refusal}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[actix::test]
    async fn an_oversize_request_is_refused_before_it_is_read_whole() {
        let dir = temp("big");
        let app = TestApp::start(App::builder()).await.expect("starts");
        let limits = ConnLimits {
            request_timeout: Duration::from_secs(30),
            max_line: 64,
        };
        let path = serve_at(&dir, &app, Capabilities::default(), limits);
        let mut client = tokio::net::UnixStream::connect(&path)
            .await
            .expect("connect");
        // No newline ever comes: the server must stop at the limit, not
        // wait for the line's end.
        client.write_all(&[b'x'; 200]).await.expect("send");
        let text = read_to_end(&mut client).await;
        let refusal: Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(
            refusal["error"]["code"],
            json!(codes::LIMIT_EXCEEDED),
            "{refusal}"
        );
        assert!(
            refusal["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("over 64 bytes")),
            "{refusal}"
        );
        assert_eq!(refusal["error"]["data"]["kind"], "too_large", "{refusal}");
        // A line of exactly the limit is still a request (answered, here
        // with a parse error: it is not JSON).
        let mut client = tokio::net::UnixStream::connect(&path)
            .await
            .expect("connect");
        client.write_all(&[b'y'; 64]).await.expect("send");
        client.write_all(b"\n").await.expect("send");
        let mut reply = String::new();
        tokio::io::BufReader::new(&mut client)
            .read_line(&mut reply)
            .await
            .expect("reply");
        let reply: Value = serde_json::from_str(&reply).expect("json");
        assert_eq!(reply["error"]["code"], json!(codes::PARSE_ERROR), "{reply}");
        assert_eq!(reply["error"]["data"]["kind"], "parse_error", "{reply}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[actix::test]
    async fn ctl_store_calls_are_checked_against_the_ctl_capabilities() {
        let dir = temp("ctl");
        // A page capability for every window (`ctl` included, by the glob)
        // grants store `notes`; the ctl capability grants `settings`.
        let app = TestApp::start(
            App::builder()
                .data_dir(dir.join("data"))
                .capability(
                    r#"{"identifier":"pages","windows":["*"],"methods":["store.*"],"stores":[{"store":"notes"}]}"#,
                ),
        )
        .await
        .expect("starts");
        let mut ctl = Capabilities::default();
        ctl.push(
            traykit_actors::ipc::Capability::from_json(
                r#"{"identifier":"ctl","windows":["ctl"],"methods":["store.get","store.set","store.keys"],"stores":[{"store":"settings"}]}"#,
            )
            .expect("valid"),
        );
        let ctl = Arc::new(ctl);
        let ask = |method: &str, params: Value| {
            json!({"jsonrpc":"2.0","id":1,"method":method,"params":params}).to_string()
        };
        let set = answer(
            &ask("store.set", json!({"store":"settings","key":"k","value":1})),
            app.handle(),
            &ctl,
        )
        .await
        .expect("reply");
        assert_eq!(set["result"], Value::Null, "the ctl's own grant: {set}");
        let get = answer(
            &ask("store.get", json!({"store":"settings","key":"k"})),
            app.handle(),
            &ctl,
        )
        .await
        .expect("reply");
        assert_eq!(get["result"], json!(1), "{get}");
        let keys = answer(
            &ask("store.keys", json!({"store":"settings"})),
            app.handle(),
            &ctl,
        )
        .await
        .expect("reply");
        assert_eq!(keys["result"], json!(["k"]), "{keys}");
        app.handle()
            .store("notes")
            .expect("opens")
            .set("n", &"page data")
            .await
            .expect("set");
        let page_store = answer(
            &ask("store.get", json!({"store":"notes","key":"n"})),
            app.handle(),
            &ctl,
        )
        .await
        .expect("reply");
        assert_eq!(
            page_store["error"]["code"],
            json!(codes::PERMISSION_DENIED),
            "a page grant is not a ctl grant: {page_store}"
        );
        assert_eq!(
            page_store["error"]["data"]["kind"], "forbidden",
            "{page_store}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn accept_errors_back_off_and_are_logged_once_a_minute() {
        let mut b = AcceptBackoff::default();
        let t0 = Instant::now();
        let delays: Vec<_> = (0..10)
            .map(|i| b.failed(t0 + Duration::from_millis(i)))
            .collect();
        let ms: Vec<u128> = delays.iter().map(|(d, _)| d.as_millis()).collect();
        assert_eq!(ms, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        let logged: Vec<_> = delays.iter().map(|(_, l)| *l).collect();
        assert_eq!(logged[0], Some(0), "the first failure is logged");
        assert!(logged[1..].iter().all(Option::is_none), "{logged:?}");
        // A minute on, one line says how many were left out.
        let (_, later) = b.failed(t0 + AcceptBackoff::LOG_EVERY);
        assert_eq!(later, Some(9));
        // A success resets the wait, not the log limit.
        b.succeeded();
        let (delay, log) = b.failed(t0 + AcceptBackoff::LOG_EVERY + Duration::from_secs(1));
        assert_eq!((delay, log), (AcceptBackoff::FIRST, None));
        // Thousands in a row never overflow or exceed the cap.
        for _ in 0..10_000 {
            assert!(b.failed(t0).0 <= AcceptBackoff::MAX);
        }
    }

    #[test]
    fn ctl_params_from_pairs_or_json() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ctl_params(&s(&["label=settings", "width=300"])),
            Ok(json!({"label": "settings", "width": 300}))
        );
        assert_eq!(ctl_params(&s(&[r#"{"a":[1]}"#])), Ok(json!({"a": [1]})));
        assert_eq!(ctl_params(&[]), Ok(json!({})));
        assert!(ctl_params(&s(&["bare"])).is_err());
    }
}
