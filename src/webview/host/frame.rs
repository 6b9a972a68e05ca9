//! The webview host's pipe protocol, without a GUI: frames, the page's
//! message envelope and the per-window queue budget. Pure logic, so the
//! fuzz target (`fuzz/fuzz_targets/pipe.rs`) includes this file as it is.
//!
//! A frame is `<body length> <JSON header>\n<body bytes>`. Neither side
//! trusts the other's numbers: the header line is read with a cap, a body
//! over its cap is skipped in bounded chunks (never buffered), and a body
//! under it is read as the bytes arrive, so a length field alone allocates
//! nothing.

use std::io::{BufRead, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A protocol message whose bulk text (if any) travels as the frame body.
pub(crate) trait Framed: Serialize + DeserializeOwned {
    fn body(&mut self) -> Option<&mut String>;
}

/// How much one side accepts from the other.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    /// Longest header line, newline included.
    pub header: usize,
    /// Longest body; a longer one is skipped and reported as `Oversize`.
    pub body: usize,
}

/// One frame read from the stream.
#[derive(Debug)]
pub(crate) enum Frame<T> {
    /// A whole message.
    Msg(T),
    /// A header that does not parse (or a body that is not UTF-8); the
    /// body was skipped.
    Bad(serde_json::Error),
    /// A message whose body was over [`Caps::body`]: the body was skipped
    /// unread, the message has an empty one.
    Oversize { msg: T, len: usize },
}

/// Writes one frame (not flushed): the body's length, the header as JSON
/// with the body left out, a newline, then the body's bytes as they are.
pub(crate) fn write_frame<T: Framed>(out: &mut impl Write, mut msg: T) -> std::io::Result<()> {
    let body = msg.body().map(std::mem::take).unwrap_or_default();
    write!(out, "{} ", body.len())?;
    serde_json::to_writer(&mut *out, &msg)?;
    out.write_all(b"\n")?;
    out.write_all(body.as_bytes())
}

fn broken(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}

/// Skips `len` bytes through a fixed buffer.
fn discard(input: &mut impl BufRead, len: usize) -> std::io::Result<()> {
    let skipped = std::io::copy(&mut input.take(len as u64), &mut std::io::sink())?;
    if skipped < len as u64 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// Reads `len` bytes (already checked against a cap), growing the buffer
/// as they arrive rather than trusting `len` up front.
fn read_body(input: &mut impl BufRead, len: usize) -> std::io::Result<Vec<u8>> {
    const FIRST: usize = 64 * 1024;
    let mut body = Vec::with_capacity(len.min(FIRST));
    input.take(len as u64).read_to_end(&mut body)?;
    if body.len() < len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(body)
}

/// Reads one frame. `Ok(None)` at the end of the stream; `Err` when the
/// stream is broken (no length, a header over its cap, a short body), since
/// nothing after that can be trusted to start a frame. `line` is the
/// header's buffer, kept for logging.
pub(crate) fn read_frame<T: Framed>(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    caps: Caps,
) -> std::io::Result<Option<Frame<T>>> {
    line.clear();
    let limit = caps.header as u64;
    if input.take(limit).read_until(b'\n', line)? == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(if line.len() as u64 >= limit {
            broken("frame header over its size limit")
        } else {
            std::io::ErrorKind::UnexpectedEof.into()
        });
    }
    let text = &line[..line.len() - 1];
    let space = text
        .iter()
        .position(|&b| b == b' ')
        .ok_or_else(|| broken("frame without a length"))?;
    let (digits, header) = (&text[..space], &text[space + 1..]);
    if digits.is_empty() || digits.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(broken("bad frame length"));
    }
    let len: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| broken("bad frame length"))?;
    let mut msg = match serde_json::from_slice::<T>(header) {
        Ok(msg) => msg,
        Err(e) => {
            discard(input, len)?;
            return Ok(Some(Frame::Bad(e)));
        }
    };
    let Some(slot) = msg.body() else {
        // A body on a message that has none is not part of it.
        discard(input, len)?;
        return Ok(Some(Frame::Msg(msg)));
    };
    if len > caps.body {
        discard(input, len)?;
        return Ok(Some(Frame::Oversize { msg, len }));
    }
    let body = read_body(input, len)?;
    // UTF-8 checked once here; the text was a Rust String or a page's
    // posted string at the other end.
    match String::from_utf8(body) {
        Ok(text) => *slot = text,
        Err(_) => {
            return Ok(Some(Frame::Bad(serde::de::Error::custom(
                "frame body is not UTF-8",
            ))))
        }
    }
    Ok(Some(Frame::Msg(msg)))
}

