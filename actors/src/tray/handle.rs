//! The typed handle to one tray.

use std::time::Duration;

use actix::prelude::*;

use crate::icon::Icon;
use crate::ids::TrayId;
use crate::menu::{ItemChange, Menu};
use crate::sync::ask;
use crate::ui::TraySpec;

use super::actor::*;
use super::{MenuClicked, TrayActivated, TrayChange, TrayError, TrayMenuOpened, ACTOR};

/// A `Send + Clone` handle to one tray. Every call has the app's request
/// timeout.
///
/// Async setters return once the panel-side tray has the change; [`post`]
/// is the fire-and-forget form for code that does not want to await (a clock
/// tick), and logs a failure instead of returning it.
///
/// [`post`]: TrayHandle::post
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").menu(Menu::new().item("sync", "Sync")))).await?;
/// # let app = test.handle();
/// let tray = app.tray("main")?;
/// tray.set_title("Syncing…").await?;
/// tray.set_enabled("sync", false).await?;
/// tray.set_icon(Icon::solid(32, [0x20, 0x80, 0xf0, 0xff])?).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TrayHandle {
    id: TrayId,
    addr: Addr<TrayActor>,
    timeout: Duration,
}

impl TrayHandle {
    pub(crate) fn new(id: TrayId, addr: Addr<TrayActor>, timeout: Duration) -> Self {
        Self { id, addr, timeout }
    }

    /// The tray's id.
    pub fn id(&self) -> &TrayId {
        &self.id
    }

    /// The actor's address, for sending messages directly.
    pub fn addr(&self) -> &Addr<TrayActor> {
        &self.addr
    }

    /// Applies a change and waits until the UI thread has it.
    pub async fn change(&self, change: TrayChange) -> Result<(), TrayError> {
        ask(&self.addr, ChangeTray(change), ACTOR, self.timeout).await?
    }

    /// Applies a change without waiting; a failure is logged at `warn`
    /// (at `debug` once the tray is gone, e.g. during shutdown).
    pub fn post(&self, change: TrayChange) {
        let this = self.clone();
        actix::spawn(async move {
            match this.change(change).await {
                Ok(()) => {}
                Err(error @ TrayError::Unknown(_)) => {
                    tracing::debug!(tray = %this.id, %error, "change to a removed tray dropped");
                }
                Err(error) => tracing::warn!(tray = %this.id, %error, "tray change failed"),
            }
        });
    }

    /// Sets the title.
    pub async fn set_title(&self, title: impl Into<String>) -> Result<(), TrayError> {
        self.change(TrayChange::Title(Some(title.into()))).await
    }

    /// Sets the tooltip.
    pub async fn set_tooltip(&self, tooltip: impl Into<String>) -> Result<(), TrayError> {
        self.change(TrayChange::Tooltip(Some(tooltip.into()))).await
    }

    /// Sets the icon.
    pub async fn set_icon(&self, icon: Icon) -> Result<(), TrayError> {
        self.change(TrayChange::Icon(Some(icon))).await
    }

    /// Shows or hides the icon.
    pub async fn set_visible(&self, visible: bool) -> Result<(), TrayError> {
        self.change(TrayChange::Visible(visible)).await
    }

    /// Replaces the menu.
    pub async fn set_menu(&self, menu: Menu) -> Result<(), TrayError> {
        self.change(TrayChange::Menu(menu)).await
    }

    /// Enables or greys out one item.
    pub async fn set_enabled(&self, item: &str, enabled: bool) -> Result<(), TrayError> {
        self.item(item, ItemChange::Enabled(enabled)).await
    }

    /// Checks or unchecks one check item.
    pub async fn set_checked(&self, item: &str, checked: bool) -> Result<(), TrayError> {
        self.item(item, ItemChange::Checked(checked)).await
    }

    /// Relabels one item.
    pub async fn set_label(&self, item: &str, label: impl Into<String>) -> Result<(), TrayError> {
        self.item(item, ItemChange::Label(label.into())).await
    }

    async fn item(&self, item: &str, change: ItemChange) -> Result<(), TrayError> {
        self.change(TrayChange::Item {
            id: item.to_owned(),
            change,
        })
        .await
    }

    /// The current model.
    pub async fn snapshot(&self) -> Result<TraySpec, TrayError> {
        Ok(ask(&self.addr, GetTray, ACTOR, self.timeout).await??)
    }

    /// Sends every click on this tray's menu to `recipient`.
    pub fn subscribe(&self, recipient: Recipient<MenuClicked>) {
        self.addr.do_send(SubscribeMenu(recipient));
    }

    /// Sends every click on the icon itself to `recipient`.
    pub fn subscribe_activation(&self, recipient: Recipient<TrayActivated>) {
        self.addr.do_send(SubscribeActivation(recipient));
    }

    /// Sends every opening of this tray's menu to `recipient`.
    pub fn subscribe_menu_opened(&self, recipient: Recipient<TrayMenuOpened>) {
        self.addr.do_send(SubscribeMenuOpened(recipient));
    }
}
