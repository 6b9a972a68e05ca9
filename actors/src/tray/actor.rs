//! The tray actor and its messages.

use actix::prelude::*;

use crate::error::ActorError;
use crate::ids::MenuId;
use crate::menu::{ItemChange, MenuItem};
use crate::supervise::guard;
use crate::sync::fan_out;
use crate::ui::{MouseButton, TraySpec, TrayUpdate, UiHandle, UiRequest};

use super::{MenuClicked, TrayActivated, TrayChange, TrayError, TrayMenuOpened, ACTOR};

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

/// Subscribe to the menu opening.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeMenuOpened(pub Recipient<TrayMenuOpened>);

/// From the UI thread: the menu is opening.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct MenuOpening;

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
    opened_subscribers: Vec<Recipient<TrayMenuOpened>>,
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
            opened_subscribers: Vec::new(),
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

impl Handler<SubscribeMenuOpened> for TrayActor {
    type Result = ();

    fn handle(&mut self, msg: SubscribeMenuOpened, _: &mut Context<Self>) {
        self.opened_subscribers.push(msg.0);
    }
}

impl Handler<MenuOpening> for TrayActor {
    type Result = ();

    fn handle(&mut self, _: MenuOpening, _: &mut Context<Self>) {
        if self.removed {
            return;
        }
        let event = TrayMenuOpened {
            tray: self.spec.id.clone(),
        };
        fan_out(&mut self.opened_subscribers, &event);
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
        fan_out(&mut self.menu_subscribers, &click);
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
        fan_out(&mut self.activation_subscribers, &event);
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
        self.opened_subscribers.clear();
        let reply = self.ui.request(UiRequest::RemoveTray(self.spec.id.clone()));
        Box::pin(async move { reply.await.map_err(|source| TrayError::Ui { tray, source }) })
    }
}
