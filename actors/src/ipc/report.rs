//! The capability report: per window, every method, event, store and origin
//! it may use; and the registered methods no capability grants (dead code
//! for pages — unreachable, like what Tauri's `removeUnusedCommands` drops),
//! and grants that match no registered method (usually a typo).
//!
//! Apps print it with `--print-capabilities` (text) or
//! `--print-capabilities=json`, without a display.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::ipc::{glob, Capabilities, EVENT_METHODS};

/// What one window (or a window-label pattern for windows made at run time)
/// may use.
///
/// ```
/// # use traykit::prelude::*;
/// let builder = App::builder()
///     .window(Window::new("main"))
///     .capability(r#"{"identifier":"main","windows":["main"],"methods":["app.*"]}"#);
/// let report = builder.capability_report()?;
/// let main = report.windows.iter().find(|w| w.window == "main").expect("declared");
/// assert!(main.methods.iter().any(|m| m == "app.quit"));
/// # Ok::<(), traykit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowGrants {
    /// A declared label, or a capability's pattern (`popup-*`).
    pub window: String,
    /// Whether `window` is a pattern rather than a declared window.
    pub pattern: bool,
    /// The capabilities that apply, by identifier.
    pub capabilities: Vec<String>,
    /// Registered methods it may call, sorted.
    pub methods: Vec<String>,
    /// Event names (globs) it may listen to and emit.
    pub events: Vec<String>,
    /// Stores (globs) and key prefixes it may use through `store.*`.
    pub stores: Vec<String>,
    /// Remote origins whose pages get these grants too.
    pub remote: Vec<String>,
}

/// The whole report: what each window may call, and the grants or methods
/// that look like mistakes. Apps print it with `--print-capabilities`.
///
/// ```
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
///
/// let builder = App::builder()
///     .window(Window::new("main"))
///     .capability(r#"{"identifier":"main","windows":["main"],"methods":["notes.ad"]}"#)
///     .command("notes.add", |_: String, _: CallContext| async { Ok::<_, RpcError>(()) });
/// let report = builder.capability_report()?;
/// assert!(report.unreachable.contains(&"notes.add".to_owned()));
/// assert_eq!(report.unmatched_grants.len(), 1); // the typo `notes.ad`
/// # Ok::<(), traykit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapabilityReport {
    /// Per window, declared windows first.
    pub windows: Vec<WindowGrants>,
    /// Registered methods that no capability grants to any window.
    pub unreachable: Vec<String>,
    /// Method grants (`capability: pattern`) that match no registered method.
    pub unmatched_grants: Vec<String>,
}

impl CapabilityReport {
    /// Builds the report for these capabilities, registered methods and
    /// declared window labels.
    pub fn new<'a>(
        caps: &Capabilities,
        methods: impl IntoIterator<Item = &'a str>,
        declared: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        // `event.*` methods are granted per event name (`events`), listed
        // apart; as methods they would all read as unreachable.
        let methods: BTreeSet<&str> = methods
            .into_iter()
            .filter(|m| !m.starts_with(EVENT_METHODS))
            .collect();
        let declared: Vec<&str> = declared.into_iter().collect();
        let windows = targets(caps, &declared)
            .into_iter()
            .map(|(window, pattern)| grants_for(caps, &methods, window, pattern))
            .collect();
        let granted = |m: &&str| {
            caps.all()
                .iter()
                .any(|c| c.methods.iter().any(|g| glob(g, m)))
        };
        let unreachable = methods
            .iter()
            .filter(|m| !granted(m))
            .map(|m| (*m).to_owned())
            .collect();
        let unmatched_grants = caps
            .all()
            .iter()
            .flat_map(|c| {
                c.methods
                    .iter()
                    .filter(|g| !methods.iter().any(|m| glob(g, m)))
                    .map(move |g| format!("{}: {g}", c.identifier))
            })
            .collect();
        CapabilityReport {
            windows,
            unreachable,
            unmatched_grants,
        }
    }
}

/// The windows the report has a row for: the declared ones first, then
/// every other label or pattern a capability names (`true`: not declared).
fn targets(caps: &Capabilities, declared: &[&str]) -> Vec<(String, bool)> {
    let mut targets: Vec<(String, bool)> =
        declared.iter().map(|w| ((*w).to_owned(), false)).collect();
    for cap in caps.all() {
        for w in &cap.windows {
            let is_declared = declared.iter().any(|d| d == w);
            if !is_declared && !targets.iter().any(|(t, _)| t == w) {
                targets.push((w.clone(), true));
            }
        }
    }
    targets
}

