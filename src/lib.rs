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
//! - `builder`: [`App`], [`AppBuilder`] — what the app is made of.
//! - `runtime`: the main thread — tao's event loop serving UI requests.
//! - `trays`: the tray model turned into tray-icon/muda objects.
//! - [`mod@test`]: [`test::TestApp`], the whole app without a display.
//! - [`desktop`]: desktop integration, configured by the builder options
//!   `single_instance`, `deep_link_scheme`, `logging`, `on_shortcut`…: its
//!   platform half (also at [`instance`] and [`logging`]) and the actor
//!   side from `traykit-actors`; `.desktop` files in [`desktop_entry`].
//! - The actors themselves live in the `traykit-actors` crate, re-exported
//!   here: [`app`], [`tray`], [`menu`], [`notifier`], [`ui`], [`supervise`].

mod builder;
pub mod desktop;
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
pub use traykit_actors::{
    app, builtins, desktop_entry, error as actor_error, icon, ids, isolation, menu, notifier,
    store, supervise, tray, ui, window, ActorError, UiError,
};
#[cfg(feature = "webview")]
pub use webview::DEFAULT_CSP;

/// JSON-RPC for pages: traykit-actors' `ipc` (codec, `Router<C>`,
/// dispatcher, capabilities, codes) with the app's context, so handlers
/// write `traykit::ipc::{CallContext, RpcError}`.
pub mod ipc {
    pub use traykit_actors::app::{CallContext, Handler, Router};
    pub use traykit_actors::ipc::*;
}

/// The names most apps use.
pub mod prelude {
    pub use crate::app::{AppHandle, Shutdown};
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
