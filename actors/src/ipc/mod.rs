//! JSON-RPC 2.0, the page ↔ core protocol: decoding, the method router,
//! typed commands, and capability checks. Pure logic, no UI: the window actor
//! feeds it the text a page posted and sends back what it returns.
//!
//! The spec is followed to the letter: batches are answered as an array (in
//! any order), notifications get no response, a batch of only notifications
//! gets nothing, `[]` is one `-32600`, a parse error is `-32700` with id null.

mod backlog;
mod caps;
mod codec;
pub mod codes;
mod dispatch;
mod error;
mod limits;
pub mod report;
mod router;

pub use backlog::{Backlog, Held};
pub use caps::{
    glob, Capabilities, Capability, CapabilityError, Origin, OriginPattern, StoreGrant,
    EVENT_METHODS,
};
pub use codec::{decode, decode_sized, failure, success, Call, Incoming, Invalid};
pub use dispatch::{dispatch, reply, Dispatch, Pending};
pub use error::{limit_exceeded, RpcError};
pub use limits::{IpcLimits, RateLimiter};
pub use router::{parse_params, typed, Handler, HandlerFuture, Router};
// Transitional: `CallContext` lives above `ipc`; this old path goes when
// `app/` re-exports it.
pub use crate::app::CallContext;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
