//! Live tray icons on the UI thread: the tray model turned into tray-icon and
//! muda objects. Only the runtime calls this, on the main thread.

use std::collections::HashMap;

use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu as NativeMenu, MenuItem as NativeItem, PredefinedMenuItem,
    Submenu,
};
use tray_icon::{TrayIcon, TrayIconBuilder};
use traykit_actors::icon::Icon;
use traykit_actors::ids::{MenuId, TrayId};
use traykit_actors::menu::{Menu, MenuItem};
use traykit_actors::ui::{TraySpec, TrayUpdate};
use traykit_actors::UiError;

/// Separates tray and item in muda's process-wide menu ids. Ids cannot
/// contain it (see `ids`), so the split is unambiguous.
const SEP: char = ':';

/// The muda id of an item of a tray.
fn native_id(tray: &TrayId, item: &str) -> String {
    format!("{tray}{SEP}{item}")
}

/// The tray and item a muda menu event is for.
pub(crate) fn parse_menu_event(id: &str) -> Option<(TrayId, MenuId)> {
    let (tray, item) = id.split_once(SEP)?;
    Some((TrayId::new(tray).ok()?, MenuId::new(item).ok()?))
}

fn failed(request: &'static str) -> impl Fn(String) -> UiError {
    move |reason| UiError::Failed { request, reason }
}

/// Labels are plain text in traykit; muda reads `&` as a mnemonic marker.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

fn native_icon(icon: &Icon) -> Result<tray_icon::Icon, UiError> {
    tray_icon::Icon::from_rgba(icon.rgba().to_vec(), icon.width(), icon.height())
        .map_err(|e| failed("icon")(e.to_string()))
}

fn native_menu(tray: &TrayId, menu: &Menu) -> Result<NativeMenu, UiError> {
    let native = NativeMenu::new();
    for item in menu.items() {
        let item = native_item(tray, item)?;
        native
            .append(item.as_ref())
            .map_err(|e| failed("menu")(e.to_string()))?;
    }
    Ok(native)
}

fn native_item(tray: &TrayId, item: &MenuItem) -> Result<Box<dyn IsMenuItem>, UiError> {
    Ok(match item {
        MenuItem::Normal {
            id,
            label: l,
            enabled,
        } => Box::new(NativeItem::with_id(
            native_id(tray, id),
            label(l),
            *enabled,
            None,
        )),
        MenuItem::Check {
            id,
            label: l,
            checked,
            enabled,
        } => Box::new(CheckMenuItem::with_id(
            native_id(tray, id),
            label(l),
            *enabled,
            *checked,
            None,
        )),
        MenuItem::Separator => Box::new(PredefinedMenuItem::separator()),
        MenuItem::Submenu {
            id,
            label: l,
            enabled,
            items,
        } => {
            let sub = Submenu::with_id(native_id(tray, id), label(l), *enabled);
            for child in items {
                let child = native_item(tray, child)?;
                sub.append(child.as_ref())
                    .map_err(|e| failed("menu")(e.to_string()))?;
            }
            Box::new(sub)
        }
        // The model is non_exhaustive towards users, not towards us.
        #[allow(unreachable_patterns)]
        _ => return Err(failed("menu")("unsupported menu item".into())),
    })
}

/// The tray icons that exist, by id. Lives on the main thread only.
#[derive(Default)]
pub(crate) struct Trays {
    icons: HashMap<TrayId, TrayIcon>,
}

impl Trays {
    pub(crate) fn create(&mut self, spec: TraySpec) -> Result<(), UiError> {
        let mut builder = TrayIconBuilder::new()
            .with_id(spec.id.as_str())
            .with_menu(Box::new(native_menu(&spec.id, &spec.menu)?));
        if let Some(icon) = &spec.icon {
            builder = builder.with_icon(native_icon(icon)?);
        }
        if let Some(title) = &spec.title {
            builder = builder.with_title(title);
        }
        if let Some(tooltip) = &spec.tooltip {
            builder = builder.with_tooltip(tooltip);
        }
        let icon = builder
            .build()
            .map_err(|e| failed("CreateTray")(e.to_string()))?;
        if !spec.visible {
            icon.set_visible(false)
                .map_err(|e| failed("CreateTray")(e.to_string()))?;
        }
        // Replacing drops the old icon, which takes it off the bus.
        self.icons.insert(spec.id, icon);
        Ok(())
    }

    pub(crate) fn update(&mut self, id: &TrayId, update: TrayUpdate) -> Result<(), UiError> {
        let icon = self.icons.get(id).ok_or_else(|| UiError::Unknown {
            request: "UpdateTray",
            what: "tray",
            id: id.to_string(),
        })?;
        let err = failed("UpdateTray");
        match update {
            TrayUpdate::Title(t) => icon.set_title(t),
            TrayUpdate::Tooltip(t) => icon.set_tooltip(t).map_err(|e| err(e.to_string()))?,
            TrayUpdate::Icon(i) => icon
                .set_icon(i.as_ref().map(native_icon).transpose()?)
                .map_err(|e| err(e.to_string()))?,
            TrayUpdate::Visible(v) => icon.set_visible(v).map_err(|e| err(e.to_string()))?,
            TrayUpdate::Menu(menu) => icon.set_menu(Some(Box::new(native_menu(id, &menu)?))),
            #[allow(unreachable_patterns)]
            _ => return Err(err("unsupported tray update".into())),
        }
        Ok(())
    }

    pub(crate) fn remove(&mut self, id: &TrayId) -> Result<(), UiError> {
        self.icons
            .remove(id)
            .map(drop)
            .ok_or_else(|| UiError::Unknown {
                request: "RemoveTray",
                what: "tray",
                id: id.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_event_ids_round_trip() {
        let tray = TrayId::new("main").expect("id");
        let id = native_id(&tray, "quit");
        assert_eq!(
            parse_menu_event(&id),
            Some((tray, MenuId::new("quit").expect("id")))
        );
        assert_eq!(parse_menu_event("no-separator"), None);
        assert_eq!(parse_menu_event("bad id:x"), None);
    }

    #[test]
    fn labels_are_literal() {
        assert_eq!(label("Tom & Jerry"), "Tom && Jerry");
    }
}
