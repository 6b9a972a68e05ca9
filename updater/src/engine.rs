//! The blocking work behind the actor: check, download (delta first), verify,
//! install. Every step reports through `emit`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use traykit_actors::sync::lock;

use crate::config::UpdaterConfig;
use crate::download::Http;
use crate::error::UpdateError;
// `Installed` is a report like the others in `event`; named from here too
// (the crate root and the actor import it as `engine::Installed`).
pub use crate::event::Installed;
use crate::event::{DeltaReport, UpdateEvent, UpdateInfo};
use crate::feed::{self, Feed, Offer};
use crate::policy::{self, Skip};
use crate::signature::{Binding, TrustedKey};
use crate::state::{State, Trial};
use crate::trial::Role;

pub(crate) struct Engine {
    pub(crate) config: UpdaterConfig,
    pub(crate) dir: PathBuf,
    pub(crate) current: Result<semver::Version, String>,
    pub(crate) role: Role,
    /// What signatures must be bound to: the app id.
    app_id: String,
    key: Result<TrustedKey, UpdateError>,
    http: Http,
    busy: AtomicBool,
    pub(crate) restarting: AtomicBool,
    pub(crate) offer: Mutex<Option<Offer>>,
    pub(crate) installed: Mutex<Option<Trial>>,
}

