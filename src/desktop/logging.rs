//! Opt-in logging: `tracing` to stderr and to a daily-rotated file in the
//! app's log directory, filtered by `TRAYKIT_LOG` (or `RUST_LOG`).
//!
//! Only installed when the builder asks (`.logging(LogOptions::default())`),
//! so apps with their own subscriber keep it. Pages log through the
//! `log.write` built-in (target `traykit::page`).
//!
//! Two cargo features shape it (both default): `log-file` (the file, through
//! tracing-appender) and `env-filter` (`EnvFilter` syntax, with its regex
//! engine). Without `env-filter` the filter is tracing-subscriber's
//! `Targets`: `info,notes=debug` works, span and field directives do not.

use std::path::PathBuf;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Where and how the app logs.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().name("Notes").logging(
///     LogOptions::default()
///         .default_filter("info,notes=debug") // when TRAYKIT_LOG is unset
///         .stderr(false)
///         .max_files(3),
/// );
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
pub struct LogOptions {
    // Read only by the file writer (`log-file`).
    #[cfg_attr(not(feature = "log-file"), allow(dead_code))]
    dir: Option<PathBuf>,
    file: bool,
    stderr: bool,
    default_filter: String,
    #[cfg_attr(not(feature = "log-file"), allow(dead_code))]
    max_files: usize,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self {
            dir: None,
            // A file only where this build can write one (`log-file`).
            file: cfg!(feature = "log-file"),
            stderr: true,
            default_filter: "info".into(),
            max_files: 7,
        }
    }
}

impl LogOptions {
    /// The log directory (default: [`log_dir`] of the app id).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Whether to write the log file (default: yes with the `log-file`
    /// feature, which is on by default). Without the feature, `true` makes
    /// `run` fail with [`LogError::FileUnsupported`].
    pub fn file(mut self, yes: bool) -> Self {
        self.file = yes;
        self
    }

    /// Whether to write to stderr (default yes).
    pub fn stderr(mut self, yes: bool) -> Self {
        self.stderr = yes;
        self
    }

    /// The filter when neither `TRAYKIT_LOG` nor `RUST_LOG` is set (default
    /// `info`); `EnvFilter` syntax with the `env-filter` feature, else
    /// `target=level` directives only.
    pub fn default_filter(mut self, filter: impl Into<String>) -> Self {
        self.default_filter = filter.into();
        self
    }

    /// How many daily files to keep (default 7).
    pub fn max_files(mut self, n: usize) -> Self {
        self.max_files = n;
        self
    }
}

/// Why logging could not be set up; `run` returns it as
/// [`Error::Logging`](crate::Error::Logging).
///
/// ```no_run
/// use traykit::logging::LogError;
/// use traykit::prelude::*;
///
/// match App::builder().logging(LogOptions::default()).run() {
///     Err(Error::Logging(LogError::Filter { filter, .. })) => eprintln!("bad TRAYKIT_LOG: {filter}"),
///     other => other?,
/// }
/// # Ok::<(), traykit::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The filter in `TRAYKIT_LOG`/`RUST_LOG` (or the default) is invalid.
    #[error("invalid log filter `{filter}`: {reason}")]
    Filter {
        /// The filter text.
        filter: String,
        /// The parser's explanation.
        reason: String,
    },
    /// The log file could not be opened.
    #[error("log file in {dir}: {reason}")]
    File {
        /// The directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// A log file was asked for (`LogOptions::file(true)`) in a build
    /// without traykit's `log-file` feature.
    #[error("log files need traykit's `log-file` cargo feature, which this build leaves out")]
    FileUnsupported,
}

/// The app's log directory: `$XDG_STATE_HOME/<id>/logs` (usually
/// `~/.local/state/<id>/logs`). Files are named `<id>.<YYYY-MM-DD>.log`.
pub fn log_dir(id: &str) -> PathBuf {
    directories::ProjectDirs::from("", "", id)
        .and_then(|d| d.state_dir().map(|s| s.join("logs")))
        .unwrap_or_else(|| std::env::temp_dir().join(id).join("logs"))
}

/// Keeps the file writer's thread alive; dropping it flushes the file.
/// Empty in a build without log files.
#[derive(Default)]
pub(crate) struct Guard {
    #[cfg(feature = "log-file")]
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
}

