//! The one decoder of asset paths: what a `traykit://` (or
//! `traykit-isolation://`) request's path names, or why it names nothing.
//!
//! Used by every way an asset is found (registered bytes, embedded folders,
//! folders on disk, the isolation frame) so that they cannot disagree about
//! what a path means. Plain `std`, no other dependency: the fuzz target
//! (`fuzz/fuzz_targets/asset_path.rs`) includes this file as it is.
//!
//! Order matters and is the fix of a traversal (issue 12, item 2): the
//! leading `/` used to be trimmed *before* percent-decoding, so
//! `/%2Fetc%2Fpasswd` decoded to an absolute path that `dir.join` let
//! replace the folder. Here the path is decoded first (exactly once: `%252e`
//! stays the three characters `%2e`), then every check runs on the decoded
//! text.
//!
//! **Invariant:** an accepted path is non-empty, relative, made of non-empty
//! segments none of which is `.` or `..`, and holds no NUL, no other control
//! character and no backslash; joined to a folder it stays inside it
//! lexically (symlinks are the caller's to check).

/// The longest raw path looked at; anything longer is refused before it is
/// decoded. Real asset paths are far shorter, and PATH_MAX is 4096.
pub(crate) const MAX_PATH: usize = 4096;

/// Why a request path names no asset. Each answers 404; the reason goes to
/// the debug log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum PathError {
    /// Longer than [`MAX_PATH`] bytes before decoding.
    TooLong,
    /// Not an origin-relative path (`/…`): a URI's path always is one.
    NotRooted,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
    /// A NUL or another control character (after decoding).
    Control,
    /// A backslash, which some layers (and Windows) read as a separator.
    Backslash,
    /// Absolute after decoding (`/%2Fetc`, `//etc`).
    Absolute,
    /// A `..` segment (after decoding: `%2e%2e`, `..%2f`).
    DotDot,
    /// A `.` segment, or an empty one (`a//b`): never made by a browser,
    /// which normalises them away, so a request with one is crafted.
    OddSegment,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TooLong => "path too long",
            Self::NotRooted => "path does not start with /",
            Self::BadEscape => "invalid percent escape",
            Self::NotUtf8 => "path is not UTF-8",
            Self::Control => "control character in path",
            Self::Backslash => "backslash in path",
            Self::Absolute => "absolute path",
            Self::DotDot => "`..` in path",
            Self::OddSegment => "empty or `.` segment in path",
        })
    }
}

/// The asset a request path names, relative to the asset root: the path
/// percent-decoded once, `index.html` for a folder (`/`, `/docs/`).
///
/// `raw` is the URI's path; a query (`?…`) or fragment (`#…`) still on it is
/// cut off first (an *encoded* `%3F` is part of the name).
pub(crate) fn decode(raw: &str) -> Result<String, PathError> {
    if raw.len() > MAX_PATH {
        return Err(PathError::TooLong);
    }
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    let rest = raw.strip_prefix('/').ok_or(PathError::NotRooted)?;
    let bytes = percent_decode(rest)?;
    let path = String::from_utf8(bytes).map_err(|_| PathError::NotUtf8)?;
    if path.chars().any(char::is_control) {
        return Err(PathError::Control);
    }
    if path.contains('\\') {
        return Err(PathError::Backslash);
    }
    if path.starts_with('/') {
        return Err(PathError::Absolute);
    }
    // A folder (the root, or a trailing `/`) means its index page.
    let (dir, file) = match path.rsplit_once('/') {
        Some((dir, "")) => (Some(dir), ""),
        _ => (None, path.as_str()),
    };
    let segments = dir.unwrap_or(&path);
    if !segments.is_empty() {
        for segment in segments.split('/') {
            match segment {
                ".." => return Err(PathError::DotDot),
                "" | "." => return Err(PathError::OddSegment),
                _ => {}
            }
        }
    }
    Ok(match (dir, file) {
        (Some(dir), _) => format!("{dir}/index.html"),
        (None, "") => "index.html".to_owned(),
        (None, _) => path,
    })
}

