//! Downloads against a real HTTP server on 127.0.0.1 that cuts connections,
//! answers errors and 204, and honours `Range`.

#[path = "../../tests/updater/server.rs"]
mod server;

use std::path::PathBuf;
use std::time::Duration;

use server::{Fault, FeedServer};
use traykit_updater::download::{Http, NetOptions};
use traykit_updater::UpdateError;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("tk-dl-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("temp dir");
        Dir(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn artifact(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// The test server is plain http on 127.0.0.1: admitted only by opting in.
fn http(retries: u32) -> Http {
    Http::new(NetOptions {
        retries,
        backoff: Duration::from_millis(20),
        read_timeout: Duration::from_millis(800),
        allow_insecure_loopback: true,
        ..NetOptions::default()
    })
}

fn setup(len: usize) -> (Dir, FeedServer, Vec<u8>) {
    let dir = Dir::new("srv");
    let data = artifact(len);
    std::fs::write(dir.0.join("app.bin"), &data).expect("artifact");
    let server = FeedServer::start(dir.0.clone());
    (dir, server, data)
}

#[test]
fn a_cut_connection_resumes_with_range_and_progress_is_reported() {
    let (dir, server, data) = setup(1_000_000);
    server.fault("app.bin", Fault::CutAfter(300_000));
    let part = dir.0.join("dl.part");
    let mut seen = Vec::new();
    let n = http(3)
        .download(
            &format!("{}/app.bin", server.url()),
            &part,
            Some(1_000_000),
            &mut |d, t| seen.push((d, t)),
        )
        .expect("download resumes");
    assert_eq!(n, 1_000_000);
    assert_eq!(std::fs::read(&part).expect("file"), data);
    let log = server.log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!((log[0].status, log[0].body_bytes), (200, 300_000));
    assert_eq!(log[1].range_from, Some(300_000), "second request resumes");
    assert_eq!((log[1].status, log[1].body_bytes), (206, 700_000));
    // Progress never goes backwards across the resume, and ends complete.
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert_eq!(seen.last(), Some(&(1_000_000, Some(1_000_000))));
    assert!(
        seen.iter().any(|(d, _)| *d == 300_000),
        "resume starts at 300000"
    );
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let (dir, server, data) = setup(50_000);
    server.fault("app.bin", Fault::Status(500));
    server.fault("app.bin", Fault::Status(503));
    let part = dir.0.join("dl.part");
    http(3)
        .download(
            &format!("{}/app.bin", server.url()),
            &part,
            None,
            &mut |_, _| {},
        )
        .expect("third attempt works");
    assert_eq!(std::fs::read(&part).expect("file"), data);
    let statuses: Vec<u16> = server.log().iter().map(|s| s.status).collect();
    assert_eq!(statuses, [500, 503, 200]);
}

#[test]
fn permanent_failures_are_clear_and_not_retried() {
    let (dir, server, _) = setup(10_000);
    let part = dir.0.join("dl.part");
    let err = http(3)
        .download(
            &format!("{}/missing.bin", server.url()),
            &part,
            None,
            &mut |_, _| {},
        )
        .expect_err("404");
    assert!(
        matches!(err, UpdateError::Http { status: 404, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert_eq!(server.log().len(), 1, "a 404 is not retried");

    // Too large: refused from the feed's size before any byte, and from
    // Content-Length when the feed did not say.
    let small = Http::new(NetOptions {
        max_bytes: 1000,
        allow_insecure_loopback: true,
        ..NetOptions::default()
    });
    let url = format!("{}/app.bin", server.url());
    let err = small
        .download(&url, &part, Some(10_000), &mut |_, _| {})
        .expect_err("too large");
    assert!(
        matches!(
            err,
            UpdateError::TooLarge {
                size: 10_000,
                limit: 1000,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.log().len(), 1, "refused before fetching");
    let err = small
        .download(&url, &part, None, &mut |_, _| {})
        .expect_err("too large");
    assert!(matches!(err, UpdateError::TooLarge { .. }), "{err}");
}

#[test]
fn a_download_that_keeps_breaking_fails_as_truncated() {
    let (dir, server, _) = setup(100_000);
    for _ in 0..3 {
        server.fault("app.bin", Fault::CutAfter(10_000));
    }
    let part = dir.0.join("dl.part");
    let err = http(2)
        .download(
            &format!("{}/app.bin", server.url()),
            &part,
            None,
            &mut |_, _| {},
        )
        .expect_err("still cut after retries");
    assert!(
        matches!(
            err,
            UpdateError::Truncated {
                got: 30_000,
                expected: 100_000,
                ..
            }
        ),
        "{err}"
    );
    // What arrived is kept for the next attempt, which completes it.
    assert_eq!(std::fs::metadata(&part).expect("kept").len(), 30_000);
    http(0)
        .download(
            &format!("{}/app.bin", server.url()),
            &part,
            None,
            &mut |_, _| {},
        )
        .expect("next attempt resumes and completes");
    assert_eq!(
        server.log().last().map(|s| s.range_from),
        Some(Some(30_000))
    );
}

#[test]
fn a_stalled_server_times_out() {
    let (dir, server, _) = setup(200_000);
    server.fault("app.bin", Fault::Slow(Duration::from_secs(2)));
    let part = dir.0.join("dl.part");
    let started = std::time::Instant::now();
    let err = http(0)
        .download(
            &format!("{}/app.bin", server.url()),
            &part,
            None,
            &mut |_, _| {},
        )
        .expect_err("read timeout");
    assert!(err.is_transient(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn feeds_204_and_errors() {
    let (dir, server, _) = setup(10);
    std::fs::write(dir.0.join("latest.json"), br#"{"version":"1.0.0"}"#).expect("feed");
    let url = format!("{}/latest.json", server.url());
    server.fault("latest.json", Fault::NoContent);
    assert_eq!(http(0).fetch_feed(&url).expect("204"), None);
    assert_eq!(
        http(0).fetch_feed(&url).expect("feed").as_deref(),
        Some(&br#"{"version":"1.0.0"}"#[..])
    );
    server.fault("latest.json", Fault::Status(500));
    assert!(http(1).fetch_feed(&url).expect("retried").is_some());
    let err = http(0)
        .fetch_feed(&format!("{}/nope.json", server.url()))
        .expect_err("404");
    assert!(matches!(err, UpdateError::Http { status: 404, .. }));
    // Nothing listens on port 1.
    let err = http(0)
        .fetch_feed("http://127.0.0.1:1/latest.json")
        .expect_err("refused");
    assert!(matches!(err, UpdateError::Network { .. }), "{err}");
}

#[test]
fn plain_http_is_refused_unless_opted_in_for_loopback() {
    let (dir, server, data) = setup(10_000);
    std::fs::write(dir.0.join("latest.json"), br#"{"version":"1.0.0"}"#).expect("feed");
    let strict = Http::new(NetOptions::default());
    let part = dir.0.join("dl.part");
    let feed = format!("{}/latest.json", server.url());
    let artifact = format!("{}/app.bin", server.url());
    let err = strict.fetch_feed(&feed).expect_err("http feed");
    assert_eq!(err.kind(), "insecure", "{err}");
    assert!(err.to_string().contains("allow_insecure_loopback"), "{err}");
    let err = strict
        .download(&artifact, &part, None, &mut |_, _| {})
        .expect_err("http artifact");
    assert_eq!(err.kind(), "insecure", "{err}");
    assert!(server.log().is_empty(), "refused before any request");
    assert!(!part.exists());
    // Opted in: loopback by address or as `localhost`.
    let localhost = artifact.replace("127.0.0.1", "localhost");
    http(0)
        .download(&localhost, &part, None, &mut |_, _| {})
        .expect("localhost admitted");
    assert_eq!(std::fs::read(&part).expect("file"), data);
    // Never plain http off loopback, opted in or not (refused before DNS).
    let err = http(0)
        .fetch_feed("http://updates.example.invalid/latest.json")
        .expect_err("remote http");
    assert_eq!(err.kind(), "insecure", "{err}");
}

/// A redirect is followed hop by hop, each hop checked. (The https side
/// of an https→http downgrade is checked on `check_redirect` directly, in
/// the unit tests: there is no TLS server on loopback here.)
#[test]
fn redirects_are_checked_at_every_hop() {
    let (dir, server, data) = setup(20_000);
    let part = dir.0.join("dl.part");
    let url = format!("{}/old/app.bin", server.url());
    // On loopback, to another path: followed (Range kept on the new hop).
    server.fault("/old/app.bin", Fault::Redirect("/app.bin".into()));
    http(0)
        .download(&url, &part, None, &mut |_, _| {})
        .expect("followed");
    assert_eq!(std::fs::read(&part).expect("file"), data);
    let paths: Vec<(String, u16)> = server
        .log()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(
        paths,
        [("/old/app.bin".into(), 302), ("/app.bin".into(), 200)]
    );
    // Off loopback over plain http: refused, not requested.
    std::fs::remove_file(&part).expect("rm");
    server.fault(
        "/old/app.bin",
        Fault::Redirect("http://updates.example.invalid/app.bin".into()),
    );
    let err = http(0)
        .download(&url, &part, None, &mut |_, _| {})
        .expect_err("redirect off loopback");
    assert_eq!(err.kind(), "insecure", "{err}");
    assert!(err.to_string().contains("updates.example.invalid"), "{err}");
    // To another scheme: refused.
    server.fault("/old/app.bin", Fault::Redirect("file:///etc/passwd".into()));
    let err = http(0)
        .download(&url, &part, None, &mut |_, _| {})
        .expect_err("file redirect");
    assert_eq!(err.kind(), "insecure", "{err}");
    // A loop of redirects ends.
    for _ in 0..10 {
        server.fault("/old/app.bin", Fault::Redirect("/old/app.bin".into()));
    }
    let err = http(0)
        .download(&url, &part, None, &mut |_, _| {})
        .expect_err("redirect loop");
    assert!(err.to_string().contains("redirects"), "{err}");
}

#[test]
fn loopback_throughput_numbers() {
    // Numbers, not assertions: printed for BENCHMARKS/the report.
    let (dir, server, data) = setup(64 * 1024 * 1024);
    let part = dir.0.join("dl.part");
    let url = format!("{}/app.bin", server.url());
    let started = std::time::Instant::now();
    let n = http(0)
        .download(&url, &part, None, &mut |_, _| {})
        .expect("download");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(n, data.len() as u64);
    let feed = dir.0.join("latest.json");
    std::fs::write(&feed, br#"{"version":"1.0.0"}"#).expect("feed");
    let client = http(0);
    let feed_url = format!("{}/latest.json", server.url());
    let rounds = 50;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        client.fetch_feed(&feed_url).expect("feed");
    }
    let per = started.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    println!(
        "NUMBERS loopback: {} MiB in {:.0} ms = {:.0} MiB/s; feed request {per:.2} ms",
        n / (1024 * 1024),
        secs * 1000.0,
        n as f64 / (1024.0 * 1024.0) / secs
    );
}
