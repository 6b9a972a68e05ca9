//! [`CallContext`], the context the app's built-in router hands every
//! handler, and [`AppPages`], the app as its windows see it. Both live
//! above `ipc` (which knows nothing of the app: its `Router<C>` is generic
//! over the context) and `window` (which gets the app as a `PageHost`).

use crate::app::{AppHandle, CallContext, StoreExt};
use crate::ipc::{self, Call, Dispatch, Incoming, IpcLimits, RpcError};
use crate::isolation::Isolation;
use crate::store::{StoreError, StoreHandle};
use crate::window::{Caller, PageHost};

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
