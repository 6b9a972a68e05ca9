//! The app's trays: adding, removing and finding them, and subscribers that
//! follow every tray, including trays added later.

use actix::prelude::*;

use crate::sync::{ask, read, write};
use crate::tray::{MenuClicked, RemoveTray, Tray, TrayActivated, TrayActor, TrayError, TrayHandle};
use crate::ui::UiRequest;

use super::{AppHandle, Callback};

impl AppHandle {
    /// Puts a new tray icon on the panel, under a supervised actor.
    pub async fn add_tray(&self, tray: Tray) -> Result<TrayHandle, TrayError> {
        let spec = tray.into_spec()?;
        let id = spec.id.clone();
        if read(&self.inner.trays.live).contains_key(&id) {
            return Err(TrayError::Duplicate(id.to_string()));
        }
        self.inner
            .ui
            .request(UiRequest::CreateTray(spec.clone()))
            .await
            .map_err(|source| TrayError::Ui {
                tray: id.to_string(),
                source,
            })?;
        let ui = self.inner.ui.clone();
        let addr = Supervisor::start(move |_| TrayActor::new(spec, ui));
        let handle = TrayHandle::new(id.clone(), addr, self.inner.timeout);
        for s in self.inner.trays.menus.snapshot() {
            handle.subscribe(s.clone());
        }
        for s in self.inner.trays.activations.snapshot() {
            handle.subscribe_activation(s.clone());
        }
        let lost_race = {
            let mut trays = write(&self.inner.trays.live);
            let taken = trays.contains_key(&id);
            if !taken {
                trays.insert(id.clone(), handle.clone());
            }
            taken
        };
        if lost_race {
            // A concurrent add of the same id won; take ours off the panel.
            let _ = handle.addr().send(RemoveTray).await;
            return Err(TrayError::Duplicate(id.to_string()));
        }
        Ok(handle)
    }

    /// Takes a tray icon off the panel and stops its actor.
    pub async fn remove_tray(&self, id: &str) -> Result<(), TrayError> {
        let handle = write(&self.inner.trays.live)
            .remove(id)
            .ok_or_else(|| TrayError::Unknown(id.to_owned()))?;
        ask(handle.addr(), RemoveTray, "TrayActor", self.inner.timeout).await?
    }

    /// The handle of one tray.
    pub fn tray(&self, id: &str) -> Result<TrayHandle, TrayError> {
        read(&self.inner.trays.live)
            .get(id)
            .cloned()
            .ok_or_else(|| TrayError::Unknown(id.to_owned()))
    }

    /// Every tray, by id.
    pub fn trays(&self) -> Vec<TrayHandle> {
        read(&self.inner.trays.live).values().cloned().collect()
    }

    /// Sends clicks on every tray's menu (also trays added later) to `recipient`.
    pub fn subscribe_menus(&self, recipient: Recipient<MenuClicked>) {
        for tray in self.trays() {
            tray.subscribe(recipient.clone());
        }
        self.inner.trays.menus.push(recipient);
    }

    /// Sends clicks on every tray icon (also trays added later) to `recipient`.
    pub fn subscribe_activations(&self, recipient: Recipient<TrayActivated>) {
        for tray in self.trays() {
            tray.subscribe_activation(recipient.clone());
        }
        self.inner.trays.activations.push(recipient);
    }

    /// Runs `f` on every menu click of every tray. A panic in `f` is logged
    /// and the app keeps running.
    pub fn on_menu_click(&self, f: impl Fn(&AppHandle, &MenuClicked) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_menus(recipient);
    }

    /// Runs `f` on every click on a tray icon.
    pub fn on_tray_activated(&self, f: impl Fn(&AppHandle, &TrayActivated) + 'static) {
        let recipient = Callback::start(self.clone(), f);
        self.subscribe_activations(recipient);
    }
}
