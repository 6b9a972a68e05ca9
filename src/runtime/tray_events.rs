//! tray-icon's and muda's process-wide event handlers. They run on
//! tray-icon's D-Bus thread and go straight to the owning actor through
//! [`AppHandle::dispatch`]: the main loop never sees a click.

use std::sync::{Arc, OnceLock};

use traykit_actors::app::AppHandle;
use traykit_actors::ids::TrayId;
use traykit_actors::ui::{MouseButton, UiEvent};

use crate::trays::parse_menu_event;

/// Installs both handlers. Events before boot (no app in the slot yet) are
/// dropped: no tray exists before boot creates it.
pub(super) fn install(app: Arc<OnceLock<AppHandle>>) {
    let menu_app = app.clone();
    tray_icon::menu::MenuEvent::set_event_handler(Some(
        move |event: tray_icon::menu::MenuEvent| {
            let Some(app) = menu_app.get() else { return };
            match parse_menu_event(event.id.as_ref()) {
                Some((tray, item)) => app
                    .runtime()
                    .dispatch(UiEvent::MenuActivated { tray, item }),
                None => tracing::debug!(id = ?event.id, "menu event not from a traykit tray"),
            }
        },
    ));
    tray_icon::TrayIconEvent::set_event_handler(Some(move |event: tray_icon::TrayIconEvent| {
        let Some(app) = app.get() else { return };
        if let Some(event) = tray_event(event) {
            app.runtime().dispatch(event);
        }
    }));
}

/// A click on a traykit tray's icon, or its menu opening (the patched
/// tray-icon's event on dbusmenu `AboutToShow`, patches/README.md), as the
/// app's event.
fn tray_event(event: tray_icon::TrayIconEvent) -> Option<UiEvent> {
    let (id, position, button) = match event {
        tray_icon::TrayIconEvent::Click {
            id,
            position,
            button,
            ..
        } => (id, position, button),
        tray_icon::TrayIconEvent::MenuOpened { id } => {
            let tray = TrayId::new(id.0).ok()?;
            return Some(UiEvent::TrayMenuOpened { tray });
        }
        _ => return None,
    };
    let tray = TrayId::new(id.0).ok()?;
    let button = match button {
        tray_icon::MouseButton::Left => MouseButton::Left,
        tray_icon::MouseButton::Right => MouseButton::Right,
        tray_icon::MouseButton::Middle => MouseButton::Middle,
    };
    Some(UiEvent::TrayActivated {
        tray,
        button,
        position: (position.x, position.y),
    })
}
