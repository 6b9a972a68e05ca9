//! Freedesktop `.desktop` files: the launcher entry that makes the app the
//! handler of its `myapp://` links, and the autostart entry.
//!
//! Both are plain text written atomically; registering the link handler with
//! the desktop's MIME database goes through `xdg-mime` when it is installed
//! (as desktops do), and is skipped, with a log line, when it is not.

use std::path::{Path, PathBuf};

/// Why a desktop entry could not be written or registered.
///
/// ```no_run
/// use traykit::desktop_entry::{DesktopEntry, DesktopEntryError};
///
/// let entry = DesktopEntry::new("notes", "Notes", "/usr/bin/notes");
/// match entry.install_for_user() {
///     Ok(path) => println!("wrote {}", path.display()),
///     Err(DesktopEntryError::NoDir(kind)) => eprintln!("no {kind} directory"),
///     Err(e) => eprintln!("{e}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesktopEntryError {
    /// The file (or its directory) could not be written or removed.
    #[error("desktop entry {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No directory to write to (no `$HOME` and no XDG variable).
    #[error("no {0} directory: set $HOME or $XDG_{0}_HOME")]
    NoDir(&'static str),
    /// `xdg-mime` ran and failed.
    #[error("xdg-mime failed for {scheme}: {detail}")]
    XdgMime {
        /// The URL scheme being registered.
        scheme: String,
        /// Its exit status and stderr.
        detail: String,
    },
}

/// A `[Desktop Entry]` of type Application.
///
/// ```
/// use traykit::desktop_entry::DesktopEntry;
/// let entry = DesktopEntry::new("desk-helper", "Desk helper", "/usr/bin/desk-helper")
///     .scheme("deskhelper")
///     .icon("desk-helper");
/// let text = entry.render();
/// assert!(text.contains("MimeType=x-scheme-handler/deskhelper;\n"));
/// assert!(text.contains("Exec=/usr/bin/desk-helper %u\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopEntry {
    id: String,
    name: String,
    exec: PathBuf,
    args: Vec<String>,
    icon: Option<String>,
    comment: Option<String>,
    schemes: Vec<String>,
    no_display: bool,
    hidden: bool,
}

impl DesktopEntry {
    /// An entry `<id>.desktop` running `exec`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, exec: impl Into<PathBuf>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            exec: exec.into(),
            args: Vec::new(),
            icon: None,
            comment: None,
            schemes: Vec::new(),
            no_display: false,
            hidden: false,
        }
    }

    /// Adds a fixed argument to the command line (e.g. `--hidden`).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Icon name (from the icon theme) or absolute path.
    pub fn icon(mut self, icon: impl Into<String>) -> Self {
        self.icon = Some(icon.into());
        self
    }

    /// Tooltip text in menus.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Makes the app the handler of `scheme://…` URLs: adds
    /// `MimeType=x-scheme-handler/<scheme>;` and a `%u` to `Exec`.
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        self.schemes.push(scheme.into());
        self
    }

    /// Hides the entry from application menus (still usable as a handler).
    pub fn no_display(mut self, yes: bool) -> Self {
        self.no_display = yes;
        self
    }

    /// `Hidden=true`: the entry counts as deleted (how a user entry switches
    /// off a system-wide one of the same name).
    pub fn hidden(mut self, yes: bool) -> Self {
        self.hidden = yes;
        self
    }

    /// The file name, `<id>.desktop`.
    pub fn file_name(&self) -> String {
        format!("{}.desktop", self.id)
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut exec = quote_exec_arg(&self.exec.to_string_lossy());
        for arg in &self.args {
            exec.push(' ');
            exec.push_str(&quote_exec_arg(arg));
        }
        if !self.schemes.is_empty() {
            exec.push_str(" %u");
        }
        let mut text = format!(
            "[Desktop Entry]\nType=Application\nVersion=1.5\nName={}\nExec={}\nTerminal=false\n",
            escape_value(&self.name),
            exec
        );
        if let Some(icon) = &self.icon {
            text.push_str(&format!("Icon={}\n", escape_value(icon)));
        }
        if let Some(comment) = &self.comment {
            text.push_str(&format!("Comment={}\n", escape_value(comment)));
        }
        if !self.schemes.is_empty() {
            text.push_str("MimeType=");
            for scheme in &self.schemes {
                text.push_str(&format!("x-scheme-handler/{scheme};"));
            }
            text.push('\n');
        }
        if self.no_display {
            text.push_str("NoDisplay=true\n");
        }
        if self.hidden {
            text.push_str("Hidden=true\n");
        }
        text
    }

    /// Writes `<dir>/<id>.desktop` atomically; returns its path.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf, DesktopEntryError> {
        let path = dir.join(self.file_name());
        let io = |source| DesktopEntryError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = atomic_write_file::AtomicWriteFile::open(&path).map_err(io)?;
        std::io::Write::write_all(&mut file, self.render().as_bytes()).map_err(io)?;
        file.commit().map_err(io)?;
        Ok(path)
    }

    /// Installs the entry for this user (`$XDG_DATA_HOME/applications`) and,
    /// when `xdg-mime` is installed, makes it the default handler of its
    /// schemes. Returns the file's path.
    pub fn install_for_user(&self) -> Result<PathBuf, DesktopEntryError> {
        let dir = data_home()?.join("applications");
        let path = self.write_to(&dir)?;
        for scheme in &self.schemes {
            let mime = format!("x-scheme-handler/{scheme}");
            match std::process::Command::new("xdg-mime")
                .args(["default", &self.file_name(), &mime])
                .output()
            {
                Ok(out) if out.status.success() => {
                    tracing::info!(%mime, entry = %path.display(), "registered URL handler");
                }
                Ok(out) => {
                    return Err(DesktopEntryError::XdgMime {
                        scheme: scheme.clone(),
                        detail: format!(
                            "{}: {}",
                            out.status,
                            String::from_utf8_lossy(&out.stderr).trim()
                        ),
                    })
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    tracing::info!(%mime, "xdg-mime not installed; the desktop entry alone declares the handler");
                }
                Err(error) => {
                    return Err(DesktopEntryError::XdgMime {
                        scheme: scheme.clone(),
                        detail: error.to_string(),
                    })
                }
            }
        }
        Ok(path)
    }
}

