//! The window actor's inbox: a page's posted text, checked, decoded and
//! dispatched; and what goes back (responses, events, store changes).

use actix::prelude::*;
use serde_json::{json, Value};

use super::host::Caller;
use super::outbox::Flush;
use super::page::{ForPage, PageLink, PageOp};
use super::{origin_of, IpcIn, IpcRefused, Life, PushEvent, WindowActor, APP_ORIGIN};
use crate::ipc::{self, codes, Backlog, Dispatch, Held, Incoming, IpcLimits, RpcError};
use crate::ui::UiRequest;

impl WindowActor {
    /// Queues a message for the page; the first into an empty outbox
    /// schedules the flush.
    pub(super) fn push(&mut self, message: Value, ctx: &mut Context<Self>) {
        if self.life != Life::Closed && self.outbox.push(message) {
            // Flush once the messages already in the mailbox are handled
            // (actix polls spawned items after draining the mailbox): a burst
            // becomes one script evaluation, a lone reply goes out in the
            // same wake-up. (A zero-length timer here cost ~1 ms per round
            // trip: tokio's timer wheel has millisecond granularity.)
            ctx.notify(Flush);
        }
    }

    /// Answers a message refused whole (id null: the core did not or could
    /// not read its ids). The
    /// message's number goes into its `error.data.message`, so the page's
    /// bridge rejects exactly the calls that message carried instead of
    /// leaving them pending. Every whole-message refusal goes through here.
    fn refuse_message(&mut self, seq: Option<u64>, error: RpcError, ctx: &mut Context<Self>) {
        self.push(ipc::refusal(seq, error), ctx);
    }

    /// Queues an event (see [`Outbox::push_event`]).
    fn push_event(&mut self, event: PushEvent, ctx: &mut Context<Self>) {
        if self.life != Life::Closed && self.outbox.push_event(event) {
            ctx.notify(Flush);
        }
    }

    fn flush(&mut self) {
        if self.life == Life::Closed {
            self.outbox.clear();
            return;
        }
        let script = match self.outbox.take_script() {
            None => return,
            Some(Ok(script)) => script,
            Some(Err(error)) => {
                tracing::error!(window = %self.spec.label, %error, "could not encode replies");
                return;
            }
        };
        let reply = self.ui.request(UiRequest::Eval {
            label: self.spec.label.clone(),
            script,
        });
        let window = self.spec.label.clone();
        actix::spawn(async move {
            if let Err(error) = reply.await {
                tracing::debug!(%window, %error, "replies not delivered");
            }
        });
    }

    /// The checks before a message's calls are looked at: its size, the
    /// page's byte rate, the isolation seal, the decoder's own limits
    /// (batch length, decoded size, depth), and what running calls already
    /// hold. `Err` refuses the whole message. `held` keeps the router's
    /// count of this page's backlog true until the calls are done.
    fn open_message(
        &mut self,
        msg: &IpcIn,
        limits: &IpcLimits,
        held: &mut Held,
    ) -> Result<(Incoming, usize), RpcError> {
        let bytes = msg.body.len();
        if bytes > limits.max_message_bytes {
            tracing::warn!(window = %self.spec.label, bytes, "oversized IPC message refused");
            return Err(ipc::limit_exceeded(codes::Limit::TooLarge, format!(
                "a message of {bytes} bytes is over the {} byte limit (IpcLimits::max_message_bytes)",
                limits.max_message_bytes
            )));
        }
        if !self.page.rate.allow_bytes(limits, bytes) {
            tracing::debug!(window = %self.spec.label, bytes, "IPC byte rate exceeded");
            return Err(ipc::limit_exceeded(
                codes::Limit::RateLimited,
                format!(
                    "more than {} bytes per second (IpcLimits::byte_rate)",
                    limits.bytes_per_second
                ),
            ));
        }
        let opened;
        let body = if self.host.isolation().is_some() {
            let result = match self.opener.as_mut() {
                Some(opener) => opener.open(&msg.body),
                None => Err(crate::isolation::IsolationError::Forged),
            };
            opened = result.map_err(|e| {
                tracing::warn!(window = %self.spec.label, error = %e, "IPC message refused by isolation");
                codes::domain_error(codes::ISOLATION, codes::ISOLATION_KIND, e.to_string())
            })?;
            opened.as_str()
        } else {
            msg.body.as_str()
        };
        // Batch length and decoded size are enforced while decoding.
        let (incoming, cost) = ipc::decode_sized(body, limits)?;
        // What running calls hold is bounded too (one message always runs
        // alone): without this, many small messages of costly values
        // (`[{"a":1},…]` decodes to ~85× its text) with slow handlers would
        // each hold up to max_decoded_bytes.
        let running = self.page.running_bytes;
        if running > 0 && running.saturating_add(cost) > limits.max_queued_bytes {
            return Err(ipc::limit_exceeded(
                codes::Limit::Backlog,
                format!(
                "{running} bytes of this page's calls are still running; {cost} more is over {} \
                 (IpcLimits::max_queued_bytes)",
                limits.max_queued_bytes
            ),
            ));
        }
        held.grow(cost);
        Ok((incoming, cost))
    }

