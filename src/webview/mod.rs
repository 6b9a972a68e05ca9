//! Windows and their pages: everything behind the `webview` feature.
//!
//! - `host`: the webview host process — the protocol, the app's client
//!   (`HostWindows`), the host's server loop (`serve`) and the windows it
//!   serves (tao windows with wry webviews, alive only in the host process).
//! - `assets`: `traykit://` serving, with `asset_path` (the one request path
//!   decoder) and `inline_scripts` (CSP hashes for inline scripts).

mod asset_path;
pub(crate) mod assets;
pub(crate) mod host;
mod inline_scripts;

pub(crate) use assets::Assets;
pub use assets::DEFAULT_CSP;
