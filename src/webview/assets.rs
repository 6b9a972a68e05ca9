//! The app's pages, served from `traykit://localhost/…` out of memory:
//! files embedded at compile time (rust-embed) or registered as bytes.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use wry::http::{header, Request, Response, StatusCode};

use super::asset_path;
use super::inline_scripts::inline_scripts;

/// The default Content-Security-Policy of served documents (HTML, XHTML,
/// SVG, XML): only the app's own origin, no inline scripts, no plugins, no
/// framing. The IPC bridge is
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
    /// `path` is what [`asset_path::decode`] accepted: plain and relative.
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes.clone());
        }
        if let Some(bytes) = self.embedded.iter().find_map(|lookup| lookup(path)) {
            return Some(bytes);
        }
        self.dirs
            .iter()
            .find_map(|dir| read_inside(dir, path))
            .map(Cow::Owned)
    }

    /// Answers one request of the custom protocol.
    pub(crate) fn serve(&self, request: &Request<Vec<u8>>) -> Response<Cow<'static, [u8]>> {
        let raw = request.uri().path();
        // Refused paths never reach a lookup, let alone the filesystem.
        let path = match asset_path::decode(raw) {
            Ok(path) => path,
            Err(reason) => {
                tracing::debug!(path = %raw, %reason, "asset path refused");
                return not_found(raw);
            }
        };
        let Some(body) = self.get(&path) else {
            tracing::debug!(%path, "asset not found");
            return not_found(&path);
        };
        let mime = mime_guess::from_path(&path).first_or_octet_stream();
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, mime.essence_str())
            .header(header::CACHE_CONTROL, "no-cache");
        if let Some(kind) = document_kind(mime.essence_str()) {
            response = response.header("Content-Security-Policy", self.policy_for(kind, &body));
        }
        response.body(body).unwrap_or_default()
    }
}

/// The answer to a path that names no asset. The path is echoed as the
/// decoder saw it (the page asked for it; nothing of the disk is in it).
fn not_found(path: &str) -> Response<Cow<'static, [u8]>> {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Cow::Owned(
            format!("traykit: no asset `{}`", path.escape_debug()).into_bytes(),
        ))
        .unwrap_or_default()
}

/// The isolation scheme (`traykit-isolation://localhost/`) has one document,
/// at `/` (or `/index.html`); every other path, decoded by the same rules
/// as assets, is answered 404 here before the frame's document (and its
/// key) is built.
pub(crate) fn refuse_isolation_path(
    request: &Request<Vec<u8>>,
) -> Option<Response<Cow<'static, [u8]>>> {
    let raw = request.uri().path();
    match asset_path::decode(raw) {
        Ok(path) if path == "index.html" => None,
        _ => {
            tracing::debug!(path = %raw, "isolation frame path refused");
            Some(not_found(raw))
        }
    }
}

/// `rel` read from `dir`, only if the file it resolves to — symlinks
/// followed — is inside `dir` (itself resolved). A symlink inside the folder
/// to a file inside it is served; one that leads out is not found.
///
/// Resolving follows links (`canonicalize` stats their targets) but nothing
/// outside is opened. The file read is the resolved path, so a link swapped
/// between check and read is not followed; a process that can write the
/// folder can change what is served anyway.
fn read_inside(dir: &std::path::Path, rel: &str) -> Option<Vec<u8>> {
    let root = dir.canonicalize().ok()?;
    let file = root.join(rel).canonicalize().ok()?;
    if !file.starts_with(&root) {
        tracing::warn!(path = %rel, folder = %root.display(), "asset resolves outside its folder: not served");
        return None;
    }
    if !file.is_file() {
        return None;
    }
    std::fs::read(&file).ok()
}

/// Responses the browser may render as a document, and so run script in:
/// these get the policy. Other types (scripts, styles, images as images)
/// are subresources the page's policy already governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DocumentKind {
    /// Parsed as HTML: its inline scripts can be found and hashed.
    Html,
    /// XHTML, SVG, any XML: script elements under XML parsing rules
    /// (CDATA, entities) that the HTML scanner does not model, so no hashes
    /// are added; such a document's inline scripts need a relaxation.
    Xml,
    /// No type known (`application/octet-stream`): the browser may sniff it
    /// into a document.
    Unknown,
}

fn document_kind(essence: &str) -> Option<DocumentKind> {
    match essence {
        "text/html" => Some(DocumentKind::Html),
        "application/xhtml+xml" | "image/svg+xml" | "text/xml" | "application/xml" | "text/xsl" => {
            Some(DocumentKind::Xml)
        }
        e if e.ends_with("+xml") => Some(DocumentKind::Xml),
        "application/octet-stream" => Some(DocumentKind::Unknown),
        _ => None,
    }
}

