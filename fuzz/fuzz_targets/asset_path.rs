//! The asset path decoder (`src/webview/asset_path.rs`) on hostile input: never a
//! panic, and whatever it accepts is a plain relative path that stays
//! inside any folder it is joined to, and means the same when asked again.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;

// The decoder is plain std: included as it is, so the fuzzer needs neither
// wry nor WebKitGTK.
#[allow(dead_code)]
#[path = "../../src/webview/asset_path.rs"]
mod asset_path;

fn check(raw: &str) {
    let Ok(path) = asset_path::decode(raw) else {
        return;
    };
    assert!(!path.is_empty(), "{raw:?}");
    assert!(
        !path.contains(['\0', '\\']) && !path.chars().any(char::is_control),
        "{raw:?} -> {path:?}"
    );
    assert!(
        path.split('/').all(|s| !matches!(s, "" | "." | "..")),
        "{raw:?} -> {path:?}"
    );
    let rel = Path::new(&path);
    assert!(rel.is_relative(), "{raw:?} -> {path:?}");
    assert!(
        rel.components().all(|c| matches!(c, Component::Normal(_))),
        "{raw:?} -> {path:?}"
    );
    let root = Path::new("/srv/app");
    let joined = root.join(rel);
    assert!(
        joined.starts_with(root) && joined != root,
        "{raw:?} -> {}",
        joined.display()
    );
    // Decoded exactly once: the accepted name, escaped again, decodes to
    // itself (so no layer can read a second meaning into it). Escaping and
    // the index page make it longer: only within the length limit.
    let mut again = String::from("/");
    for c in path.chars() {
        match c {
            '%' => again.push_str("%25"),
            '?' => again.push_str("%3F"),
            '#' => again.push_str("%23"),
            c => again.push(c),
        }
    }
    if again.len() <= asset_path::MAX_PATH {
        assert_eq!(
            asset_path::decode(&again).as_deref(),
            Ok(path.as_str()),
            "{raw:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text);
    check(&format!("/{text}"));
});
