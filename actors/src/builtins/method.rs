//! The one registration helper every domain's `register` uses.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::ipc::{typed, CallContext, Router, RpcError};

/// Adds `name` to `router` with a typed handler: the name is written once.
pub(super) fn method<A, R, E, F, Fut>(router: &mut Router, name: &'static str, f: F)
where
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<RpcError> + 'static,
    F: Fn(A, CallContext) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<R, E>> + 'static,
{
    router.insert(name, typed(name, f));
}