impl Assets {
    /// The policy a document is served with: the app's, plus (for HTML) the
    /// hashes of the file's inline scripts (so a page may keep an inline script
    /// without `'unsafe-inline'`), plus the isolation frame's scheme.
    fn policy_for(&self, kind: DocumentKind, body: &[u8]) -> String {
        let mut policy = self.csp.clone();
        let unsafe_inline =
            directive(&policy, "script-src").is_some_and(|d| d.contains("'unsafe-inline'"));
        if self.csp_hashes && !unsafe_inline && kind == DocumentKind::Html {
            for script in inline_scripts(body) {
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
        assert_eq!(
            scripts,
            vec![
                Cow::Borrowed(&b"alert(1)"[..]),
                Cow::Borrowed(&b"\nx()\n"[..])
            ]
        );
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

    /// A folder on disk with what a traversal would be after: a secret next
    /// to the served folder, and symlinks in it leading inside and out.
    struct Tree {
        root: std::path::PathBuf,
    }

    impl Tree {
        fn new(name: &str) -> Self {
            let root =
                std::env::temp_dir().join(format!("traykit-assets-{name}-{}", std::process::id()));
            std::fs::remove_dir_all(&root).ok();
            let served = root.join("served");
            std::fs::create_dir_all(served.join("docs")).expect("dir");
            std::fs::write(root.join("secret.txt"), "SECRET").expect("write");
            std::fs::write(served.join("index.html"), "<p>home</p>").expect("write");
            std::fs::write(served.join("page.html"), "<p>page</p>").expect("write");
            std::fs::write(served.join("docs/index.html"), "<p>docs</p>").expect("write");
            std::fs::write(served.join("%2e%2e"), "literal name").expect("write");
            let link = |target: &str, name: &str| {
                std::os::unix::fs::symlink(target, served.join(name)).expect("symlink");
            };
            link("page.html", "inside.html");
            link("docs", "docs-link");
            link("../secret.txt", "out.txt");
            link(
                root.join("secret.txt").to_str().expect("utf-8"),
                "abs-out.txt",
            );
            link("..", "up");
            link("/etc", "etc");
            Self { root }
        }

        fn served(&self) -> std::path::PathBuf {
            self.root.join("served")
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            std::fs::remove_dir_all(&self.root).ok();
        }
    }

    /// Through `serve` (what the protocol handler calls), with a folder on
    /// disk: the exploit of issue 12 and its relatives are not found, and
    /// nothing outside the folder is ever served, however it is spelled.
    #[test]
    fn a_folder_on_disk_serves_only_what_is_inside_it() {
        let tree = Tree::new("dir");
        let mut assets = Assets::default();
        assets.dir(tree.served());
        let secret = tree.root.join("secret.txt");
        let secret = secret.to_str().expect("utf-8");
        let encoded_secret = secret.replace('/', "%2F");
        let cases: Vec<(String, Option<&str>)> = vec![
            ("/".into(), Some("<p>home</p>")),
            ("/page.html".into(), Some("<p>page</p>")),
            ("/docs/".into(), Some("<p>docs</p>")),
            ("/inside.html".into(), Some("<p>page</p>")),
            ("/docs-link/index.html".into(), Some("<p>docs</p>")),
            ("/%252e%252e".into(), Some("literal name")),
            // The exploit, as reported.
            ("/%2Fetc%2Fpasswd".into(), None),
            (format!("/{encoded_secret}"), None),
            (format!("/{secret}"), None),
            ("//etc/passwd".into(), None),
            ("/../secret.txt".into(), None),
            ("/%2e%2e/secret.txt".into(), None),
            ("/%2E%2E%2Fsecret.txt".into(), None),
            ("/..%2fsecret.txt".into(), None),
            ("/docs/..%2f..%2fsecret.txt".into(), None),
            ("/..%5csecret.txt".into(), None),
            ("/page.html%00".into(), None),
            ("/%c0%ae%c0%ae/secret.txt".into(), None),
            // Symlinks out of the folder, to a file or a folder.
            ("/out.txt".into(), None),
            ("/abs-out.txt".into(), None),
            ("/up/secret.txt".into(), None),
            ("/etc/passwd".into(), None),
            ("/etc/hostname".into(), None),
            // The folder itself is not a file.
            ("/docs".into(), None),
        ];
        for (path, want) in &cases {
            let r = get(&assets, &format!("traykit://localhost{path}"));
            match want {
                Some(body) => {
                    assert_eq!(r.status().as_u16(), 200, "{path}");
                    assert_eq!(r.body().as_ref(), body.as_bytes(), "{path}");
                }
                None => {
                    assert_eq!(r.status().as_u16(), 404, "{path}");
                    let body = String::from_utf8_lossy(r.body());
                    assert!(
                        !body.contains("SECRET") && !body.contains("root:"),
                        "{path}: {body}"
                    );
                }
            }
        }
    }

    /// Embedded folders and registered files are looked up with the decoded
    /// path only: a lookup that would answer anything (as a naive embed of
    /// a folder might) is never asked for a path that leaves its root.
    #[test]
    fn embedded_and_registered_assets_see_only_decoded_plain_paths() {
        fn echo(path: &str) -> Option<Cow<'static, [u8]>> {
            Some(Cow::Owned(path.as_bytes().to_vec()))
        }
        let mut assets = Assets::default();
        assets.insert("a b.html", Cow::Borrowed(b"registered"));
        assets.embedded.push(echo);
        let cases = [
            ("/a%20b.html", Some("registered")),
            ("/x/y.js", Some("x/y.js")),
            ("/x/", Some("x/index.html")),
            ("/%78.js?v=1#f", Some("x.js")),
            ("/%252e%252e/x", Some("%2e%2e/x")),
            ("/%2Fetc%2Fpasswd", None),
            ("/%2e%2e/x", None),
            ("/..%2Fx", None),
            ("/a/%2e%2e/%2e%2e/x", None),
            ("/%5c..%5cx", None),
            ("/x%00.js", None),
            ("/%zz", None),
            ("/%ff", None),
            ("/./x", None),
        ];
        for (path, want) in cases {
            let r = get(&assets, &format!("traykit://localhost{path}"));
            match want {
                Some(body) => {
                    assert_eq!(r.status().as_u16(), 200, "{path}");
                    assert_eq!(r.body().as_ref(), body.as_bytes(), "{path}");
                }
                None => assert_eq!(r.status().as_u16(), 404, "{path}"),
            }
        }
    }

    #[test]
    fn the_isolation_scheme_serves_its_one_document_only() {
        let cases = [
            ("traykit-isolation://localhost/", true),
            ("traykit-isolation://localhost/index.html", true),
            ("traykit-isolation://localhost/?x=1", true),
            ("traykit-isolation://localhost/other.html", false),
            ("traykit-isolation://localhost/%2Fetc%2Fpasswd", false),
            ("traykit-isolation://localhost/%2e%2e/", false),
            ("traykit-isolation://localhost//", false),
            ("traykit-isolation://localhost/%00", false),
        ];
        for (uri, served) in cases {
            let request = Request::builder()
                .uri(uri)
                .body(Vec::new())
                .expect("request");
            let refused = refuse_isolation_path(&request);
            assert_eq!(refused.is_none(), served, "{uri}");
            if let Some(r) = refused {
                assert_eq!(r.status().as_u16(), 404, "{uri}");
            }
        }
    }

    /// Every type the browser may render as a document, and so run script
    /// in, carries the policy; HTML also gets its scripts' hashes.
    #[test]
    fn every_document_type_gets_the_policy() {
        let mut assets = Assets::default();
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        let cases: [(&str, &[u8], Option<&str>); 10] = [
            ("p.html", b"<script>alert(1)</script>", Some("text/html")),
            ("p.htm", b"<script>alert(1)</script>", Some("text/html")),
            ("i.svg", svg, Some("image/svg+xml")),
            ("p.xhtml", svg, Some("application/xhtml+xml")),
            ("d.xml", svg, Some("text/xml")),
            ("f.atom", svg, Some("application/atom+xml")),
            ("noext", svg, Some("application/octet-stream")),
            ("a.js", b"1", None),
            ("s.css", b"p{}", None),
            ("i.png", b"png", None),
        ];
        for (name, body, _) in &cases {
            assets.insert(name, Cow::Borrowed(body));
        }
        for (name, _, want) in cases {
            let r = get(&assets, &format!("traykit://localhost/{name}"));
            assert_eq!(r.status().as_u16(), 200, "{name}");
            let csp = r
                .headers()
                .get("Content-Security-Policy")
                .map(|v| v.to_str().expect("ascii").to_owned());
            match want {
                Some(mime) => {
                    assert_eq!(r.headers()[header::CONTENT_TYPE], mime, "{name}");
                    let csp = csp.unwrap_or_else(|| panic!("{name}: no CSP"));
                    assert!(
                        csp.starts_with("default-src 'self' traykit:"),
                        "{name}: {csp}"
                    );
                    // Hashes only where the HTML scanner knows the rules.
                    assert_eq!(
                        csp.contains("'sha256-"),
                        mime == "text/html",
                        "{name}: {csp}"
                    );
                }
                None => assert_eq!(csp, None, "{name}"),
            }
        }
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
