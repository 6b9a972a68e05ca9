//! The webview host's pipe framing and page-message envelope on hostile
//! input (`src/webview/host/frame.rs`, included as it is: the traykit crate itself
//! links GTK). Never a panic; no body beyond its cap is ever kept; what is
//! read writes back to the same frame; only a genuine envelope opens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[allow(dead_code)]
#[path = "../../src/webview/host/frame.rs"]
mod frame;

use frame::{open_envelope, read_frame, write_frame, Caps, Frame, Framed};

/// Stands in for both directions' messages: one with a body, one without.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Msg {
    Ipc {
        window: String,
        seq: Option<u64>,
        #[serde(skip)]
        body: String,
    },
    Reply {
        id: u64,
        error: Option<String>,
    },
}

impl Framed for Msg {
    fn body(&mut self) -> Option<&mut String> {
        match self {
            Msg::Ipc { body, .. } => Some(body),
            Msg::Reply { .. } => None,
        }
    }
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, wire)) = data.split_first() else {
        return;
    };
    let caps = Caps {
        header: 16 + usize::from(pick & 0x0f) * 64,
        body: usize::from(pick >> 4) * 32,
    };
    let mut input = std::io::Cursor::new(wire);
    let mut line = Vec::new();
    for _ in 0..64 {
        match read_frame::<Msg>(&mut input, &mut line, caps) {
            Ok(Some(Frame::Msg(mut msg))) => {
                if let Some(body) = msg.body() {
                    assert!(body.len() <= caps.body);
                }
                // What was read is written back as the same frame.
                let mut again = Vec::new();
                let copy = match &msg {
                    Msg::Ipc { window, seq, body } => Msg::Ipc {
                        window: window.clone(),
                        seq: *seq,
                        body: body.clone(),
                    },
                    Msg::Reply { id, error } => Msg::Reply {
                        id: *id,
                        error: error.clone(),
                    },
                };
                write_frame(&mut again, copy).expect("write to memory");
                let wide = Caps {
                    header: usize::MAX,
                    body: usize::MAX,
                };
                match read_frame::<Msg>(&mut std::io::Cursor::new(again), &mut Vec::new(), wide) {
                    Ok(Some(Frame::Msg(back))) => assert_eq!(back, msg),
                    other => panic!("round trip lost {msg:?}: {other:?}"),
                }
            }
            Ok(Some(Frame::Oversize { mut msg, len })) => {
                assert!(len > caps.body);
                assert!(msg.body().is_some_and(|b| b.is_empty()));
            }
            Ok(Some(Frame::Bad(_))) => {}
            Ok(None) | Err(_) => break,
        }
        assert!(line.len() <= caps.header);
    }

    // Envelopes: random text opens only if it really starts with one.
    let text = String::from_utf8_lossy(wire);
    if let Some((seq, at)) = open_envelope(SECRET, &text) {
        assert!(text.starts_with(SECRET) && text.as_bytes()[SECRET.len()] == b' ');
        assert_eq!(text.as_bytes()[at - 1], b'\n');
        assert_eq!(
            text[SECRET.len() + 1..at - 1].parse::<u64>().ok(),
            Some(seq)
        );
    }
    let genuine = format!("{SECRET} {}\n{text}", u64::from(pick));
    assert_eq!(
        open_envelope(SECRET, &genuine),
        Some((u64::from(pick), SECRET.len() + 2 + pick.to_string().len()))
    );
    // Another webview's secret opens nothing of this one's.
    assert_eq!(
        open_envelope("fedcba9876543210fedcba9876543210", &genuine),
        None
    );
});
