//! What the app tells the updater.

use std::path::PathBuf;
use std::time::Duration;

use crate::download::NetOptions;

/// The updater's settings. The public key is compiled into the app
/// (`include_str!("../updater.pub")`); without a usable one the updater
/// refuses every update.
///
/// ```
/// use std::time::Duration;
/// use traykit_updater::UpdaterConfig;
///
/// let config = UpdaterConfig::new(
///     env!("CARGO_PKG_VERSION"),
///     ["https://releases.example.com/{{target}}-{{arch}}/latest.json"],
///     "RWQ...base64 public key...",
/// )
/// .channel("beta")
/// .check_every(Duration::from_secs(6 * 3600))
/// .health_timeout(Duration::from_secs(60));
/// ```
#[derive(Debug, Clone)]
pub struct UpdaterConfig {
    pub(crate) current_version: String,
    pub(crate) endpoints: Vec<String>,
    pub(crate) public_key: String,
    pub(crate) channel: String,
    pub(crate) check_interval: Option<Duration>,
    pub(crate) first_check: Duration,
    pub(crate) jitter: f64,
    pub(crate) auto_install: bool,
    pub(crate) health_timeout: Duration,
    pub(crate) auto_confirm: Option<Duration>,
    pub(crate) delta: bool,
    pub(crate) net: NetOptions,
    pub(crate) state_dir: Option<PathBuf>,
    pub(crate) github: Option<crate::github::GithubSource>,
}

impl UpdaterConfig {
    /// `current_version`: the app's version (`env!("CARGO_PKG_VERSION")`);
    /// `endpoints`: feed URLs, tried in order, with `{{current_version}}`,
    /// `{{target}}`, `{{arch}}`, `{{channel}}` filled in; `public_key`: the
    /// minisign public key (Tauri's base64 form or minisign's text).
    pub fn new<I, S>(current_version: &str, endpoints: I, public_key: &str) -> UpdaterConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UpdaterConfig {
            current_version: current_version.to_owned(),
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            public_key: public_key.to_owned(),
            channel: "stable".into(),
            check_interval: Some(Duration::from_secs(6 * 3600)),
            first_check: Duration::from_secs(30),
            jitter: 0.2,
            auto_install: false,
            health_timeout: Duration::from_secs(60),
            auto_confirm: None,
            delta: true,
            net: NetOptions::default(),
            state_dir: None,
            github: None,
        }
    }

    /// The release channel (`stable`, `beta`, …).
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = channel.into();
        self
    }

    /// Checks in the background this often (default 6 h), each time moved by
    /// up to ±`jitter` of the interval so a fleet does not hit the server at
    /// once.
    pub fn check_every(mut self, interval: Duration) -> Self {
        self.check_interval = Some(interval);
        self
    }

    /// No background checks: only on demand.
    pub fn manual_only(mut self) -> Self {
        self.check_interval = None;
        self
    }

    /// The first background check runs this long after start (default 30 s),
    /// plus jitter.
    pub fn first_check_after(mut self, delay: Duration) -> Self {
        self.first_check = delay;
        self
    }

    /// Jitter as a fraction of the delay (0.0–1.0, default 0.2).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction.clamp(0.0, 1.0);
        self
    }

    /// Download, verify and swap in an update as soon as a background check
    /// finds it (default: off — the app calls `install`). The new version
    /// runs after a restart the app asks for, or the next launch.
    pub fn auto_install(mut self, enabled: bool) -> Self {
        self.auto_install = enabled;
        self
    }

    /// How long a new version has after its start to confirm it is healthy
    /// before it is rolled back (default 60 s).
    pub fn health_timeout(mut self, timeout: Duration) -> Self {
        self.health_timeout = timeout;
        self
    }

    /// Confirm health automatically this long after boot (default: the app
    /// calls `confirm_healthy` itself, when it knows it works).
    pub fn auto_confirm_after(mut self, delay: Duration) -> Self {
        self.auto_confirm = Some(delay);
        self
    }

    /// Use delta patches when the feed offers one (default on).
    pub fn delta(mut self, enabled: bool) -> Self {
        self.delta = enabled;
        self
    }

    /// Timeouts, retries, size limits.
    pub fn network(mut self, options: NetOptions) -> Self {
        self.net = options;
        self
    }

    /// Where the updater keeps its state, downloads and the previous binary
    /// (default: `<data dir of the executable's name>/updater`).
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Takes updates from GitHub Releases (or GitHub Enterprise) instead of
    /// the feed endpoints; the assets are verified exactly like feed
    /// artifacts.
    pub fn github(mut self, source: crate::github::GithubSource) -> Self {
        self.github = Some(source);
        self
    }

    /// The state directory in force.
    pub fn resolved_state_dir(&self) -> PathBuf {
        if let Some(dir) = &self.state_dir {
            return dir.clone();
        }
        let name = crate::trial::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "traykit-app".into());
        traykit_actors::app::default_data_dir(&name).join("updater")
    }
}
