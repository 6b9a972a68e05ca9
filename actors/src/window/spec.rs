//! Declaring a window: the builder-side [`Window`] and how its URL resolves.

use super::WindowError;
use crate::ids::WindowLabel;
use crate::ipc;
use crate::ui::{ClosePolicy, Placement, WindowSpec};

/// The scheme pages are served from; pages from it are the app's own.
pub const APP_ORIGIN: &str = "traykit://localhost";

/// The store where window geometry is remembered, keyed by label.
pub const WINDOW_STATE_STORE: &str = "traykit.windows";

/// Declares a window: `App::builder().window(Window::new("notes").url("index.html"))`.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder().window(
///     Window::new("notes")
///         .url("index.html") // served from the app's assets
///         .title("Notes")
///         .size(420.0, 560.0)
///         .skip_taskbar(true)
///         .prewarm(true), // webview made hidden at start: the first show is instant
/// );
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
pub struct Window {
    label: String,
    url: String,
    title: Option<String>,
    size: (f64, f64),
    position: Option<(f64, f64)>,
    resizable: bool,
    decorations: bool,
    always_on_top: bool,
    skip_taskbar: bool,
    visible_on_start: bool,
    prewarm: bool,
    close_policy: ClosePolicy,
    placement: Placement,
    remember: bool,
}

impl Window {
    /// A window with this label, 800×600, showing `index.html`.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            url: "index.html".into(),
            title: None,
            size: (800.0, 600.0),
            position: None,
            resizable: true,
            decorations: true,
            always_on_top: false,
            skip_taskbar: false,
            visible_on_start: false,
            prewarm: false,
            close_policy: ClosePolicy::Destroy,
            placement: Placement::Default,
            remember: true,
        }
    }

    /// Remember size, position and maximised state per label and restore
    /// them on the next open (default true). Placement still applies to
    /// windows with a `Placement` other than `Default`.
    pub fn remember_state(mut self, yes: bool) -> Self {
        self.remember = yes;
        self
    }

    /// A page of the app's assets (`"settings.html"`) or an absolute URL.
    /// Remote pages get no IPC unless a capability lists their origin.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }
    /// Title (defaults to the label).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Logical size.
    pub fn size(mut self, width: f64, height: f64) -> Self {
        self.size = (width, height);
        self
    }
    /// Logical position.
    pub fn position(mut self, x: f64, y: f64) -> Self {
        self.position = Some((x, y));
        self
    }
    /// User-resizable (default true).
    pub fn resizable(mut self, yes: bool) -> Self {
        self.resizable = yes;
        self
    }
    /// Title bar and borders (default true).
    pub fn decorations(mut self, yes: bool) -> Self {
        self.decorations = yes;
        self
    }
    /// Above other windows (default false).
    pub fn always_on_top(mut self, yes: bool) -> Self {
        self.always_on_top = yes;
        self
    }
    /// Hidden from the task bar (default false).
    pub fn skip_taskbar(mut self, yes: bool) -> Self {
        self.skip_taskbar = yes;
        self
    }
    /// Open (and show) at start instead of on first `show`.
    pub fn visible_on_start(mut self, yes: bool) -> Self {
        self.visible_on_start = yes;
        self
    }
    /// Create the webview hidden at start so the first `show` is instant.
    /// Costs the webview's memory from the start; implies [`ClosePolicy::Hide`].
    pub fn prewarm(mut self, yes: bool) -> Self {
        self.prewarm = yes;
        if yes {
            self.close_policy = ClosePolicy::Hide;
        }
        self
    }
    /// What closing does (default [`ClosePolicy::Destroy`]).
    pub fn close_policy(mut self, policy: ClosePolicy) -> Self {
        self.close_policy = policy;
        self
    }
    /// Where it appears when shown.
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// The label as given.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Validates; returns the spec and the (visible_on_start, prewarm) flags.
    /// Relative URLs are pages of the app's assets.
    pub fn into_spec(self) -> Result<(WindowSpec, bool, bool), WindowError> {
        self.into_spec_at(APP_ORIGIN)
    }

    /// Like [`into_spec`](Self::into_spec), resolving relative URLs against
    /// `base` (a dev server in debug builds, see `AppBuilder::dev_url`).
    pub fn into_spec_at(self, base: &str) -> Result<(WindowSpec, bool, bool), WindowError> {
        let label = WindowLabel::new(self.label)?;
        let url = resolve_url_at(&self.url, base);
        for (what, v) in [("width", self.size.0), ("height", self.size.1)] {
            if !(v.is_finite() && v >= 1.0) {
                return Err(WindowError::Invalid {
                    window: label.to_string(),
                    reason: format!("{what} must be a positive number, got {v}"),
                });
            }
        }
        Ok((
            WindowSpec {
                title: self.title.unwrap_or_else(|| label.to_string()),
                label,
                url,
                size: self.size,
                position: self.position,
                resizable: self.resizable,
                decorations: self.decorations,
                always_on_top: self.always_on_top,
                skip_taskbar: self.skip_taskbar,
                close_policy: self.close_policy,
                placement: self.placement,
                maximized: false,
                remember: self.remember,
            },
            self.visible_on_start,
            self.prewarm,
        ))
    }
}

