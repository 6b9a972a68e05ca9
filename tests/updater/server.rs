//! A real HTTP/1.1 server on 127.0.0.1 for the updater tests: serves a
//! directory (the feed the release tool wrote), honours `Range`, and plays
//! faults on request — an error status, a connection cut mid-body, 204.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do to the next request whose path ends with a given suffix.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a short body.
    Status(u16),
    /// Announce the whole body, send this many bytes of it, close.
    CutAfter(u64),
    /// 204 No Content.
    NoContent,
    /// Send the body in 16 KiB pieces with this pause between them.
    Slow(Duration),
    /// 302 Found with this `Location`.
    Redirect(String),
}

/// One request, as served.
#[derive(Debug, Clone)]
pub struct Served {
    pub path: String,
    /// The query string, without `?` (empty if none).
    pub query: String,
    /// The start of a `Range: bytes=N-` request.
    pub range_from: Option<u64>,
    pub status: u16,
    /// Body bytes answered (the part before the cut, for a cut).
    pub body_bytes: u64,
}

#[derive(Default)]
struct Shared {
    faults: VecDeque<(String, Fault)>,
    log: Vec<Served>,
}

pub struct FeedServer {
    addr: SocketAddr,
    root: PathBuf,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
}

impl FeedServer {
    /// Serves `root` on a free loopback port.
    pub fn start(root: PathBuf) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (root, shared, stop) = (root.clone(), shared.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (root, shared) = (root.clone(), shared.clone());
                    std::thread::spawn(move || {
                        let _ = serve(stream, &root, &shared);
                    });
                }
            });
        }
        FeedServer {
            addr,
            root,
            shared,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Plays `fault` on the next request whose path ends with `suffix`
    /// (faults queue up in order).
    pub fn fault(&self, suffix: &str, fault: Fault) {
        self.shared
            .lock()
            .expect("lock")
            .faults
            .push_back((suffix.to_owned(), fault));
    }

    /// Every request served so far.
    pub fn log(&self) -> Vec<Served> {
        self.shared.lock().expect("lock").log.clone()
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, root: &std::path::Path, shared: &Mutex<Shared>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range_from = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range_from = value
                    .trim()
                    .strip_prefix("bytes=")
                    .and_then(|r| r.strip_suffix('-'))
                    .and_then(|n| n.parse::<u64>().ok());
            }
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_owned(), query.to_owned());
    let fault = {
        let mut s = shared.lock().expect("lock");
        let i = s
            .faults
            .iter()
            .position(|(suffix, _)| path.ends_with(suffix.as_str()));
        i.and_then(|i| s.faults.remove(i)).map(|(_, f)| f)
    };
    let mut out = stream;
    let record = |status: u16, body_bytes: u64| {
        shared.lock().expect("lock").log.push(Served {
            path: path.clone(),
            query: query.clone(),
            range_from,
            status,
            body_bytes,
        });
    };
    let head = |out: &mut TcpStream, status: u16, extra: &str, len: u64| {
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            206 => "Partial Content",
            302 => "Found",
            404 => "Not Found",
            416 => "Range Not Satisfiable",
            500 => "Internal Server Error",
            _ => "Status",
        };
        write!(
            out,
            "HTTP/1.1 {status} {reason}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    match fault {
        Some(Fault::Status(status)) => {
            let body = format!("fault {status}");
            record(status, 0);
            head(&mut out, status, "", body.len() as u64)?;
            out.write_all(body.as_bytes())?;
            return Ok(());
        }
        Some(Fault::NoContent) => {
            record(204, 0);
            head(&mut out, 204, "", 0)?;
            return Ok(());
        }
        Some(Fault::Redirect(location)) => {
            record(302, 0);
            head(&mut out, 302, &format!("Location: {location}\r\n"), 0)?;
            return Ok(());
        }
        _ => {}
    }
    let file = root.join(path.trim_start_matches('/'));
    let Ok(data) = std::fs::read(&file) else {
        record(404, 0);
        head(&mut out, 404, "", 0)?;
        return Ok(());
    };
    let len = data.len() as u64;
    let (status, start, extra) = match range_from {
        Some(from) if from >= len => {
            head(
                &mut out,
                416,
                &format!("Content-Range: bytes */{len}\r\n"),
                0,
            )?;
            record(416, 0);
            return Ok(());
        }
        Some(from) => (
            206,
            from,
            format!(
                "Content-Range: bytes {from}-{}/{len}\r\nAccept-Ranges: bytes\r\n",
                len - 1
            ),
        ),
        None => (200, 0, "Accept-Ranges: bytes\r\n".to_owned()),
    };
    let body = &data[start as usize..];
    // Logged before answering, so a client that reacts to the answer finds
    // it in the log.
    let planned = match fault {
        Some(Fault::CutAfter(n)) => (n as usize).min(body.len()),
        _ => body.len(),
    };
    record(status, planned as u64);
    head(&mut out, status, &extra, body.len() as u64)?;
    match fault {
        Some(Fault::CutAfter(_)) => {
            out.write_all(&body[..planned])?;
            out.flush()?;
            // Close without the rest: the client sees a truncated body.
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
        Some(Fault::Slow(pause)) => {
            for chunk in body.chunks(16 * 1024) {
                out.write_all(chunk)?;
                out.flush()?;
                std::thread::sleep(pause);
            }
        }
        _ => out.write_all(body)?,
    }
    Ok(())
}
