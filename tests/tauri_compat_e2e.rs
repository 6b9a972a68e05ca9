//! A page bundled against the unmodified `@tauri-apps/api` (npm) runs on
//! traykit through the compatibility layer, in a real WebKitGTK webview.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::bus::Bus;
use support::{example, App};

#[test]
fn tauri_api_page_works_unchanged() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures/tauri_page");
    assert!(
        fixture.join("bundle.js").exists(),
        "{} is missing: run `bash scripts/build-fixtures.sh` (scripts/test.sh does)",
        fixture.display()
    );
    let bus = Bus::start();
    let mut app = App::spawn_piped(
        &example("tauri_compat"),
        &bus,
        &[fixture.to_str().expect("utf-8 path")],
    );
    let report = app
        .wait_line("TAURI_REPORT", Duration::from_secs(60))
        .expect("the page reported");
    let r: Value = serde_json::from_str(&report).expect("JSON report");
    assert_eq!(r["greet"], "hello tauri", "{r}");
    assert_eq!(r["fail_rejected"], true);
    assert_eq!(r["fail_code"], 4100);
    assert_eq!(r["fail_message"], "failed on purpose");
    assert_eq!(r["is_tauri"], true);
    assert_eq!(r["label"], "main");
    assert_eq!(r["listen_payload_n"], 1);
    assert_eq!(r["listen_has_id"], true);
    assert_eq!(r["emit_to_payload"], "to me");
    assert_eq!(r["once_calls"], 1);
    assert_eq!(r["unlisten_calls_after"], 0);
    assert_eq!(r["all_ok"], true, "{r}");
    assert_eq!(app.wait_exit(Duration::from_secs(20)), Some(0));
}
