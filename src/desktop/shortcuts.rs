//! Global shortcuts through the `global-hotkey` crate (X11 key grabs).
//!
//! global-hotkey runs its own thread with its own X connection and reports
//! presses through a process-wide handler; the handler here maps its numeric
//! ids back to the app's shortcut ids and hands presses to
//! [`AppHandle::deliver_shortcut`]. On Wayland there is no global grab: every
//! call fails with [`ShortcutError::Unsupported`].
//!
//! This file is the `shortcuts` Cargo feature (default); without it,
//! `no_shortcuts.rs` takes its place.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use global_hotkey::hotkey::HotKey;
use global_hotkey::{GlobalHotKeyEvent, GlobalHotKeyManager, HotKeyState};
use traykit_actors::app::AppHandle;
use traykit_actors::desktop::{ShortcutBackend, ShortcutError};
use traykit_actors::sync::lock;

/// Whether this session can grab keys: an X11 display, not Wayland alone.
pub(crate) fn check_support(
    display: Option<&str>,
    wayland_display: Option<&str>,
) -> Result<(), ShortcutError> {
    let set = |v: Option<&str>| v.is_some_and(|s| !s.is_empty());
    match (set(display), set(wayland_display)) {
        (true, _) => Ok(()),
        (false, true) => Err(ShortcutError::Unsupported(
            "this is a Wayland session, where apps cannot grab keys globally \
             (global-hotkey needs X11); bind a desktop shortcut to `<app> --ctl …` instead"
                .into(),
        )),
        (false, false) => Err(ShortcutError::Unsupported("no X11 display".into())),
    }
}

#[derive(Default)]
struct Registered {
    /// App id → its hotkey.
    by_id: HashMap<String, HotKey>,
    /// global-hotkey's id → app id.
    by_key: HashMap<u32, String>,
}

/// The X11 backend. The manager (a thread and an X connection) starts on the
/// first registration.
pub(crate) struct HotkeyBackend {
    manager: OnceLock<Result<GlobalHotKeyManager, String>>,
    registered: Arc<Mutex<Registered>>,
    support: Result<(), ShortcutError>,
}

impl HotkeyBackend {
    /// A backend delivering to the app in `app` (set once it has booted).
    pub(crate) fn new(app: Arc<OnceLock<AppHandle>>) -> Arc<HotkeyBackend> {
        let var = |k| std::env::var(k).ok();
        let support = check_support(var("DISPLAY").as_deref(), var("WAYLAND_DISPLAY").as_deref());
        let registered: Arc<Mutex<Registered>> = Arc::default();
        if support.is_ok() {
            let map = registered.clone();
            GlobalHotKeyEvent::set_event_handler(Some(move |event: GlobalHotKeyEvent| {
                if event.state != HotKeyState::Pressed {
                    return;
                }
                let id = lock(&map).by_key.get(&event.id).cloned();
                if let (Some(id), Some(app)) = (id, app.get()) {
                    app.runtime().deliver_shortcut(&id);
                }
            }));
        }
        Arc::new(HotkeyBackend {
            manager: OnceLock::new(),
            registered,
            support,
        })
    }

    fn manager(&self) -> Result<&GlobalHotKeyManager, ShortcutError> {
        self.support.clone()?;
        self.manager
            .get_or_init(|| GlobalHotKeyManager::new().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| ShortcutError::Failed(e.clone()))
    }
}

impl ShortcutBackend for HotkeyBackend {
    fn register(&self, id: &str, accelerator: &str) -> Result<(), ShortcutError> {
        let manager = self.manager()?;
        let hotkey = HotKey::from_str(accelerator).map_err(|e| ShortcutError::Invalid {
            accelerator: accelerator.to_owned(),
            reason: e.to_string(),
        })?;
        manager.register(hotkey).map_err(|e| match e {
            global_hotkey::Error::AlreadyRegistered(_) => {
                ShortcutError::Taken(accelerator.to_owned())
            }
            other => ShortcutError::Failed(other.to_string()),
        })?;
        let mut reg = lock(&self.registered);
        reg.by_key.insert(hotkey.id(), id.to_owned());
        reg.by_id.insert(id.to_owned(), hotkey);
        Ok(())
    }

    fn unregister(&self, id: &str) -> Result<(), ShortcutError> {
        let manager = self.manager()?;
        let hotkey = lock(&self.registered)
            .by_id
            .get(id)
            .copied()
            .ok_or_else(|| ShortcutError::Unknown(id.to_owned()))?;
        manager
            .unregister(hotkey)
            .map_err(|e| ShortcutError::Failed(e.to_string()))?;
        let mut reg = lock(&self.registered);
        reg.by_id.remove(id);
        reg.by_key.remove(&hotkey.id());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wayland_without_x11_is_unsupported_with_a_reason() {
        assert_eq!(check_support(Some(":1"), None), Ok(()));
        assert_eq!(
            check_support(Some(":1"), Some("wayland-0")),
            Ok(()),
            "XWayland"
        );
        let err = check_support(None, Some("wayland-0")).expect_err("wayland");
        assert!(matches!(err, ShortcutError::Unsupported(_)));
        assert!(err.to_string().contains("Wayland"), "{err}");
        assert!(check_support(Some(""), None).is_err());
    }
}
