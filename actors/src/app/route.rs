//! UI events to the actor that owns them; held until boot is done.

use crate::sync::lock;
use crate::tray::{IconActivated, MenuActivated, MenuOpening};
use crate::ui::UiEvent;

use super::AppHandle;

impl AppHandle {
    /// Marks boot as done and delivers the UI events held until now, in
    /// order (`RuntimeHandle::mark_ready`).
    pub(super) fn mark_ready(&self) {
        let held = {
            let mut held = lock(&self.inner.boot.held);
            self.inner
                .boot
                .ready
                .store(true, std::sync::atomic::Ordering::SeqCst);
            std::mem::take(&mut *held)
        };
        for event in held {
            self.route(event);
        }
    }

    /// Routes an event from the UI thread to the actor that owns it
    /// (`RuntimeHandle::dispatch`). Safe to call from any thread; never
    /// blocks. Before boot is done the event is held and delivered by
    /// [`mark_ready`](Self::mark_ready).
    pub(super) fn dispatch(&self, event: UiEvent) {
        if !self
            .inner
            .boot
            .ready
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            let mut held = lock(&self.inner.boot.held);
            // Re-check under the lock: mark_ready may have just run.
            if !self
                .inner
                .boot
                .ready
                .load(std::sync::atomic::Ordering::SeqCst)
            {
                held.push(event);
                return;
            }
        }
        self.route(event);
    }

    fn route(&self, event: UiEvent) {
        match event {
            UiEvent::MenuActivated { tray, item } => match self.tray(tray.as_str()) {
                Ok(handle) => handle.addr().do_send(MenuActivated(item)),
                Err(_) => tracing::debug!(%tray, "menu event for a removed tray dropped"),
            },
            UiEvent::TrayActivated {
                tray,
                button,
                position,
            } => match self.tray(tray.as_str()) {
                Ok(handle) => handle.addr().do_send(IconActivated { button, position }),
                Err(_) => tracing::debug!(%tray, "activation for a removed tray dropped"),
            },
            UiEvent::TrayMenuOpened { tray } => {
                // A click may follow: start the window host now, not then.
                self.prewarm_host();
                match self.tray(tray.as_str()) {
                    Ok(handle) => handle.addr().do_send(MenuOpening),
                    Err(_) => tracing::debug!(%tray, "menu opening for a removed tray dropped"),
                }
            }
            UiEvent::Ipc {
                window,
                url,
                seq,
                body,
            } => match self.window(window.as_str()) {
                // Counted before it is queued, so a flooding page is refused
                // here instead of growing the actor's mailbox.
                Ok(handle) => match handle.backlog().admit(body.len(), self.ipc_limits()) {
                    Ok(()) => handle
                        .addr()
                        .do_send(crate::window::IpcIn { url, seq, body }),
                    Err(error) => {
                        tracing::debug!(%window, bytes = body.len(), "IPC message refused: backlog full");
                        drop(body);
                        refuse_ipc(&handle, seq, error);
                    }
                },
                Err(_) => tracing::debug!(%window, "IPC for an unknown window dropped"),
            },
            UiEvent::IpcRefused { window, seq, error } => {
                // Bounded like the router's own refusals: a page that floods
                // oversized messages cannot queue unbounded answers.
                if let Ok(handle) = self.window(window.as_str()) {
                    refuse_ipc(&handle, seq, error);
                }
            }
            UiEvent::WindowCloseRequested { window } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle.addr().do_send(crate::window::CloseRequested);
                }
            }
            UiEvent::WindowGone { window } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle.addr().do_send(crate::window::Gone);
                }
            }
            UiEvent::WindowGeometry { window, geometry } => {
                if let Ok(handle) = self.window(window.as_str()) {
                    handle
                        .addr()
                        .do_send(crate::window::GeometryChanged(geometry));
                }
            }
        }
    }
}

/// Tells `handle`'s actor that its page's message `seq` was refused before
/// it got there, if a refusal slot is free: a page that floods cannot queue
/// unbounded answers (router and pipe-reader refusals share the bound).
fn refuse_ipc(handle: &crate::window::WindowHandle, seq: Option<u64>, error: crate::ipc::RpcError) {
    if handle.backlog().refusal_slot() {
        handle
            .addr()
            .do_send(crate::window::IpcRefused { seq, error });
    } else {
        tracing::debug!(window = %handle.label(), "refusal dropped: too many pending");
    }
}
