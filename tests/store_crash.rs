//! Never lose acknowledged data: a writer is SIGKILLed at random moments in
//! the middle of durable writes; after each kill the store loads and holds
//! every write it acknowledged.

mod support;

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use traykit::store::parse;

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
    assert!(
        rounds_with_writes >= 10,
        "too few rounds wrote anything ({rounds_with_writes})"
    );
    assert!(next > 20, "too few writes acknowledged overall ({next})");
}