/// Clears the busy flag when an operation ends, however it ends.
pub(crate) struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Engine {
    pub(crate) fn new(config: UpdaterConfig, dir: PathBuf, role: Role, app_id: &str) -> Engine {
        let key = TrustedKey::parse(&config.public_key);
        let current = feed::parse_version(&config.current_version).map_err(|e| {
            format!(
                "the app's version `{}` is not semver: {e}",
                config.current_version
            )
        });
        let mut net = config.net.clone();
        net.allow_insecure_loopback |= config.insecure_loopback;
        let http = Http::new(net);
        let app_id = config.app_id.clone().unwrap_or_else(|| app_id.to_owned());
        Engine {
            config,
            dir,
            current,
            role,
            app_id,
            key,
            http,
            busy: AtomicBool::new(false),
            restarting: AtomicBool::new(false),
            offer: Mutex::new(None),
            installed: Mutex::new(None),
        }
    }

    pub(crate) fn begin(&self) -> Result<BusyGuard<'_>, UpdateError> {
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(UpdateError::Busy);
        }
        Ok(BusyGuard(&self.busy))
    }

    fn current(&self) -> Result<&semver::Version, UpdateError> {
        self.current
            .as_ref()
            .map_err(|reason| UpdateError::InvalidFeed {
                url: "<app config>".into(),
                reason: reason.clone(),
            })
    }

    fn key(&self) -> Result<&TrustedKey, UpdateError> {
        self.key.as_ref().map_err(Clone::clone)
    }

    /// What the signature of `version` (a patch: `from` → `version`) must
    /// say it is for.
    fn binding(&self, version: &semver::Version, from: Option<&str>) -> Binding {
        Binding {
            app: self.app_id.clone(),
            version: version.clone(),
            target: feed::current_platform(),
            from: from.map(str::to_owned),
        }
    }

    pub(crate) fn installed(&self) -> Option<Trial> {
        lock(&self.installed).clone()
    }

    /// Asks the feed. `Ok(None)`: up to date (or outside the rollout).
    pub(crate) fn check(
        &self,
        emit: &dyn Fn(UpdateEvent),
    ) -> Result<Option<UpdateInfo>, UpdateError> {
        // No key, no update: say so before fetching anything.
        self.key()?;
        let current = self.current()?.clone();
        emit(UpdateEvent::Checking);
        let started = Instant::now();
        let Some(offer) = self.fetch_offer(&current)? else {
            emit(UpdateEvent::UpToDate {
                current: current.to_string(),
            });
            return Ok(None);
        };
        if offer.version == current {
            emit(UpdateEvent::UpToDate {
                current: current.to_string(),
            });
            return Ok(None);
        }
        let state = State::load(&self.dir)?;
        let install_id = policy::install_id(&self.dir)?;
        match policy::decide(&offer, &current, &state.bad_versions, &install_id)? {
            Ok(()) => {}
            Err(Skip::NotInRollout { bucket, rollout }) => {
                emit(UpdateEvent::Skipped {
                    version: offer.version.to_string(),
                    reason: format!("not in the {rollout}% rollout yet (bucket {bucket})"),
                });
                return Ok(None);
            }
        }
        // A relabelled artifact is refused here, before it is offered or
        // fetched. (The comment is authenticated only once the file is
        // verified; install checks it again then.)
        let url = &offer.artifact.url;
        let comment = crate::signature::unverified_comment(url, &offer.artifact.signature)?;
        self.binding(&offer.version, None)
            .check(url, &comment, self.config.allow_unbound)?;
        let info = UpdateInfo {
            version: offer.version.to_string(),
            current: current.to_string(),
            notes: offer.notes.clone(),
            pub_date: offer.pub_date.clone(),
            size: offer.artifact.size,
            delta_available: self.config.delta
                && offer
                    .artifact
                    .patches
                    .iter()
                    .any(|p| p.from == current.to_string()),
            check_ms: started.elapsed().as_millis() as u64,
        };
        *lock(&self.offer) = Some(offer);
        emit(UpdateEvent::Available(info.clone()));
        Ok(Some(info))
    }

    /// The offer from the configured source. `Ok(None)`: nothing published
    /// (HTTP 204, or a GitHub repository without releases).
    fn fetch_offer(&self, current: &semver::Version) -> Result<Option<Offer>, UpdateError> {
        let platform = feed::current_platform();
        if let Some(source) = &self.config.github {
            return crate::github::latest_offer(&self.http, source, &self.config.channel);
        }
        let mut last_error = None;
        for template in &self.config.endpoints {
            let url = feed::endpoint(template, current, &self.config.channel);
            match self.http.fetch_feed(&url) {
                Ok(None) => return Ok(None),
                Ok(Some(body)) => {
                    let feed = Feed::parse(&url, &body)?;
                    return feed.offer(&self.config.channel, &platform).map(Some);
                }
                Err(e) => {
                    tracing::warn!(error = %e, url, "update endpoint failed");
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| UpdateError::InvalidFeed {
            url: "<none>".into(),
            reason: "no update endpoint configured".into(),
        }))
    }

    fn downloads(&self) -> PathBuf {
        self.dir.join("downloads")
    }

    /// Downloads (a patch if offered, else the full artifact), verifies and
    /// installs the offer found by the last `check`.
    pub(crate) fn install(&self, emit: &dyn Fn(UpdateEvent)) -> Result<Installed, UpdateError> {
        if let Some(trial) = self.installed() {
            return Ok(Installed {
                version: trial.version,
                downloaded_bytes: 0,
                delta: None,
                download_ms: 0,
            });
        }
        let key = self.key()?.clone();
        let current = self.current()?.clone();
        let offer = lock(&self.offer).clone().ok_or(UpdateError::NothingReady)?;
        if State::load(&self.dir)?
            .bad_versions
            .contains(&offer.version.to_string())
        {
            return Err(UpdateError::BadVersion(offer.version.to_string()));
        }
        let downloads = self.downloads();
        std::fs::create_dir_all(&downloads)
            .map_err(|e| UpdateError::io("create", &downloads, e))?;
        let version = offer.version.to_string();
        let started = Instant::now();
        let (bytes, fetched, delta) = match self.try_delta(&key, &offer, &current, emit) {
            Some((bytes, patch_bytes, delta)) => (bytes, patch_bytes, Some(delta)),
            None => {
                let (bytes, fetched) = self.fetch_full(&key, &offer, &downloads, emit)?;
                (bytes, fetched, None)
            }
        };
        let download_ms = started.elapsed().as_millis() as u64;
        emit(UpdateEvent::Verified {
            version: version.clone(),
        });
        let ready = downloads.join(format!("{version}.bin"));
        crate::state::write_atomic(&ready, &bytes)?;
        let trial = crate::trial::install(
            &self.dir,
            &ready,
            &version,
            &current.to_string(),
            self.config.health_timeout,
        );
        let _ = std::fs::remove_file(&ready);
        let trial = trial?;
        *lock(&self.installed) = Some(trial);
        let installed = Installed {
            version: version.clone(),
            downloaded_bytes: fetched,
            delta,
            download_ms,
        };
        emit(UpdateEvent::Installed(installed.clone()));
        Ok(installed)
    }

    /// The new binary from a patch against `current`, if the config allows
    /// deltas and the offer has one: `(bytes, patch bytes fetched, report)`.
    /// A patch that fails is reported and `None`: the full artifact follows.
    fn try_delta(
        &self,
        key: &TrustedKey,
        offer: &Offer,
        current: &semver::Version,
        emit: &dyn Fn(UpdateEvent),
    ) -> Option<(Vec<u8>, u64, DeltaReport)> {
        if !self.config.delta {
            return None;
        }
        let patch = offer
            .artifact
            .patches
            .iter()
            .find(|p| p.from == current.to_string())?;
        match self.via_patch(key, offer, patch, emit) {
            Ok((result, patch_bytes)) => {
                let full = offer.artifact.size.unwrap_or(result.len() as u64);
                let report = DeltaReport {
                    from: patch.from.clone(),
                    patch_bytes,
                    full_bytes: full,
                    saved_bytes: full.saturating_sub(patch_bytes),
                };
                Some((result, patch_bytes, report))
            }
            Err(error) => {
                tracing::warn!(%error, "delta update failed; downloading the full artifact");
                emit(UpdateEvent::DeltaFailed {
                    error: error.to_string(),
                });
                None
            }
        }
    }

    /// Downloads and verifies the full artifact: `(bytes, bytes fetched)`.
    fn fetch_full(
        &self,
        key: &TrustedKey,
        offer: &Offer,
        downloads: &Path,
        emit: &dyn Fn(UpdateEvent),
    ) -> Result<(Vec<u8>, u64), UpdateError> {
        let part = downloads.join(format!("{}.part", offer.version));
        let url = &offer.artifact.url;
        let fetched = self.fetch(url, &part, offer.artifact.size, emit)?;
        let data = std::fs::read(&part).map_err(|e| UpdateError::io("read", &part, e))?;
        let verified = key
            .verify(url, &data, &offer.artifact.signature)
            .and_then(|comment| {
                self.binding(&offer.version, None)
                    .check(url, &comment, self.config.allow_unbound)
            });
        // A bad file must not be resumed from next time; a good one is read.
        let _ = std::fs::remove_file(&part);
        verified?;
        Ok((data, fetched))
    }

    fn fetch(
        &self,
        url: &str,
        part: &Path,
        size: Option<u64>,
        emit: &dyn Fn(UpdateEvent),
    ) -> Result<u64, UpdateError> {
        let mut last = Instant::now();
        let mut last_done = u64::MAX;
        let mut progress = |done: u64, total: Option<u64>| {
            // At most ~20 events a second, plus the first and the last.
            let finished = total == Some(done);
            if last_done == u64::MAX || finished || last.elapsed().as_millis() >= 50 {
                if done != last_done {
                    emit(UpdateEvent::Progress {
                        downloaded: done,
                        total,
                    });
                }
                last = Instant::now();
                last_done = done;
            }
        };
        self.http.download(url, part, size, &mut progress)
    }

    /// Fetches and verifies the patch, applies it to the running binary, and
    /// verifies the result against the full artifact's signature.
    fn via_patch(
        &self,
        key: &TrustedKey,
        offer: &Offer,
        patch: &crate::feed::Patch,
        emit: &dyn Fn(UpdateEvent),
    ) -> Result<(Vec<u8>, u64), UpdateError> {
        let part = self
            .downloads()
            .join(format!("{}.from-{}.patch.part", offer.version, patch.from));
        let n = self.fetch(&patch.url, &part, patch.size, emit)?;
        let data = std::fs::read(&part).map_err(|e| UpdateError::io("read", &part, e))?;
        let _ = std::fs::remove_file(&part);
        let comment = key.verify(&patch.url, &data, &patch.signature)?;
        self.binding(&offer.version, Some(&patch.from)).check(
            &patch.url,
            &comment,
            self.config.allow_unbound,
        )?;
        let old = std::fs::read("/proc/self/exe")
            .map_err(|e| UpdateError::io("read", Path::new("/proc/self/exe"), e))?;
        let result =
            crate::delta::apply_patch(&patch.from, &old, &data, self.http.options().max_bytes)?;
        key.verify("the patched artifact", &result, &offer.artifact.signature)
            .and_then(|comment| {
                self.binding(&offer.version, None).check(
                    "the patched artifact",
                    &comment,
                    self.config.allow_unbound,
                )
            })
            .map_err(|e| UpdateError::Patch {
                from: patch.from.clone(),
                reason: e.to_string(),
            })?;
        Ok((result, n))
    }
}
