//! `--print-capabilities`: an app prints, without a display, what each
//! window may use and which registered methods no page can reach.

mod support;

use std::process::Command;

use serde_json::Value;

fn report(args: &[&str]) -> std::process::Output {
    Command::new(support::example("hostile_page"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs")
}

#[test]
fn the_report_lists_grants_per_window_and_unreachable_methods() {
    let out = report(&["--print-capabilities=json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let window = |label: &str| {
        r["windows"]
            .as_array()
            .and_then(|ws| ws.iter().find(|w| w["window"] == label))
            .cloned()
            .unwrap_or_else(|| panic!("no window {label} in {r}"))
    };
    assert_eq!(
        window("legit")["methods"],
        serde_json::json!(["hostile.ping"])
    );
    assert_eq!(
        window("evil")["methods"],
        serde_json::json!([
            "hostile.echo",
            "hostile.hook_blocked",
            "hostile.nested",
            "hostile.phase",
            "hostile.report",
            "hostile.slow"
        ])
    );
    let unreachable: Vec<&str> = r["unreachable"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // The app's own ungranted command, and built-ins nobody granted.
    assert!(unreachable.contains(&"hostile.secret"), "{r}");
    assert!(unreachable.contains(&"app.quit"), "{r}");
    assert!(!unreachable.contains(&"hostile.ping"), "{r}");

    let text = report(&["--print-capabilities"]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("window `evil` (capabilities: evil)"),
        "{text}"
    );
    assert!(text.contains("unreachable methods"), "{text}");

    let bad = report(&["--print-capabilities=yaml"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown report format `yaml`"));
}
