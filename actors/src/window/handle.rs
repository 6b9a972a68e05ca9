//! [`WindowHandle`]: what the rest of the app holds to talk to one window.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;

use super::{Command, GetWindow, Life, PushEvent, WindowActor, WindowCommand, WindowError};
use crate::error::ActorError;
use crate::ids::WindowLabel;
use crate::ipc;
use crate::ui::WindowSpec;

const ACTOR: &str = "WindowActor";

/// A `Send + Clone` handle to one window. Every call has the app's request
/// timeout.
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().window(Window::new("notes").url("index.html"))).await?;
/// # let app = test.handle();
/// let notes = app.window("notes")?;
/// notes.show().await?;
/// notes.set_title("Notes — 3 open").await?;
/// notes.emit("notes://refresh", ());
/// notes.hide().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WindowHandle {
    label: WindowLabel,
    addr: Addr<WindowActor>,
    timeout: Duration,
    backlog: Arc<ipc::Backlog>,
}

impl WindowHandle {
    pub(crate) fn new(label: WindowLabel, addr: Addr<WindowActor>, timeout: Duration) -> Self {
        Self {
            label,
            addr,
            timeout,
            backlog: Arc::default(),
        }
    }

    /// Shares `backlog` with the window's actor.
    pub(crate) fn with_backlog(mut self, backlog: Arc<ipc::Backlog>) -> Self {
        self.backlog = backlog;
        self
    }

    /// What the page has queued into and running in the window's actor
    /// (counted by the router, released by the actor).
    pub fn backlog(&self) -> &ipc::Backlog {
        &self.backlog
    }

    /// The label.
    pub fn label(&self) -> &WindowLabel {
        &self.label
    }

    /// The actor's address.
    pub fn addr(&self) -> &Addr<WindowActor> {
        &self.addr
    }

    /// Runs a command and waits for the UI thread.
    pub async fn command(&self, cmd: WindowCommand) -> Result<(), WindowError> {
        self.addr
            .send(Command(cmd))
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))?
    }

    /// Creates the window on first use, shows and focuses it.
    pub async fn show(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Show).await
    }
    /// Hides it.
    pub async fn hide(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Hide).await
    }
    /// Applies the close policy.
    pub async fn close(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Close).await
    }
    /// Brings it to front.
    pub async fn focus(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Focus).await
    }
    /// Sets the title.
    pub async fn set_title(&self, title: impl Into<String>) -> Result<(), WindowError> {
        self.command(WindowCommand::SetTitle(title.into())).await
    }
    /// Sets the logical size.
    pub async fn set_size(&self, width: f64, height: f64) -> Result<(), WindowError> {
        self.command(WindowCommand::SetSize(width, height)).await
    }
    /// Moves it.
    pub async fn set_position(&self, x: f64, y: f64) -> Result<(), WindowError> {
        self.command(WindowCommand::SetPosition(x, y)).await
    }
    /// Centers it.
    pub async fn center(&self) -> Result<(), WindowError> {
        self.command(WindowCommand::Center).await
    }

    /// Its declaration and life.
    pub async fn state(&self) -> Result<(WindowSpec, Life), WindowError> {
        Ok(self
            .addr
            .send(GetWindow)
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))?)
    }

    /// Sends an event to this window's page (if it listens).
    pub fn emit(&self, event: &str, payload: impl serde::Serialize) {
        let payload = serde_json::to_value(payload).unwrap_or(Value::Null);
        self.addr.do_send(PushEvent {
            event: event.into(),
            payload: Arc::new(payload),
            source: None,
        });
    }
}