/// `%XX` to the byte XX; a `%` without two hex digits after it is an error
/// rather than a literal, so that no two layers read one path two ways.
fn percent_decode(s: &str) -> Result<Vec<u8>, PathError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |at: usize| {
                bytes
                    .get(at)
                    .and_then(|h| (*h as char).to_digit(16))
                    .ok_or(PathError::BadEscape)
            };
            let value = hex(i + 1)? * 16 + hex(i + 2)?;
            out.push(u8::try_from(value).map_err(|_| PathError::BadEscape)?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_to_plain_relative_names_or_are_refused() {
        use PathError::*;
        let cases: &[(&str, Result<&str, PathError>)] = &[
            // What pages really ask for.
            ("/", Ok("index.html")),
            ("", Err(NotRooted)),
            ("/index.html", Ok("index.html")),
            ("/app.js", Ok("app.js")),
            ("/a%20b.css", Ok("a b.css")),
            ("/sub/page.html", Ok("sub/page.html")),
            ("/docs/", Ok("docs/index.html")),
            ("/a/b/", Ok("a/b/index.html")),
            ("/%E2%9C%93.html", Ok("✓.html")),
            ("/✓.html", Ok("✓.html")),
            ("/page.html?x=1", Ok("page.html")),
            ("/page.html#top", Ok("page.html")),
            ("/?../../etc/passwd", Ok("index.html")),
            ("/#/../../etc/passwd", Ok("index.html")),
            ("/q%3F.html", Ok("q?.html")),
            ("/h%23.html", Ok("h#.html")),
            ("/..a/b..", Ok("..a/b..")),
            ("/.hidden", Ok(".hidden")),
            ("/a.../x", Ok("a.../x")),
            // Double encoding: decoded once, so `%2e` stays a literal name.
            ("/%252e%252e/etc/passwd", Ok("%2e%2e/etc/passwd")),
            ("/%252Fetc%252Fpasswd", Ok("%2Fetc%2Fpasswd")),
            // The exploit and its relatives: absolute after decoding.
            ("/%2Fetc%2Fpasswd", Err(Absolute)),
            ("/%2fetc/passwd", Err(Absolute)),
            ("//etc/passwd", Err(Absolute)),
            ("///etc/passwd", Err(Absolute)),
            // `..` in every spelling.
            ("/..", Err(DotDot)),
            ("/../secret", Err(DotDot)),
            ("/a/../../secret", Err(DotDot)),
            ("/a/..", Err(DotDot)),
            ("/a/../", Err(DotDot)),
            ("/%2e%2e/secret", Err(DotDot)),
            ("/%2E%2E/secret", Err(DotDot)),
            ("/.%2e/secret", Err(DotDot)),
            ("/%2e./secret", Err(DotDot)),
            ("/..%2fsecret", Err(DotDot)),
            ("/..%2Fsecret", Err(DotDot)),
            ("/a%2f..%2f..%2fsecret", Err(DotDot)),
            ("/a/%2e%2e%2f%2e%2e%2fsecret", Err(DotDot)),
            // Backslashes, raw or encoded.
            ("/..\\secret", Err(Backslash)),
            ("/..%5csecret", Err(Backslash)),
            ("/..%5Csecret", Err(Backslash)),
            ("/a\\b", Err(Backslash)),
            // NUL and other control characters.
            ("/index.html%00.png", Err(Control)),
            ("/%00", Err(Control)),
            ("/a%0Ab", Err(Control)),
            ("/a%0d", Err(Control)),
            ("/a%7f", Err(Control)),
            ("/a%C2%85", Err(Control)),
            // Odd segments no browser sends.
            ("/.", Err(OddSegment)),
            ("/./index.html", Err(OddSegment)),
            ("/a/./b", Err(OddSegment)),
            ("/%2e/index.html", Err(OddSegment)),
            ("/a//b", Err(OddSegment)),
            ("/a%2f%2fb", Err(OddSegment)),
            ("/a//", Err(OddSegment)),
            // Broken escapes, and bytes that are not UTF-8.
            ("/%", Err(BadEscape)),
            ("/%2", Err(BadEscape)),
            ("/%zz", Err(BadEscape)),
            ("/%2g", Err(BadEscape)),
            ("/%%32%65", Err(BadEscape)),
            ("/%+1", Err(BadEscape)),
            ("/%-1", Err(BadEscape)),
            ("/%ff", Err(NotUtf8)),
            ("/%c0%ae%c0%ae/secret", Err(NotUtf8)),
            ("/%e0%80%ae", Err(NotUtf8)),
            ("/%ed%a0%80", Err(NotUtf8)),
            // No leading slash: not a URI path.
            ("index.html", Err(NotRooted)),
            ("%2Fetc%2Fpasswd", Err(NotRooted)),
        ];
        for (raw, want) in cases {
            assert_eq!(decode(raw).as_deref(), want.as_deref(), "{raw:?}");
        }
        assert_eq!(decode(&format!("/{}", "a".repeat(MAX_PATH))), Err(TooLong));
        assert!(decode(&format!("/{}", "a".repeat(MAX_PATH - 1))).is_ok());
        // A percent escape of a multi-byte character in any case works.
        assert_eq!(decode("/%c3%a9").as_deref(), Ok("é"));
    }

    #[test]
    fn accepted_paths_stay_inside_a_folder() {
        let root = std::path::Path::new("/srv/app");
        for raw in ["/", "/a/b/", "/x%2fy", "/%252e%252e/z", "/...", "/a..b/"] {
            let rel = decode(raw).expect(raw);
            let joined = root.join(&rel);
            assert!(joined.starts_with(root), "{raw} -> {}", joined.display());
            assert!(std::path::Path::new(&rel).is_relative());
            assert!(std::path::Path::new(&rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_))));
        }
    }
}
