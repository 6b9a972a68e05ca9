//! traykit: tray- and background-first desktop apps, built from actors.
//!
//! An app is declared with [`App::builder`], runs with no window at all, and
//! exits only when asked (from Rust, a menu item, or SIGTERM/SIGINT). Trays,
//! notifications and your own logic are actors exchanging typed messages;
//! the UI thread is reached only through one boundary ([`ui`]).
//!
//! ```no_run
//! use traykit::prelude::*;
//!
//! fn main() -> Result<(), traykit::Error> {
//!     App::builder()
//!         .name("Hello tray")
//!         .tray(Tray::new("main").title("Hello").menu(Menu::new().item("quit", "Quit")))
//!         .on_menu_click(|app, click| {
//!             if click.item == "quit" {
//!                 app.quit();
//!             }
//!         })
//!         .run()
//! }
//! ```
//!
//! # Layout
//! Every module is private; the public surface is the re-export list below,
//! one module per concept (most of them curated lists of `traykit-actors`
//! items — the actors live there, the UI thread here).
//! - `builder/`: [`App`], [`AppBuilder`] — what the app is made of, and
//!   `boot`, the one start-up path shared by `run` and `TestApp`.
//! - `runtime/`: the main thread — tao's event loop serving UI requests.
//! - `webview/` (feature `webview`): pages, assets, the isolated host.
//! - `trays`: the tray model turned into tray-icon/muda objects.
//! - `error`: [`Error`], what `run` returns.
//! - [`mod@test`]: [`test::TestApp`], the whole app without a display.
//! - [`desktop`]: desktop integration, configured by the builder options
//!   `single_instance`, `deep_link_scheme`, `logging`, `on_shortcut`…: its
//!   platform half (`desktop/`: instance, integration, logging, shortcuts;
//!   also at [`instance`] and [`logging`]) and the actor side from
//!   `traykit-actors`; `.desktop` files in [`desktop_entry`].
//! - Re-exported from `traykit-actors`: [`app`] (the handle, plugins),
//!   [`tray`], [`menu`], [`icon`], [`ids`], [`window`], [`ipc`] (JSON-RPC
//!   for pages), [`store`], [`notifier`], [`isolation`], [`ui`] (the UI
//!   boundary, what `TestApp` records), [`supervise`], [`prelude`].
//!
//! # Cargo features
//! All on by default. A tray-only app takes `default-features = false` and
//! adds back what it uses. Without a feature, the API that needs it fails
//! with a stable error (never a panic), or is absent (`webview`'s asset
//! items: `RustEmbed`, `DEFAULT_CSP`).
//!
//! | feature | adds | without it |
//! |---|---|---|
//! | `webview` | windows: WebKitGTK through wry, the webview host, assets | window requests are refused; WebKit is not linked |
//! | `shortcuts` | global shortcuts via global-hotkey (X11) | [`ShortcutError::Unsupported`](desktop::ShortcutError::Unsupported), RPC kind `unsupported` |
//! | `log-file` | the daily log file of [`logging`] (tracing-appender) | stderr only; `LogOptions::file(true)` fails with [`LogError::FileUnsupported`](logging::LogError::FileUnsupported) |
//! | `env-filter` | `EnvFilter` syntax for `TRAYKIT_LOG`/`RUST_LOG` | `target=level` directives only, no regex engine |

#![warn(unreachable_pub)]

mod builder;
pub mod desktop;
mod display;
mod error;
mod runtime;
pub mod test;
mod trays;
#[cfg(feature = "webview")]
mod webview;

pub use builder::{App, AppBuilder, SetupError};
pub use desktop::{instance, logging, CTL_FLAG, HIDDEN_FLAG};
pub use error::Error;
#[cfg(feature = "webview")]
pub use rust_embed::{self, RustEmbed};
pub use traykit_actors::{ActorError, UiError};
#[cfg(feature = "webview")]
pub use webview::DEFAULT_CSP;

/// The app handle, plugins, and what page code sends the app.
pub mod app {
    pub use traykit_actors::app::{
        AppHandle, CallContext, PageEvent, Plugin, PluginError, PluginSetup, Shutdown, StoreExt,
    };
}

/// Tray icons: the declaration, the live handle, and their events.
pub mod tray {
    pub use traykit_actors::tray::{
        MenuClicked, Tray, TrayActivated, TrayChange, TrayError, TrayHandle, TrayMenuOpened,
    };
}

/// Tray menus.
pub mod menu {
    pub use traykit_actors::menu::{ItemChange, Menu, MenuError, MenuItem};
}

