//! A store writer for the crash test: writes `k<i> = i` durably from
//! `start` on, printing `ACK <i>` after each acknowledged write, until
//! killed (or, given `END`, up to `END - 1`). Needs no display. A second
//! writer on the same DIR exits at once with a "locked by another process
//! (pid …)" error.
//!
//! ```sh
//! cargo run --example store_writer -- /tmp/data 0 [END]
//! ```

use std::io::Write;

use actix::prelude::*;
use serde_json::json;
use traykit::store::{Set, StoreActor, StoreOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: store_writer DIR START [END]"))?;
    let start: u64 = args.next().unwrap_or_else(|| "0".into()).parse()?;
    let end: u64 = args.next().map_or(Ok(u64::MAX), |end| end.parse())?;
    let system = System::new();
    system.block_on(async move {
        let store =
            StoreActor::open(std::path::Path::new(&dir), StoreOptions::new("crash"))?.start();
        let mut out = std::io::stdout().lock();
        for i in start..end {
            store.send(Set(format!("k{i}"), json!(i))).await??;
            writeln!(out, "ACK {i}")?;
            out.flush()?;
        }
        Ok(())
    })
}
