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
    pub(crate) app_id: Option<String>,
    pub(crate) allow_unbound: bool,
    pub(crate) insecure_loopback: bool,
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
            app_id: None,
            allow_unbound: false,
            insecure_loopback: false,
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

    /// The app id signatures must be bound to (`traykit-release … --app-id
    /// ID`; default: the app's [`id`](traykit::AppBuilder::id), itself by
    /// default its name in lower case with dashes).
    pub fn app_id(mut self, id: impl Into<String>) -> Self {
        self.app_id = Some(id.into());
        self
    }

    /// Accepts signatures that do not name the version they are for: plain
    /// minisign or `tauri signer` signatures, for a feed that Tauri tooling
    /// writes (default: off, such a signature is `unbound_signature`).
    ///
    /// What it costs: the feed (unsigned) then chooses the version. Whoever
    /// controls it can offer any build the key ever signed under any
    /// version number — an old one as "9.0.0" — and the client installs it.
    /// What still holds: only signed bytes are installed, and a build that
    /// starts on trial and reports another version than the one installed
    /// is rolled back and listed as bad, so a relabelled build costs one
    /// restart, never a loop. Signing with `traykit-release` binds the
    /// version, app and target into the signature and refuses a relabel
    /// before anything is downloaded.
    pub fn allow_unbound_signatures(mut self, allow: bool) -> Self {
        self.allow_unbound = allow;
        self
    }

    /// Admits plain `http://` feeds and downloads, but only to loopback
    /// (`127.0.0.0/8`, `::1`, `localhost`): for tests and local mirrors
    /// (default: off — every address must be `https://`, and a redirect
    /// from HTTPS to HTTP is refused in any case).
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.insecure_loopback = allow;
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
