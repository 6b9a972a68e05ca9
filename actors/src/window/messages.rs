//! The window actor's messages.

use std::sync::Arc;

use actix::prelude::*;
use serde_json::Value;

use super::WindowError;
use crate::ipc::RpcError;
use crate::ui::{Geometry, WindowSpec};

/// Is the window open, and visible?
///
/// ```
/// use traykit::prelude::*;
/// use traykit::window::Life;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().window(Window::new("notes").url("index.html"))).await?;
/// # let app = test.handle();
/// let notes = app.window("notes")?;
/// assert_eq!(notes.state().await?.1, Life::Closed);
/// notes.show().await?;
/// assert_eq!(notes.state().await?.1, Life::Open { visible: true });
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// No native window or webview exists.
    Closed,
    /// The native window and webview exist.
    Open {
        /// Shown (true) or hidden (false).
        visible: bool,
    },
}

/// Operations on a window, from Rust or from a page (the `WindowHandle`
/// methods are shorthands for one each).
///
/// ```
/// use traykit::prelude::*;
/// use traykit::window::WindowCommand;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().window(Window::new("notes").url("index.html"))).await?;
/// # let app = test.handle();
/// let notes = app.window("notes")?;
/// notes.command(WindowCommand::SetSize(640.0, 480.0)).await?;
/// notes.command(WindowCommand::Show).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WindowCommand {
    /// Create if needed, show, focus.
    Show,
    /// Hide (keeps the webview).
    Hide,
    /// Bring to front.
    Focus,
    /// Apply the close policy.
    Close,
    /// Change the title.
    SetTitle(String),
    /// Change the logical size.
    SetSize(f64, f64),
    /// Move to a logical position.
    SetPosition(f64, f64),
    /// Center on its monitor.
    Center,
}

/// Run a [`WindowCommand`].
#[derive(Debug, Message)]
#[rtype(result = "Result<(), WindowError>")]
pub struct Command(pub WindowCommand);

/// Create the webview hidden now, so the first show is instant.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), WindowError>")]
pub struct Prewarm;

/// Read the window's state.
#[derive(Debug, Message)]
#[rtype(result = "(WindowSpec, Life)")]
pub struct GetWindow;

/// From the UI thread: text a page posted.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct IpcIn {
    /// The page's URL.
    pub url: String,
    /// The bridge's number for this message: every refusal of the whole
    /// message (id null) names it, so the page rejects exactly its calls.
    pub seq: Option<u64>,
    /// The posted text.
    pub body: String,
}

/// A page message refused before it reached the actor: by the app's router
/// (the window's backlog was full) or by the pipe reader (over
/// `max_message_bytes`, see [`crate::ui::UiEvent::IpcRefused`]). The actor
/// answers it with the error, tied to the message's number.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct IpcRefused {
    /// The refused message's number.
    pub seq: Option<u64>,
    /// The -32002 naming the limit.
    pub error: RpcError,
}

/// From the UI thread: the user asked to close the window.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct CloseRequested;

/// An event for this window's page (delivered if it listens).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PushEvent {
    /// Event name.
    pub event: Arc<str>,
    /// Payload, shared by every window it goes to.
    pub payload: Arc<Value>,
    /// Emitting window's label; `None` from Rust.
    pub source: Option<Arc<str>>,
}

/// From the UI thread: the window is gone (its host process died).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Gone;

/// From the UI thread: the window's geometry changed.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct GeometryChanged(pub Geometry);
