//! HTTP: the feed request and resumable artifact downloads, blocking (run
//! them on a blocking thread). Timeouts on connect and on every read; a cut
//! connection or a 5xx is retried with exponential backoff, and a download
//! resumes from the bytes already on disk with an HTTP `Range` request.
//!
//! **Invariant:** every request, and every redirect hop, goes to an
//! `https://` address; plain `http://` only to loopback and only when
//! [`NetOptions::allow_insecure_loopback`] is set; a redirect from HTTPS to
//! HTTP never. Redirects are followed here, not by ureq, so each hop is
//! checked ([`check_url`], [`check_redirect`]) before it is requested.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::error::UpdateError;

/// Network limits and retry policy, given with
/// [`UpdaterConfig::network`](crate::UpdaterConfig::network).
///
/// ```
/// use std::time::Duration;
/// use traykit_updater::{NetOptions, UpdaterConfig};
///
/// let net = NetOptions {
///     retries: 5,
///     connect_timeout: Duration::from_secs(20),
///     ..NetOptions::default()
/// };
/// let config = UpdaterConfig::new("1.0.0", ["https://example.com/latest.json"], "RWQ…")
///     .network(net);
/// # let _ = config;
/// ```
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
    /// Admit `http://` to loopback addresses (tests, local mirrors).
    pub allow_insecure_loopback: bool,
}

/// Redirect hops followed per request.
const MAX_REDIRECTS: usize = 5;

