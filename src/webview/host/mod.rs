//! Webviews in a child process, so closing the last window gives back all of
//! WebKit's memory.
//!
//! WebKit leaves tens of MB behind in the process that hosted a webview even
//! after it is dropped (Mesa/LLVM mapped for EGL, its allocators' caches, a
//! network process that outlives its last view). A tray app that opens a
//! popup now and then would carry that forever. So windows live in a *webview
//! host*: the app's own executable re-run with `HOST_ENV` set. `App::run`
//! in that process serves windows instead of running the app (`serve`). It
//! starts on the first `CreateWindow` and is told to exit when the last
//! window is destroyed; one that does not exit within `RELEASE_DEADLINE`
//! is killed (that pid only).
//!
//! Protocol: frames on two pipes of their own, App → host (`ToHost`) and
//! host → app (`FromHost`), whose descriptor numbers the host finds in
//! `HOST_ENV`. The host's stdin is /dev/null and its stdout and stderr are
//! the app's, so nothing the app's code prints (before `run()`, which the
//! host runs too) can touch the protocol. The frame format and its limits
//! are in `frame.rs`: page text (IPC in) and scripts (replies and events
//! out) travel as raw bytes after a JSON header, and no length field is
//! trusted to allocate.
//!
//! Code that runs before `run()` in `main` runs in the host too: keep it free
//! of side effects (Electron and Tauri's multi-process models have the same
//! rule).
//!
//! By role: `protocol` (the messages and the frame writer both sides share),
//! `frame` (the wire format, plain std so the fuzzer includes it as it is),
//! `client` (the app side: `HostWindows`), `server` (the host side: `serve`).

mod client;
mod frame;
mod protocol;
mod server;

use std::sync::{Mutex, MutexGuard, PoisonError};

pub(crate) use client::HostWindows;
pub(crate) use frame::{open_envelope, Budget, Ticket};
pub(crate) use protocol::{oversize, HOST_ENV};
pub(crate) use server::serve;

/// Poison-tolerant: a thread that panicked holding one of these locks must
/// not take the app's window plumbing (or the host's) down with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
