//! The inline scripts of an HTML document, as the browser will run them,
//! for `script-src 'sha256-…'`.
//!
//! A hand-written subset of the WHATWG HTML tokenizer rather than a crate:
//! the one question asked ("which `<script>` bodies will run, and what is
//! their text?") needs the tokenizer's states around tags, comments,
//! raw-text elements and the script-data escape states, and none of a tree
//! builder. html5gum and lol_html were considered: neither is in the
//! dependency tree already, lol_html is a streaming rewriter an order of
//! magnitude larger than this file, and html5gum would still need the
//! script-data handling and the text normalisation done here. What the
//! subset does not model is said where it matters (foreign content).
//!
//! What a wrong answer costs: a hash too few blocks one of the app's own
//! scripts (visible at once, in development); a hash too many allows one
//! more script *text* — always text the app itself shipped in the same
//! file. So when in doubt (a `type` it does not know, an unterminated
//! script) it leaves the script out.

use std::borrow::Cow;

/// The text of each inline script of `html` that the browser would run:
/// `<script>` elements without `src`, of a JavaScript (or module, import
/// map) type, closed by their end tag; outside comments, attribute values
/// and raw-text elements (`<style>`, `<textarea>`, …); the script-data
/// escape rules (`<!-- <script> … </script> -->` inside a script) applied.
///
/// The text is what the browser hashes: the body after input-stream
/// preprocessing (CR LF and lone CR become LF; NUL becomes U+FFFD), as
/// UTF-8. A body that is not UTF-8 is left out (the browser would first
/// decode it in another encoding).
pub(crate) fn inline_scripts(html: &[u8]) -> Vec<Cow<'_, [u8]>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(lt) = memchr(b'<', html, at) {
        let next = html.get(lt + 1).copied();
        at = match next {
            Some(b'!') => skip_markup_declaration(html, lt),
            Some(b'?') => skip_bogus_comment(html, lt + 1),
            Some(b'/') => match html.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => match parse_tag(html, lt + 2) {
                    Some(tag) => tag.end,
                    None => break,
                },
                Some(b'>') => lt + 3,
                Some(_) => skip_bogus_comment(html, lt + 2),
                None => break,
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let Some(tag) = parse_tag(html, lt + 1) else {
                    break; // EOF inside a tag: no element.
                };
                match tag.name.as_str() {
                    "script" => {
                        let Some((body_end, after)) = script_end(html, tag.end) else {
                            break; // never closed: the browser does not run it.
                        };
                        if tag.executable() {
                            if let Some(text) = normalise(&html[tag.end..body_end]) {
                                out.push(text);
                            }
                        }
                        after
                    }
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript"
                    | "textarea" | "title" => match raw_text_end(html, tag.end, &tag.name) {
                        Some(after) => after,
                        None => break,
                    },
                    "plaintext" => break,
                    _ => tag.end,
                }
            }
            _ => lt + 1,
        };
    }
    out
}

/// A start or end tag: its lowercased name, attributes (first of each
/// name wins, as in the browser) and the offset just past its `>`.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a script element with these attributes runs its body (the
    /// "prepare the script element" steps): no `src` (even an empty one),
    /// and a type the browser treats as script.
    fn executable(&self) -> bool {
        if self.attr("src").is_some() {
            return false;
        }
        let ty = match (self.attr("type"), self.attr("language")) {
            (Some(t), _) if !t.is_empty() => t.trim_matches(is_space).to_ascii_lowercase(),
            (None, Some(l)) if !l.is_empty() => format!("text/{}", l.to_ascii_lowercase()),
            _ => return true,
        };
        JS_TYPES.contains(&ty.as_str())
            || matches!(ty.as_str(), "module" | "importmap" | "speculationrules")
    }
}

