//! Never lose acknowledged data: a writer is SIGKILLed at random moments in
//! the middle of durable writes; after each kill the store loads and holds
//! every write it acknowledged. And never two writers: a second process is
//! refused while the first holds the store.

mod support;

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use traykit::store::{parse, StoreActor, StoreError, StoreOptions};

/// Temporary files of the `crash` store (`.crash.json.XXXXXX`).
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".crash.json."))
        .collect()
}

#[test]
fn sigkill_never_loses_an_acknowledged_write() {
    let dir = support::bus::TempDir::new("store-crash");
    let file = dir.0.join("crash.json");
    let mut next = 0u64;
    // A small LCG: random kill moments, reproducible from the printed seed.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    println!("seed {seed}");
    let mut rounds_with_writes = 0;
    for round in 0..20 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let kill_after = Duration::from_millis(30 + (seed >> 33) % 300);
        let mut child = Command::new(support::example("store_writer"))
            .arg(&dir.0)
            .arg(next.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("writer starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(n) = line.strip_prefix("ACK ") {
                    let _ = tx.send(n.parse::<u64>().expect("number"));
                }
            }
        });
        let started = Instant::now();
        let mut acked = None;
        while started.elapsed() < kill_after {
            if let Ok(n) = rx.recv_timeout(Duration::from_millis(5)) {
                acked = Some(n);
            }
        }
        child.kill().expect("SIGKILL"); // by the pid we started
        child.wait().expect("reaped");
        reader.join().expect("reader");
        // Acks printed before the kill but read after it count too.
        while let Ok(n) = rx.try_recv() {
            acked = Some(n);
        }
        let bytes = std::fs::read(&file).expect("store file exists");
        let (_, data) =
            parse(&bytes).unwrap_or_else(|e| panic!("round {round}: store does not load: {e}"));
        if let Some(last) = acked {
            rounds_with_writes += 1;
            for i in 0..=last {
                assert_eq!(
                    data.get(&format!("k{i}")).and_then(|v| v.as_u64()),
                    Some(i),
                    "round {round}: acknowledged k{i} lost (last ack {last})"
                );
            }
            next = last + 1;
        }
    }
    println!("{next} writes acknowledged over {rounds_with_writes} killed rounds");
    // Whatever the last kill left behind, opening the store cleans it up.
    println!(
        "temporary files after the last kill: {:?}",
        temp_files(&dir.0)
    );
    let store = StoreActor::open(&dir.0, StoreOptions::new("crash")).expect("opens");
    assert_eq!(temp_files(&dir.0), Vec::<String>::new());
    drop(store);
    assert!(
        rounds_with_writes >= 10,
        "too few rounds wrote anything ({rounds_with_writes})"
    );
    assert!(next > 20, "too few writes acknowledged overall ({next})");
}

/// Starts a writer and waits for its first acknowledged write, so it holds
/// the store.
fn start_writer(
    dir: &std::path::Path,
    end: Option<u64>,
) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = Command::new(support::example("store_writer"))
        .arg(dir)
        .arg("0")
        .args(end.map(|e| e.to_string()))
        .stdout(Stdio::piped())
        .spawn()
        .expect("writer starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the writer acknowledges a write");
    assert!(first.starts_with("ACK "), "{first}");
    (child, rx)
}

#[test]
fn a_second_process_is_refused_while_one_holds_the_store() {
    let dir = support::bus::TempDir::new("store-lock");
    let (mut writer, _acks) = start_writer(&dir.0, None);
    // Another process: the same writer again, for one write. It fails at
    // once, saying why (without the lock it would write and exit 0).
    let second = Command::new(support::example("store_writer"))
        .arg(&dir.0)
        .arg("1000000")
        .arg("1000001")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("second writer runs");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "refused: {stderr}");
    assert!(
        stderr.contains("locked by another process")
            && stderr.contains(&format!("(pid {})", writer.id())),
        "{stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&second.stdout).contains("ACK"),
        "it wrote nothing"
    );
    // This process too, with the holder's pid.
    match StoreActor::open(
        &dir.0,
        StoreOptions::new("crash").lock_wait(Duration::from_millis(200)),
    ) {
        Err(StoreError::Locked { pid, path, .. }) => {
            assert_eq!(pid, Some(writer.id()));
            assert!(path.ends_with("crash.json.lock"), "{path}");
        }
        other => panic!("expected Locked, got {:?}", other.map(|_| "an open store")),
    }
    // The lock dies with its process: after a SIGKILL the store opens.
    writer.kill().expect("SIGKILL"); // by the pid we started
    writer.wait().expect("reaped");
    let store = StoreActor::open(&dir.0, StoreOptions::new("crash")).expect("opens after the kill");
    drop(store);
    let (_, data) = parse(&std::fs::read(dir.0.join("crash.json")).expect("read")).expect("loads");
    assert!(
        !data.contains_key("k1000000"),
        "the refused writer never wrote"
    );
}

#[test]
fn a_store_held_by_an_exiting_process_opens_once_released() {
    // A restart: the new process opens the store while the old one still
    // writes. It waits for the lock instead of failing or reading a state
    // the old one is about to overwrite.
    let dir = support::bus::TempDir::new("store-handover");
    let (mut writer, acks) = start_writer(&dir.0, Some(100));
    let mut last = 0;
    while let Ok(line) = acks.try_recv() {
        last = line
            .strip_prefix("ACK ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(last);
    }
    println!("writer at ACK {last} of 99 when the open started");
    let store = StoreActor::open(
        &dir.0,
        StoreOptions::new("crash").lock_wait(Duration::from_secs(60)),
    )
    .expect("opens once the writer lets go");
    drop(store);
    assert!(writer.wait().expect("reaped").success());
    // Every line it printed, up to the end of its output.
    for line in acks.iter() {
        last = line
            .strip_prefix("ACK ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(last);
    }
    assert_eq!(last, 99, "the lock was released only after the last write");
    let (_, data) = parse(&std::fs::read(dir.0.join("crash.json")).expect("read")).expect("loads");
    assert_eq!(data.len(), 100);
}