fn insecure(url: &str, reason: impl Into<String>) -> UpdateError {
    UpdateError::Insecure {
        url: url.to_owned(),
        reason: reason.into(),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether `url` may be requested: `https://`, or `http://` to a loopback
/// host when `allow_insecure_loopback`. Anything else (another scheme, an
/// unparsable address) is [`UpdateError::Insecure`].
pub fn check_url(url: &str, allow_insecure_loopback: bool) -> Result<url::Url, UpdateError> {
    let parsed = url::Url::parse(url).map_err(|e| insecure(url, format!("not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_insecure_loopback && is_loopback(&parsed) => Ok(parsed),
        "http" if allow_insecure_loopback => Err(insecure(
            url,
            "plain http is admitted only to loopback (127.0.0.0/8, ::1, localhost)",
        )),
        "http" => Err(insecure(
            url,
            "plain http (use https, or `allow_insecure_loopback` for a loopback test server)",
        )),
        other => Err(insecure(url, format!("scheme `{other}` is not https"))),
    }
}

/// Whether a redirect from `from` to `location` (its `Location` header,
/// maybe relative) may be followed: never from HTTPS down to HTTP, and the
/// target must pass [`check_url`]. Returns the absolute target.
pub fn check_redirect(
    from: &url::Url,
    location: &str,
    allow_insecure_loopback: bool,
) -> Result<url::Url, UpdateError> {
    let to = from
        .join(location)
        .map_err(|e| insecure(location, format!("unreadable redirect from {from}: {e}")))?;
    if from.scheme() == "https" && to.scheme() != "https" {
        return Err(insecure(
            to.as_str(),
            format!("redirect from {from} downgrades https to {}", to.scheme()),
        ));
    }
    check_url(to.as_str(), allow_insecure_loopback)
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
            allow_insecure_loopback: false,
        }
    }
}

/// A blocking HTTP client with the options applied (used by the updater
/// and the release tool; apps never need one).
#[doc(hidden)]
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

/// One response body on its way into the part file.
struct Transfer<'a> {
    url: &'a str,
    part: &'a Path,
    /// The most bytes the file may reach.
    limit: u64,
    /// The whole file's size, if the server said.
    total: Option<u64>,
}

impl Transfer<'_> {
    /// Appends the body to `file` (which holds `offset` bytes already) and
    /// syncs it; returns the file's size. A cut connection keeps what
    /// arrived, for the retry to resume from; going over the limit deletes
    /// the file.
    fn receive(
        &self,
        reader: &mut dyn Read,
        mut file: File,
        offset: u64,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<u64, UpdateError> {
        let (url, part, limit, total) = (self.url, self.part, self.limit, self.total);
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
        Ok(done)
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
            // Followed in `get`, each hop checked.
            .redirects(0)
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
        let insecure_ok = self.options.allow_insecure_loopback;
        let mut current = check_url(url, insecure_ok)?;
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.agent.request_url("GET", &current);
            if range_from > 0 {
                request = request.set("Range", &format!("bytes={range_from}-"));
            }
            let response = match request.call() {
                Ok(response) => response,
                Err(ureq::Error::Status(status, _)) => {
                    return Err(UpdateError::Http {
                        url: url.to_owned(),
                        status,
                    })
                }
                Err(ureq::Error::Transport(t)) => return Err(network(url, t)),
            };
            if !matches!(response.status(), 301 | 302 | 303 | 307 | 308) {
                return Ok(response);
            }
            let Some(location) = response.header("Location") else {
                return Err(UpdateError::Http {
                    url: url.to_owned(),
                    status: response.status(),
                });
            };
            let next = check_redirect(&current, location, insecure_ok)?;
            tracing::debug!(from = %current, to = %next, "following redirect");
            current = next;
        }
        Err(network(url, format!("more than {MAX_REDIRECTS} redirects")))
    }

    /// Fetches a feed body. `Ok(None)` is HTTP 204: no update.
    pub fn fetch_feed(&self, url: &str) -> Result<Option<Vec<u8>>, UpdateError> {
        self.fetch_limited(url, self.options.max_feed_bytes)
    }

    /// Like [`fetch_feed`](Self::fetch_feed) with another size limit (a
    /// listing that is known to be larger than a feed).
    pub fn fetch_limited(&self, url: &str, limit: u64) -> Result<Option<Vec<u8>>, UpdateError> {
        self.retrying(|_| {
            let response = self.get(url, 0)?;
            if response.status() == 204 {
                return Ok(None);
            }
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
            self.resumed_span(&response, url, part, have)?
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
        let file = if resumed {
            OpenOptions::new().append(true).open(part)
        } else {
            File::create(part)
        }
        .map_err(|e| UpdateError::io("open", part, e))?;
        let transfer = Transfer {
            url,
            part,
            limit,
            total,
        };
        let done = transfer.receive(&mut response.into_reader(), file, offset, progress)?;
        if let Some(expected) = total.filter(|t| done < *t) {
            return Err(UpdateError::Truncated {
                url: url.to_owned(),
                got: done,
                expected,
            });
        }
        Ok(done)
    }

    /// `(offset, total)` of a 206 answer to a request from byte `have`. Any
    /// other range than the one asked for starts the file over.
    fn resumed_span(
        &self,
        response: &ureq::Response,
        url: &str,
        part: &Path,
        have: u64,
    ) -> Result<(u64, Option<u64>), UpdateError> {
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
        Ok((have, total))
    }

    fn restart_from_zero(&self, part: &Path) -> Result<(), UpdateError> {
        match std::fs::remove_file(part) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(UpdateError::io("remove", part, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_opted_in_loopback_http_is_requested() {
        for url in ["https://u.example/latest.json", "https://127.0.0.1/x"] {
            check_url(url, false).expect(url);
        }
        for url in [
            "http://127.0.0.1:8080/latest.json",
            "http://127.1.2.3/x",
            "http://[::1]:9/x",
            "http://localhost:9/x",
            "http://LOCALHOST/x",
        ] {
            let err = check_url(url, false).expect_err(url);
            assert_eq!(err.kind(), "insecure", "{url}: {err}");
            check_url(url, true).expect(url);
        }
        for url in [
            "http://updates.example/latest.json",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "http://127.0.0.1.evil.example/x",
            "http://[::ffff:8.8.8.8]/x",
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
            "not a url",
        ] {
            let err = check_url(url, true).expect_err(url);
            assert_eq!(err.kind(), "insecure", "{url}: {err}");
        }
    }

    #[test]
    fn redirects_never_downgrade_from_https() {
        let https = url::Url::parse("https://releases.example/latest.json").expect("url");
        let ok = check_redirect(&https, "https://cdn.example/app", false).expect("https→https");
        assert_eq!(ok.as_str(), "https://cdn.example/app");
        let rel = check_redirect(&https, "/v2/latest.json", false).expect("relative");
        // Scheme-relative keeps https.
        check_redirect(&https, "//cdn.example/app", false).expect("scheme-relative");
        assert_eq!(rel.as_str(), "https://releases.example/v2/latest.json");
        // Down to http, even to loopback and even when loopback is admitted.
        for (to, allow) in [
            ("http://cdn.example/app", false),
            ("http://cdn.example/app", true),
            ("http://127.0.0.1/app", true),
        ] {
            let err = check_redirect(&https, to, allow).expect_err(to);
            assert_eq!(err.kind(), "insecure", "{to}: {err}");
        }
        // A loopback test server may redirect on loopback, nowhere else.
        let local = url::Url::parse("http://127.0.0.1:5/latest.json").expect("url");
        check_redirect(&local, "/other.json", true).expect("same server");
        let err =
            check_redirect(&local, "http://updates.example/x", true).expect_err("off loopback");
        assert_eq!(err.kind(), "insecure");
    }
}
