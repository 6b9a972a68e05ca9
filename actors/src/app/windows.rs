//! The app's windows: declaring them at run time and finding them.

use std::sync::Arc;

use actix::prelude::*;

use crate::error::ActorError;
use crate::sync::{read, write};
use crate::window::{Window, WindowActor, WindowCommand, WindowError, WindowHandle};

use super::{AppHandle, StoreExt};

/// A reserved place for a page-declared window (see
/// `AppHandle::reserve_page_window`).
pub(crate) struct PageWindowSlot {
    app: Option<AppHandle>,
}

impl PageWindowSlot {
    /// The window was declared: the place stays taken.
    pub(crate) fn keep(mut self) {
        self.app = None;
    }
}

impl Drop for PageWindowSlot {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.inner
                .windows
                .page_windows
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl AppHandle {
    /// Takes one of `max` places for a window declared at run time by a
    /// page; `None` when all are taken. The place goes back unless
    /// [`PageWindowSlot::keep`] is called (the declaration failed).
    pub(crate) fn reserve_page_window(&self, max: usize) -> Option<PageWindowSlot> {
        use std::sync::atomic::Ordering::SeqCst;
        self.inner
            .windows
            .page_windows
            .fetch_update(SeqCst, SeqCst, |n| (n < max).then_some(n + 1))
            .ok()?;
        Some(PageWindowSlot {
            app: Some(self.clone()),
        })
    }

    /// Declares a window at run time (it opens on its first `show`).
    pub async fn add_window(&self, window: Window) -> Result<WindowHandle, WindowError> {
        let (mut spec, visible_on_start, prewarm) = match &self.inner.pages.dev_url {
            Some(base) => window.into_spec_at(base)?,
            None => window.into_spec()?,
        };
        if spec.remember {
            self.restore_geometry(&mut spec).await;
        }
        let label = spec.label.clone();
        let handle = {
            let mut windows = write(&self.inner.windows.by_label);
            if windows.contains_key(label.as_str()) {
                return Err(WindowError::Duplicate(label.to_string()));
            }
            let (ui, app) = (self.inner.ui.clone(), self.clone());
            let script = self.inner.pages.init_script.clone();
            let dev_origin: Option<Arc<str>> = self
                .inner
                .pages
                .dev_url
                .as_deref()
                .map(|u| crate::window::origin_of(u).into());
            let backlog = Arc::new(crate::ipc::Backlog::default());
            let shared = backlog.clone();
            let addr = Supervisor::start(move |_| {
                let host = Arc::new(super::AppPages(app));
                WindowActor::new(spec, ui, host, script, dev_origin).with_backlog(shared)
            });
            let handle =
                WindowHandle::new(label.clone(), addr, self.inner.timeout).with_backlog(backlog);
            windows.insert(label.to_string(), handle.clone());
            handle
        };
        if visible_on_start {
            handle.show().await?;
        } else if prewarm {
            handle
                .addr()
                .send(crate::window::Prewarm)
                .await
                .map_err(|e| ActorError::from_mailbox(e, "WindowActor", self.inner.timeout))??;
        }
        Ok(handle)
    }

    /// Applies the geometry remembered for this window, if any. A store
    /// that cannot be read only costs the memory, never the window.
    async fn restore_geometry(&self, spec: &mut crate::window::WindowSpec) {
        let store = match self.store(crate::window::WINDOW_STATE_STORE) {
            Ok(store) => store,
            Err(error) => {
                tracing::warn!(%error, "window state store unavailable");
                return;
            }
        };
        match store
            .get::<crate::window::Geometry>(spec.label.as_str())
            .await
        {
            Ok(Some(g)) => {
                spec.size = g.size;
                spec.position = Some(g.position);
                spec.maximized = g.maximized;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(window = %spec.label, %error, "window state unreadable"),
        }
    }

    /// The handle of one window.
    pub fn window(&self, label: &str) -> Result<WindowHandle, WindowError> {
        read(&self.inner.windows.by_label)
            .get(label)
            .cloned()
            .ok_or_else(|| WindowError::Unknown(label.to_owned()))
    }

    /// Every declared window.
    pub fn windows(&self) -> Vec<WindowHandle> {
        read(&self.inner.windows.by_label)
            .values()
            .cloned()
            .collect()
    }

    /// Starts the webview host now, warmed with a hidden blank page, so the
    /// next window opens without waiting for a process start. Call it when
    /// a window is probably coming; traykit does on a tray menu opening, a
    /// global shortcut and a second launch. Idempotent and without waiting;
    /// nothing happens in an app that declares no window. A host that no
    /// window follows is let go again after a few seconds (see
    /// ARCHITECTURE.md, "Prewarm").
    ///
    /// ```
    /// use traykit::prelude::*;
    ///
    /// let builder = App::builder()
    ///     .window(Window::new("popup").url("popup.html"))
    ///     .setup(|app| {
    ///         app.prewarm_host(); // the popup is the first thing users open
    ///         Ok(())
    ///     });
    /// # let _ = builder;
    /// ```
    pub fn prewarm_host(&self) {
        if read(&self.inner.windows.by_label).is_empty() {
            return;
        }
        // Posted now; the answer (always Ok) is not waited for.
        drop(self.inner.ui.request(crate::ui::UiRequest::PrewarmHost));
    }

    /// Shows a window (creating it on first use) without waiting: the
    /// one-liner for a tray menu click. A failure is logged.
    pub fn show_window(&self, label: &str) {
        match self.window(label) {
            Ok(window) => {
                window
                    .addr()
                    .do_send(crate::window::Command(WindowCommand::Show));
            }
            Err(error) => tracing::warn!(%error, "show_window"),
        }
    }
}
