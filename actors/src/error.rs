//! Errors that are about delivery, not about the request itself.
//!
//! Every actor's own error enum wraps these, so a caller can always tell "the
//! tray refused this change" apart from "the tray actor did not answer".

use std::time::Duration;

/// A message could not be delivered or answered. Each domain error wraps
/// it (e.g. `TrayError::Actor`), so a caller can tell "refused" from "no
/// answer".
///
/// ```
/// use traykit::ActorError;
///
/// fn retry_later(e: &ActorError) -> bool {
///     matches!(e, ActorError::Timeout { .. })
/// }
/// # assert!(!retry_later(&ActorError::Stopped { actor: "TrayActor" }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActorError {
    /// The actor did not answer within the request timeout.
    #[error("{actor} did not answer within {timeout:?}")]
    Timeout {
        /// Which actor was asked.
        actor: &'static str,
        /// The timeout that elapsed.
        timeout: Duration,
    },
    /// The actor's mailbox is closed: the actor stopped (the app is shutting down).
    #[error("{actor} has stopped (is the app shutting down?)")]
    Stopped {
        /// Which actor was asked.
        actor: &'static str,
    },
    /// The handler panicked. The actor was restarted; the request was not carried out.
    #[error("{actor} panicked while handling {message}; it was restarted")]
    Panicked {
        /// Which actor panicked.
        actor: &'static str,
        /// The message it was handling.
        message: &'static str,
    },
}

impl ActorError {
    /// Maps actix's mailbox error onto ours, naming the actor.
    pub fn from_mailbox(err: actix::MailboxError, actor: &'static str, timeout: Duration) -> Self {
        match err {
            actix::MailboxError::Timeout => ActorError::Timeout { actor, timeout },
            actix::MailboxError::Closed => ActorError::Stopped { actor },
        }
    }
}

/// The UI thread could not carry out a request. Domain errors wrap it
/// (e.g. `WindowError::Ui`); tests provoke it with `RecordingUi::fail_with`.
///
/// ```
/// use traykit::UiError;
///
/// let e = UiError::Closed;
/// assert!(!e.to_string().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UiError {
    /// The event loop has exited; no UI request can be served any more.
    #[error("the UI event loop has exited")]
    Closed,
    /// The UI thread did not answer in time (it is blocked or overloaded).
    #[error("the UI thread did not answer {request} within {timeout:?}")]
    Timeout {
        /// Which request timed out.
        request: &'static str,
        /// The timeout that elapsed.
        timeout: Duration,
    },
    /// The platform refused the request.
    #[error("{request} failed: {reason}")]
    Failed {
        /// Which request failed.
        request: &'static str,
        /// What the platform said.
        reason: String,
    },
    /// The request names something the UI thread does not have.
    #[error("{request}: no such {what} `{id}`")]
    Unknown {
        /// Which request.
        request: &'static str,
        /// What kind of object ("tray", "window").
        what: &'static str,
        /// Its id.
        id: String,
    },
}
