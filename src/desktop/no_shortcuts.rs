//! Global shortcuts without the `shortcuts` feature: no backend to grab
//! keys. The same API as `shortcuts.rs`, so `prepare` has no feature switch
//! of its own; every call fails with [`ShortcutError::Unsupported`] (RPC:
//! `shortcut` domain, kind `unsupported`) naming the feature, and neither
//! global-hotkey nor its X11 code is linked.

use std::sync::{Arc, OnceLock};

use traykit_actors::app::AppHandle;
use traykit_actors::desktop::{ShortcutBackend, ShortcutError};

/// The backend of a build without the `shortcuts` feature: refuses every
/// call with a reason that names the feature.
pub(crate) struct HotkeyBackend;

impl HotkeyBackend {
    /// The refusing backend; `app` is not needed, there are no presses.
    pub(crate) fn new(_app: Arc<OnceLock<AppHandle>>) -> Arc<HotkeyBackend> {
        Arc::new(HotkeyBackend)
    }

    fn error() -> ShortcutError {
        ShortcutError::Unsupported(
            "this build of traykit leaves out global shortcuts \
             (enable its `shortcuts` cargo feature)"
                .into(),
        )
    }
}

impl ShortcutBackend for HotkeyBackend {
    fn register(&self, _id: &str, _accelerator: &str) -> Result<(), ShortcutError> {
        Err(Self::error())
    }

    fn unregister(&self, _id: &str) -> Result<(), ShortcutError> {
        Err(Self::error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_unsupported_and_names_the_feature() {
        let backend = HotkeyBackend::new(Arc::default());
        let err = backend.register("x", "ctrl+KeyK").expect_err("no backend");
        assert!(matches!(err, ShortcutError::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("`shortcuts`"), "{err}");
        assert_eq!(backend.unregister("x"), Err(HotkeyBackend::error()));
    }
}
