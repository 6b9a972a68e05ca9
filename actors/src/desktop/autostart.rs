//! Start at login: the XDG autostart entry.

use std::path::PathBuf;

use crate::app::AppHandle;
use crate::desktop_entry::{DesktopEntry, DesktopEntryError};
use crate::ipc::{codes, RpcError};

/// Why autostart could not be changed.
///
/// ```
/// # fn f(app: &traykit::prelude::AppHandle) {
/// if let Err(e) = app.autostart().enable() {
///     eprintln!("cannot start at login: {e}");
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AutostartError {
    /// The entry could not be written or removed.
    #[error(transparent)]
    Entry(#[from] DesktopEntryError),
    /// The program's own path is unknown, so no entry can name it.
    #[error("cannot find this program's path for the autostart entry: {0}")]
    NoExecutable(String),
}

/// Start at login: an XDG autostart entry
/// `$XDG_CONFIG_HOME/autostart/<app id>.desktop` that runs the app with
/// `--hidden`. A system-wide entry (`$XDG_CONFIG_DIRS/autostart`, e.g. from
/// a package) counts too; the user's entry of the same name overrides it,
/// so disabling one writes a user entry with `Hidden=true`, as the spec
/// asks.
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().name("Notes")).await?;
/// # let app = test.handle();
/// let autostart = app.autostart();
/// autostart.enable()?;
/// assert!(autostart.is_enabled()?);
/// autostart.disable()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Autostart {
    entry: Result<DesktopEntry, String>,
    dir: Result<PathBuf, String>,
    system_dirs: Vec<PathBuf>,
}

/// `$XDG_CONFIG_DIRS` (default `/etc/xdg`), each with `/autostart`.
fn system_autostart_dirs() -> Vec<PathBuf> {
    let dirs = std::env::var("XDG_CONFIG_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    dirs.split(':')
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .map(|p| p.join("autostart"))
        .collect()
}

/// Whether entry text switches itself off.
fn entry_disabled(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false"
    })
}

impl Autostart {
    /// The entry for app `id` (display name `name`), started as `exec
    /// --hidden`, kept in `dir` (default `$XDG_CONFIG_HOME/autostart`).
    pub fn new(id: &str, name: &str, exec: Option<PathBuf>, dir: Option<PathBuf>) -> Self {
        let exec = exec
            .map(Ok)
            .unwrap_or_else(|| std::env::current_exe().map_err(|e| format!("current_exe: {e}")));
        let entry = exec.map(|exec| {
            DesktopEntry::new(id, name, exec)
                .arg("--hidden")
                .comment(format!("Start {name} at login"))
        });
        let dir = dir.map(Ok).unwrap_or_else(|| {
            crate::desktop_entry::config_home()
                .map(|c| c.join("autostart"))
                .map_err(|e| e.to_string())
        });
        Self {
            entry,
            dir,
            system_dirs: system_autostart_dirs(),
        }
    }

    /// Replaces the system-wide autostart directories looked at (default:
    /// `$XDG_CONFIG_DIRS/autostart`).
    pub fn system_dirs(mut self, dirs: Vec<PathBuf>) -> Self {
        self.system_dirs = dirs;
        self
    }

    /// The user entry's path.
    pub fn path(&self) -> Result<PathBuf, AutostartError> {
        let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
        let entry = self.entry()?;
        Ok(dir.join(entry.file_name()))
    }

    fn entry(&self) -> Result<&DesktopEntry, AutostartError> {
        self.entry
            .as_ref()
            .map_err(|e| AutostartError::NoExecutable(e.clone()))
    }

    /// The first system-wide entry of this name, read.
    fn system_entry(&self) -> Option<String> {
        let name = self.entry().ok()?.file_name();
        self.system_dirs
            .iter()
            .find_map(|d| std::fs::read_to_string(d.join(&name)).ok())
    }

