//! What the UI thread needs to build a window: its declaration, resolved.

use crate::ids::WindowLabel;

/// What closing a window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ClosePolicy {
    /// Hide it and keep the webview for an instant re-show.
    Hide,
    /// Drop the webview so its WebKit processes exit and memory goes back;
    /// the next show re-creates it. The default: right for tray popups.
    #[default]
    Destroy,
}

/// Where a window appears when shown.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Placement {
    /// Where the window manager (or `position`) puts it.
    #[default]
    Default,
    /// Next to the mouse pointer, kept on screen: the tray-popup placement
    /// on Linux, where panels report no icon rectangle.
    Pointer,
    /// In a screen corner, with a margin.
    Corner(Corner),
}

/// A screen corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// Where a window is, how big, and whether it is maximised; remembered per
/// label and restored on the next open.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Geometry {
    /// Outer position, logical pixels.
    pub position: (f64, f64),
    /// Inner size, logical pixels.
    pub size: (f64, f64),
    /// Maximised.
    pub maximized: bool,
}

/// A window's declaration, as the UI thread needs it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowSpec {
    /// Its label.
    pub label: WindowLabel,
    /// Absolute URL (the app's own pages are `traykit://localhost/…`).
    pub url: String,
    /// Title bar text.
    pub title: String,
    /// Logical size.
    pub size: (f64, f64),
    /// Logical position; `None` lets the window manager choose.
    pub position: Option<(f64, f64)>,
    /// User-resizable.
    pub resizable: bool,
    /// Title bar and borders.
    pub decorations: bool,
    /// Stays above other windows.
    pub always_on_top: bool,
    /// Hidden from the task bar.
    pub skip_taskbar: bool,
    /// What closing does.
    pub close_policy: ClosePolicy,
    /// Where it appears.
    pub placement: Placement,
    /// Opens maximised.
    #[serde(default)]
    pub maximized: bool,
    /// Remember geometry per label and restore it on the next open.
    #[serde(default)]
    pub remember: bool,
}
