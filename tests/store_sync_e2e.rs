//! Two real windows under Xvfb watch the same store key: a change made in
//! one page, then one made in Rust, reach both pages once each, in order.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::bus::Bus;
use support::{example, App};

#[test]
fn two_windows_stay_in_sync_through_a_store() {
    let bus = Bus::start();
    let app = App::spawn_piped(&example("store_sync"), &bus, &[]);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while seen.values().map(Vec::len).sum::<usize>() < 4 {
        let Some(line) = app.wait_line("SYNC", Duration::from_secs(60)) else {
            panic!("pages stopped reporting; saw {seen:?}");
        };
        let mut parts = line.splitn(3, ' ');
        let (window, key, value) = (
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
        );
        assert_eq!(key, "ui.color");
        seen.entry(window).or_default().push(value);
    }
    for window in ["a", "b"] {
        assert_eq!(
            seen.get(window).map(Vec::as_slice),
            Some(&["\"from-a\"".to_owned(), "\"from-rust\"".to_owned()][..]),
            "window {window}: {seen:?}"
        );
    }
    // Nothing more arrives: each change reached each page exactly once.
    assert_eq!(app.wait_line("SYNC", Duration::from_millis(500)), None);
}