/// The JavaScript MIME type essences of the HTML standard (compared
/// case-insensitively and without parameters, as it does).
const JS_TYPES: [&str; 16] = [
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

/// HTML's ASCII whitespace as the tokenizer sees it (CR included: input
/// preprocessing turns it into LF first).
fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

fn is_space_byte(b: u8) -> bool {
    is_space(b as char)
}

fn memchr(needle: u8, haystack: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|i| i + from)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Past the `>` that ends a bogus comment starting at `from` (or the end).
fn skip_bogus_comment(html: &[u8], from: usize) -> usize {
    memchr(b'>', html, from).map_or(html.len(), |i| i + 1)
}

/// `<!` at `lt`: a comment (`<!--` … `-->`, also `--!>`, `<!-->`,
/// `<!--->`), or a doctype / CDATA / bogus comment ending at the next `>`
/// (a quoted `>` ends a doctype too).
fn skip_markup_declaration(html: &[u8], lt: usize) -> usize {
    if !html[lt..].starts_with(b"<!--") {
        return skip_bogus_comment(html, lt + 2);
    }
    let body = lt + 4;
    if html[body..].starts_with(b">") {
        return body + 1;
    }
    if html[body..].starts_with(b"->") {
        return body + 2;
    }
    let close = find(html, b"-->", body).map(|i| i + 3);
    let bang = find(html, b"--!>", body).map(|i| i + 4);
    match (close, bang) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(html.len()),
    }
}

/// A tag whose name starts at `from` (just after `<` or `</`), through its
/// attributes to its `>`; `None` at EOF before the `>`.
fn parse_tag(html: &[u8], from: usize) -> Option<Tag> {
    let mut i = from;
    while html
        .get(i)
        .is_some_and(|&b| !is_space_byte(b) && b != b'/' && b != b'>')
    {
        i += 1;
    }
    let name = String::from_utf8_lossy(&html[from..i]).to_ascii_lowercase();
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        // Before an attribute name: whitespace and stray `/` are skipped.
        while html.get(i).is_some_and(|&b| is_space_byte(b) || b == b'/') {
            i += 1;
        }
        match html.get(i)? {
            b'>' => {
                return Some(Tag {
                    name,
                    attrs,
                    end: i + 1,
                })
            }
            _ => {
                // An attribute name; a leading `=` belongs to it.
                let start = i;
                i += 1;
                while html
                    .get(i)
                    .is_some_and(|&b| !is_space_byte(b) && !matches!(b, b'/' | b'>' | b'='))
                {
                    i += 1;
                }
                let attr = String::from_utf8_lossy(&html[start..i]).to_ascii_lowercase();
                while html.get(i).copied().is_some_and(is_space_byte) {
                    i += 1;
                }
                let mut value = String::new();
                if html.get(i) == Some(&b'=') {
                    i += 1;
                    while html.get(i).copied().is_some_and(is_space_byte) {
                        i += 1;
                    }
                    match html.get(i)? {
                        q @ (b'"' | b'\'') => {
                            let close = memchr(*q, html, i + 1)?;
                            value = String::from_utf8_lossy(&html[i + 1..close]).into_owned();
                            i = close + 1;
                        }
                        b'>' => {}
                        _ => {
                            let start = i;
                            while html.get(i).is_some_and(|&b| !is_space_byte(b) && b != b'>') {
                                i += 1;
                            }
                            value = String::from_utf8_lossy(&html[start..i]).into_owned();
                        }
                    }
                }
                if !attrs.iter().any(|(n, _)| *n == attr) {
                    attrs.push((attr, value));
                }
            }
        }
    }
}

/// Whether `</NAME` followed by whitespace, `/` or `>` (an "appropriate end
/// tag") starts at `lt`.
fn is_end_tag(html: &[u8], lt: usize, name: &str) -> bool {
    let rest = &html[lt..];
    rest.len() > name.len() + 2
        && rest.starts_with(b"</")
        && rest[2..2 + name.len()].eq_ignore_ascii_case(name.as_bytes())
        && matches!(
            rest[2 + name.len()],
            b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'
        )
}

/// The end of a raw-text / RCDATA element's content starting at `from`:
/// past its end tag (whose attributes may hold a quoted `>`).
fn raw_text_end(html: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    loop {
        let lt = memchr(b'<', html, at)?;
        if is_end_tag(html, lt, name) {
            return parse_tag(html, lt + 2).map(|t| t.end);
        }
        at = lt + 1;
    }
}

