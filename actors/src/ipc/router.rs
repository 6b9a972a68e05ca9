//! Method name → handler, and the typed-handler adapter.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Capabilities, RpcError};
use crate::app::AppHandle;
use crate::supervise::{self, panic_message};

/// Who is calling: handed to every handler.
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

/// A handler's future; runs on the actor thread, so it need not be `Send`.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Value, RpcError>>>>;

/// A type-erased method handler.
pub type Handler = Arc<dyn Fn(CallContext, Option<Value>) -> HandlerFuture + Send + Sync>;

/// Deserialises params into `A`. "No params" may be spelled as a missing
/// `params`, `{}` or `[]` (Tauri pages always send `{}`): each is tried as
/// `null` and as `{}`, so `()` and all-optional structs accept them.
pub fn parse_params<A: DeserializeOwned>(
    method: &str,
    params: Option<Value>,
) -> Result<A, RpcError> {
    let empty = match &params {
        None => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if !empty {
        let p = params.unwrap_or(Value::Null);
        return serde_json::from_value(p).map_err(|e| RpcError::invalid_params(method, e));
    }
    serde_json::from_value(Value::Null)
        .or_else(|_| serde_json::from_value(Value::Object(Map::new())))
        .map_err(|e| RpcError::invalid_params(method, e))
}

/// Wraps a typed async function as a [`Handler`].
pub fn typed<A, R, E, F, Fut>(method: &str, f: F) -> Handler
where
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<RpcError> + 'static,
    F: Fn(A, CallContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + 'static,
{
    let method: Arc<str> = method.into();
    Arc::new(move |ctx, params| {
        let args = parse_params::<A>(&method, params);
        let fut = args.map(|args| f(args, ctx));
        Box::pin(async move {
            let result = fut?.await.map_err(Into::into)?;
            serde_json::to_value(result).map_err(RpcError::internal)
        })
    })
}

/// Method name → handler.
#[derive(Clone, Default)]
pub struct Router {
    methods: HashMap<String, Handler>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.methods.keys().collect();
        names.sort();
        f.debug_struct("Router").field("methods", &names).finish()
    }
}

impl Router {
    /// Adds or replaces a method.
    pub fn insert(&mut self, method: impl Into<String>, handler: Handler) {
        self.methods.insert(method.into(), handler);
    }

    /// Adds every method of `other` (replacing same-named ones).
    pub fn extend(&mut self, other: Router) {
        self.methods.extend(other.methods);
    }

    /// Whether a method exists.
    pub fn contains(&self, method: &str) -> bool {
        self.methods.contains_key(method)
    }

    /// Every method name, sorted.
    pub fn methods(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.methods.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Runs one call. A panicking handler becomes -32603.
    pub fn call(&self, ctx: CallContext, method: &str, params: Option<Value>) -> HandlerFuture {
        let Some(handler) = self.methods.get(method) else {
            let err = RpcError::method_not_found(method);
            return Box::pin(async move { Err(err) });
        };
        // Quiet: the panic is logged here once (rate-limited), not also as
        // the default hook's report with a backtrace per call.
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
            supervise::quietly(|| handler(ctx, params))
        }));
        let fut = match caught {
            Ok(fut) => fut,
            Err(p) => {
                supervise::log_handler_panic(method, p.as_ref());
                let err =
                    RpcError::internal(format!("handler panicked: {}", panic_message(p.as_ref())));
                return Box::pin(async move { Err(err) });
            }
        };
        let method = method.to_owned();
        Box::pin(async move {
            AssertUnwindSafe(supervise::Quiet(fut))
                .catch_unwind()
                .await
                .unwrap_or_else(|p| {
                    supervise::log_handler_panic(&method, p.as_ref());
                    Err(RpcError::internal(format!(
                        "handler panicked: {}",
                        panic_message(p.as_ref())
                    )))
                })
        })
    }
}