    /// Sends a dispatched message's responses: at once when no handler
    /// runs, else when all are done — unless the page that asked is gone.
    fn settle(&mut self, dispatched: Dispatch, held: Held, cost: usize, ctx: &mut Context<Self>) {
        let Dispatch {
            batch,
            mut ready,
            pending,
        } = dispatched;
        if pending.is_empty() {
            drop(held);
            self.deliver(ipc::reply(batch, ready), ctx);
            return;
        }
        let generation = self.page.generation;
        let running = pending.len();
        self.page.in_flight += running;
        self.page.running_bytes += cost;
        ctx.spawn(
            futures_util::future::join_all(pending)
                .into_actor(self)
                .map(move |done, this, ctx| {
                    drop(held);
                    this.page.in_flight = this.page.in_flight.saturating_sub(running);
                    this.page.running_bytes = this.page.running_bytes.saturating_sub(cost);
                    if this.page.generation != generation {
                        return; // the page that asked is gone
                    }
                    ready.extend(done.into_iter().flatten());
                    this.deliver(ipc::reply(batch, ready), ctx);
                }),
        );
    }

    fn deliver(&mut self, reply: Option<Value>, ctx: &mut Context<Self>) {
        if let Some(reply) = reply {
            self.push(reply, ctx);
        }
    }
}

impl Handler<IpcIn> for WindowActor {
    type Result = ();

    fn handle(&mut self, msg: IpcIn, ctx: &mut Context<Self>) {
        let label = self.label();
        let span = tracing::debug_span!("ipc", window = %label, bytes = msg.body.len());
        let _enter = span.enter();
        let limits = *self.host.limits();
        // Released when the message's handlers are done (or on any return
        // below), so the router's count of this page's backlog stays true.
        let mut held = Backlog::held(&self.backlog, msg.body.len());
        let (incoming, cost) = match self.open_message(&msg, &limits, &mut held) {
            Ok(opened) => opened,
            Err(error) => return self.refuse_message(msg.seq, error, ctx),
        };
        let page_origin: &str = &origin_of(&msg.url);
        let own = page_origin == APP_ORIGIN || self.dev_origin.as_deref() == Some(page_origin);
        let caller = Caller {
            window: &label,
            origin: (!own).then_some(page_origin),
            page: PageLink::new(ctx.address().recipient(), self.page.generation),
        };
        let page = &mut self.page;
        let dispatched = self
            .host
            .dispatch(incoming, &caller, &mut |_call, admitted| {
                page.admit(&limits, admitted)
            });
        self.settle(dispatched, held, cost, ctx);
    }
}

impl Handler<IpcRefused> for WindowActor {
    type Result = ();

    fn handle(&mut self, msg: IpcRefused, ctx: &mut Context<Self>) {
        self.backlog.refusal_done();
        self.refuse_message(msg.seq, msg.error, ctx);
    }
}

impl Handler<ForPage> for WindowActor {
    type Result = Result<(), RpcError>;

    fn handle(&mut self, msg: ForPage, ctx: &mut Context<Self>) -> Self::Result {
        if msg.generation != self.page.generation {
            return Err(RpcError::internal("the page that asked is gone"));
        }
        match msg.op {
            PageOp::Listen(event) => self.page.listen(event, true),
            PageOp::Unlisten(event) => self.page.listen(event, false),
            PageOp::Unwatch { store, prefix } => {
                self.page.unwatch(store, prefix);
                Ok(())
            }
            PageOp::Watch { store, prefix } => {
                if self.page.check_watch(&store, &prefix)? {
                    let handle = self.host.store(&store)?;
                    handle.watch("", ctx.address().recipient());
                }
                self.page.watch(store, prefix);
                Ok(())
            }
        }
    }
}

impl Handler<PushEvent> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: PushEvent, ctx: &mut Context<Self>) {
        if self.page.listens(&msg.event) {
            self.push_event(msg, ctx);
        }
    }
}

impl Handler<Flush> for WindowActor {
    type Result = ();
    fn handle(&mut self, _: Flush, _: &mut Context<Self>) {
        self.flush();
    }
}

impl Handler<crate::store::StoreChanged> for WindowActor {
    type Result = ();
    fn handle(&mut self, msg: crate::store::StoreChanged, ctx: &mut Context<Self>) {
        if !self.page.watches(&msg.store, &msg.key) {
            return;
        }
        let note = json!({
            "jsonrpc": "2.0",
            "method": "event",
            "params": {
                "event": "store.changed",
                "payload": {"store": msg.store, "key": msg.key, "value": msg.value},
                "source": Value::Null,
            },
        });
        self.push(note, ctx);
    }
}
