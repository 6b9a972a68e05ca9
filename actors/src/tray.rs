//! The tray actor: one per tray icon, owner of that icon's model.
//!
//! Every change is validated against the model first, then sent to the UI
//! thread as a whole property ([`TrayUpdate`]). Menu clicks come back from the
//! UI thread as [`UiEvent`](crate::ui::UiEvent)s, are resolved against the
//! model (a check item flips here, so the model stays the truth) and are
//! published to subscribers as [`MenuClicked`].

use std::time::Duration;

use actix::prelude::*;

use crate::error::{ActorError, UiError};
use crate::icon::{Icon, IconError};
use crate::ids::{IdError, MenuId, TrayId};
use crate::menu::{ItemChange, Menu, MenuError, MenuItem};
use crate::supervise::guard;
use crate::ui::{MouseButton, TraySpec, TrayUpdate, UiHandle, UiRequest};

const ACTOR: &str = "TrayActor";

/// Why a tray operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrayError {
    /// The tray id is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The menu or the change to it is invalid.
    #[error("tray `{tray}`: {source}")]
    Menu {
        /// Which tray.
        tray: String,
        /// What is wrong.
        source: MenuError,
    },
    /// The icon is invalid.
    #[error("tray `{tray}`: {source}")]
    Icon {
        /// Which tray.
        tray: String,
        /// What is wrong.
        source: IconError,
    },
    /// Another tray already has this id.
    #[error("a tray with id `{0}` already exists")]
    Duplicate(String),
    /// No tray has this id.
    #[error("no tray with id `{0}`")]
    Unknown(String),
    /// The UI thread could not apply the change.
    #[error("tray `{tray}`: {source}")]
    Ui {
        /// Which tray.
        tray: String,
        /// What the UI thread said.
        source: UiError,
    },
    /// The tray actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// Declares a tray icon: pass it to `App::builder().tray(..)`, or to
/// [`crate::app::AppHandle::add_tray`] at run time.
///
/// ```
/// use traykit_actors::{menu::Menu, tray::Tray, icon::Icon};
/// let tray = Tray::new("main")
///     .icon(Icon::solid(32, [0x20, 0x80, 0xf0, 0xff]).unwrap())
///     .title("12:00")
///     .tooltip("My app")
///     .menu(Menu::new().item("quit", "Quit"));
/// ```
#[derive(Debug, Clone)]
pub struct Tray {
    id: String,
    icon: Option<Result<Icon, IconError>>,
    title: Option<String>,
    tooltip: Option<String>,
    visible: bool,
    menu: Menu,
}

impl Tray {
    /// A tray with this id (letters, digits, `-`, `_`, `.`), visible, with no
    /// icon, title or menu yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            icon: None,
            title: None,
            tooltip: None,
            visible: true,
            menu: Menu::new(),
        }
    }

    /// Sets the icon.
    pub fn icon(mut self, icon: Icon) -> Self {
        self.icon = Some(Ok(icon));
        self
    }

    /// Sets the icon from PNG bytes; a bad PNG is reported when the tray is
    /// created, naming the tray.
    pub fn icon_png(mut self, png: &[u8]) -> Self {
        self.icon = Some(Icon::from_png(png));
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the tooltip.
    pub fn tooltip(mut self, tooltip: impl Into<String>) -> Self {
        self.tooltip = Some(tooltip.into());
        self
    }

    /// Starts hidden (SNI status `Passive`) when false.
    pub fn visible(mut self, visible: bool) -> Self {
        self.visible = visible;
        self
    }

    /// Sets the menu.
    pub fn menu(mut self, menu: Menu) -> Self {
        self.menu = menu;
        self
    }

    /// The id as given.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Validates everything and produces what the UI thread needs.
    pub fn into_spec(self) -> Result<TraySpec, TrayError> {
        let id = TrayId::new(self.id)?;
        let icon = match self.icon {
            None => None,
            Some(Ok(icon)) => Some(icon),
            Some(Err(source)) => {
                return Err(TrayError::Icon {
                    tray: id.to_string(),
                    source,
                })
            }
        };
        self.menu.validate().map_err(|source| TrayError::Menu {
            tray: id.to_string(),
            source,
        })?;
        Ok(TraySpec {
            id,
            icon,
            title: self.title,
            tooltip: self.tooltip,
            visible: self.visible,
            menu: self.menu,
        })
    }
}

/// A change to a live tray.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrayChange {
    /// New title (`None` clears it).
    Title(Option<String>),
    /// New tooltip (`None` clears it).
    Tooltip(Option<String>),
    /// New icon (`None` clears it).
    Icon(Option<Icon>),
    /// Show or hide.
    Visible(bool),
    /// Replace the whole menu.
    Menu(Menu),
    /// Change one menu item.
    Item {
        /// The item's id.
        id: String,
        /// What to change.
        change: ItemChange,
    },
}

