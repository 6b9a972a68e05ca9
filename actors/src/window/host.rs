//! [`PageHost`]: what a window actor needs from the app, as a small trait
//! the app implements. The window never imports the app (dependency
//! inversion): it gets its dispatcher, isolation, limits and stores
//! through this.

use super::PageLink;
use crate::ipc::{Call, Dispatch, Incoming, IpcLimits, RpcError};
use crate::isolation::Isolation;
use crate::store::{StoreError, StoreHandle};

/// The page a message came from.
#[derive(Debug)]
pub struct Caller<'a> {
    /// The window's label.
    pub window: &'a str,
    /// The page's origin when it is not the app's own (a remote page).
    pub origin: Option<&'a str>,
    /// The page's session, for the built-in page methods.
    pub page: PageLink,
}

/// What a window actor gets from the app it belongs to.
pub trait PageHost: Send + Sync + 'static {
    /// The app's IPC limits.
    fn limits(&self) -> &IpcLimits;

    /// The isolation pattern's keys, when the app uses it.
    fn isolation(&self) -> Option<&Isolation>;

    /// Opens a store: for page watches and remembered geometry.
    fn store(&self, name: &str) -> Result<StoreHandle, StoreError>;

    /// Dispatches one decoded message of `caller`'s with the app's router
    /// ([`crate::ipc::dispatch`]); `admit` applies the page's own limits to
    /// each call first, then the host checks the grant and builds the
    /// call's context.
    fn dispatch(
        &self,
        incoming: Incoming,
        caller: &Caller<'_>,
        admit: &mut dyn FnMut(&Call, usize) -> Result<(), RpcError>,
    ) -> Dispatch;
}
