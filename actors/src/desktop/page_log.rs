//! `log.write`: pages writing to the app's log, rate-limited and escaped.

use serde::Deserialize;
use serde_json::Value;

use crate::app::AppHandle;
use crate::app::CallContext;
use crate::ipc::codes::Limit;
use crate::ipc::{limit_exceeded, IpcLimits, RateLimiter, RpcError};
use crate::sync::lock;

/// Limits on `log.write`: each window may write `per_second` lines on
/// average (bursts of `burst`), each message at most `max_message_bytes`
/// (longer ones are cut) and `max_fields_bytes` of fields (more are dropped).
///
/// ```
/// use traykit::desktop::PageLogLimits;
/// use traykit::prelude::*;
///
/// let builder = App::builder()
///     .logging(LogOptions::default())
///     .page_log_limits(PageLogLimits::default().rate(10.0, 50.0));
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PageLogLimits {
    /// Average lines per second per window.
    pub per_second: f64,
    /// Burst size.
    pub burst: f64,
    /// Longest message kept, in bytes.
    pub max_message_bytes: usize,
    /// Largest `fields` object kept (as JSON), in bytes.
    pub max_fields_bytes: usize,
}

impl Default for PageLogLimits {
    fn default() -> Self {
        Self {
            per_second: 50.0,
            burst: 200.0,
            max_message_bytes: 8 * 1024,
            max_fields_bytes: 8 * 1024,
        }
    }
}

impl PageLogLimits {
    /// Sets the rate: `per_second` lines on average, bursts of `burst`.
    pub fn rate(mut self, per_second: f64, burst: f64) -> Self {
        self.per_second = per_second;
        self.burst = burst;
        self
    }
    /// Sets [`max_message_bytes`](Self::max_message_bytes).
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }
    /// Sets [`max_fields_bytes`](Self::max_fields_bytes).
    pub fn max_fields_bytes(mut self, n: usize) -> Self {
        self.max_fields_bytes = n;
        self
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogWrite {
    level: Level,
    message: String,
    #[serde(default)]
    fields: Option<serde_json::Map<String, Value>>,
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn truncate(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

/// Page text made safe for a log line: control characters (C0 — `\n`,
/// `\r`, ESC… — DEL, C1) and the Unicode line and paragraph separators
/// become visible escapes (`\n`, `\u{1b}`), so page text can never end
/// a log line or drive a terminal. Text without any is borrowed.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one page log line to `tracing`, target `traykit::page`.
pub(super) fn page_log(ctx: &CallContext, w: LogWrite) -> Result<Value, RpcError> {
    let limits = ctx.app.desktop().config.page_log;
    if !ctx.app.page_log_allowed(&ctx.window) {
        return Err(limit_exceeded(
            Limit::RateLimited,
            format!(
                "log.write rate ({} lines/s, bursts of {})",
                limits.per_second, limits.burst
            ),
        ));
    }
    let mut message = w.message;
    let truncated = truncate(&mut message, limits.max_message_bytes);
    // Escaped after the cut (the limit is on what the page sent) and before
    // anything is written: a newline would start a forged log line, an ESC
    // drive the terminal.
    let message = escape_controls(&message);
    let fields = match w.fields {
        Some(f) => {
            let text = Value::Object(f).to_string();
            if text.len() > limits.max_fields_bytes {
                format!("(dropped: {} bytes of fields)", text.len())
            } else {
                // JSON escapes C0 in strings already, not DEL, C1 or the
                // Unicode line separators.
                escape_controls(&text).into_owned()
            }
        }
        None => String::new(),
    };
    let window = ctx.window.as_str();
    macro_rules! emit {
        ($level:expr) => {
            tracing::event!(target: "traykit::page", $level, window, fields = %fields, truncated, "{message}")
        };
    }
    match w.level {
        Level::Error => emit!(tracing::Level::ERROR),
        Level::Warn => emit!(tracing::Level::WARN),
        Level::Info => emit!(tracing::Level::INFO),
        Level::Debug => emit!(tracing::Level::DEBUG),
        Level::Trace => emit!(tracing::Level::TRACE),
    }
    Ok(Value::Null)
}

impl AppHandle {
    /// Takes one `log.write` token for `window`.
    fn page_log_allowed(&self, window: &str) -> bool {
        let limits = &self.desktop().config.page_log;
        let ipc = IpcLimits::default().rate(limits.per_second, limits.burst);
        let mut buckets = lock(&self.desktop().log_buckets);
        buckets
            .entry(window.to_owned())
            .or_insert_with(|| RateLimiter::new(&ipc))
            .allow(&ipc)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_log_text_cannot_break_a_line_or_drive_a_terminal() {
        let cases = [
            ("plain text, ünïcode", "plain text, ünïcode"),
            (
                "ok\n2026-12-01T00:00:00Z ERROR traykit: forged",
                "ok\\n2026-12-01T00:00:00Z ERROR traykit: forged",
            ),
            ("a\r\nb", "a\\r\\nb"),
            ("\u{1b}[31mred\u{1b}[0m", "\\u{1b}[31mred\\u{1b}[0m"),
            ("nul\0 bel\u{7} del\u{7f}", "nul\\u{0} bel\\u{7} del\\u{7f}"),
            ("csi\u{9b}2J nel\u{85}", "csi\\u{9b}2J nel\\u{85}"),
            ("ls\u{2028}ps\u{2029}", "ls\\u{2028}ps\\u{2029}"),
            ("tab\t", "tab\\t"),
        ];
        for (text, want) in cases {
            let got = escape_controls(text);
            assert_eq!(got, want, "{text:?}");
            assert!(!got.chars().any(char::is_control), "{got:?}");
        }
        assert!(matches!(
            escape_controls("clean"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        let mut s = "ééé".to_owned(); // 6 bytes
        assert!(truncate(&mut s, 3));
        assert_eq!(s, "é");
        let mut short = "ab".to_owned();
        assert!(!truncate(&mut short, 3));
    }
}
