//! Capabilities: which windows (and remote origins) may use which
//! methods, events, stores and window labels.

use serde::{Deserialize, Serialize};

/// The prefix of the built-in event methods (`event.listen`,
/// `event.emit` …), which a capability grants through `events`, not
/// `methods`.
pub const EVENT_METHODS: &str = "event.";

/// Why a capability file was refused.
///
/// ```
/// use traykit::ipc::{Capability, CapabilityError};
///
/// let err = Capability::from_json(r#"{ "identifier": "x", "windows": [] }"#).unwrap_err();
/// assert!(matches!(err, CapabilityError::NoWindows(id) if id == "x"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CapabilityError {
    /// Not valid JSON or wrong shape.
    #[error("capability file is invalid: {0}")]
    Invalid(String),
    /// A capability names no window, so it grants nothing.
    #[error("capability `{0}` names no window in \"windows\"")]
    NoWindows(String),
}

/// Grants windows (by label, `*` globs) methods and events, and optionally
/// lets pages from remote origins use them.
///
/// ```
/// use traykit::ipc::Capability;
/// let cap = Capability::from_json(r#"{
///   "identifier": "notes",
///   "windows": ["notes", "popup-*"],
///   "methods": ["notes.*", "notification.show"],
///   "events": ["notes-changed"]
/// }"#).unwrap();
/// assert!(cap.grants_method("popup-1", "notes.add"));
/// assert!(!cap.grants_method("settings", "notes.add"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// A name for error messages and the capability report.
    pub identifier: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Window labels it applies to; `*` matches any run of characters.
    pub windows: Vec<String>,
    /// Methods granted; `*` globs allowed (`notes.*`).
    #[serde(default)]
    pub methods: Vec<String>,
    /// Event names the window may listen to and emit.
    #[serde(default)]
    pub events: Vec<String>,
    /// Origins (`https://example.com`) whose pages get these grants too.
    /// Pages served from the app's own protocol always do.
    #[serde(default)]
    pub remote: Vec<String>,
    /// Stores (and key prefixes) the `store.*` methods may touch.
    #[serde(default)]
    pub stores: Vec<StoreGrant>,
    /// Labels of *new* windows `window.open` may declare (`*` globs);
    /// none by default. Showing an already declared window needs only the
    /// method. A page could otherwise pick a label that a broader
    /// capability names and load its own URL under it.
    #[serde(default)]
    pub open: Vec<String>,
}

/// Access to one store (a `*` glob) limited to keys starting with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreGrant {
    /// Store name; `*` globs allowed.
    pub store: String,
    /// Only keys starting with this (default: every key).
    #[serde(default)]
    pub prefix: String,
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl Capability {
    /// Parses one capability from JSON.
    pub fn from_json(text: &str) -> Result<Capability, CapabilityError> {
        let cap: Capability =
            serde_json::from_str(text).map_err(|e| CapabilityError::Invalid(e.to_string()))?;
        if cap.windows.is_empty() {
            return Err(CapabilityError::NoWindows(cap.identifier));
        }
        for remote in &cap.remote {
            OriginPattern::parse(remote).map_err(CapabilityError::Invalid)?;
        }
        Ok(cap)
    }

    /// Whether it applies to this window.
    pub fn applies_to(&self, window: &str) -> bool {
        self.windows.iter().any(|w| glob(w, window))
    }

    /// Whether it grants `method` to `window`.
    pub fn grants_method(&self, window: &str, method: &str) -> bool {
        self.applies_to(window) && self.methods.iter().any(|m| glob(m, method))
    }

    /// Whether it grants `event` to `window`.
    pub fn grants_event(&self, window: &str, event: &str) -> bool {
        self.applies_to(window) && self.events.iter().any(|e| glob(e, event))
    }

    /// Whether pages from `origin` (`scheme://host[:port]`) may use it.
    ///
    /// Both sides are parsed as URLs and compared by scheme, host and port
    /// (default ports filled in), never as text: `http://localhost:*`
    /// admits `http://localhost:5173`, not `http://localhost:1@evil.example`
    /// nor `http://localhost.evil.example`. See [`OriginPattern`].
    pub fn admits_origin(&self, origin: &str) -> bool {
        let Some(origin) = Origin::parse(origin) else {
            return false;
        };
        self.remote
            .iter()
            .any(|r| OriginPattern::parse(r).is_ok_and(|p| p.admits(&origin)))
    }
}

