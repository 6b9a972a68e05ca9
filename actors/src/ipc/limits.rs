//! What a page may send: sizes, counts, rates.

/// Per-webview limits on what a page may send. Each breach is answered with
/// [`codes::LIMIT_EXCEEDED`](crate::ipc::codes::LIMIT_EXCEEDED) and a message naming the limit; nothing over a
/// limit reaches a handler, so a flooding page can neither starve other
/// windows nor grow the app's memory without bound.
///
/// What one window can make the app hold is at most about
/// `max_queued_bytes` of text (waiting or running), plus
/// `max_queued_bytes + max_decoded_bytes` of the values of running calls
/// (one message always runs alone), plus one message being decoded
/// (`max_decoded_bytes`). Measured in `tests/ipc_memory.rs`.
///
/// ```
/// use traykit::ipc::IpcLimits;
/// use traykit::prelude::*;
///
/// let limits = IpcLimits::default()
///     .max_message_bytes(1024 * 1024)
///     .rate(100.0, 500.0);
/// assert_eq!(limits.max_message_bytes, 1024 * 1024);
/// let builder = App::builder().ipc_limits(limits);
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct IpcLimits {
    /// Largest message a page may post, in bytes.
    pub max_message_bytes: usize,
    /// Most calls in one batch.
    pub max_batch: usize,
    /// Most memory the decoded values of one message may take (an estimate:
    /// 32 bytes a value, strings their length, ~640 bytes per 11 object
    /// entries).
    pub max_decoded_bytes: usize,
    /// Most requests of one page whose handlers are still running.
    pub max_in_flight: usize,
    /// Most messages of one page queued for or being handled by its window
    /// actor (answered or not yet).
    pub max_queued_messages: usize,
    /// Most bytes of one page's messages queued for or held by its window
    /// actor (raw text while queued, decoded values while running).
    pub max_queued_bytes: usize,
    /// Calls per second a page may make on average…
    pub calls_per_second: f64,
    /// …with bursts up to this many calls.
    pub burst: f64,
    /// Bytes per second a page may post on average…
    pub bytes_per_second: f64,
    /// …with bursts up to this many bytes (at least one message of
    /// `max_message_bytes`, or the largest message could never pass).
    pub byte_burst: f64,
}

impl Default for IpcLimits {
    fn default() -> Self {
        Self {
            // 10 MiB payloads must pass (the "10 MiB request" row of
            // benches/compare.rs posts a 10 MiB string); 16 MiB leaves room
            // for a 10 MiB payload base64-encoded (13.3 MiB) or with 60% of
            // escapes, and halves the worst case of the 32 MiB we had.
            max_message_bytes: 16 * 1024 * 1024,
            max_batch: 4096,
            // 2× the largest message: a 16 MiB string payload decodes to
            // ~16 MiB, an array of records to ~15–25× its text (a B-tree
            // node per object), so records pass up to ~1.5 MiB of JSON per
            // message; one message then costs at most ~3× the largest text.
            max_decoded_bytes: 32 * 1024 * 1024,
            max_in_flight: 4096,
            max_queued_messages: 4096,
            // Two largest messages: one running, one waiting.
            max_queued_bytes: 32 * 1024 * 1024,
            calls_per_second: 20_000.0,
            burst: 40_000.0,
            // A 10 MiB request takes ~50 ms to post (BENCHMARKS.md); 64 MiB/s
            // sustained leaves a real page far below, while a flood of large
            // messages cannot keep the app decoding all the time.
            bytes_per_second: 64.0 * 1024.0 * 1024.0,
            byte_burst: 64.0 * 1024.0 * 1024.0,
        }
    }
}

impl IpcLimits {
    /// Sets [`max_message_bytes`](Self::max_message_bytes).
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }
    /// Sets [`max_batch`](Self::max_batch).
    pub fn max_batch(mut self, n: usize) -> Self {
        self.max_batch = n;
        self
    }
    /// Sets [`max_decoded_bytes`](Self::max_decoded_bytes).
    pub fn max_decoded_bytes(mut self, n: usize) -> Self {
        self.max_decoded_bytes = n;
        self
    }
    /// Sets [`max_in_flight`](Self::max_in_flight).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n;
        self
    }
    /// Sets [`max_queued_messages`](Self::max_queued_messages) and
    /// [`max_queued_bytes`](Self::max_queued_bytes).
    pub fn max_queued(mut self, messages: usize, bytes: usize) -> Self {
        self.max_queued_messages = messages;
        self.max_queued_bytes = bytes;
        self
    }
    /// Sets the rate limit: `per_second` on average, bursts of `burst`.
    pub fn rate(mut self, per_second: f64, burst: f64) -> Self {
        self.calls_per_second = per_second;
        self.burst = burst;
        self
    }
    /// Sets the byte rate limit: `per_second` on average, bursts of `burst`.
    pub fn byte_rate(mut self, per_second: f64, burst: f64) -> Self {
        self.bytes_per_second = per_second;
        self.byte_burst = burst;
        self
    }
}

/// Two token buckets: how many calls, and how many bytes, a page may post
/// right now.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tokens: f64,
    last: std::time::Instant,
    bytes: f64,
    bytes_last: std::time::Instant,
}

impl RateLimiter {
    /// Full buckets.
    pub fn new(limits: &IpcLimits) -> Self {
        let now = std::time::Instant::now();
        Self {
            tokens: limits.burst,
            last: now,
            bytes: limits.byte_burst,
            bytes_last: now,
        }
    }

    /// Takes one call token if there is one.
    pub fn allow(&mut self, limits: &IpcLimits) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * limits.calls_per_second;
        self.tokens = (self.tokens + refill).min(limits.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` byte tokens if there are that many. A message larger than
    /// the burst passes when the bucket is full (so a burst set below
    /// `max_message_bytes` slows big messages instead of refusing them all).
    pub fn allow_bytes(&mut self, limits: &IpcLimits, n: usize) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.bytes_last).as_secs_f64() * limits.bytes_per_second;
        self.bytes = (self.bytes + refill).min(limits.byte_burst);
        self.bytes_last = now;
        let n = n as f64;
        if self.bytes >= n || self.bytes >= limits.byte_burst {
            self.bytes -= n;
            true
        } else {
            false
        }
    }
}
