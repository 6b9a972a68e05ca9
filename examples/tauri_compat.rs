//! A page written for Tauri, running unchanged on traykit: the test fixture
//! in `tests/fixtures/tauri_page` is bundled by esbuild against the
//! unmodified `@tauri-apps/api` package and served from a folder; the
//! compatibility layer (`.tauri_compat(true)`) makes `core.invoke` and
//! `event.listen/emit/once` work against traykit commands and events.
//!
//! ```sh
//! bash scripts/build-fixtures.sh
//! scripts/headless.sh cargo run --example tauri_compat -- target/fixtures/tauri_page
//! ```

use std::io::Write;

use serde::Deserialize;
use serde_json::Value;
use traykit::prelude::*;

#[derive(Deserialize)]
struct Greet {
    name: String,
}

#[derive(Deserialize)]
struct Report {
    results: Value,
}

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/fixtures/tauri_page".into());

    App::builder()
        .name("Tauri compat")
        .tauri_compat(true)
        .assets_dir(dir)
        .window(
            Window::new("main")
                .title("@tauri-apps/api on traykit")
                .visible_on_start(true),
        )
        .capability(
            r#"{
              "identifier": "main",
              "windows": ["main"],
              "methods": ["greet", "fail", "report"],
              "events": ["ping", "direct", "tick", "sentinel"]
            }"#,
        )
        .command("greet", |g: Greet, _: CallContext| async move {
            Ok::<_, RpcError>(format!("hello {}", g.name))
        })
        .command("fail", |(): (), _: CallContext| async move {
            Err::<(), _>(RpcError::new(4100, "failed on purpose"))
        })
        .command("report", |r: Report, ctx: CallContext| async move {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "TAURI_REPORT {}", r.results);
            let _ = out.flush();
            ctx.app.quit();
            Ok::<_, RpcError>(())
        })
        .run()
}
