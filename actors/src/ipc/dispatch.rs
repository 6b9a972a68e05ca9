//! The one dispatcher: a decoded message, a router and the transport's
//! admission callback in; the responses out. Windows, the `--ctl` socket
//! and tests all go through [`dispatch`], so a batch, a notification or a
//! refused call is answered the same way whoever sent it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde_json::Value;

use super::{failure, success, Call, HandlerFuture, Incoming, Router, RpcError};

/// One message's calls, dispatched: the answers known at once (invalid
/// members, refused calls) and the handlers still running.
#[must_use = "the handlers run only when `pending` is awaited"]
pub struct Dispatch {
    /// Whether the message was a batch (answered as an array).
    pub batch: bool,
    /// Responses known without running a handler, in call order.
    pub ready: Vec<Value>,
    /// The admitted calls' handlers, in call order.
    pub pending: Vec<Pending>,
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("batch", &self.batch)
            .field("ready", &self.ready)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl Dispatch {
    /// Runs the pending handlers (concurrently) and returns what to send:
    /// the one response, the batch's array, or nothing (notifications only).
    pub async fn settle(self) -> Option<Value> {
        let Dispatch {
            batch,
            mut ready,
            pending,
        } = self;
        if !pending.is_empty() {
            let done = futures_util::future::join_all(pending).await;
            ready.extend(done.into_iter().flatten());
        }
        reply(batch, ready)
    }
}

/// What a message's responses are sent as: for a single call its response
/// (if it had an id), for a batch one array (none if every member was a
/// notification).
pub fn reply(batch: bool, mut responses: Vec<Value>) -> Option<Value> {
    match (batch, responses.len()) {
        (_, 0) => None,
        (true, _) => Some(Value::Array(responses)),
        (false, _) => responses.pop(),
    }
}

/// A running handler and the id its response goes to (`None`: a
/// notification, whose result is dropped). A named future rather than an
/// `async` block, so a [`Dispatch`] can cross a trait object without
/// boxing each call again.
pub struct Pending {
    id: Option<Value>,
    run: HandlerFuture,
}

impl Future for Pending {
    type Output = Option<Value>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        let result = std::task::ready!(self.run.as_mut().poll(cx));
        Poll::Ready(self.id.take().map(|id| respond(id, result)))
    }
}

fn respond(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(v) => success(id, v),
        Err(e) => failure(id, e),
    }
}

/// Dispatches one decoded message.
///
/// `admit` sees every valid call in order, before the method is looked up,
/// with the number of calls of this message admitted so far; it returns
/// the context to run the call with, or the error that answers it (a
/// limit, -32002; no grant, -32001: an ungranted caller learns nothing
/// about which methods exist). Invalid members are answered -32600 without
/// asking it. Notifications get no response, whatever happens to them.
///
/// ```
/// use traykit_actors::ipc::{self, IpcLimits, Router, RpcError};
/// let mut router: Router<()> = Router::default();
/// router.insert("math.double", ipc::typed("math.double", |(n,): (i64,), (): ()| async move {
///     Ok::<_, RpcError>(n * 2)
/// }));
/// let text = r#"[{"jsonrpc":"2.0","id":1,"method":"math.double","params":[21]},
///                {"jsonrpc":"2.0","id":2,"method":"secret"}]"#;
/// let incoming = ipc::decode(text, &IpcLimits::default()).unwrap();
/// let dispatched = ipc::dispatch(incoming, &router, |call, _admitted| {
///     match call.method.as_str() {
///         "secret" => Err(RpcError::permission_denied("main", "method `secret`")),
///         _ => Ok(()),
///     }
/// });
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let reply = rt.block_on(dispatched.settle()).unwrap();
/// assert_eq!(reply[0]["error"]["code"], -32001);
/// assert_eq!(reply[1]["result"], 42);
/// ```
pub fn dispatch<C>(
    incoming: Incoming,
    router: &Router<C>,
    mut admit: impl FnMut(&Call, usize) -> Result<C, RpcError>,
) -> Dispatch {
    let (calls, batch) = match incoming {
        Incoming::Single(call) => (vec![call], false),
        Incoming::Batch(calls) => (calls, true),
    };
    let mut ready = Vec::new();
    let mut pending = Vec::new();
    for call in calls {
        let call = match call {
            Ok(call) => call,
            Err(invalid) => {
                ready.push(invalid.response());
                continue;
            }
        };
        tracing::debug!(method = %call.method, id = ?call.id, "call");
        match admit(&call, pending.len()) {
            Ok(ctx) => pending.push(Pending {
                run: router.call(ctx, &call.method, call.params),
                id: call.id,
            }),
            Err(error) => {
                tracing::debug!(method = %call.method, code = error.code, "refused");
                if let Some(id) = call.id {
                    ready.push(failure(id, error));
                }
            }
        }
    }
    Dispatch {
        batch,
        ready,
        pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::{decode, typed, IpcLimits};
    use serde_json::json;

    /// The dispatcher as a function: no window, no actor.
    fn run(text: &str) -> Option<Value> {
        let mut router: Router<&'static str> = Router::default();
        router.insert(
            "who",
            typed("who", |(): (), caller: &'static str| async move {
                Ok::<_, RpcError>(caller)
            }),
        );
        let incoming = decode(text, &IpcLimits::default()).expect("decodes");
        let dispatched = dispatch(incoming, &router, |call, admitted| {
            match call.method.as_str() {
                "secret" => Err(RpcError::permission_denied("w", "method `secret`")),
                _ if admitted >= 2 => Err(super::super::limit_exceeded(
                    super::super::codes::Limit::Backlog,
                    "in flight",
                )),
                _ => Ok("w"),
            }
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(dispatched.settle())
    }

    #[test]
    fn answers_as_the_spec_says() {
        let r = |id: u64, m: &str| json!({"jsonrpc": "2.0", "id": id, "method": m});
        let n = |m: &str| json!({"jsonrpc": "2.0", "method": m});
        let cases: Vec<(Value, Option<Value>)> = vec![
            (
                r(1, "who"),
                Some(json!({"jsonrpc":"2.0","id":1,"result":"w"})),
            ),
            (n("who"), None),
            (json!([n("who"), n("secret")]), None),
            (
                r(1, "nope"),
                Some(json!({"jsonrpc":"2.0","id":1,"error":{"code":-32601,
                    "message":"method `nope` not found: no command or built-in has this name",
                    "data":{"kind":"method_not_found"}}})),
            ),
            (
                json!([r(1, "secret"), 7, r(2, "who")]),
                Some(json!([
                    {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":
                        "window `w` may not use method `secret`: no capability grants it (add it to a capability that names this window)",
                        "data":{"kind":"forbidden"}}},
                    {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected an object",
                        "data":{"kind":"invalid_request"}}},
                    {"jsonrpc":"2.0","id":2,"result":"w"},
                ])),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(run(&input.to_string()), want, "{input}");
        }
    }

    #[test]
    fn admission_sees_how_many_calls_run() {
        let batch = json!([
            {"jsonrpc":"2.0","id":1,"method":"who"},
            {"jsonrpc":"2.0","id":2,"method":"who"},
            {"jsonrpc":"2.0","id":3,"method":"who"},
        ]);
        let reply = run(&batch.to_string()).expect("a reply");
        let codes: Vec<_> = reply
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["error"]["code"].clone())
            .collect();
        // The refused third comes first: answers known at once lead.
        assert_eq!(codes, [json!(-32002), Value::Null, Value::Null]);
        assert_eq!(reply[0]["error"]["data"]["kind"], "backlog_full", "{reply}");
    }
}
