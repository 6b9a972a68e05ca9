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
use traykit_actors::desktop::SecondInstance;
use traykit_actors::ipc::{self, codes, CallContext, Capabilities, Incoming, RpcError};

/// The method a second launch calls.
pub(crate) const SECOND_INSTANCE_METHOD: &str = "traykit.second_instance";
/// The caller name ctl requests are checked and routed as.
pub const CTL_WINDOW: &str = "ctl";
/// Longest request line accepted.
const MAX_LINE: u64 = 1024 * 1024;

/// Why the instance channel failed.
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
    let me = rustix::process::getuid();
    actix::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "instance socket accept failed");
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
            actix::spawn(connection(stream, app.clone(), ctl.clone()));
        }
    });
}

async fn connection(stream: tokio::net::UnixStream, app: AppHandle, ctl: Arc<Capabilities>) {
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(tokio::io::AsyncReadExt::take(read, MAX_LINE));
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = answer(&line, &app, &ctl).await;
        let Some(reply) = reply else { continue };
        let mut text = reply.to_string();
        text.push('\n');
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn answer(line: &str, app: &AppHandle, ctl: &Capabilities) -> Option<Value> {
    let call = match ipc::decode(line, app.ipc_limits()) {
        Err(err) => return Some(ipc::failure(Value::Null, err)),
        Ok(Incoming::Single(Err(invalid))) => return Some(invalid.response()),
        Ok(Incoming::Batch(_)) => {
            return Some(ipc::failure(
                Value::Null,
                RpcError::new(
                    codes::INVALID_REQUEST,
                    "batches are not served on the instance socket",
                ),
            ))
        }
        Ok(Incoming::Single(Ok(call))) => call,
    };
    let result = if call.method == SECOND_INSTANCE_METHOD {
        second_instance(app, call.params)
    } else if !ctl.allows_method(CTL_WINDOW, None, &call.method) {
        tracing::info!(method = %call.method, "ctl call refused: no ctl capability grants it");
        Err(RpcError::permission_denied(
            CTL_WINDOW,
            &format!("method `{}`", call.method),
        ))
    } else {
        tracing::info!(method = %call.method, "ctl call");
        let ctx = CallContext {
            app: app.clone(),
            window: CTL_WINDOW.into(),
            origin: None,
        };
        app.router().call(ctx, &call.method, call.params).await
    };
    let id = call.id?;
    Some(match result {
        Ok(v) => ipc::success(id, v),
        Err(e) => ipc::failure(id, e),
    })
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
