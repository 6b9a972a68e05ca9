//! Store numbers: durable and debounced sets per second, load time of a
//! 10 MB store, and the latency from `set` to a watcher receiving the change.
//! Prints numbers; asserts nothing. `cargo bench --bench store`.

use std::time::{Duration, Instant};

use actix::prelude::*;
use serde_json::json;
use traykit::store::{StoreActor, StoreChanged, StoreHandle, StoreOptions};

struct Latency {
    started: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
    samples: Vec<f64>,
}

impl Actor for Latency {
    type Context = Context<Self>;
}

impl Handler<StoreChanged> for Latency {
    type Result = ();
    fn handle(&mut self, _: StoreChanged, _: &mut Context<Self>) {
        if let Some(t) = self.started.lock().ok().and_then(|mut s| s.take()) {
            self.samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
}

#[derive(Message)]
#[rtype(result = "Vec<f64>")]
struct Samples;

impl Handler<Samples> for Latency {
    type Result = MessageResult<Samples>;
    fn handle(&mut self, _: Samples, _: &mut Context<Self>) -> Self::Result {
        MessageResult(std::mem::take(&mut self.samples))
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("traykit-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let system = System::new();
    system.block_on(async {
        let t = Duration::from_secs(60);
        // Durable: every set is fsynced before it is acknowledged.
        let durable = StoreHandle::new(
            "durable",
            StoreActor::open(&dir, StoreOptions::new("durable"))
                .expect("open")
                .start(),
            t,
        );
        let n = 500;
        let start = Instant::now();
        for i in 0..n {
            durable.set(&format!("k{}", i % 50), &i).await.expect("set");
        }
        let durable_rate = n as f64 / start.elapsed().as_secs_f64();

        let debounced = StoreHandle::new(
            "debounced",
            StoreActor::open(
                &dir,
                StoreOptions::new("debounced").debounce(Duration::from_millis(50)),
            )
            .expect("open")
            .start(),
            t,
        );
        let n = 100_000;
        let start = Instant::now();
        for i in 0..n {
            debounced
                .set(&format!("k{}", i % 50), &i)
                .await
                .expect("set");
        }
        debounced.flush().await.expect("flush");
        let debounced_rate = n as f64 / start.elapsed().as_secs_f64();

        // A 10 MB store: write it once, then time opening (read + parse).
        let big = StoreHandle::new(
            "big",
            StoreActor::open(
                &dir,
                StoreOptions::new("big").debounce(Duration::from_secs(3600)),
            )
            .expect("open")
            .start(),
            t,
        );
        let value = "x".repeat(1000);
        for i in 0..10_000 {
            big.set(&format!("key-{i}"), &json!({"i": i, "text": value}))
                .await
                .expect("set");
        }
        big.flush().await.expect("flush");
        let size = std::fs::metadata(dir.join("big.json"))
            .map(|m| m.len())
            .unwrap_or(0);
        let mut loads = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            let store = StoreActor::open(&dir, StoreOptions::new("big")).expect("load");
            loads.push(start.elapsed().as_secs_f64() * 1e3);
            drop(store);
        }
        loads.sort_by(f64::total_cmp);

        // set → watcher.
        let started = std::sync::Arc::new(std::sync::Mutex::new(None));
        let latency = Latency {
            started: started.clone(),
            samples: Vec::new(),
        }
        .start();
        debounced.watch("", latency.clone().recipient());
        for i in 0..1000 {
            if let Ok(mut s) = started.lock() {
                *s = Some(Instant::now());
            }
            debounced.set("watched", &i).await.expect("set");
            actix::clock::sleep(Duration::from_micros(200)).await;
        }
        let mut lat = latency.send(Samples).await.expect("samples");
        lat.sort_by(f64::total_cmp);

        println!("traykit store benchmarks (this machine's disk)");
        println!(
            "{:<44} {:>10.0} /s",
            "durable sets (fsync before ack)", durable_rate
        );
        println!(
            "{:<44} {:>10.0} /s",
            "debounced sets (50 ms)", debounced_rate
        );
        println!(
            "{:<44} {:>10.1} ms  (median of 5; {:.1} MB file)",
            "load a 10 MB store",
            loads[loads.len() / 2],
            size as f64 / 1e6
        );
        println!(
            "{:<44} {:>10.1} µs  (p99 {:.1} µs, {} samples)",
            "set → Rust watcher, p50",
            lat[lat.len() / 2],
            lat[lat.len() * 99 / 100],
            lat.len()
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
}
