//! Why a window operation failed.

use crate::error::{ActorError, UiError};
use crate::ids::IdError;
use crate::ipc::{codes, RpcError};

/// Why a window operation failed.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::window::WindowError;
///
/// # #[actix::main] async fn main() {
/// # let test = traykit::test::TestApp::start(App::builder()).await.unwrap();
/// # let app = test.handle();
/// match app.window("settings") {
///     Err(WindowError::Unknown(label)) => assert_eq!(label, "settings"),
///     other => panic!("{other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// The label is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The declaration is invalid.
    #[error("window `{window}`: {reason}")]
    Invalid {
        /// Which window.
        window: String,
        /// What is wrong.
        reason: String,
    },
    /// No window has this label.
    #[error("no window `{0}`")]
    Unknown(String),
    /// Another window already has this label.
    #[error("a window `{0}` already exists")]
    Duplicate(String),
    /// The window is not open, so this cannot apply.
    #[error("window `{0}` is not open")]
    NotOpen(String),
    /// The UI thread failed.
    #[error("window `{window}`: {source}")]
    Ui {
        /// Which window.
        window: String,
        /// What the UI thread said.
        source: UiError,
    },
    /// The window actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

impl From<WindowError> for RpcError {
    fn from(e: WindowError) -> Self {
        let kind = match &e {
            WindowError::Id(_) => "bad_label",
            WindowError::Invalid { .. } => "invalid",
            WindowError::Unknown(_) => "unknown",
            WindowError::Duplicate(_) => "duplicate",
            WindowError::NotOpen(_) => "not_open",
            WindowError::Ui { .. } => "ui",
            WindowError::Actor(_) => "actor",
        };
        codes::domain_error(codes::WINDOW, kind, e.to_string())
    }
}
