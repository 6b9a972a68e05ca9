//! Global shortcuts: the backend seam, registering, and delivering presses.

use std::sync::Arc;

use actix::prelude::*;

use crate::app::{AppHandle, Callback};
use crate::ipc::{codes, RpcError};
use crate::sync::lock;

/// A registered global shortcut was pressed.
///
/// ```no_run
/// use traykit::prelude::*;
///
/// App::builder()
///     .setup(|app| {
///         let app = app.clone();
///         actix::spawn(async move {
///             if let Err(e) = app.register_shortcut("capture", "ctrl+alt+KeyK").await {
///                 eprintln!("no global shortcut: {e}");
///             }
///         });
///         Ok(())
///     })
///     .on_shortcut(|_app, pressed: &ShortcutPressed| println!("{} pressed", pressed.accelerator))
///     .run()?;
/// # Ok::<(), traykit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct ShortcutPressed {
    /// The id it was registered under.
    pub id: String,
    /// Its accelerator, as registered (`"ctrl+alt+KeyK"`).
    pub accelerator: String,
}

/// Why a global shortcut could not be (un)registered.
///
/// ```
/// use traykit::desktop::ShortcutError;
///
/// # async fn f(app: traykit::prelude::AppHandle) {
/// match app.register_shortcut("capture", "ctrl+alt+KeyK").await {
///     Ok(()) => {}
///     // Wayland: tell the user to bind the key in the desktop's settings.
///     Err(ShortcutError::Unsupported(_)) => {}
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShortcutError {
    /// This session cannot grab keys globally (Wayland, or no display).
    #[error("global shortcuts are not supported here: {0}")]
    Unsupported(String),
    /// The accelerator does not parse.
    #[error("invalid accelerator `{accelerator}`: {reason}")]
    Invalid {
        /// As given.
        accelerator: String,
        /// The parser's explanation.
        reason: String,
    },
    /// Another client (or this app) already holds this key combination, or
    /// the id is taken.
    #[error("shortcut `{0}` is already registered")]
    Taken(String),
    /// No shortcut with this id.
    #[error("no shortcut with id `{0}`")]
    Unknown(String),
    /// The backend failed.
    #[error("shortcut backend failed: {0}")]
    Failed(String),
}

/// Runtime plumbing: apps register shortcuts with
/// `AppHandle::register_shortcut`, never through a backend.
///
/// Grabs key combinations for the whole session. The `traykit` crate's
/// implementation uses `global-hotkey` (X11); it reports presses through
/// [`AppHandle::deliver_shortcut`].
pub trait ShortcutBackend: Send + Sync {
    /// Starts delivering presses of `accelerator` as shortcut `id`.
    fn register(&self, id: &str, accelerator: &str) -> Result<(), ShortcutError>;
    /// Stops delivering shortcut `id`.
    fn unregister(&self, id: &str) -> Result<(), ShortcutError>;
}

impl AppHandle {
    /// Grabs `accelerator` (`"ctrl+alt+KeyK"`, global-hotkey syntax) for the
    /// whole session; presses arrive as [`ShortcutPressed`] with `id`.
    pub async fn register_shortcut(
        &self,
        id: &str,
        accelerator: &str,
    ) -> Result<(), ShortcutError> {
        let backend = self.shortcut_backend()?;
        {
            let shortcuts = lock(&self.desktop().shortcuts);
            if shortcuts.contains_key(id) {
                return Err(ShortcutError::Taken(id.to_owned()));
            }
        }
        let (bid, acc) = (id.to_owned(), accelerator.to_owned());
        // The backend answers from its own thread: do not hold up the actors.
        tokio::task::spawn_blocking(move || backend.register(&bid, &acc))
            .await
            .map_err(|e| ShortcutError::Failed(e.to_string()))??;
        lock(&self.desktop().shortcuts).insert(id.to_owned(), accelerator.to_owned());
        tracing::info!(id, accelerator, "global shortcut registered");
        Ok(())
    }

    /// Releases shortcut `id`.
    pub async fn unregister_shortcut(&self, id: &str) -> Result<(), ShortcutError> {
        let backend = self.shortcut_backend()?;
        if !lock(&self.desktop().shortcuts).contains_key(id) {
            return Err(ShortcutError::Unknown(id.to_owned()));
        }
        let bid = id.to_owned();
        tokio::task::spawn_blocking(move || backend.unregister(&bid))
            .await
            .map_err(|e| ShortcutError::Failed(e.to_string()))??;
        lock(&self.desktop().shortcuts).remove(id);
        tracing::info!(id, "global shortcut unregistered");
        Ok(())
    }

    /// The registered shortcuts: (id, accelerator), sorted by id.
    pub fn shortcuts(&self) -> Vec<(String, String)> {
        let mut all: Vec<_> = lock(&self.desktop().shortcuts)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort();
        all
    }

    fn shortcut_backend(&self) -> Result<Arc<dyn ShortcutBackend>, ShortcutError> {
        self.desktop().config.shortcuts.clone().ok_or_else(|| {
            ShortcutError::Unsupported("this app runs without a shortcut backend".into())
        })
    }

    /// Sends every [`ShortcutPressed`] to `recipient`.
    pub fn subscribe_shortcuts(&self, recipient: Recipient<ShortcutPressed>) {
        self.desktop().shortcut_subscribers.push(recipient);
    }

    /// Runs `f` on every shortcut press.
    pub fn on_shortcut(&self, f: impl Fn(&AppHandle, &ShortcutPressed) + 'static) {
        self.subscribe_shortcuts(Callback::start(self.clone(), f));
    }

    #[doc(hidden)]
    /// Hands a press of shortcut `id` to the subscribers (called by the
    /// backend). Ids not registered (any more) are ignored.
    pub fn deliver_shortcut(&self, id: &str) {
        let accelerator = lock(&self.desktop().shortcuts).get(id).cloned();
        if let Some(accelerator) = accelerator {
            // A shortcut usually opens a window: start its host now, while
            // the subscribers decide.
            self.prewarm_host();
            self.desktop().shortcut_subscribers.send(ShortcutPressed {
                id: id.to_owned(),
                accelerator,
            });
        }
    }
}

impl From<ShortcutError> for RpcError {
    fn from(e: ShortcutError) -> Self {
        let kind = match &e {
            ShortcutError::Unsupported(_) => "unsupported",
            ShortcutError::Invalid { .. } => "invalid",
            ShortcutError::Taken(_) => "taken",
            ShortcutError::Unknown(_) => "unknown",
            ShortcutError::Failed(_) => "failed",
        };
        codes::domain_error(codes::SHORTCUT, kind, e.to_string())
    }
}