/// A tray menu entry was clicked. Sent to every subscriber of the tray.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct MenuClicked {
    /// The tray whose menu it was.
    pub tray: TrayId,
    /// The entry that was clicked.
    pub item: MenuId,
    /// For check items: the new state after the click.
    pub checked: Option<bool>,
}

/// The tray icon itself was clicked.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct TrayActivated {
    /// Which tray.
    pub tray: TrayId,
    /// Which button.
    pub button: MouseButton,
    /// Pointer position in screen pixels, as reported by the panel: the
    /// anchor for a popup window (Linux panels give no icon rectangle).
    pub position: (f64, f64),
}

/// Apply a [`TrayChange`].
#[derive(Debug, Message)]
#[rtype(result = "Result<(), TrayError>")]
pub struct ChangeTray(pub TrayChange);

/// Read the current model.
#[derive(Debug, Message)]
#[rtype(result = "Result<TraySpec, ActorError>")]
pub struct GetTray;

/// Subscribe to menu clicks.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeMenu(pub Recipient<MenuClicked>);

/// Subscribe to icon activations.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeActivation(pub Recipient<TrayActivated>);

/// From the UI thread: a menu entry was activated.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct MenuActivated(pub MenuId);

/// From the UI thread: the icon was activated.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct IconActivated {
    /// Which button.
    pub button: MouseButton,
    /// Pointer position.
    pub position: (f64, f64),
}

/// Remove the icon from the panel; the actor refuses changes afterwards.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), TrayError>")]
pub struct RemoveTray;

/// Owns one tray icon's model. Start it through
/// [`crate::app::AppHandle::add_tray`], which supervises it.
pub struct TrayActor {
    spec: TraySpec,
    ui: UiHandle,
    menu_subscribers: Vec<Recipient<MenuClicked>>,
    activation_subscribers: Vec<Recipient<TrayActivated>>,
    /// Set once the icon left the panel. The actor is not stopped (its
    /// supervisor would restart it while handles exist); it refuses further
    /// changes and ends when the last handle is dropped.
    removed: bool,
}

impl TrayActor {
    /// A tray actor for an already created UI tray.
    pub fn new(spec: TraySpec, ui: UiHandle) -> Self {
        Self {
            spec,
            ui,
            menu_subscribers: Vec::new(),
            activation_subscribers: Vec::new(),
            removed: false,
        }
    }

    /// Validates `change` against the model, applies it there and says what
    /// the UI thread must do.
    fn apply(&mut self, change: TrayChange) -> Result<TrayUpdate, TrayError> {
        let tray = || self.spec.id.to_string();
        Ok(match change {
            TrayChange::Title(t) => {
                self.spec.title = t.clone();
                TrayUpdate::Title(t)
            }
            TrayChange::Tooltip(t) => {
                self.spec.tooltip = t.clone();
                TrayUpdate::Tooltip(t)
            }
            TrayChange::Icon(i) => {
                self.spec.icon = i.clone();
                TrayUpdate::Icon(i)
            }
            TrayChange::Visible(v) => {
                self.spec.visible = v;
                TrayUpdate::Visible(v)
            }
            TrayChange::Menu(menu) => {
                menu.validate().map_err(|source| TrayError::Menu {
                    tray: tray(),
                    source,
                })?;
                self.spec.menu = menu.clone();
                TrayUpdate::Menu(menu)
            }
            TrayChange::Item { id, change } => {
                // Apply to a copy so a refused change leaves the model as it was.
                let mut menu = self.spec.menu.clone();
                menu.apply(&id, change).map_err(|source| TrayError::Menu {
                    tray: tray(),
                    source,
                })?;
                self.spec.menu = menu.clone();
                TrayUpdate::Menu(menu)
            }
        })
    }
}

impl Actor for TrayActor {
    type Context = Context<Self>;
}

impl Supervised for TrayActor {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        if self.removed {
            return;
        }
        // The panic may have struck between model and UI: make the UI match
        // the model again.
        tracing::warn!(tray = %self.spec.id, "tray actor restarting; re-syncing the tray");
        let sync = self.ui.request(UiRequest::CreateTray(self.spec.clone()));
        let tray = self.spec.id.clone();
        actix::spawn(async move {
            if let Err(error) = sync.await {
                tracing::error!(%tray, %error, "could not re-sync tray after restart");
            }
        });
    }
}

impl Handler<ChangeTray> for TrayActor {
    type Result = ResponseFuture<Result<(), TrayError>>;

