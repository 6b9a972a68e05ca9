//! The typed handle to one store.

use std::time::Duration;

use actix::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::actor::*;
use super::{StoreError, ACTOR};

/// A typed, `Send + Clone` handle to one store. Declare the store on the
/// builder, then get its handle with
/// [`app.store(name)`](crate::app::StoreExt::store).
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().store(StoreOptions::new("settings"))).await?;
/// # let app = test.handle();
/// let settings = app.store("settings")?;
/// settings.set("theme", &"dark").await?;
/// let theme: Option<String> = settings.get("theme").await?;
/// assert_eq!(theme.as_deref(), Some("dark"));
/// let launches = settings.update("launches", |n: Option<u64>| n.unwrap_or(0) + 1).await?;
/// assert_eq!(launches, 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct StoreHandle {
    name: String,
    addr: Addr<StoreActor>,
    timeout: Duration,
}

impl StoreHandle {
    /// A handle to a started store actor.
    pub fn new(name: impl Into<String>, addr: Addr<StoreActor>, timeout: Duration) -> Self {
        Self {
            name: name.into(),
            addr,
            timeout,
        }
    }

    /// The actor's address.
    pub fn addr(&self) -> &Addr<StoreActor> {
        &self.addr
    }

    async fn ask<M>(&self, msg: M) -> Result<M::Result, StoreError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        StoreActor: Handler<M>,
    {
        crate::sync::ask(&self.addr, msg, ACTOR, self.timeout)
            .await
            .map_err(Into::into)
    }

    fn type_err(&self, key: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Type {
            store: self.name.clone(),
            key: key.to_owned(),
            reason: e.to_string(),
        }
    }

    /// The value at `key` as a `T`, if present.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        match self.ask(Get(key.to_owned())).await? {
            None => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| self.type_err(key, e)),
        }
    }

    /// Sets `key`; returns once durable (or queued, with debounce).
    pub async fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let value = serde_json::to_value(value).map_err(|e| self.type_err(key, e))?;
        self.ask(Set(key.to_owned(), value)).await?
    }

    /// Replaces `key` with `f(current)`, atomically with respect to every
    /// other change to the store; returns the new value.
    pub async fn update<T, F>(&self, key: &str, f: F) -> Result<T, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(Option<T>) -> T + Send + 'static,
    {
        let next = self
            .ask(Update(
                key.to_owned(),
                Box::new(move |current| {
                    let current = current
                        .map(serde_json::from_value::<T>)
                        .transpose()
                        .map_err(|e| e.to_string())?;
                    serde_json::to_value(f(current))
                        .map(Some)
                        .map_err(|e| e.to_string())
                }),
            ))
            .await??;
        serde_json::from_value(next.unwrap_or(Value::Null)).map_err(|e| self.type_err(key, e))
    }

    /// Deletes `key`; whether it existed.
    pub async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.ask(Delete(key.to_owned())).await?
    }

    /// Every key, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.ask(Keys).await
    }

    /// Deletes every key.
    pub async fn clear(&self) -> Result<(), StoreError> {
        self.ask(Clear).await?
    }

    /// Makes every acknowledged change durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.ask(Flush).await?
    }

    /// Sends every change to keys starting with `prefix` to `recipient`.
    pub fn watch(&self, prefix: &str, recipient: Recipient<StoreChanged>) {
        self.addr.do_send(Watch(prefix.to_owned(), recipient));
    }
}