/// Longest sequence number the bridge writes (`u64::MAX` has 20 digits).
const SEQ_DIGITS: usize = 20;

/// Checks a page message's envelope, `<secret> <seq>\n<text>`: the secret
/// only the main frame's bridge holds (compared in constant time), then the
/// bridge's message number. `Some((seq, where the text starts))`, or `None`
/// for anything else (a sub-frame's post, a page script posting directly).
pub(crate) fn open_envelope(secret: &str, body: &str) -> Option<(u64, usize)> {
    let bytes = body.as_bytes();
    let key = secret.as_bytes();
    if key.is_empty() || bytes.len() <= key.len() {
        return None;
    }
    let differ = key.iter().zip(bytes).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differ != 0 || bytes[key.len()] != b' ' {
        return None;
    }
    let rest = &bytes[key.len() + 1..];
    let digits = rest
        .iter()
        .take(SEQ_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > SEQ_DIGITS || rest.get(digits) != Some(&b'\n') {
        return None;
    }
    let seq = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    Some((seq, key.len() + 1 + digits + 1))
}

/// What one window may have queued towards the app at once. Each queued
/// message holds a [`Ticket`]; writing it to the pipe drops the ticket and
/// gives its share back.
#[derive(Debug)]
pub(crate) struct Budget {
    max_bytes: usize,
    max_messages: usize,
    used: Mutex<(usize, usize)>,
}

/// A queued message's share of its window's [`Budget`].
pub(crate) struct Ticket {
    budget: Arc<Budget>,
    bytes: usize,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl Budget {
    pub(crate) fn new(max_bytes: usize, max_messages: usize) -> Arc<Self> {
        Arc::new(Self {
            max_bytes,
            max_messages,
            used: Mutex::new((0, 0)),
        })
    }

    /// A ticket for a message of `bytes`, or what is queued now (bytes,
    /// messages) when it does not fit.
    pub(crate) fn take(self: &Arc<Self>, bytes: usize) -> Result<Ticket, (usize, usize)> {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        let (queued_bytes, queued) = *used;
        if queued >= self.max_messages || queued_bytes.saturating_add(bytes) > self.max_bytes {
            return Err((queued_bytes, queued));
        }
        *used = (queued_bytes + bytes, queued + 1);
        Ok(Ticket {
            budget: self.clone(),
            bytes,
        })
    }

    pub(crate) fn limits(&self) -> (usize, usize) {
        (self.max_bytes, self.max_messages)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        used.0 = used.0.saturating_sub(self.bytes);
        used.1 = used.1.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    enum Msg {
        Text {
            id: u64,
            #[serde(skip)]
            body: String,
        },
        Plain {
            id: u64,
        },
    }

    impl Framed for Msg {
        fn body(&mut self) -> Option<&mut String> {
            match self {
                Msg::Text { body, .. } => Some(body),
                Msg::Plain { .. } => None,
            }
        }
    }

    const CAPS: Caps = Caps {
        header: 256,
        body: 16,
    };

    fn read_all(wire: &[u8]) -> Vec<Result<Frame<Msg>, std::io::ErrorKind>> {
        let mut input = std::io::Cursor::new(wire.to_vec());
        let mut line = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_frame::<Msg>(&mut input, &mut line, CAPS) {
                Ok(Some(frame)) => out.push(Ok(frame)),
                Ok(None) => return out,
                Err(e) => {
                    out.push(Err(e.kind()));
                    return out;
                }
            }
        }
    }

    #[test]
    fn an_oversize_body_is_skipped_and_the_stream_goes_on() {
        let mut wire = Vec::new();
        write_frame(
            &mut wire,
            Msg::Text {
                id: 1,
                body: "x".repeat(1000),
            },
        )
        .expect("write");
        write_frame(
            &mut wire,
            Msg::Text {
                id: 2,
                body: "fits".into(),
            },
        )
        .expect("write");
        let frames = read_all(&wire);
        assert!(
            matches!(&frames[0], Ok(Frame::Oversize { msg: Msg::Text { id: 1, body }, len: 1000 }) if body.is_empty()),
            "{frames:?}"
        );
        assert!(
            matches!(&frames[1], Ok(Frame::Msg(Msg::Text { id: 2, body })) if body == "fits"),
            "{frames:?}"
        );
        assert_eq!(frames.len(), 2);
    }

    #[test]
    fn a_huge_length_field_allocates_nothing_and_ends_the_stream() {
        // 2^60 bytes announced, 5 sent: under a cap this large the reader
        // would have to trust the field to pre-allocate; it reads what comes
        // and reports the stream short instead.
        let caps = Caps {
            header: 256,
            body: usize::MAX,
        };
        let wire = format!("{} {{\"Text\":{{\"id\":1}}}}\nhello", 1u64 << 60);
        let mut input = std::io::Cursor::new(wire.into_bytes());
        let mut line = Vec::new();
        let err = read_frame::<Msg>(&mut input, &mut line, caps).expect_err("short");
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn broken_streams_are_errors_not_guesses() {
        for wire in [
            &b"not-a-length {}\n"[..],
            b"{\"Plain\":{}}\n",
            b" {\"Plain\":{\"id\":1}}\n",
            b"+5 {\"Plain\":{\"id\":1}}\nhello",
            b"99999999999999999999999 {\"Plain\":{\"id\":1}}\n",
            b"10 {\"Text\":{\"id\":1}}\nshort",
            b"3 {\"Plain\":{\"id\":1}}",
        ] {
            let frames = read_all(wire);
            assert!(
                matches!(frames.last(), Some(Err(_))),
                "{:?}: {frames:?}",
                String::from_utf8_lossy(wire)
            );
        }
        // A header line longer than the cap, with no newline in sight.
        let long = vec![b'1'; 10_000];
        assert!(matches!(
            read_all(&long).last(),
            Some(Err(std::io::ErrorKind::InvalidData))
        ));
    }

    #[test]
    fn bad_headers_and_bodies_are_skipped() {
        let wire =
            b"3 {\"Nope\":1}\nxyz2 {\"Text\":{\"id\":1}}\n\xff\xfe4 {\"Plain\":{\"id\":2}}\nbody";
        let frames = read_all(wire);
        assert!(matches!(frames[0], Ok(Frame::Bad(_))), "{frames:?}");
        assert!(matches!(frames[1], Ok(Frame::Bad(_))), "{frames:?}");
        assert!(
            matches!(frames[2], Ok(Frame::Msg(Msg::Plain { id: 2 }))),
            "{frames:?}"
        );
        assert_eq!(frames.len(), 3);
    }

    #[test]
    fn envelopes_need_the_secret_and_a_sequence_number() {
        let secret = "0123456789abcdef0123456789abcdef";
        let ok = format!("{secret} 42\n{{\"jsonrpc\":\"2.0\"}}");
        let (seq, at) = open_envelope(secret, &ok).expect("genuine");
        assert_eq!(seq, 42);
        assert_eq!(&ok[at..], "{\"jsonrpc\":\"2.0\"}");
        // An empty text is still a message (the core answers it).
        assert_eq!(
            open_envelope(secret, &format!("{secret} 7\n")),
            Some((7, secret.len() + 3))
        );
        for bad in [
            String::new(),
            "{\"jsonrpc\":\"2.0\"}".to_owned(),
            secret.to_owned(),
            format!("{secret}\n{{}}"),
            format!("{secret} \n{{}}"),
            format!("{secret} 1 {{}}"),
            format!("{secret} x\n{{}}"),
            format!("{secret}1 1\n{{}}"),
            format!("{} 1\n{{}}", &secret[1..]),
            format!("{}X 1\n{{}}", &secret[..secret.len() - 1]),
            format!("{secret} 123456789012345678901\n{{}}"),
            format!("{secret} 99999999999999999999\n{{}}"),
            format!("{secret} 1"),
        ] {
            assert_eq!(open_envelope(secret, &bad), None, "{bad:?}");
        }
        assert_eq!(open_envelope("", " 1\n{}"), None);
    }

    #[test]
    fn a_budget_bounds_bytes_and_messages_until_tickets_drop() {
        let budget = Budget::new(100, 3);
        let a = budget.take(60).expect("fits");
        assert_eq!(budget.take(50).err(), Some((60, 1)));
        let b = budget.take(40).expect("fits exactly");
        let c = budget.take(0).expect("a third, empty");
        assert_eq!(budget.take(0).err(), Some((100, 3)));
        drop((a, b, c));
        assert!(budget.take(100).is_ok());
    }
}
