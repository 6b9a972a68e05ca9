//! [`CallContext`], the context the app's built-in router hands every
//! handler, and [`AppPages`], the app as its windows see it. Both live
//! above `ipc` (which knows nothing of the app: its `Router<C>` is generic
//! over the context) and `window` (which gets the app as a `PageHost`).

use std::sync::Arc;

use crate::app::AppHandle;
use crate::ipc::{self, Call, Capabilities, Dispatch, Incoming, IpcLimits, RpcError};
use crate::isolation::Isolation;
use crate::store::{StoreError, StoreHandle};
use crate::window::{Caller, PageHost, PageLink};

/// Who is calling: handed to every handler.
///
/// ```
/// use std::sync::Mutex;
/// use traykit::ipc::{CallContext, RpcError};
/// use traykit::prelude::*;
///
/// struct Notes(Mutex<Vec<String>>);
///
/// let builder = App::builder()
///     .manage(Notes(Mutex::new(Vec::new())))
///     .command("notes.add", |text: String, ctx: CallContext| async move {
///         let notes = ctx.state::<Notes>()?;
///         notes.0.lock().unwrap().push(text);
///         ctx.app.emit("notes://changed", &ctx.window);
///         Ok::<_, RpcError>(())
///     });
/// # let _ = builder;
/// ```
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The app, for state (`app.state::<T>()`), trays, windows, events.
    pub app: AppHandle,
    /// The label of the calling window (or the name of another transport).
    pub window: String,
    /// The page's origin when it is not the app's own (a remote page).
    pub origin: Option<String>,
    /// The capabilities the call was admitted under when they are not the
    /// app's page capabilities: `--ctl` calls carry the `.ctl_capability`
    /// set, so the ctl's own `stores` and `open` grants apply to it, never
    /// a page capability naming a window `ctl`. `None` for pages.
    pub grants: Option<Arc<Capabilities>>,
    /// The calling page's session (`None` for transports without a page,
    /// such as `--ctl`): what `event.listen` and `store.watch` act on.
    pub page: Option<PageLink>,
}

impl CallContext {
    /// The capabilities built-ins check grants beyond the method against
    /// (store keys, `window.open` labels): [`grants`](Self::grants), else
    /// the app's page capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        self.grants
            .as_deref()
            .unwrap_or_else(|| self.app.capabilities())
    }

    /// Managed state of type `T`, or -32603 saying it is missing.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, RpcError> {
        self.app.state::<T>().ok_or_else(|| {
            RpcError::internal(format!(
                "no managed state of type `{}` (call `.manage(..)` on the builder)",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// The app as its windows see it ([`PageHost`]): the app's router with a
/// [`CallContext`] per call, after the page capabilities admit the method.
pub(crate) struct AppPages(pub(crate) AppHandle);

impl PageHost for AppPages {
    fn limits(&self) -> &IpcLimits {
        self.0.ipc_limits()
    }

    fn isolation(&self) -> Option<&Isolation> {
        self.0.isolation()
    }

    fn store(&self, name: &str) -> Result<StoreHandle, StoreError> {
        self.0.store(name)
    }

    fn dispatch(
        &self,
        incoming: Incoming,
        caller: &Caller<'_>,
        admit: &mut dyn FnMut(&Call, usize) -> Result<(), RpcError>,
    ) -> Dispatch {
        let caps = self.0.capabilities();
        ipc::dispatch(incoming, self.0.router(), |call, admitted| {
            admit(call, admitted)?;
            // Deny before lookup: an ungranted caller learns nothing about
            // which methods exist.
            if !caps.admits_call(caller.window, caller.origin, &call.method) {
                return Err(RpcError::permission_denied(
                    caller.window,
                    &format!("method `{}`", call.method),
                ));
            }
            Ok(CallContext {
                app: self.0.clone(),
                window: caller.window.to_owned(),
                origin: caller.origin.map(str::to_owned),
                grants: None,
                page: Some(caller.page.clone()),
            })
        })
    }
}