/// Where a script body starting at `from` ends (the `<` of its end tag),
/// and the offset past that end tag; `None` if it never ends.
///
/// The script-data states of the tokenizer: inside a script, `<!--` starts
/// an "escaped" run in which `<script` starts a "double-escaped" one, where
/// `</script>` does *not* end the element (it ends the double escape); `-->`
/// leaves both.
fn script_end(html: &[u8], from: usize) -> Option<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    // Dashes just seen inside an escaped run (for `-->`).
    let mut dashes = 0usize;
    let mut i = from;
    while let Some(&b) = html.get(i) {
        match state {
            State::Data => {
                if b == b'<' {
                    if is_end_tag(html, i, "script") {
                        let after = parse_tag(html, i + 2)?.end;
                        return Some((i, after));
                    }
                    if html[i..].starts_with(b"<!--") {
                        state = State::Escaped;
                        // `<!--` leaves the tokenizer in "escaped dash dash":
                        // `<!-->` is already closed again.
                        dashes = 2;
                        i += 4;
                        continue;
                    }
                }
            }
            State::Escaped | State::DoubleEscaped => {
                if b == b'-' {
                    dashes += 1;
                    i += 1;
                    continue;
                }
                if b == b'>' && dashes >= 2 {
                    state = State::Data;
                } else if b == b'<' {
                    if state == State::Escaped && is_end_tag(html, i, "script") {
                        let after = parse_tag(html, i + 2)?.end;
                        return Some((i, after));
                    }
                    let (open, skip) = if state == State::Escaped {
                        (b"<".as_slice(), 1)
                    } else {
                        (b"</".as_slice(), 2)
                    };
                    if html[i..].starts_with(open) && is_script_word(html, i + skip) {
                        state = if state == State::Escaped {
                            State::DoubleEscaped
                        } else {
                            State::Escaped
                        };
                        i += skip + "script".len();
                        dashes = 0;
                        continue;
                    }
                }
                dashes = 0;
            }
        }
        i += 1;
    }
    None
}

/// `script` (any case) at `at`, then whitespace, `/` or `>`.
fn is_script_word(html: &[u8], at: usize) -> bool {
    html.get(at..at + 6)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"script"))
        && html
            .get(at + 6)
            .is_some_and(|&b| is_space_byte(b) || b == b'/' || b == b'>')
}

