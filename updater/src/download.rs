//! HTTP: the feed request and resumable artifact downloads, blocking (run
//! them on a blocking thread). Timeouts on connect and on every read; a cut
//! connection or a 5xx is retried with exponential backoff, and a download
//! resumes from the bytes already on disk with an HTTP `Range` request.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::error::UpdateError;

/// Network limits and retry policy.
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// Connecting (TCP + TLS) may take this long.
    pub connect_timeout: Duration,
    /// Each read may wait this long for bytes (a stalled server fails).
    pub read_timeout: Duration,
    /// Attempts after the first on transient failures.
    pub retries: u32,
    /// First backoff; doubles each retry.
    pub backoff: Duration,
    /// Largest artifact or patch accepted, in bytes.
    pub max_bytes: u64,
    /// Largest feed accepted, in bytes.
    pub max_feed_bytes: u64,
}

impl Default for NetOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_millis(500),
            max_bytes: 512 * 1024 * 1024,
            max_feed_bytes: 1024 * 1024,
        }
    }
}

/// A blocking HTTP client with the options applied.
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
    options: NetOptions,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("options", &self.options)
            .finish()
    }
}

fn network(url: &str, reason: impl std::fmt::Display) -> UpdateError {
    UpdateError::Network {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}

impl Http {
    /// A client with these options.
    pub fn new(options: NetOptions) -> Http {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(options.connect_timeout)
            .timeout_read(options.read_timeout)
            .timeout_write(options.read_timeout)
            .user_agent(concat!("traykit-updater/", env!("CARGO_PKG_VERSION")))
            .build();
        Http { agent, options }
    }

    /// The options in force.
    pub fn options(&self) -> &NetOptions {
        &self.options
    }

    /// Runs `attempt` until it succeeds, fails permanently, or retries run
    /// out, sleeping `backoff * 2^n` between attempts.
    fn retrying<T>(
        &self,
        mut attempt: impl FnMut(u32) -> Result<T, UpdateError>,
    ) -> Result<T, UpdateError> {
        let mut n = 0;
        loop {
            match attempt(n) {
                Err(e) if e.is_transient() && n < self.options.retries => {
                    let wait = self.options.backoff.saturating_mul(1 << n.min(16));
                    tracing::info!(error = %e, attempt = n + 1, ?wait, "transient failure, retrying");
                    std::thread::sleep(wait);
                    n += 1;
                }
                other => return other,
            }
        }
    }

    fn get(&self, url: &str, range_from: u64) -> Result<ureq::Response, UpdateError> {
        let mut request = self.agent.get(url);
        if range_from > 0 {
            request = request.set("Range", &format!("bytes={range_from}-"));
        }
        match request.call() {
            Ok(response) => Ok(response),
            Err(ureq::Error::Status(status, _)) => Err(UpdateError::Http {
                url: url.to_owned(),
                status,
            }),
            Err(ureq::Error::Transport(t)) => Err(network(url, t)),
        }
    }

    /// Fetches a feed body. `Ok(None)` is HTTP 204: no update.
    pub fn fetch_feed(&self, url: &str) -> Result<Option<Vec<u8>>, UpdateError> {
        self.retrying(|_| {
            let response = self.get(url, 0)?;
            if response.status() == 204 {
                return Ok(None);
            }
            let limit = self.options.max_feed_bytes;
            let mut body = Vec::new();
            response
                .into_reader()
                .take(limit + 1)
                .read_to_end(&mut body)
                .map_err(|e| network(url, e))?;
            if body.len() as u64 > limit {
                return Err(UpdateError::TooLarge {
                    url: url.to_owned(),
                    size: body.len() as u64,
                    limit,
                });
            }
            Ok(Some(body))
        })
    }

    /// Downloads `url` into `part`, resuming from what `part` already holds,
    /// and returns the file's size. `progress(done, total)` is called as
    /// bytes arrive. `expected` (from the feed) lets an oversized artifact be
    /// refused before a byte is fetched.
    pub fn download(
        &self,
        url: &str,
        part: &Path,
        expected: Option<u64>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<u64, UpdateError> {
        let limit = self.options.max_bytes;
        if let Some(size) = expected.filter(|s| *s > limit) {
            return Err(UpdateError::TooLarge {
                url: url.to_owned(),
                size,
                limit,
            });
        }
        self.retrying(|_| self.download_once(url, part, limit, progress))
    }

    fn download_once(
        &self,
        url: &str,
        part: &Path,
        limit: u64,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<u64, UpdateError> {
        let have = match std::fs::metadata(part) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(UpdateError::io("stat", part, e)),
        };
        let response = match self.get(url, have) {
            // The file was complete already: the server has nothing past it.
            Err(UpdateError::Http { status: 416, .. }) if have > 0 => {
                self.restart_from_zero(part)?;
                self.get(url, 0)?
            }
            other => other?,
        };
        let resumed = response.status() == 206 && have > 0;
        let (offset, total) = if resumed {
            // "bytes START-END/TOTAL"
            let range = response.header("Content-Range").unwrap_or_default();
            let start = range
                .strip_prefix("bytes ")
                .and_then(|r| r.split('-').next())
                .and_then(|s| s.parse::<u64>().ok());
            if start != Some(have) {
                // Not the range we asked for: start over.
                self.restart_from_zero(part)?;
                return Err(network(url, format!("unexpected Content-Range `{range}`")));
            }
            let total = range.rsplit('/').next().and_then(|t| t.parse::<u64>().ok());
            (have, total)
        } else {
            let length = response
                .header("Content-Length")
                .and_then(|l| l.parse::<u64>().ok());
            (0, length)
        };
        if let Some(total) = total.filter(|t| *t > limit) {
            return Err(UpdateError::TooLarge {
                url: url.to_owned(),
                size: total,
                limit,
            });
        }
        if resumed {
            tracing::info!(url, from = offset, "resuming download");
        }
        let mut file = if resumed {
            OpenOptions::new().append(true).open(part)
        } else {
            File::create(part)
        }
        .map_err(|e| UpdateError::io("open", part, e))?;
        let mut reader = response.into_reader();
        let mut done = offset;
        let mut buf = vec![0u8; 64 * 1024];
        progress(done, total);
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Keep what arrived: the retry resumes from it.
                    let _ = file.sync_data();
                    return Err(match total {
                        Some(expected) => UpdateError::Truncated {
                            url: url.to_owned(),
                            got: done,
                            expected,
                        },
                        None => network(url, e),
                    });
                }
            };
            done += n as u64;
            if done > limit {
                drop(file);
                let _ = std::fs::remove_file(part);
                return Err(UpdateError::TooLarge {
                    url: url.to_owned(),
                    size: done,
                    limit,
                });
            }
            file.write_all(&buf[..n])
                .map_err(|e| UpdateError::io("write", part, e))?;
            progress(done, total);
        }
        file.sync_all()
            .map_err(|e| UpdateError::io("sync", part, e))?;
        if let Some(expected) = total.filter(|t| done < *t) {
            return Err(UpdateError::Truncated {
                url: url.to_owned(),
                got: done,
                expected,
            });
        }
        Ok(done)
    }

    fn restart_from_zero(&self, part: &Path) -> Result<(), UpdateError> {
        match std::fs::remove_file(part) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(UpdateError::io("remove", part, e)),
        }
    }
}
