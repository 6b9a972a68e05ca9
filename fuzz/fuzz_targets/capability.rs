//! Capability files: parsing never panics; a parsed capability's grants and
//! the capability report are computed without panicking, and agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use traykit_actors::ipc::{glob, Capabilities, Capability};
use traykit_actors::report::CapabilityReport;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The same bytes as a glob pattern against a few names.
    for name in ["notes.add", "", "a*b", "window.show"] {
        let _ = glob(text, name);
    }
    let Ok(cap) = Capability::from_json(text) else {
        return;
    };
    let methods = ["notes.add", "notes.list", "app.quit", "window.show"];
    let mut caps = Capabilities::default();
    caps.push(cap.clone());
    let windows: Vec<&str> = cap.windows.iter().map(String::as_str).collect();
    let report = CapabilityReport::new(&caps, methods, windows.iter().copied());
    let _ = report.to_string();
    for w in &report.windows {
        if !w.pattern {
            for m in &w.methods {
                assert!(caps.allows_method(&w.window, None, m), "{} {m}", w.window);
            }
        }
    }
    for m in &report.unreachable {
        for w in &cap.windows {
            assert!(!cap.grants_method(w, m));
        }
    }
});