/// The text the browser hashes: CR LF and CR as LF, NUL as U+FFFD; `None`
/// when not UTF-8.
fn normalise(body: &[u8]) -> Option<Cow<'_, [u8]>> {
    std::str::from_utf8(body).ok()?;
    if !body.iter().any(|&b| b == b'\r' || b == 0) {
        return Some(Cow::Borrowed(body));
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        match b {
            b'\r' => {
                out.push(b'\n');
                if body.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            _ => out.push(b),
        }
        i += 1;
    }
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_scripts_the_browser_runs_and_their_exact_text() {
        let cases: &[(&str, &[&str])] = &[
            ("<script>a()</script>", &["a()"]),
            ("<SCRIPT>a()</SCRIPT>", &["a()"]),
            ("<ScRiPt>a()</sCrIpT>", &["a()"]),
            ("<script>a()</script >", &["a()"]),
            ("<script>a()</script\n>", &["a()"]),
            ("<script>a()</script foo=\">\">b", &["a()"]),
            ("<script>a()</script/>", &["a()"]),
            ("<script\n>a()</script>", &["a()"]),
            ("<script type=module>m()</script>", &["m()"]),
            ("<script type=\"text/javascript\">j()</script>", &["j()"]),
            ("<script type=' TEXT/JavaScript '>j()</script>", &["j()"]),
            ("<script type=\"\">e()</script>", &["e()"]),
            ("<script language=javascript>l()</script>", &["l()"]),
            ("<script type=importmap>{}</script>", &["{}"]),
            ("<script/>s()</script>", &["s()"]),
            ("<script defer async>d()</script>", &["d()"]),
            ("<script data-src=x>d()</script>", &["d()"]),
            ("<script title='src=x'>d()</script>", &["d()"]),
            ("<script>\nx()\n</script>", &["\nx()\n"]),
            ("<script></script>", &[""]),
            // External scripts have no inline body, whatever the spelling.
            ("<script src=a.js></script>", &[]),
            ("<script SRC = \"a.js\"></script>", &[]),
            ("<script src></script>", &[]),
            ("<script src=''>x()</script>", &[]),
            ("<script type=module src=m.js></script>", &[]),
            // Data blocks do not run.
            ("<script type=application/json>{\"a\":1}</script>", &[]),
            ("<script type=text/template><b></b></script>", &[]),
            (
                "<script type='text/javascript; charset=utf-8'>x</script>",
                &[],
            ),
            ("<script language=vbscript>x</script>", &[]),
            // `</script` must be a whole end tag.
            ("<script>a('</scripts>')</script>", &["a('</scripts>')"]),
            ("<script>a('</scrip')</script>", &["a('</scrip')"]),
            // Inside a script string, `</script>` still ends it.
            ("<script>a('</script>')", &["a('"]),
            // `<script` in a string or comment of a script is just text.
            (
                "<script>var s = '<script>';</script>",
                &["var s = '<script>';"],
            ),
            // Script-data escapes: `<!-- <script>` hides `</script>`.
            (
                "<script><!-- document.write('<script>x</script>'); --></script>",
                &["<!-- document.write('<script>x</script>'); -->"],
            ),
            ("<script><!-- a() --></script>", &["<!-- a() -->"]),
            ("<script><!--></script>", &["<!-->"]),
            ("<script><!-- </script>", &["<!-- "]),
            (
                "<script><!--<script></script>--></script>",
                &["<!--<script></script>-->"],
            ),
            // Not scripts: comments, attribute values, raw text.
            ("<!-- <script>c()</script> -->", &[]),
            ("<!--><script>a()</script>", &["a()"]),
            ("<!---><script>a()</script>", &["a()"]),
            ("<!-- x --!><script>a()</script>", &["a()"]),
            ("<!-- a -- b --><script>a()</script>", &["a()"]),
            ("<div title=\"<script>v()</script>\"></div>", &[]),
            ("<div title='<script>v()</script>'></div>", &[]),
            ("<img alt=\"a>b\" title='<script>v()</script>'>", &[]),
            ("<textarea><script>t()</script></textarea>", &[]),
            ("<title><script>t()</script></title>", &[]),
            ("<style>p{}</style ><script>a()</script>", &["a()"]),
            ("<style><script>t()</script></style>", &[]),
            ("<noscript><script>n()</script></noscript>", &[]),
            ("<xmp><script>x()</script></xmp>", &[]),
            ("<plaintext><script>p()</script>", &[]),
            ("<!DOCTYPE html><script>a()</script>", &["a()"]),
            ("<?xml x?><script>a()</script>", &["a()"]),
            // In HTML content CDATA is a bogus comment, closed by the first `>`.
            ("<![CDATA[<script>c()</script>]]>", &[]),
            ("<script type='' language=vbscript>e()</script>", &["e()"]),
            ("</div x='<script>'><script>a()</script>", &["a()"]),
            ("< script>a()</script>", &[]),
            ("<scripty>a()</scripty>", &[]),
            // Never closed: the browser does not run it.
            ("<script>a()", &[]),
            ("<script", &[]),
            ("<script src='a.js", &[]),
            // Two, in order.
            ("<script>1</script><p>x</p><script>2</script>", &["1", "2"]),
        ];
        for (html, want) in cases {
            let got: Vec<String> = inline_scripts(html.as_bytes())
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect();
            assert_eq!(got, *want, "{html:?}");
        }
    }

    #[test]
    fn text_is_normalised_as_the_browser_does_before_hashing() {
        let got = inline_scripts(b"<script>a\r\nb\rc\0d</script>");
        assert_eq!(got, vec![Cow::Borrowed("a\nb\nc\u{FFFD}d".as_bytes())]);
        // Not UTF-8: the browser would decode it as something else.
        assert!(inline_scripts(b"<script>\xff</script>").is_empty());
        // An unchanged body is not copied.
        assert!(matches!(
            inline_scripts(b"<script>x</script>").first(),
            Some(Cow::Borrowed(_))
        ));
    }
}
