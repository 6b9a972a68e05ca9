//! Opt-in logging: `tracing` to stderr and to a daily-rotated file in the
//! app's log directory, filtered by `TRAYKIT_LOG` (or `RUST_LOG`).
//!
//! Only installed when the builder asks (`.logging(LogOptions::default())`),
//! so apps with their own subscriber keep it. Pages log through the
//! `log.write` built-in (target `traykit::page`).

use std::path::PathBuf;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

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
    dir: Option<PathBuf>,
    file: bool,
    stderr: bool,
    default_filter: String,
    max_files: usize,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self {
            dir: None,
            file: true,
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

    /// Whether to write the log file (default yes).
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
    /// `info`); `EnvFilter` syntax.
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
}

/// The app's log directory: `$XDG_STATE_HOME/<id>/logs` (usually
/// `~/.local/state/<id>/logs`). Files are named `<id>.<YYYY-MM-DD>.log`.
pub fn log_dir(id: &str) -> PathBuf {
    directories::ProjectDirs::from("", "", id)
        .and_then(|d| d.state_dir().map(|s| s.join("logs")))
        .unwrap_or_else(|| std::env::temp_dir().join(id).join("logs"))
}

/// Keeps the file writer's thread alive; dropping it flushes the file.
pub(crate) type Guard = Option<tracing_appender::non_blocking::WorkerGuard>;

/// Installs the subscriber. If one is already installed (the app set its
/// own), leaves it and says so.
pub(crate) fn install(id: &str, options: &LogOptions) -> Result<Guard, LogError> {
    let filter_text = std::env::var("TRAYKIT_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| options.default_filter.clone());
    let filter = EnvFilter::try_new(&filter_text).map_err(|e| LogError::Filter {
        filter: filter_text.clone(),
        reason: e.to_string(),
    })?;
    let (file_layer, guard) = if options.file {
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
        let (writer, guard) = tracing_appender::non_blocking(appender);
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(writer);
        (Some(layer), Some(guard))
    } else {
        (None, None)
    };
    let stderr_layer = options
        .stderr
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    if installed.is_err() {
        eprintln!(
            "traykit: a tracing subscriber is already installed; `.logging(..)` left it in place"
        );
        return Ok(None);
    }
    Ok(guard)
}
