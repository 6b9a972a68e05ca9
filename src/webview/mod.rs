//! Windows and their pages: everything behind the `webview` feature.
//!
//! - `host`: the webview host process — the protocol, the app's client
//!   (`HostWindows`) and the host's server loop (`serve`).
//! - `windows`: the tao windows and wry webviews, live in the host process.
//! - `assets`: `traykit://` serving, with `asset_path` (the one request path
//!   decoder) and `inline_scripts` (CSP hashes for inline scripts).

mod asset_path;
pub(crate) mod assets;
pub(crate) mod host;
mod inline_scripts;
pub(crate) mod windows;

pub use assets::DEFAULT_CSP;
pub(crate) use assets::Assets;