/// One window's row: what the capabilities that apply to it grant.
fn grants_for(
    caps: &Capabilities,
    methods: &BTreeSet<&str>,
    window: String,
    pattern: bool,
) -> WindowGrants {
    // A pattern covers the windows it matches; a capability for
    // `popup-*` applies to a pattern `popup-*` as written.
    let applies = |c: &crate::ipc::Capability| {
        if pattern {
            c.windows.iter().any(|w| w == &window || glob(w, &window))
        } else {
            c.applies_to(&window)
        }
    };
    let relevant: Vec<_> = caps.all().iter().filter(|c| applies(c)).collect();
    let set = |f: &dyn Fn(&crate::ipc::Capability) -> Vec<String>| {
        relevant
            .iter()
            .flat_map(|c| f(c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    WindowGrants {
        capabilities: relevant.iter().map(|c| c.identifier.clone()).collect(),
        methods: methods
            .iter()
            .filter(|m| {
                relevant
                    .iter()
                    .any(|c| c.methods.iter().any(|g| glob(g, m)))
            })
            .map(|m| (*m).to_owned())
            .collect(),
        events: set(&|c| c.events.clone()),
        stores: set(&|c| c.stores.iter().map(store_grant).collect()),
        remote: set(&|c| c.remote.clone()),
        window,
        pattern,
    }
}

fn store_grant(g: &crate::ipc::StoreGrant) -> String {
    if g.prefix.is_empty() {
        g.store.clone()
    } else {
        format!("{} (keys {}…)", g.store, g.prefix)
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_owned()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for CapabilityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Capability report")?;
        for w in &self.windows {
            let kind = if w.pattern {
                "windows matching"
            } else {
                "window"
            };
            writeln!(
                f,
                "\n{kind} `{}` (capabilities: {})",
                w.window,
                list(&w.capabilities)
            )?;
            writeln!(f, "  methods: {}", list(&w.methods))?;
            writeln!(f, "  events:  {}", list(&w.events))?;
            writeln!(f, "  stores:  {}", list(&w.stores))?;
            if !w.remote.is_empty() {
                writeln!(f, "  remote origins: {}", list(&w.remote))?;
            }
        }
        writeln!(
            f,
            "\nunreachable methods (registered, granted to no window): {}",
            list(&self.unreachable)
        )?;
        if !self.unmatched_grants.is_empty() {
            writeln!(
                f,
                "grants matching no registered method (typos?): {}",
                list(&self.unmatched_grants)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Capability;

    #[test]
    fn per_window_grants_unreachable_methods_and_typos() {
        let mut caps = Capabilities::default();
        for json in [
            r#"{"identifier":"notes","windows":["notes","popup-*"],"methods":["notes.*","window.show"],"events":["saved"],
                "stores":[{"store":"notes","prefix":"draft."}]}"#,
            r#"{"identifier":"web","windows":["notes"],"methods":["notes.list","nots.add"],"remote":["https://example.com"]}"#,
        ] {
            caps.push(Capability::from_json(json).expect("valid"));
        }
        let methods = [
            "notes.add",
            "notes.list",
            "admin.wipe",
            "window.show",
            "window.close",
        ];
        let r = CapabilityReport::new(&caps, methods, ["notes", "settings"]);
        assert_eq!(r.unreachable, vec!["admin.wipe", "window.close"]);
        assert_eq!(r.unmatched_grants, vec!["web: nots.add"]);
        let notes = &r.windows[0];
        assert_eq!(notes.window, "notes");
        assert_eq!(notes.capabilities, vec!["notes", "web"]);
        assert_eq!(
            notes.methods,
            vec!["notes.add", "notes.list", "window.show"]
        );
        assert_eq!(notes.events, vec!["saved"]);
        assert_eq!(notes.stores, vec!["notes (keys draft.…)"]);
        assert_eq!(notes.remote, vec!["https://example.com"]);
        let settings = &r.windows[1];
        assert!(settings.methods.is_empty() && settings.capabilities.is_empty());
        let popups = &r.windows[2];
        assert!(popups.pattern);
        assert_eq!(popups.window, "popup-*");
        assert_eq!(
            popups.methods,
            vec!["notes.add", "notes.list", "window.show"]
        );
        let text = r.to_string();
        assert!(
            text.contains(
                "unreachable methods (registered, granted to no window): admin.wipe, window.close"
            ),
            "{text}"
        );
        assert!(text.contains("windows matching `popup-*`"), "{text}");
    }
}