/// A page origin, parsed: lowercase scheme, normalised host (lowercase,
/// IDN as punycode), port with the scheme's default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` allowed). Anything more
    /// — user info, a path, a query, no host — is not an origin: `None`.
    pub fn parse(text: &str) -> Option<Origin> {
        let url = url::Url::parse(text).ok()?;
        let plain = url.username().is_empty()
            && url.password().is_none()
            && matches!(url.path(), "" | "/")
            && url.query().is_none()
            && url.fragment().is_none();
        if !plain {
            return None;
        }
        Some(Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().filter(|h| !h.is_empty())?.to_owned(),
            port: url.port_or_known_default(),
        })
    }

    /// The page origin of a page URL (its path, query and user info
    /// dropped), or `None` if it has no host (`about:blank`, `data:`…).
    pub fn of_url(url: &str) -> Option<Origin> {
        let url = url::Url::parse(url).ok()?;
        Some(Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().filter(|h| !h.is_empty())?.to_owned(),
            port: url.port_or_known_default(),
        })
    }

    /// `scheme://host[:port]`, the port left out when it is the scheme's
    /// default.
    pub fn serialize(&self) -> String {
        let default = url::Url::parse(&format!("{}://h/", self.scheme))
            .ok()
            .and_then(|u| u.port_or_known_default());
        match self.port {
            Some(port) if Some(port) != default => {
                format!("{}://{}:{port}", self.scheme, self.host)
            }
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// One entry of a capability's `remote`: `scheme://host[:port]`, where the
/// host may start with `*.` (any subdomain, not the domain itself) and the
/// port may be `*` (any port, the default included). Nothing else is a
/// wildcard; user info, paths and queries are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    /// Normalised host, without the `*.`.
    host: String,
    subdomains: bool,
    /// `None` = any port.
    port: Option<Option<u16>>,
}

impl OriginPattern {
    /// Parses one `remote` entry.
    pub fn parse(text: &str) -> Result<OriginPattern, String> {
        let bad = |why: &str| format!("remote origin `{text}`: {why}");
        let (scheme, authority) = text
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://host[:port]"))?;
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        if authority.contains(['/', '?', '#', '@', '\\']) {
            return Err(bad("only scheme://host[:port], no user info or path"));
        }
        let (host, any_port) = match authority.strip_suffix(":*") {
            Some(host) => (host, true),
            None => (authority, false),
        };
        let (host, subdomains) = match host.strip_prefix("*.") {
            Some(host) => (host, true),
            None => (host, false),
        };
        if host.contains('*') {
            return Err(bad(
                "`*` only as a whole port or a leading `*.` of the host",
            ));
        }
        let origin = Origin::parse(&format!("{scheme}://{host}"))
            .ok_or_else(|| bad("not a valid origin"))?;
        Ok(OriginPattern {
            scheme: origin.scheme,
            host: origin.host,
            subdomains,
            port: (!any_port).then_some(origin.port),
        })
    }

    /// Whether `origin` is one this pattern names.
    pub fn admits(&self, origin: &Origin) -> bool {
        let host = if self.subdomains {
            origin
                .host
                .strip_suffix(self.host.as_str())
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
        } else {
            origin.host == self.host
        };
        origin.scheme == self.scheme && host && self.port.is_none_or(|p| p == origin.port)
    }
}

/// All capabilities of an app. Deny by default: nothing is granted unless a
/// capability names the window.
///
/// ```
/// use traykit::ipc::{Capabilities, Capability};
///
/// let mut caps = Capabilities::default();
/// caps.push(Capability::from_json(r#"{"identifier":"a","windows":["main"],"methods":["notes.*"]}"#)?);
/// assert!(caps.allows_method("main", None, "notes.add"));
/// assert!(!caps.allows_method("other", None, "notes.add"));
/// # Ok::<(), traykit::ipc::CapabilityError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Capabilities(Vec<Capability>);

impl Capabilities {
    /// Adds one.
    pub fn push(&mut self, cap: Capability) {
        self.0.push(cap);
    }

    /// Every capability.
    pub fn all(&self) -> &[Capability] {
        &self.0
    }

    /// Is `method` granted to `window` for a page from `origin` (`None` =
    /// the app's own protocol)?
    pub fn allows_method(&self, window: &str, origin: Option<&str>, method: &str) -> bool {
        self.0
            .iter()
            .any(|c| c.grants_method(window, method) && origin.is_none_or(|o| c.admits_origin(o)))
    }

    /// May `window` (page from `origin`) touch keys starting with `key_or_prefix`
    /// in `store`? A watch on prefix `P` needs a grant whose prefix `P`
    /// starts with.
    pub fn allows_store(
        &self,
        window: &str,
        origin: Option<&str>,
        store: &str,
        key_or_prefix: &str,
    ) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && c.stores
                    .iter()
                    .any(|g| glob(&g.store, store) && key_or_prefix.starts_with(&g.prefix))
        })
    }

    /// Whether `window` has any store grant (so it may listen to
    /// `store.changed`).
    pub fn allows_any_store(&self, window: &str, origin: Option<&str>) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && !c.stores.is_empty()
        })
    }

    /// May `window` (page from `origin`) declare a new window `label` with
    /// `window.open`?
    pub fn allows_open(&self, window: &str, origin: Option<&str>, label: &str) -> bool {
        self.0.iter().any(|c| {
            c.applies_to(window)
                && origin.is_none_or(|o| c.admits_origin(o))
                && c.open.iter().any(|g| glob(g, label))
        })
    }

    /// May `window` (page from `origin`) call `method` at all? Checked
    /// before the method is looked up. `event.*` methods are granted per
    /// event name by a capability's `events` (their handlers check the
    /// name); every other method by its `methods`.
    pub fn admits_call(&self, window: &str, origin: Option<&str>, method: &str) -> bool {
        method.starts_with(EVENT_METHODS) || self.allows_method(window, origin, method)
    }

    /// Is `event` granted to `window` for a page from `origin`?
    pub fn allows_event(&self, window: &str, origin: Option<&str>, event: &str) -> bool {
        self.0
            .iter()
            .any(|c| c.grants_event(window, event) && origin.is_none_or(|o| c.admits_origin(o)))
    }
}
