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
//! `client` (the app side: `HostWindows`), `server` (the host process's
//! loop: `serve`) and `windows` (the tao windows and wry webviews the server
//! drives; only the host process creates them). `client` uses neither
//! `server` nor `windows`: the app process never touches a webview.

mod client;
mod frame;
mod lease;
mod protocol;
mod server;
mod windows;

use std::sync::Arc;

use traykit_actors::ui::UiEvent;

pub(crate) use client::HostWindows;
pub(crate) use protocol::HOST_ENV;
pub(crate) use server::serve;

/// Where window events (close requests, geometry) go: the pipe back to the
/// app (this is the webview host process), or in the app, its dispatcher.
pub(crate) type EventSink = Arc<dyn Fn(UiEvent) + Send + Sync>;

/// Returns freed heap to the OS once the last webview is gone. glibc keeps
/// freed memory in its arenas; after a webview (and its megabytes of IPC
/// buffers) is dropped that is tens of MB an idle tray app would otherwise
/// keep resident.
fn give_back_heap() {
    // SAFETY: malloc_trim only walks glibc's own allocator state under its
    // locks; it takes no pointers from us and is safe to call at any time.
    #[allow(unsafe_code)]
    let trimmed = unsafe { libc::malloc_trim(0) };
    tracing::debug!(trimmed, "heap trimmed after the last window closed");
}