/// Tray icons' pixels.
pub mod icon {
    pub use traykit_actors::icon::{Icon, IconError, MAX_ICON_SIDE};
}

/// Validated ids of trays, menu items and windows.
pub mod ids {
    pub use traykit_actors::ids::{IdError, MenuId, TrayId, WindowLabel};
}

/// Windows: the declaration, the live handle, placement and geometry.
pub mod window {
    pub use traykit_actors::window::{
        ClosePolicy, Corner, Geometry, Life, Placement, Window, WindowCommand, WindowError,
        WindowHandle, APP_ORIGIN, WINDOW_STATE_STORE,
    };
}

/// JSON-RPC for pages: handlers write `traykit::ipc::{CallContext,
/// RpcError}`; the stable error codes are in [`ipc::codes`].
pub mod ipc {
    pub use traykit_actors::app::{CallContext, Handler, Router};
    pub use traykit_actors::ipc::report::{CapabilityReport, WindowGrants};
    pub use traykit_actors::ipc::{
        codes, limit_exceeded, typed, Capabilities, Capability, CapabilityError, IpcLimits,
        RpcError,
    };
    // Tests measure the codec's allocations through it.
    #[doc(hidden)]
    pub use traykit_actors::ipc::decode;
}

/// Persistent key-value stores shared by Rust and pages.
pub mod store {
    pub use traykit_actors::store::{
        OnCorrupt, StoreChanged, StoreError, StoreHandle, StoreOptions, DEFAULT_LOCK_WAIT,
        DEFAULT_MAX_BYTES, MAX_KEY_BYTES,
    };
    // The crash tests, the store benchmark and `store_writer` drive the actor
    // and read the file format directly.
    #[doc(hidden)]
    pub use traykit_actors::store::{parse, Set, StoreActor};
}

/// Desktop notifications and what the user did with them.
pub mod notifier {
    pub use traykit_actors::notify::{
        CloseReason, Expiry, Notification, NotificationEvent, NotificationEventKind,
        NotificationId, NotifyError, Urgency,
    };
    // The D-Bus sender test drives the real backend without an app.
    #[doc(hidden)]
    pub use traykit_actors::notify::{DbusNotifications, NotificationBackend};
}

/// `.desktop` files: the entry, and where the XDG directories are.
pub mod desktop_entry {
    pub use traykit_actors::desktop_entry::{
        config_home, data_home, quote_exec_arg, DesktopEntry, DesktopEntryError,
    };
}

/// The isolation pattern: a sandboxed frame that checks every message.
pub mod isolation {
    pub use traykit_actors::isolation::{Isolation, IsolationError};
    // The isolation tests seal messages the way the frame does.
    #[doc(hidden)]
    pub use traykit_actors::isolation::seal;
}

/// Panic containment for your own actors' handlers.
pub mod supervise {
    pub use traykit_actors::supervise::guard;
}

/// The boundary to the UI thread: the requests actors make of it (what
/// [`TestApp`](crate::test::TestApp) records) and the events it sends back.
pub mod ui {
    pub use traykit_actors::ui::{
        ClosePolicy, Corner, Geometry, MouseButton, Placement, TraySpec, TrayUpdate, UiEvent,
        UiRequest, WindowOp, WindowSpec,
    };
}

/// The names most apps use.
pub mod prelude {
    pub use crate::app::{AppHandle, Shutdown, StoreExt};
    pub use crate::desktop::{DeepLink, SecondInstance, ShortcutPressed};
    pub use crate::icon::Icon;
    pub use crate::ipc::{CallContext, RpcError};
    pub use crate::logging::LogOptions;
    pub use crate::menu::Menu;
    pub use crate::notifier::{
        CloseReason, Expiry, Notification, NotificationEvent, NotificationEventKind, Urgency,
    };
    pub use crate::store::{OnCorrupt, StoreChanged, StoreHandle, StoreOptions};
    pub use crate::tray::{MenuClicked, Tray, TrayActivated, TrayChange, TrayHandle};
    pub use crate::window::{ClosePolicy, Placement, Window, WindowHandle};
    pub use crate::{App, AppBuilder, Error};
}

impl AppBuilder {
    /// Runs the app on this (the main) thread until it quits. A non-zero exit
    /// code (`app.exit(n)`) ends the process with that code after the clean
    /// shutdown; use [`run_return`](Self::run_return) to get it instead.
    pub fn run(self) -> Result<(), Error> {
        match runtime::run(self)? {
            0 => Ok(()),
            code => std::process::exit(code),
        }
    }

    /// Like [`run`](Self::run), but returns the exit code.
    pub fn run_return(self) -> Result<i32, Error> {
        runtime::run(self)
    }
}
