//! The frames between the app and its webview host: what each side sends,
//! the header caps each side reads with, and the writer both sides share.
//! The frame format itself and its limits are in `frame.rs`.

use std::io::{BufWriter, Write};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use traykit_actors::ids::WindowLabel;
use traykit_actors::ipc;
use traykit_actors::isolation::IsolationFrame;
use traykit_actors::ui::WindowOp;
use traykit_actors::window::WindowSpec;

use super::frame::{write_frame, Framed, Ticket};

/// Set in the environment of the webview host process: the descriptors of
/// its two protocol pipes, `<from app>,<to app>`.
pub(crate) const HOST_ENV: &str = "TRAYKIT_WEBVIEW_HOST";

/// Host → app headers are small (an id, a label, a URL, an error text).
pub(super) const FROM_HOST_HEADER: usize = 1024 * 1024;
/// App → host headers carry the bridge script and the isolation document.
pub(super) const TO_HOST_HEADER: usize = 64 * 1024 * 1024;
/// Scripts for a page (the core's replies and events, JSON escaped twice).
/// Read as they arrive, so this bounds a broken length, not normal traffic.
pub(super) const TO_HOST_BODY: usize = 1024 * 1024 * 1024;

/// App → host: the four window requests, each answered by id, and
/// `Prewarm`, which is not answered.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum ToHost {
    /// Make the host ready for a window before one is asked for: a hidden
    /// `about:blank` webview on the WebContext real windows share, so the
    /// network process and the first paint are done. Carried out when the
    /// host is idle (after every request already queued), and not at all
    /// if a window exists by then.
    Prewarm,
    Create {
        id: u64,
        spec: WindowSpec,
        visible: bool,
        init_script: String,
        isolation: Option<IsolationFrame>,
        /// `IpcLimits::max_message_bytes`: the host refuses longer page
        /// messages itself, and bounds what it queues for the app by it.
        max_message_bytes: usize,
    },
    Op {
        id: u64,
        label: WindowLabel,
        op: WindowOp,
    },
    Destroy {
        id: u64,
        label: WindowLabel,
    },
    Eval {
        id: u64,
        label: WindowLabel,
        /// The frame's body, not part of the header.
        #[serde(skip)]
        script: String,
    },
}

/// Host → app: replies by id, page messages and window events.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum FromHost {
    Reply {
        id: u64,
        error: Option<String>,
    },
    Ipc {
        window: WindowLabel,
        url: String,
        /// The bridge's number for this message, for refusals of it whole.
        seq: Option<u64>,
        /// The frame's body, not part of the header.
        #[serde(skip)]
        body: String,
        /// The message's share of its window's queue, given back once it
        /// is written to the pipe.
        #[serde(skip)]
        ticket: Option<Ticket>,
    },
    CloseRequested {
        window: WindowLabel,
    },
    Geometry {
        window: WindowLabel,
        geometry: traykit_actors::window::Geometry,
    },
}

impl Framed for ToHost {
    fn body(&mut self) -> Option<&mut String> {
        match self {
            ToHost::Eval { script, .. } => Some(script),
            _ => None,
        }
    }
}

impl Framed for FromHost {
    fn body(&mut self) -> Option<&mut String> {
        match self {
            FromHost::Ipc { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// Writes every message from `rx` as a frame, flushing only when no more
/// are queued (a burst of replies goes out in few writes).
pub(super) fn pump<T: Framed>(rx: mpsc::Receiver<Option<T>>, out: impl Write) {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    while let Ok(Some(msg)) = rx.recv() {
        let mut next = Some(msg);
        while let Some(msg) = next.take() {
            if write_frame(&mut out, msg).is_err() {
                return;
            }
            match rx.try_recv() {
                Ok(Some(more)) => next = Some(more),
                Ok(None) => {
                    let _ = out.flush();
                    return;
                }
                Err(_) => {}
            }
        }
        if out.flush().is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// The refusal of a page message of `len` bytes, worded as the core's.
pub(crate) fn oversize(len: usize, max: usize) -> ipc::RpcError {
    ipc::limit_exceeded(
        ipc::codes::Limit::TooLarge,
        format!(
            "a message of {len} bytes is over the {max} byte limit (IpcLimits::max_message_bytes)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webview::host::frame::{read_frame, Caps, Frame};

    fn label(s: &str) -> WindowLabel {
        WindowLabel::new(s).expect("label")
    }

    const CAPS: Caps = Caps {
        header: FROM_HOST_HEADER,
        body: 64,
    };

    #[test]
    fn frames_carry_bodies_verbatim_and_in_order() {
        let script = "receive([{\"a\":\"line\\nbreak\"}])\n\u{e9}\u{1F600}\"\\".repeat(3);
        let mut wire = Vec::new();
        write_frame(
            &mut wire,
            ToHost::Eval {
                id: 1,
                label: label("w"),
                script: script.clone(),
            },
        )
        .expect("write");
        write_frame(
            &mut wire,
            ToHost::Destroy {
                id: 2,
                label: label("w"),
            },
        )
        .expect("write");
        // The body is on the wire as it is, not escaped.
        assert!(wire.windows(script.len()).any(|w| w == script.as_bytes()));
        let mut input = std::io::Cursor::new(wire);
        let mut line = Vec::new();
        let caps = Caps {
            header: TO_HOST_HEADER,
            body: TO_HOST_BODY,
        };
        match read_frame::<ToHost>(&mut input, &mut line, caps) {
            Ok(Some(Frame::Msg(ToHost::Eval {
                id, script: got, ..
            }))) => {
                assert_eq!(id, 1);
                assert_eq!(got, script);
            }
            other => panic!("not the eval frame: {other:?}"),
        }
        assert!(matches!(
            read_frame::<ToHost>(&mut input, &mut line, caps),
            Ok(Some(Frame::Msg(ToHost::Destroy { id: 2, .. })))
        ));
        assert!(matches!(
            read_frame::<ToHost>(&mut input, &mut line, caps),
            Ok(None)
        ));
    }

    #[test]
    fn a_broken_stream_is_an_error_not_a_guess() {
        let mut line = Vec::new();
        for wire in [
            &b"not-a-length {}\n"[..],
            b"{\"Reply\":{}}\n",
            b"10 {\"Reply\":{\"id\":1,\"error\":null}}\nshort",
        ] {
            let mut input = std::io::Cursor::new(wire.to_vec());
            assert!(
                read_frame::<FromHost>(&mut input, &mut line, CAPS).is_err(),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }
}