/// `$XDG_DATA_HOME` (or `~/.local/share`).
pub fn data_home() -> Result<PathBuf, DesktopEntryError> {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(DesktopEntryError::NoDir("DATA"))
}

/// `$XDG_CONFIG_HOME` (or `~/.config`).
pub fn config_home() -> Result<PathBuf, DesktopEntryError> {
    directories::BaseDirs::new()
        .map(|d| d.config_dir().to_path_buf())
        .ok_or(DesktopEntryError::NoDir("CONFIG"))
}

/// Quotes one `Exec` argument as the Desktop Entry spec asks: reserved
/// characters mean double quotes, inside which `"`, `` ` ``, `$` and `\` are
/// backslash-escaped; `%` is doubled so it is not a field code. (The file
/// format then escapes backslashes once more, see `escape_value`.)
pub fn quote_exec_arg(arg: &str) -> String {
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(',
        ')', '`',
    ];
    let arg = arg.replace('%', "%%");
    let quoted = if arg.is_empty() || arg.contains(RESERVED) {
        let mut q = String::from("\"");
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    } else {
        arg
    };
    escape_value(&quoted)
}

/// Escapes a string value (`\`, newlines, tabs) for a `.desktop` file.
fn escape_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_arguments_are_quoted_per_spec() {
        assert_eq!(quote_exec_arg("/usr/bin/app"), "/usr/bin/app");
        assert_eq!(quote_exec_arg("/opt/my app/x"), "\"/opt/my app/x\"");
        // `$` is escaped inside quotes, then the backslash once more by the
        // string-value escaping of the file format.
        assert_eq!(quote_exec_arg("a$b"), "\"a\\\\$b\"");
        assert_eq!(quote_exec_arg("100%"), "100%%");
        assert_eq!(quote_exec_arg(""), "\"\"");
    }

    #[test]
    fn an_entry_with_a_scheme_and_args() {
        let text = DesktopEntry::new("x", "X app", "/bin/x")
            .arg("--hidden")
            .scheme("xa")
            .scheme("xb")
            .no_display(true)
            .render();
        assert_eq!(
            text,
            "[Desktop Entry]\nType=Application\nVersion=1.5\nName=X app\n\
             Exec=/bin/x --hidden %u\nTerminal=false\n\
             MimeType=x-scheme-handler/xa;x-scheme-handler/xb;\nNoDisplay=true\n"
        );
    }
}
