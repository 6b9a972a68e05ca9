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

pub use caps::{Capabilities, Capability, CapabilityError};
pub use error::{limit_exceeded, RpcError};
pub use limits::IpcLimits;
pub use router::{typed, Handler, Router};
// Plumbing of the facade and the updater (actors, their messages, the
// runtime's side of the boundary): public for them, not for apps.
#[doc(hidden)]
pub use backlog::{Backlog, Held};
#[doc(hidden)]
pub use caps::{glob, Origin, OriginPattern, StoreGrant, EVENT_METHODS};
#[doc(hidden)]
pub use codec::{decode, decode_sized, failure, refusal, success, Call, Incoming, Invalid};
#[doc(hidden)]
pub use dispatch::{dispatch, reply, Dispatch, Pending};
#[doc(hidden)]
pub use limits::RateLimiter;
#[doc(hidden)]
pub use router::{parse_params, HandlerFuture};

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
