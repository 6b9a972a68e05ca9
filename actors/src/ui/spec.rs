//! What the UI thread needs to build a window: its declaration, resolved.

use crate::ids::WindowLabel;

/// What closing a window does.
///
/// ```
/// use traykit::prelude::*;
///
/// // A settings window that opens instantly again after its first show.
/// let window = Window::new("settings").url("settings.html").close_policy(ClosePolicy::Hide);
/// # let _ = window;
/// ```
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
///
/// ```
/// use traykit::prelude::*;
///
/// let popup = Window::new("popup")
///     .url("popup.html")
///     .decorations(false)
///     .placement(Placement::Pointer); // next to the tray icon that was clicked
/// # let _ = popup;
/// ```
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

/// A screen corner, for [`Placement::Corner`].
///
/// ```
/// use traykit::prelude::*;
///
/// use traykit::window::Corner;
///
/// let toast = Window::new("toast").url("toast.html").placement(Placement::Corner(Corner::BottomRight));
/// # let _ = toast;
/// ```
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
/// label and restored on the next open (unless
/// [`Window::remember_state`](crate::window::Window::remember_state) is off).
///
/// ```
/// use traykit::window::Geometry;
///
/// let g = Geometry { position: (40.0, 40.0), size: (480.0, 320.0), maximized: false };
/// assert_eq!(serde_json::to_value(g).unwrap()["size"], serde_json::json!([480.0, 320.0]));
/// ```
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
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::UiRequest;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let test = traykit::test::TestApp::start(
///     App::builder().window(Window::new("notes").url("index.html").title("Notes").visible_on_start(true)),
/// ).await?;
/// let spec = test.ui_requests().into_iter().find_map(|r| match r {
///     UiRequest::CreateWindow { spec, .. } => Some(spec),
///     _ => None,
/// });
/// assert_eq!(spec.map(|s| s.title), Some("Notes".to_owned()));
/// # Ok(()) }
/// ```
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
