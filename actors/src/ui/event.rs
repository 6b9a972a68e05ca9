//! Events from the UI thread that belong to an actor.

use super::Geometry;
use crate::ids::{MenuId, TrayId, WindowLabel};

/// Which mouse button activated a tray icon, in
/// [`TrayActivated`](crate::tray::TrayActivated).
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::MouseButton;
///
/// let builder = App::builder().on_tray_activated(|app, click| match click.button {
///     MouseButton::Left => app.show_window("popup"),
///     _ => {}
/// });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MouseButton {
    /// Primary click ("Activate" in SNI).
    Left,
    /// Middle click ("SecondaryActivate" in SNI).
    Middle,
    /// Secondary click.
    Right,
}

/// Something that happened on the UI thread and belongs to an actor.
///
/// ```
/// use traykit::ids::{MenuId, TrayId};
/// use traykit::ui::UiEvent;
///
/// # fn main() -> Result<(), traykit::ids::IdError> {
/// // What the UI thread reports when "quit" is clicked in the main tray's menu.
/// let click = UiEvent::MenuActivated { tray: TrayId::new("main")?, item: MenuId::new("quit")? };
/// assert!(matches!(click, UiEvent::MenuActivated { ref item, .. } if item.as_str() == "quit"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UiEvent {
    /// A tray menu entry was clicked.
    MenuActivated {
        /// The tray whose menu it was.
        tray: TrayId,
        /// The entry.
        item: MenuId,
    },
    /// The tray icon itself was clicked.
    TrayActivated {
        /// Which tray.
        tray: TrayId,
        /// Which button.
        button: MouseButton,
        /// Pointer position in screen pixels, as the panel reports it.
        position: (f64, f64),
    },
    /// A tray's menu is opening (the panel sent dbusmenu `AboutToShow`):
    /// a click may follow.
    TrayMenuOpened {
        /// Which tray.
        tray: TrayId,
    },
    /// A page posted an IPC message.
    Ipc {
        /// Which window.
        window: WindowLabel,
        /// The page's URL (its origin decides what it may call).
        url: String,
        /// The bridge's number for this message (its envelope, checked and
        /// removed by the webview host), so that a refusal of the whole
        /// message can name it and the page settles exactly its calls.
        /// `None` when the sender has no bridge (tests posting text).
        seq: Option<u64>,
        /// The posted text, unparsed: parsing is the actor's job.
        body: String,
    },
    /// A page message refused before it reached its window's actor (over
    /// `max_message_bytes` on the pipe from the webview host, unread): the
    /// actor answers it as refused.
    IpcRefused {
        /// Which window.
        window: WindowLabel,
        /// The refused message's number, as in [`UiEvent::Ipc`].
        seq: Option<u64>,
        /// Why.
        error: crate::ipc::RpcError,
    },
    /// The user asked to close a window (title-bar button, Alt-F4).
    WindowCloseRequested {
        /// Which window.
        window: WindowLabel,
    },
    /// A window disappeared without being asked to (its webview host
    /// process died); its actor marks it closed so the next show re-creates it.
    WindowGone {
        /// Which window.
        window: WindowLabel,
    },
    /// A window was moved, resized, maximised or restored.
    WindowGeometry {
        /// Which window.
        window: WindowLabel,
        /// Where it is and how big, in logical pixels.
        geometry: Geometry,
    },
}
