//! The notifier actor: shows notifications and fans their events out.

use std::sync::Arc;

use actix::prelude::*;

use crate::sync::fan_out;

use super::{Notification, NotificationBackend, NotificationEvent, NotificationId, NotifyError};

/// Show a notification.
#[derive(Debug, Message)]
#[rtype(result = "Result<NotificationId, NotifyError>")]
pub struct Notify(pub Notification);

/// Subscribe to events of every notification this app shows.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SubscribeNotifications(pub Recipient<NotificationEvent>);

/// Shows notifications and fans their events out to subscribers.
pub struct NotifierActor {
    app_name: String,
    backend: Arc<dyn NotificationBackend>,
    subscribers: Vec<Recipient<NotificationEvent>>,
}

impl NotifierActor {
    /// A notifier that sends through `backend` under `app_name`.
    pub fn new(app_name: impl Into<String>, backend: Arc<dyn NotificationBackend>) -> Self {
        Self {
            app_name: app_name.into(),
            backend,
            subscribers: Vec::new(),
        }
    }
}

impl Actor for NotifierActor {
    type Context = Context<Self>;
}

impl Supervised for NotifierActor {}

impl Handler<Notify> for NotifierActor {
    type Result = ResponseFuture<Result<NotificationId, NotifyError>>;

    fn handle(&mut self, msg: Notify, ctx: &mut Context<Self>) -> Self::Result {
        if let Err(e) = msg.0.validate() {
            return Box::pin(async move { Err(e) });
        }
        let events = ctx.address().recipient();
        let shown = self.backend.show(&self.app_name, msg.0, events);
        Box::pin(async move {
            let id = shown.await;
            if let Err(error) = &id {
                tracing::debug!(%error, "notification not shown");
            }
            id
        })
    }
}

impl Handler<SubscribeNotifications> for NotifierActor {
    type Result = ();

    fn handle(&mut self, msg: SubscribeNotifications, _: &mut Context<Self>) {
        self.subscribers.push(msg.0);
    }
}

impl Handler<NotificationEvent> for NotifierActor {
    type Result = ();

    fn handle(&mut self, event: NotificationEvent, _: &mut Context<Self>) {
        tracing::debug!(?event, "notification event");
        fan_out(&mut self.subscribers, &event);
    }
}
