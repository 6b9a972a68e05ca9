//! The third-party plugin example (`examples/plugin_counter.rs`) in a real
//! WebKitGTK page under Xvfb: the plugin's page script is there, its
//! built-ins round-trip through its own actor, the method its capability
//! does not grant is refused with the permission code, and its shutdown
//! hook runs when the app quits.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{bus, example, App};

const T: Duration = Duration::from_secs(60);

#[test]
fn a_third_party_plugin_does_what_a_built_in_does() {
    let bus = bus::Bus::start();
    let mut app = App::spawn_piped(&example("plugin_counter"), &bus, &[]);

    let report = app
        .wait_line("PLUGIN_REPORT", T)
        .expect("the page reported back");
    let r: Value = serde_json::from_str(&report).expect("report is JSON");
    assert!(r.get("fatal").is_none(), "page failed: {r}");
    assert_eq!(r["script"], true, "the plugin's page script ran: {r}");
    assert_eq!(r["first"], 2, "{r}");
    assert_eq!(r["second"], 5, "{r}");
    assert_eq!(r["get"], 5, "{r}");
    // Ungranted: refused with the permission code, and the handler never ran.
    assert_eq!(r["reset"]["code"], -32001, "{r}");
    assert_eq!(r["after_reset"], 5, "{r}");

    // The app quits after the report; the plugin's hook runs in the
    // ordered shutdown and sees the actor's last count.
    let hook = app
        .wait_line("COUNTER_SHUTDOWN", T)
        .expect("the plugin's shutdown hook ran");
    assert_eq!(hook, "5");
    assert_eq!(app.wait_exit(T), Some(0), "clean exit");
}