    fn handle(&mut self, msg: ChangeTray, ctx: &mut Context<Self>) -> Self::Result {
        let tray = self.spec.id.to_string();
        if self.removed {
            return Box::pin(async move { Err(TrayError::Unknown(tray)) });
        }
        let update = match guard(ctx, ACTOR, "ChangeTray", || self.apply(msg.0)) {
            Ok(Ok(update)) => update,
            Ok(Err(e)) => return Box::pin(async move { Err(e) }),
            Err(e) => return Box::pin(async move { Err(e.into()) }),
        };
        let reply = self.ui.request(UiRequest::UpdateTray {
            id: self.spec.id.clone(),
            update,
        });
        Box::pin(async move { reply.await.map_err(|source| TrayError::Ui { tray, source }) })
    }
}

impl Handler<GetTray> for TrayActor {
    type Result = Result<TraySpec, ActorError>;

    fn handle(&mut self, _: GetTray, _: &mut Context<Self>) -> Self::Result {
        Ok(self.spec.clone())
    }
}

impl Handler<SubscribeMenu> for TrayActor {
    type Result = ();

    fn handle(&mut self, msg: SubscribeMenu, _: &mut Context<Self>) {
        self.menu_subscribers.push(msg.0);
    }
}

impl Handler<SubscribeActivation> for TrayActor {
    type Result = ();

    fn handle(&mut self, msg: SubscribeActivation, _: &mut Context<Self>) {
        self.activation_subscribers.push(msg.0);
    }
}

impl Handler<MenuActivated> for TrayActor {
    type Result = ();

    fn handle(&mut self, msg: MenuActivated, _: &mut Context<Self>) {
        if self.removed {
            return;
        }
        let item = msg.0;
        let checked = match self.spec.menu.find(item.as_str()) {
            None => {
                tracing::warn!(tray = %self.spec.id, %item, "click on an unknown menu item ignored");
                return;
            }
            Some(
                MenuItem::Normal { enabled: false, .. }
                | MenuItem::Check { enabled: false, .. }
                | MenuItem::Submenu { .. },
            ) => {
                tracing::debug!(tray = %self.spec.id, %item, "click on a disabled item or submenu ignored");
                return;
            }
            Some(MenuItem::Check { checked, .. }) => Some(!checked),
            Some(_) => None,
        };
        if let Some(state) = checked {
            // The panel toggled its copy; toggle the model and send it back so
            // both agree even if the panel did not.
            if let Ok(update) = self.apply(TrayChange::Item {
                id: item.to_string(),
                change: ItemChange::Checked(state),
            }) {
                let reply = self.ui.request(UiRequest::UpdateTray {
                    id: self.spec.id.clone(),
                    update,
                });
                let tray = self.spec.id.clone();
                actix::spawn(async move {
                    if let Err(error) = reply.await {
                        tracing::warn!(%tray, %error, "could not update check state");
                    }
                });
            }
        }
        let click = MenuClicked {
            tray: self.spec.id.clone(),
            item,
            checked,
        };
        tracing::debug!(?click, "menu clicked");
        self.menu_subscribers.retain(|s| s.connected());
        for subscriber in &self.menu_subscribers {
            subscriber.do_send(click.clone());
        }
    }
}

impl Handler<IconActivated> for TrayActor {
    type Result = ();

    fn handle(&mut self, msg: IconActivated, _: &mut Context<Self>) {
        let event = TrayActivated {
            tray: self.spec.id.clone(),
            button: msg.button,
            position: msg.position,
        };
        self.activation_subscribers.retain(|s| s.connected());
        for subscriber in &self.activation_subscribers {
            subscriber.do_send(event.clone());
        }
    }
}

impl Handler<RemoveTray> for TrayActor {
    type Result = ResponseFuture<Result<(), TrayError>>;

    fn handle(&mut self, _: RemoveTray, _: &mut Context<Self>) -> Self::Result {
        let tray = self.spec.id.to_string();
        if std::mem::replace(&mut self.removed, true) {
            return Box::pin(async move { Err(TrayError::Unknown(tray)) });
        }
        self.menu_subscribers.clear();
        self.activation_subscribers.clear();
        let reply = self.ui.request(UiRequest::RemoveTray(self.spec.id.clone()));
        Box::pin(async move { reply.await.map_err(|source| TrayError::Ui { tray, source }) })
    }
}

/// A `Send + Clone` handle to one tray. Every call has the app's request
/// timeout.
///
/// Async setters return once the panel-side tray has the change; [`post`]
/// is the fire-and-forget form for code that does not want to await (a clock
/// tick), and logs a failure instead of returning it.
///
/// [`post`]: TrayHandle::post
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
        self.addr
            .send(ChangeTray(change))
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))?
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
        Ok(self
            .addr
            .send(GetTray)
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout))??)
    }

    /// Sends every click on this tray's menu to `recipient`.
    pub fn subscribe(&self, recipient: Recipient<MenuClicked>) {
        self.addr.do_send(SubscribeMenu(recipient));
    }

    /// Sends every click on the icon itself to `recipient`.
    pub fn subscribe_activation(&self, recipient: Recipient<TrayActivated>) {
        self.addr.do_send(SubscribeActivation(recipient));
    }
}
