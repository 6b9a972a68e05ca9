//! Every way an update can fail, with the context to act on.

use std::path::{Path, PathBuf};

/// Why a check, download or install failed. Whatever the variant, the
/// binary on disk is the old one, whole: the swap is the last step and an
/// atomic rename. [`kind`](Self::kind) is the stable name code matches on
/// (pages get it as the error's `data.kind`).
///
/// ```no_run
/// use traykit_updater::UpdateError;
///
/// # async fn run(updater: traykit_updater::UpdaterHandle) {
/// match updater.check().await {
///     Err(UpdateError::Network { .. }) => { /* offline: try again later */ }
///     Err(e) => eprintln!("update check failed ({}): {e}", e.kind()),
///     Ok(_) => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The public key compiled into the app is missing or unreadable, so no
    /// signature can be verified: updating is refused, never done unverified.
    #[error("no usable updater public key compiled into the app ({0}); refusing to update")]
    NoPublicKey(String),
    /// The server answered with an error status.
    #[error("{url}: server answered HTTP {status}")]
    Http {
        /// What was requested.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The connection failed, timed out, or broke (after all retries).
    #[error("{url}: network error: {reason}")]
    Network {
        /// What was requested.
        url: String,
        /// What the client reported.
        reason: String,
    },
    /// The feed is not valid JSON or lacks what an update needs.
    #[error("{url}: invalid update feed: {reason}")]
    InvalidFeed {
        /// The feed's address.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The feed has nothing for this platform.
    #[error("the feed has no artifact for platform `{0}`")]
    NoPlatform(String),
    /// The feed offers a version that is not newer than the running one.
    #[error("the feed offers {offered}, which is not newer than the running {current}: refusing to downgrade")]
    Downgrade {
        /// The version in the feed.
        offered: String,
        /// The running version.
        current: String,
    },
    /// The version was installed before, failed its health check, and was
    /// rolled back: it is never offered again.
    #[error("version {0} was rolled back after failing its health check; not offered again")]
    BadVersion(String),
    /// A signature did not verify against the app's public key.
    #[error("signature of {what} does not verify against the app's public key: {reason}")]
    BadSignature {
        /// Which file (artifact URL or patch).
        what: String,
        /// minisign's reason.
        reason: String,
    },
    /// The signature verifies, but what it was signed *for* (its trusted
    /// comment's binding) is not what is being installed: another version,
    /// app or target. A relabelled artifact; refused.
    #[error("signature of {what} is for {field} `{signed}`, not `{expected}`: refusing a relabelled update")]
    SignatureMismatch {
        /// Which file.
        what: String,
        /// The field that differs (`version`, `app`, `target`, `from`, or
        /// `binding` for an unreadable one).
        field: &'static str,
        /// What the signature says.
        signed: String,
        /// What the client was about to install.
        expected: String,
    },
    /// The signature names no app, version or target (a plain minisign or
    /// Tauri signature) and the app did not opt in with
    /// `UpdaterConfig::allow_unbound_signatures`.
    #[error("signature of {what} does not name the version it is for (sign with `traykit-release`, or opt in with `allow_unbound_signatures`)")]
    UnboundSignature {
        /// Which file.
        what: String,
    },
    /// A URL (feed, artifact or redirect) is not HTTPS, or redirects from
    /// HTTPS to HTTP. Plain HTTP is admitted only to loopback, and only with
    /// `UpdaterConfig::allow_insecure_loopback`.
    #[error("{url}: refusing an insecure address: {reason}")]
    Insecure {
        /// The refused address.
        url: String,
        /// Why.
        reason: String,
    },
    /// The body ended before the announced size, and retries did not help.
    #[error("{url}: download truncated at {got} of {expected} bytes")]
    Truncated {
        /// What was downloaded.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// The download is larger than the configured limit.
    #[error("{url}: {size} bytes is over the download limit of {limit} bytes")]
    TooLarge {
        /// What was downloaded.
        url: String,
        /// Its (announced or received) size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A delta patch could not be applied (the caller falls back to the full
    /// artifact).
    #[error("patch from {from}: {reason}")]
    Patch {
        /// The version the patch starts from.
        from: String,
        /// What went wrong.
        reason: String,
    },
    /// The disk is full.
    #[error("{op} {path}: no space left on the device")]
    DiskFull {
        /// What was being done.
        op: &'static str,
        /// Where.
        path: PathBuf,
    },
    /// The file system (or the file) is read-only or not writable by us.
    #[error("{op} {path}: read-only or not writable ({reason})")]
    ReadOnly {
        /// What was being done.
        op: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// Another file-system error.
    #[error("{op} {path}: {reason}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// `install`/`restart` was asked for with no verified update at hand.
    #[error("no verified update is ready: check and download first")]
    NothingReady,
    /// Another check or download is running.
    #[error("an update operation is already running")]
    Busy,
    /// The updater actor is gone (the app is shutting down).
    #[error("the updater is not running")]
    Stopped,
}

impl UpdateError {
    /// Maps an I/O error on `path`, singling out a full disk and a read-only
    /// file system, the two a user can do something about.
    pub fn io(op: &'static str, path: &Path, error: std::io::Error) -> UpdateError {
        let path = path.to_path_buf();
        match error.raw_os_error() {
            Some(28) => return UpdateError::DiskFull { op, path }, // ENOSPC
            Some(30) | Some(13) | Some(1) => {
                // EROFS, EACCES, EPERM
                return UpdateError::ReadOnly {
                    op,
                    path,
                    reason: error.to_string(),
                };
            }
            _ => {}
        }
        UpdateError::Io {
            op,
            path,
            reason: error.to_string(),
        }
    }

    /// Worth retrying (network trouble, a cut connection, a 5xx answer).
    pub fn is_transient(&self) -> bool {
        match self {
            UpdateError::Network { .. } | UpdateError::Truncated { .. } => true,
            UpdateError::Http { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }

    /// A short, stable name for the variant (for pages and logs).
    pub fn kind(&self) -> &'static str {
        match self {
            UpdateError::NoPublicKey(_) => "no_public_key",
            UpdateError::Http { .. } => "http",
            UpdateError::Network { .. } => "network",
            UpdateError::InvalidFeed { .. } => "invalid_feed",
            UpdateError::NoPlatform(_) => "no_platform",
            UpdateError::Downgrade { .. } => "downgrade",
            UpdateError::BadVersion(_) => "bad_version",
            UpdateError::BadSignature { .. } => "bad_signature",
            UpdateError::SignatureMismatch { .. } => "signature_mismatch",
            UpdateError::UnboundSignature { .. } => "unbound_signature",
            UpdateError::Insecure { .. } => "insecure",
            UpdateError::Truncated { .. } => "truncated",
            UpdateError::TooLarge { .. } => "too_large",
            UpdateError::Patch { .. } => "patch",
            UpdateError::DiskFull { .. } => "disk_full",
            UpdateError::ReadOnly { .. } => "read_only",
            UpdateError::Io { .. } => "io",
            UpdateError::NothingReady => "nothing_ready",
            UpdateError::Busy => "busy",
            UpdateError::Stopped => "stopped",
        }
    }
}

impl From<UpdateError> for traykit_actors::ipc::RpcError {
    fn from(e: UpdateError) -> Self {
        traykit_actors::ipc::codes::domain_error(
            traykit_actors::ipc::codes::UPDATER,
            e.kind(),
            e.to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_full_and_read_only_are_told_apart() {
        let p = Path::new("/x/app");
        let full = UpdateError::io("write", p, std::io::Error::from_raw_os_error(28));
        assert!(matches!(full, UpdateError::DiskFull { .. }), "{full}");
        assert!(full.to_string().contains("no space left"), "{full}");
        for code in [30, 13, 1] {
            let ro = UpdateError::io("replace", p, std::io::Error::from_raw_os_error(code));
            assert!(matches!(ro, UpdateError::ReadOnly { .. }), "{code}: {ro}");
            assert_eq!(ro.kind(), "read_only");
        }
        let other = UpdateError::io("read", p, std::io::Error::from_raw_os_error(2));
        assert!(matches!(other, UpdateError::Io { .. }), "{other}");
        assert!(other.to_string().contains("/x/app"), "{other}");
    }

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        let http = |status| UpdateError::Http {
            url: "u".into(),
            status,
        };
        assert!(http(500).is_transient() && http(503).is_transient() && http(429).is_transient());
        assert!(!http(404).is_transient() && !http(403).is_transient());
        assert!(UpdateError::Truncated {
            url: "u".into(),
            got: 1,
            expected: 2
        }
        .is_transient());
        assert!(!UpdateError::BadSignature {
            what: "a".into(),
            reason: "r".into()
        }
        .is_transient());
        let rpc: traykit_actors::ipc::RpcError = UpdateError::NothingReady.into();
        assert_eq!(rpc.code, 4100);
        assert_eq!(rpc.data, Some(serde_json::json!({"kind": "nothing_ready"})));
    }
}
