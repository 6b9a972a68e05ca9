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

use super::RpcError;
use crate::supervise::{self, panic_message};

/// A handler's future; runs on the actor thread, so it need not be `Send`.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Value, RpcError>>>>;

/// A type-erased method handler, given the call's context `C` and params.
/// [`typed`] makes one from an async function of typed params.
///
/// ```
/// use traykit_actors::ipc::{typed, Handler, RpcError};
///
/// // A context of your own: the router knows nothing of what it is.
/// #[derive(Clone)]
/// struct Ctx;
/// let double: Handler<Ctx> = typed("math.double", |n: i64, _: Ctx| async move {
///     Ok::<_, RpcError>(n * 2)
/// });
/// # let _ = double;
/// ```
pub type Handler<C> = Arc<dyn Fn(C, Option<Value>) -> HandlerFuture + Send + Sync>;

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
pub fn typed<C, A, R, E, F, Fut>(method: &str, f: F) -> Handler<C>
where
    C: 'static,
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
    E: Into<RpcError> + 'static,
    F: Fn(A, C) -> Fut + Send + Sync + 'static,
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

/// Method name → handler, for handlers that take a context `C` (axum's
/// `Router<S>`: the router knows nothing of what `C` is; the app's built-in
/// one is `Router<CallContext>`).
///
/// Apps register commands on the builder (`.command`); a router is how a
/// plugin hands over a set of methods at once
/// ([`PluginSetup::extend_router`](crate::app::PluginSetup::extend_router)).
///
/// ```
/// use traykit::ipc::{typed, CallContext, Router, RpcError};
///
/// let mut router: Router = Router::default();
/// router.insert("clock.now", typed("clock.now", |(): (), _: CallContext| async {
///     Ok::<_, RpcError>(std::time::SystemTime::now())
/// }));
/// assert_eq!(router.methods(), ["clock.now"]);
/// ```
pub struct Router<C> {
    methods: HashMap<String, Handler<C>>,
}

impl<C> Default for Router<C> {
    fn default() -> Self {
        Self {
            methods: HashMap::new(),
        }
    }
}

impl<C> Clone for Router<C> {
    fn clone(&self) -> Self {
        Self {
            methods: self.methods.clone(),
        }
    }
}

impl<C> std::fmt::Debug for Router<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.methods.keys().collect();
        names.sort();
        f.debug_struct("Router").field("methods", &names).finish()
    }
}

impl<C> Router<C> {
    /// Adds or replaces a method.
    pub fn insert(&mut self, method: impl Into<String>, handler: Handler<C>) {
        self.methods.insert(method.into(), handler);
    }

    /// Adds every method of `other` (replacing same-named ones).
    pub fn extend(&mut self, other: Router<C>) {
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
    pub fn call(&self, ctx: C, method: &str, params: Option<Value>) -> HandlerFuture {
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