/// Resolves a relative URL against `base` (an origin, or an origin and
/// path): relative URLs are pages of the app's assets (or of a dev server).
pub fn resolve_url_at(url: &str, base: &str) -> String {
    if url.contains("://") || url.starts_with("data:") || url.starts_with("about:") {
        url.to_owned()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            url.trim_start_matches('/')
        )
    }
}

/// The origin of a page URL: `scheme://host[:port]`, taken from the parsed
/// URL (so user info — `http://localhost:1@evil.example/` is
/// `http://evil.example` — path and query are gone, the host is
/// normalised and a default port left out); `null`, as on the web, for a
/// URL without a host (`about:blank`, `data:`…), which no capability
/// admits.
pub fn origin_of(url: &str) -> String {
    ipc::Origin::of_url(url).map_or_else(|| "null".to_owned(), |o| o.serialize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_origins() {
        let resolve_url = |u: &str| resolve_url_at(u, APP_ORIGIN);
        assert_eq!(resolve_url("index.html"), "traykit://localhost/index.html");
        assert_eq!(resolve_url("/a/b.html"), "traykit://localhost/a/b.html");
        assert_eq!(
            resolve_url("http://127.0.0.1:5173/"),
            "http://127.0.0.1:5173/"
        );
        let cases = [
            ("traykit://localhost/index.html", "traykit://localhost"),
            ("https://example.com:8443/x?y#z", "https://example.com:8443"),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("about:blank", "null"),
            ("data:text/html,<p>hi", "null"),
            // User info is not part of the host: this page is evil.example's.
            ("http://localhost:1@evil.example/", "http://evil.example"),
            ("HTTPS://Example.COM:443/x", "https://example.com"),
            (
                "http://localhost.evil.example:5173/",
                "http://localhost.evil.example:5173",
            ),
            ("traykit://localhost", "traykit://localhost"),
        ];
        for (url, origin) in cases {
            assert_eq!(origin_of(url), origin, "{url}");
        }
    }

    #[test]
    fn declarations_are_validated() {
        assert!(Window::new("ok").into_spec().is_ok());
        assert!(Window::new("bad label").into_spec().is_err());
        assert!(Window::new("w").size(0.0, 10.0).into_spec().is_err());
        assert!(Window::new("w").size(f64::NAN, 10.0).into_spec().is_err());
        let (spec, _, prewarm) = Window::new("p").prewarm(true).into_spec().expect("valid");
        assert!(prewarm);
        assert_eq!(spec.close_policy, ClosePolicy::Hide);
        assert_eq!(spec.title, "p");
    }
}