    fn read(path: &std::path::Path) -> Result<Option<String>, AutostartError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(DesktopEntryError::Io {
                path: path.to_owned(),
                source,
            }
            .into()),
        }
    }

    /// Writes the user entry: the app starts (hidden) at the next login.
    pub fn enable(&self) -> Result<(), AutostartError> {
        let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
        let path = self.entry()?.write_to(&dir)?;
        tracing::info!(entry = %path.display(), "autostart enabled");
        Ok(())
    }

    /// Removes the user entry (absent already is fine); if a system-wide
    /// entry would still start the app, writes a user entry with
    /// `Hidden=true` over it instead.
    pub fn disable(&self) -> Result<(), AutostartError> {
        let path = self.path()?;
        if self.system_entry().is_some_and(|t| !entry_disabled(&t)) {
            let dir = self.dir.clone().map_err(AutostartError::NoExecutable)?;
            let hidden = self.entry()?.clone().hidden(true);
            hidden.write_to(&dir)?;
            tracing::info!(entry = %path.display(), "autostart disabled over the system-wide entry");
            return Ok(());
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(entry = %path.display(), "autostart disabled");
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(DesktopEntryError::Io { path, source }.into()),
        }
    }

    /// Whether the app starts at login: the user entry decides if there is
    /// one, else a system-wide one; an entry with `Hidden=true` or
    /// `X-GNOME-Autostart-enabled=false` (how desktops' settings switch it
    /// off) does not start it.
    pub fn is_enabled(&self) -> Result<bool, AutostartError> {
        match Self::read(&self.path()?)? {
            Some(text) => Ok(!entry_disabled(&text)),
            None => Ok(self.system_entry().is_some_and(|t| !entry_disabled(&t))),
        }
    }
}

impl AppHandle {
    /// Start at login.
    pub fn autostart(&self) -> &Autostart {
        &self.desktop().config.autostart
    }
}

impl From<AutostartError> for RpcError {
    fn from(e: AutostartError) -> Self {
        let kind = match &e {
            AutostartError::Entry(_) => "entry",
            AutostartError::NoExecutable(_) => "no_executable",
        };
        codes::domain_error(codes::AUTOSTART, kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autostart_writes_checks_and_removes_its_entry() {
        let dir =
            std::env::temp_dir().join(format!("traykit-autostart-unit-{}", std::process::id()));
        let a = Autostart::new(
            "unit-app",
            "Unit app",
            Some("/opt/unit app/bin".into()),
            Some(dir.clone()),
        );
        assert!(!a.is_enabled().expect("check"));
        a.enable().expect("enable");
        assert!(a.is_enabled().expect("check"));
        let text = std::fs::read_to_string(dir.join("unit-app.desktop")).expect("entry");
        assert!(
            text.contains("Exec=\"/opt/unit app/bin\" --hidden\n"),
            "{text}"
        );
        std::fs::write(dir.join("unit-app.desktop"), format!("{text}Hidden=true\n")).expect("w");
        assert!(!a.is_enabled().expect("check"), "Hidden=true disables it");
        a.disable().expect("disable");
        a.disable().expect("disable twice is fine");
        assert!(!a.is_enabled().expect("check"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_system_wide_entry_counts_and_is_overridden_by_the_user() {
        let root =
            std::env::temp_dir().join(format!("traykit-autostart-system-{}", std::process::id()));
        let (user, system) = (root.join("user"), root.join("system"));
        std::fs::create_dir_all(&system).expect("mkdir");
        let a = Autostart::new(
            "sys-app",
            "Sys",
            Some("/usr/bin/sys-app".into()),
            Some(user.clone()),
        )
        .system_dirs(vec![system.clone()]);
        assert!(!a.is_enabled().expect("check"));
        std::fs::write(
            system.join("sys-app.desktop"),
            "[Desktop Entry]\nType=Application\nExec=/usr/bin/sys-app --hidden\n",
        )
        .expect("system entry");
        assert!(
            a.is_enabled().expect("check"),
            "the package's entry starts it"
        );
        a.disable().expect("disable");
        let text = std::fs::read_to_string(user.join("sys-app.desktop")).expect("user entry");
        assert!(text.contains("\nHidden=true\n"), "{text}");
        assert!(
            !a.is_enabled().expect("check"),
            "the user's Hidden=true wins"
        );
        a.enable().expect("enable");
        assert!(a.is_enabled().expect("check"));
        let _ = std::fs::remove_dir_all(root);
    }
}
