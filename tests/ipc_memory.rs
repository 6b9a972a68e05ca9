//! What the worst messages a page can send under the default limits cost in
//! memory: the peak heap (a counting allocator: exact, and per message) and
//! the peak RSS (VmHWM after resetting it) while the message goes through
//! the real router, window actor, decoder and a handler. Prints a table
//! (`cargo test --test ipc_memory -- --nocapture`) and holds every message
//! to a few times the largest message a page may send.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};
use traykit::ipc::{decode, IpcLimits};
use traykit::prelude::*;
use traykit::test::TestApp;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// A `GlobalAlloc` cannot be written without `unsafe`; this one only counts.
// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters only observe sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new) };
        if !p.is_null() {
            if new >= layout.size() {
                let now = CURRENT.fetch_add(new - layout.size(), Ordering::Relaxed)
                    + (new - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak heap above what was allocated when `f` started.
fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let r = f();
    (r, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

fn status_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux: `5` to clear_refs).
fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

const MIB: usize = 1024 * 1024;

/// The hostile messages, each as large as the default limit lets it be.
fn worst(max: usize) -> Vec<(&'static str, String)> {
    let call = |params: String| {
        format!(r#"{{"jsonrpc":"2.0","id":1,"method":"t.len","params":{params}}}"#)
    };
    let fill = |unit: &str, overhead: usize| unit.repeat((max - overhead) / unit.len());
    let records = |n: usize| format!("[{}{{}}]", r#"{"a":1},"#.repeat(n));
    vec![
        (
            "16 MiB string param",
            call(format!(r#"{{"data":"{}"}}"#, fill("x", 100))),
        ),
        ("16 MiB batch of 1s", format!("[{}1]", fill("1,", 10))),
        (
            "16 MiB array of 0s",
            call(format!("[{}0]", fill("0,", 100))),
        ),
        (
            r#"16 MiB of {"a":1} objects"#,
            call(format!("[{}{{}}]", fill(r#"{"a":1},"#, 100))),
        ),
        (
            r#"370 KB of {"a":1} (just under the decoded budget)"#,
            call(records(44_000)),
        ),
        (
            "16 MiB of nested [[[…]]] × 120",
            call(format!(
                "[{}0]",
                fill(&format!("{}0{},", "[".repeat(120), "]".repeat(120)), 100)
            )),
        ),
    ]
}

#[test]
fn the_decoder_costs_a_few_times_the_largest_message() {
    let limits = IpcLimits::default();
    assert_eq!(limits.max_message_bytes, 16 * MIB);
    println!("decode only, default limits:");
    for (name, text) in worst(limits.max_message_bytes) {
        assert!(text.len() <= limits.max_message_bytes, "{name}");
        let (result, peak) = peak_during(|| decode(&text, &limits).map(|_| ()));
        println!(
            "  {name:<50} {:>6.2} MiB text, peak heap {:>6.2} MiB = {:>5.2}× the text, {}",
            text.len() as f64 / MIB as f64,
            peak as f64 / MIB as f64,
            peak as f64 / text.len() as f64,
            result.map_or_else(|e| e.message, |()| "decoded".into())
        );
        // The budget plus the slack of one growing array.
        assert!(
            peak <= 2 * limits.max_decoded_bytes + 2 * MIB,
            "{name}: {peak} bytes"
        );
    }
}

#[actix::test]
async fn the_app_costs_a_few_times_the_largest_message() {
    let limits = IpcLimits::default();
    let app = TestApp::start(
        App::builder()
            .window(Window::new("main"))
            .capability(r#"{"identifier":"t","windows":["main"],"methods":["t.*"]}"#)
            .command("t.len", |a: Value, _: CallContext| async move {
                // Holds its params until it answers, as a real handler does.
                Ok::<_, RpcError>(match &a {
                    Value::Array(items) => items.len(),
                    Value::Object(m) => m.get("data").and_then(Value::as_str).map_or(0, str::len),
                    _ => 0,
                })
            }),
    )
    .await
    .expect("starts");
    let warm = json!({"jsonrpc":"2.0","id":0,"method":"t.len","params":[]}).to_string();
    assert!(app.ipc("main", &warm).await.is_some());
    println!("through the app (router, window actor, decoder, a handler holding its params):");
    for (name, text) in worst(limits.max_message_bytes) {
        let base_heap = CURRENT.load(Ordering::SeqCst);
        PEAK.store(base_heap, Ordering::SeqCst);
        let rss = status_kib("VmRSS:");
        reset_hwm();
        let answer = app.ipc("main", &text).await.expect("answer");
        let heap = PEAK.load(Ordering::SeqCst).saturating_sub(base_heap);
        let hwm = status_kib("VmHWM:").saturating_sub(rss) * 1024;
        let outcome = answer["error"]["message"]
            .as_str()
            .map_or_else(|| format!("answered {}", answer["result"]), str::to_owned);
        println!(
            "  {name:<50} peak heap {:>6.2} MiB = {:>5.2}× max message; peak RSS +{:>6.2} MiB; {outcome:.80}",
            heap as f64 / MIB as f64,
            heap as f64 / limits.max_message_bytes as f64,
            hwm as f64 / MIB as f64,
        );
        // Includes the copy of the text `ipc` posts (the host's pipe reader
        // allocates the same in the real app).
        assert!(
            heap <= 4 * limits.max_message_bytes,
            "{name}: {heap} bytes of heap"
        );
    }
}
