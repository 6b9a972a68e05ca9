//! What the updater tells Rust subscribers and pages.

use actix::Message;
use serde::Serialize;

/// What an install did: the result of
/// [`UpdaterHandle::install`](crate::UpdaterHandle::install).
///
/// ```no_run
/// # async fn run(updater: traykit_updater::UpdaterHandle) -> Result<(), traykit_updater::UpdateError> {
/// let installed = updater.install().await?;
/// println!("{} installed, {} bytes fetched", installed.version, installed.downloaded_bytes);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Installed {
    /// The version now on disk.
    pub version: String,
    /// Bytes fetched over the network.
    pub downloaded_bytes: u64,
    /// Set when a delta patch was used.
    pub delta: Option<DeltaReport>,
    /// Time spent downloading (patch or artifact, retries included).
    pub download_ms: u64,
}

/// An update the feed offers and this install may take: the result of
/// [`UpdaterHandle::check`](crate::UpdaterHandle::check).
///
/// ```no_run
/// # async fn run(updater: traykit_updater::UpdaterHandle) -> Result<(), traykit_updater::UpdateError> {
/// match updater.check().await? {
///     Some(info) => println!("{} → {}: {:?}", info.current, info.version, info.notes),
///     None => println!("up to date"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UpdateInfo {
    /// The offered version.
    pub version: String,
    /// The running version.
    pub current: String,
    /// Release notes.
    pub notes: Option<String>,
    /// Publication date, as the feed wrote it.
    pub pub_date: Option<String>,
    /// Full artifact size, if the feed says.
    pub size: Option<u64>,
    /// A patch from the running version is offered.
    pub delta_available: bool,
    /// How long the check took, in milliseconds.
    pub check_ms: u64,
}

/// What a delta update saved, in [`Installed::delta`].
///
/// ```no_run
/// # async fn run(updater: traykit_updater::UpdaterHandle) -> Result<(), traykit_updater::UpdateError> {
/// if let Some(delta) = updater.install().await?.delta {
///     println!("patched from {}, saved {} bytes", delta.from, delta.saved_bytes);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeltaReport {
    /// The version patched from.
    pub from: String,
    /// Bytes of the patch.
    pub patch_bytes: u64,
    /// Bytes of the full artifact.
    pub full_bytes: u64,
    /// `full_bytes - patch_bytes`.
    pub saved_bytes: u64,
}

/// Every step of an update, in order. Pages receive each as the event
/// `updater://<type>` (e.g. `updater://progress`); Rust code subscribes an
/// actor with [`UpdaterHandle::subscribe`](crate::UpdaterHandle::subscribe).
///
/// ```no_run
/// use actix::prelude::*;
/// use traykit_updater::UpdateEvent;
///
/// struct Progress;
/// impl Actor for Progress { type Context = Context<Self>; }
/// impl Handler<UpdateEvent> for Progress {
///     type Result = ();
///     fn handle(&mut self, event: UpdateEvent, _: &mut Context<Self>) {
///         if let UpdateEvent::Progress { downloaded, total } = event {
///             println!("{downloaded} of {total:?} bytes");
///         }
///     }
/// }
///
/// # fn wire(app: &traykit::prelude::AppHandle) {
/// if let Some(updater) = traykit_updater::updater(app) {
///     updater.subscribe(Progress.start().recipient());
/// }
/// # }
/// ```
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Message)]
#[rtype(result = "()")]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UpdateEvent {
    /// A check started.
    Checking,
    /// The running version is the newest.
    UpToDate {
        /// The running version.
        current: String,
    },
    /// A newer version may be installed.
    Available(UpdateInfo),
    /// A newer version exists but is not for this install (yet).
    Skipped {
        /// The version.
        version: String,
        /// Why.
        reason: String,
    },
    /// Bytes arrived.
    Progress {
        /// Bytes on disk so far (a resumed download starts above 0).
        downloaded: u64,
        /// Total, if the server said.
        total: Option<u64>,
    },
    /// The delta patch did not work out; the full artifact follows.
    DeltaFailed {
        /// Why.
        error: String,
    },
    /// The download's signature verified.
    Verified {
        /// The version.
        version: String,
    },
    /// The new binary is in place (it runs after a restart).
    Installed(Installed),
    /// This run is a new version that confirmed its health.
    Confirmed {
        /// The version.
        version: String,
    },
    /// Something failed; nothing was changed.
    Failed {
        /// The error, for people.
        error: String,
        /// The error's kind, for code (`bad_signature`, `http`, …).
        kind: String,
    },
}

impl UpdateEvent {
    /// The page event name: `updater://<type>`.
    pub fn page_event(&self) -> &'static str {
        match self {
            UpdateEvent::Checking => "updater://checking",
            UpdateEvent::UpToDate { .. } => "updater://up_to_date",
            UpdateEvent::Available(_) => "updater://available",
            UpdateEvent::Skipped { .. } => "updater://skipped",
            UpdateEvent::Progress { .. } => "updater://progress",
            UpdateEvent::DeltaFailed { .. } => "updater://delta_failed",
            UpdateEvent::Verified { .. } => "updater://verified",
            UpdateEvent::Installed(_) => "updater://installed",
            UpdateEvent::Confirmed { .. } => "updater://confirmed",
            UpdateEvent::Failed { .. } => "updater://failed",
        }
    }
}