impl Guard {
    /// Flushes the log file now, for a `std::process::exit`, which skips
    /// destructors.
    pub(crate) fn flush(self) {}
}

/// Installs the subscriber. If one is already installed (the app set its
/// own), leaves it and says so.
pub(crate) fn install(id: &str, options: &LogOptions) -> Result<Guard, LogError> {
    let filter_text = std::env::var("TRAYKIT_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| options.default_filter.clone());
    let filter = parse_filter(&filter_text)?;
    let file = file_writer(id, options)?;
    let stderr_layer = options
        .stderr
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer);
    #[cfg(feature = "log-file")]
    let (installed, guard) = {
        let (writer, file_guard) = file.unzip();
        let file_layer = writer.map(|writer| {
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
        });
        let guard = Guard { _file: file_guard };
        (registry.with(file_layer).try_init(), guard)
    };
    #[cfg(not(feature = "log-file"))]
    let (installed, guard) = (registry.try_init(), file);
    if installed.is_err() {
        eprintln!(
            "traykit: a tracing subscriber is already installed; `.logging(..)` left it in place"
        );
        return Ok(Guard::default());
    }
    Ok(guard)
}

#[cfg(feature = "env-filter")]
fn parse_filter(text: &str) -> Result<tracing_subscriber::EnvFilter, LogError> {
    tracing_subscriber::EnvFilter::try_new(text).map_err(|e| LogError::Filter {
        filter: text.to_owned(),
        reason: e.to_string(),
    })
}

/// Without `env-filter`: `target=level` directives, no regex engine.
#[cfg(not(feature = "env-filter"))]
fn parse_filter(text: &str) -> Result<tracing_subscriber::filter::Targets, LogError> {
    text.parse().map_err(
        |e: tracing_subscriber::filter::ParseError| LogError::Filter {
            filter: text.to_owned(),
            reason: format!(
                "{e} (this build has no `env-filter` feature: only `target=level` directives)"
            ),
        },
    )
}

/// The file writer and its guard, if the options ask for a file.
#[cfg(feature = "log-file")]
fn file_writer(
    id: &str,
    options: &LogOptions,
) -> Result<
    Option<(
        tracing_appender::non_blocking::NonBlocking,
        tracing_appender::non_blocking::WorkerGuard,
    )>,
    LogError,
> {
    if !options.file {
        return Ok(None);
    }
    let dir = options.dir.clone().unwrap_or_else(|| log_dir(id));
    // tracing-appender prunes old files at start and complains when the
    // directory does not exist yet.
    std::fs::create_dir_all(&dir).map_err(|e| LogError::File {
        dir: dir.clone(),
        reason: e.to_string(),
    })?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(id)
        .filename_suffix("log")
        .max_log_files(options.max_files.max(1))
        .build(&dir)
        .map_err(|e| LogError::File {
            dir: dir.clone(),
            reason: e.to_string(),
        })?;
    Ok(Some(tracing_appender::non_blocking(appender)))
}

/// Without `log-file`: asking for a file is an error, before anything is
/// installed.
#[cfg(not(feature = "log-file"))]
fn file_writer(_id: &str, options: &LogOptions) -> Result<Guard, LogError> {
    if options.file {
        return Err(LogError::FileUnsupported);
    }
    Ok(Guard::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_asks_for_a_file_only_where_the_build_has_them() {
        assert_eq!(LogOptions::default().file, cfg!(feature = "log-file"));
    }

    #[cfg(not(feature = "log-file"))]
    #[test]
    fn a_file_without_the_feature_is_a_clear_error() {
        let Err(err) = install("traykit-test", &LogOptions::default().file(true)) else {
            panic!("a log file in a build without `log-file`");
        };
        assert!(matches!(err, LogError::FileUnsupported), "{err}");
        assert!(err.to_string().contains("log-file"), "{err}");
    }

    #[test]
    fn target_level_directives_parse_with_or_without_env_filter() {
        assert!(parse_filter("info,notes=debug").is_ok());
        let err = parse_filter("notes=loud").expect_err("bad level");
        assert!(matches!(err, LogError::Filter { .. }), "{err}");
    }
}
