//! The facade's error type: what `App::run` can fail with.

use traykit_actors::tray::TrayError;

/// Why the app could not start or run. Its `Debug` prints the actionable
/// message, so `main` can simply return it.
///
/// ```no_run
/// use traykit::prelude::*;
///
/// fn main() -> Result<(), traykit::Error> {
///     match App::builder().name("Notes").run() {
///         Err(Error::NoDisplay) => {
///             eprintln!("no desktop session; try `xvfb-run -a notes`");
///             std::process::exit(2)
///         }
///         other => other,
///     }
/// }
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No X11 or Wayland display to connect to.
    #[error(
        "no display: DISPLAY and WAYLAND_DISPLAY are unset or unusable. \
         traykit apps need a desktop session; for headless runs use \
         `xvfb-run -a <app>`, and for tests `traykit::test::TestApp`"
    )]
    NoDisplay,
    /// A display is named (`DISPLAY`, `WAYLAND_DISPLAY`, `GDK_BACKEND`) but
    /// GTK could not open it: the compositor or X server is not running,
    /// or the socket is wrong. Says which were set.
    #[error(
        "could not open the display ({0}): is the desktop session (or Xvfb) \
         running? For headless runs use `xvfb-run -a <app>`"
    )]
    DisplayUnavailable(String),
    /// The platform event loop could not be created.
    #[error("could not start the UI event loop: {0}")]
    EventLoop(String),
    /// A tray declared on the builder is invalid or could not be shown.
    #[error(transparent)]
    Tray(#[from] TrayError),
    /// A `setup` closure returned an error or panicked.
    #[error("setup failed: {0}")]
    Setup(String),
    /// `manage` was called twice with the same type.
    #[error("state of type `{0}` is managed twice; wrap one in a newtype")]
    DuplicateState(&'static str),
    /// Two commands have the same name (or a command shadows a built-in).
    #[error(
        "method `{0}` is registered twice (built-ins: window.*, tray.*, notification.*, app.*)"
    )]
    DuplicateCommand(String),
    /// A capability file is invalid.
    #[error("{0}")]
    Capability(String),
    /// A declared window is invalid.
    #[error("{0}")]
    Window(String),
    /// The single-instance socket could not be set up or the hand-off to
    /// the running instance failed.
    #[error(transparent)]
    Instance(#[from] crate::desktop::instance::InstanceError),
    /// Logging (`.logging`) could not be set up.
    #[error(transparent)]
    Logging(#[from] crate::desktop::logging::LogError),
    /// The actor thread could not be started or died.
    #[error("actor thread: {0}")]
    ActorThread(String),
    /// A plugin could not be built or started.
    #[error(transparent)]
    Plugin(#[from] traykit_actors::app::PluginError),
    /// `--print-capabilities` could not print its report.
    #[error("capability report: {0}")]
    Report(String),
}

impl From<crate::desktop::PrepareError> for Error {
    fn from(e: crate::desktop::PrepareError) -> Self {
        use crate::desktop::PrepareError;
        match e {
            PrepareError::Capability(e) => Error::Capability(e),
            PrepareError::Instance(e) => Error::Instance(e),
            PrepareError::Logging(e) => Error::Logging(e),
        }
    }
}

// `fn main() -> Result<(), traykit::Error>` prints the error with `Debug`;
// print the actionable message rather than the variant name.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
