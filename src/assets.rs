//! The app's pages, served from `traykit://localhost/…` out of memory:
//! files embedded at compile time (rust-embed) or registered as bytes.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use wry::http::{header, Request, Response, StatusCode};

/// The default Content-Security-Policy of served HTML: only the app's own
/// origin, no inline scripts, no plugins, no framing. The IPC bridge is
/// injected as a user script, which CSP does not apply to.
pub const DEFAULT_CSP: &str = "default-src 'self' traykit:; script-src 'self' traykit:; \
style-src 'self' traykit: 'unsafe-inline'; img-src 'self' traykit: data: blob:; \
font-src 'self' traykit: data:; connect-src 'self' traykit:; object-src 'none'; \
base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

type Lookup = fn(&str) -> Option<Cow<'static, [u8]>>;

/// Everything a page can load from the app.
pub(crate) struct Assets {
    files: HashMap<String, Cow<'static, [u8]>>,
    embedded: Vec<Lookup>,
    /// Folders read at request time (development, generated pages).
    dirs: Vec<std::path::PathBuf>,
    pub(crate) csp: String,
    /// Allow the inline scripts of served HTML by their SHA-256 hashes.
    pub(crate) csp_hashes: bool,
    /// The isolation pattern is on: pages may frame the isolation scheme.
    pub(crate) isolation: bool,
}

impl Default for Assets {
    fn default() -> Self {
        Self {
            files: HashMap::new(),
            embedded: Vec::new(),
            dirs: Vec::new(),
            csp: DEFAULT_CSP.to_owned(),
            csp_hashes: true,
            isolation: false,
        }
    }
}

impl Assets {
    pub(crate) fn insert(&mut self, path: &str, bytes: Cow<'static, [u8]>) {
        self.files
            .insert(path.trim_start_matches('/').to_owned(), bytes);
    }

    pub(crate) fn embed<E: rust_embed::RustEmbed>(&mut self) {
        self.embedded.push(|path| E::get(path).map(|f| f.data));
    }

    pub(crate) fn dir(&mut self, dir: std::path::PathBuf) {
        self.dirs.push(dir);
    }

    /// Registered files first, then embedded folders, then folders on disk.
    /// `path` never contains `..` (checked by the caller).
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes.clone());
        }
        if let Some(bytes) = self.embedded.iter().find_map(|lookup| lookup(path)) {
            return Some(bytes);
        }
        self.dirs
            .iter()
            .find_map(|dir| std::fs::read(dir.join(path)).ok())
            .map(Cow::Owned)
    }

    /// Answers one request of the custom protocol.
    pub(crate) fn serve(&self, request: &Request<Vec<u8>>) -> Response<Cow<'static, [u8]>> {
        let raw = request.uri().path();
        let path = percent_decode(raw.trim_start_matches('/'));
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        };
        let found = (!path.split(['/', '\\']).any(|seg| seg == ".."))
            .then(|| self.get(&path))
            .flatten();
        let Some(body) = found else {
            tracing::debug!(%path, "asset not found");
            return Response::builder()
                .status(StatusCode::NOT_FOUND)
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Cow::Owned(
                    format!("traykit: no asset `{path}`").into_bytes(),
                ))
                .unwrap_or_default();
        };
        let mime = mime_guess::from_path(&path).first_or_octet_stream();
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, mime.essence_str())
            .header(header::CACHE_CONTROL, "no-cache");
        if mime.essence_str() == "text/html" {
            response = response.header("Content-Security-Policy", self.policy_for(&body));
        }
        response.body(body).unwrap_or_default()
    }
}

impl Assets {
    /// The policy an HTML file is served with: the app's, plus the hashes of
    /// the file's inline scripts (so a page may keep an inline script
    /// without `'unsafe-inline'`), plus the isolation frame's scheme.
    fn policy_for(&self, html: &[u8]) -> String {
        let mut policy = self.csp.clone();
        let unsafe_inline =
            directive(&policy, "script-src").is_some_and(|d| d.contains("'unsafe-inline'"));
        if self.csp_hashes && !unsafe_inline {
            for script in inline_scripts(html) {
                let digest = base64::engine::general_purpose::STANDARD
                    .encode(<sha2::Sha256 as sha2::Digest>::digest(script));
                policy = add_source(&policy, "script-src", &format!("'sha256-{digest}'"));
            }
        }
        if self.isolation {
            policy = add_source(&policy, "frame-src", "traykit-isolation:");
        }
        policy
    }
}

/// The sources of `name` in `policy`, if it has that directive.
fn directive<'a>(policy: &'a str, name: &str) -> Option<&'a str> {
    policy.split(';').map(str::trim).find(|d| {
        d.split_ascii_whitespace()
            .next()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// Adds `source` to directive `name` (`script-src`, `frame-src`). When the
/// policy has no such directive, the source goes to `default-src`, which
/// the browser falls back to; a policy without either is left alone (it
/// already allows everything for that directive).
fn add_source(policy: &str, name: &str, source: &str) -> String {
    let target = if directive(policy, name).is_some() {
        name
    } else if directive(policy, "default-src").is_some() {
        "default-src"
    } else {
        return policy.to_owned();
    };
    policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let is_target = d
                .split_ascii_whitespace()
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(target));
            if is_target && !d.split_ascii_whitespace().any(|s| s == source) {
                // `'none'` cannot be combined with sources.
                let kept: Vec<&str> = d
                    .split_ascii_whitespace()
                    .filter(|s| *s != "'none'")
                    .collect();
                format!("{} {source}", kept.join(" "))
            } else {
                d.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The contents of the inline `<script>` elements of an HTML document (those
/// without `src`), byte for byte as the browser hashes them.
fn inline_scripts(html: &[u8]) -> Vec<&[u8]> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&lower[at..], b"<script").map(|i| i + at) {
        let Some(tag_end) = find(&lower[start..], b">").map(|i| i + start) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let Some(close) = find(&lower[tag_end..], b"</script").map(|i| i + tag_end) else {
            break;
        };
        let has_src = tag
            .split(|b| b.is_ascii_whitespace())
            .any(|attr| attr.starts_with(b"src="));
        if !has_src {
            out.push(&html[tag_end + 1..close]);
        }
        at = close + b"</script".len();
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(assets: &Assets, uri: &str) -> Response<Cow<'static, [u8]>> {
        assets.serve(
            &Request::builder()
                .uri(uri)
                .body(Vec::new())
                .expect("request"),
        )
    }

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_isolation_by_scheme() {
        let html = b"<html><script>alert(1)</script><script src=\"a.js\"></script><SCRIPT type=module>\nx()\n</SCRIPT></html>";
        let scripts = inline_scripts(html);
        assert_eq!(scripts, vec![&b"alert(1)"[..], &b"\nx()\n"[..]]);
        let mut assets = Assets::default();
        assets.insert("index.html", Cow::Borrowed(html));
        let r = get(&assets, "traykit://localhost/");
        let csp = r.headers()["Content-Security-Policy"]
            .to_str()
            .expect("ascii");
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            csp.contains(
                "script-src 'self' traykit: 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
            ),
            "{csp}"
        );
        assert!(!csp.contains("frame-src"), "{csp}");
        assets.isolation = true;
        let csp = get(&assets, "traykit://localhost/").headers()["Content-Security-Policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            csp.contains("default-src 'self' traykit: traykit-isolation:"),
            "{csp}"
        );
        assets.csp_hashes = false;
        assets.csp = "default-src 'none'; frame-src 'none'".into();
        let csp = get(&assets, "traykit://localhost/").headers()["Content-Security-Policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(csp, "default-src 'none'; frame-src traykit-isolation:");
        assert_eq!(add_source("", "script-src", "'x'"), "");
    }

    #[test]
    fn folders_on_disk_are_served_without_escaping_them() {
        let dir = std::env::temp_dir().join(format!("traykit-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("dir");
        std::fs::write(dir.join("sub/page.html"), "<p>disk</p>").expect("write");
        let mut assets = Assets::default();
        assets.dir(dir.join("sub"));
        let ok = get(&assets, "traykit://localhost/page.html");
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(ok.body().as_ref(), b"<p>disk</p>");
        let escape = get(&assets, "traykit://localhost/../sub/page.html");
        assert_eq!(escape.status().as_u16(), 404);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn serves_with_mime_and_csp() {
        let mut assets = Assets::default();
        assets.insert("index.html", Cow::Borrowed(b"<p>hi</p>"));
        assets.insert("app.js", Cow::Borrowed(b"1"));
        assets.insert("a b.css", Cow::Borrowed(b"x"));
        let cases = [
            ("traykit://localhost/", 200, "text/html", true),
            ("traykit://localhost/index.html", 200, "text/html", true),
            ("traykit://localhost/app.js", 200, "text/javascript", false),
            ("traykit://localhost/a%20b.css", 200, "text/css", false),
            (
                "traykit://localhost/missing.png",
                404,
                "text/plain; charset=utf-8",
                false,
            ),
            (
                "traykit://localhost/../secret",
                404,
                "text/plain; charset=utf-8",
                false,
            ),
        ];
        for (uri, status, mime, csp) in cases {
            let r = get(&assets, uri);
            assert_eq!(r.status().as_u16(), status, "{uri}");
            assert_eq!(r.headers()[header::CONTENT_TYPE], mime, "{uri}");
            assert_eq!(
                r.headers().contains_key("Content-Security-Policy"),
                csp,
                "{uri}"
            );
        }
    }
}
