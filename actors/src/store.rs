//! Persistent key-value stores: one [`StoreActor`] per named store.
//!
//! A store is a JSON document `{"version": N, "data": {key: value…}}` in the
//! app's data directory. Every change is written with an atomic replace (a
//! temporary file, fsync, rename over the old file, fsync of the directory),
//! so the file on disk is always a complete old or new version — never a
//! mix. By default a `set` is acknowledged only once it is durable; with
//! [`StoreOptions::debounce`] it is acknowledged when queued and written at
//! most that much later (or on [`Flush`], or at shutdown).
//!
//! Watchers (Rust recipients, by key prefix) get every change once, in the
//! order the actor applied them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actix::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::ActorError;

const ACTOR: &str = "StoreActor";

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store name is not usable as a file name.
    #[error("store name `{0}` may only contain ASCII letters, digits, '-', '_' and '.'")]
    BadName(String),
    /// Reading or writing the file failed; the change was not made.
    #[error("store `{store}`: {op} {path}: {reason}")]
    Io {
        /// Which store.
        store: String,
        /// What was being done.
        op: &'static str,
        /// The file.
        path: String,
        /// What the OS said.
        reason: String,
    },
    /// The file on disk is not a valid store. It was left untouched.
    #[error(
        "store `{store}`: {path} is corrupt ({reason}); it was left untouched — \
         fix or move it, or open the store with OnCorrupt::StartEmpty to keep it aside and start empty"
    )]
    Corrupt {
        /// Which store.
        store: String,
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The file was written by a newer version of the app.
    #[error("store `{store}` has schema version {found}, newer than this app's {expected}")]
    TooNew {
        /// Which store.
        store: String,
        /// Version on disk.
        found: u64,
        /// Version this app knows.
        expected: u64,
    },
    /// A migration function failed.
    #[error("store `{store}`: migration from version {from} failed: {reason}")]
    Migration {
        /// Which store.
        store: String,
        /// The version it migrated from.
        from: u64,
        /// What the migration said.
        reason: String,
    },
    /// A value could not be converted to or from the requested type.
    #[error("store `{store}`, key `{key}`: {reason}")]
    Type {
        /// Which store.
        store: String,
        /// Which key.
        key: String,
        /// What serde said.
        reason: String,
    },
    /// The store actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// What to do when the file on disk cannot be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnCorrupt {
    /// Refuse to open the store ([`StoreError::Corrupt`]); the file stays.
    #[default]
    Fail,
    /// Rename the bad file to `<name>.json.corrupt-<unix ms>` and start empty.
    StartEmpty,
}

type Migration = Box<dyn Fn(Value) -> Result<Value, String> + Send>;

/// How a store is opened: name, schema version and migrations, durability.
pub struct StoreOptions {
    name: String,
    version: u64,
    migrations: BTreeMap<u64, Migration>,
    debounce: Option<Duration>,
    on_corrupt: OnCorrupt,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("debounce", &self.debounce)
            .finish_non_exhaustive()
    }
}

impl StoreOptions {
    /// A store named `name` (the file is `<data dir>/stores/<name>.json`),
    /// schema version 1, durable writes, refusing corrupt files.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: 1,
            migrations: BTreeMap::new(),
            debounce: None,
            on_corrupt: OnCorrupt::Fail,
        }
    }

    /// The current schema version.
    pub fn version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// Migrates the whole `data` object from version `from` to `from + 1`.
    /// Migrations run in order at load, then the result is written back.
    pub fn migrate(
        mut self,
        from: u64,
        f: impl Fn(Value) -> Result<Value, String> + Send + 'static,
    ) -> Self {
        self.migrations.insert(from, Box::new(f));
        self
    }

    /// Acknowledge writes when queued and write at most `delay` later
    /// (batching bursts); call `flush` to make everything so far durable.
    pub fn debounce(mut self, delay: Duration) -> Self {
        self.debounce = Some(delay);
        self
    }

    /// What to do with a file that does not load.
    pub fn on_corrupt(mut self, policy: OnCorrupt) -> Self {
        self.on_corrupt = policy;
        self
    }

    /// The store's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Decodes a store file. Never panics, whatever the bytes.
pub fn parse(bytes: &[u8]) -> Result<(u64, Map<String, Value>), String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let Value::Object(mut doc) = value else {
        return Err("not a JSON object".into());
    };
    let version = doc
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("missing or invalid \"version\"")?;
    match doc.remove("data") {
        Some(Value::Object(data)) => Ok((version, data)),
        _ => Err("missing or invalid \"data\" object".into()),
    }
}

/// A change to a store, sent to watchers.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct StoreChanged {
    /// Which store.
    pub store: String,
    /// Which key.
    pub key: String,
    /// The new value; `None` when deleted (or cleared).
    pub value: Option<Value>,
}

/// Read one key.
#[derive(Debug, Message)]
#[rtype(result = "Option<Value>")]
pub struct Get(pub String);

/// Write one key.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Set(pub String, pub Value);

/// Delete one key; answers whether it existed.
#[derive(Debug, Message)]
#[rtype(result = "Result<bool, StoreError>")]
pub struct Delete(pub String);

/// Every key, sorted.
#[derive(Debug, Message)]
#[rtype(result = "Vec<String>")]
pub struct Keys;

/// Delete every key.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Clear;

/// Make every acknowledged change durable now.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Flush;

/// Computes a key's new value from its current one (`None`: absent/delete).
pub type UpdateFn = Box<dyn FnOnce(Option<Value>) -> Result<Option<Value>, String> + Send>;

/// Read-modify-write one key atomically with respect to other messages.
#[derive(Message)]
#[rtype(result = "Result<Option<Value>, StoreError>")]
pub struct Update(pub String, pub UpdateFn);

/// Watch keys starting with a prefix (`""` for all).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Watch(pub String, pub Recipient<StoreChanged>);

/// One named store.
pub struct StoreActor {
    name: String,
    path: PathBuf,
    version: u64,
    data: Map<String, Value>,
    debounce: Option<Duration>,
    dirty: bool,
    flush_scheduled: bool,
    watchers: Vec<(String, Recipient<StoreChanged>)>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !name.starts_with('.')
}

impl StoreActor {
    /// Loads (or creates) the store `options.name` in `dir`, running
    /// migrations. Synchronous: call it where blocking briefly is fine.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        let StoreOptions {
            name,
            version,
            migrations,
            debounce,
            on_corrupt,
        } = options;
        if !valid_name(&name) {
            return Err(StoreError::BadName(name));
        }
        let path = dir.join(format!("{name}.json"));
        let io = |op: &'static str, e: std::io::Error| StoreError::Io {
            store: name.clone(),
            op,
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| io("create directory for", e))?;
        let (mut found, mut data) = match std::fs::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(loaded) => loaded,
                Err(reason) => match on_corrupt {
                    OnCorrupt::Fail => {
                        return Err(StoreError::Corrupt {
                            store: name,
                            path: path.display().to_string(),
                            reason,
                        })
                    }
                    OnCorrupt::StartEmpty => {
                        let millis = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_millis())
                            .unwrap_or(0);
                        let aside = dir.join(format!("{name}.json.corrupt-{millis}"));
                        std::fs::rename(&path, &aside).map_err(|e| io("keep aside", e))?;
                        tracing::warn!(store = %name, %reason, aside = %aside.display(),
                            "corrupt store kept aside; starting empty");
                        (version, Map::new())
                    }
                },
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (version, Map::new()),
            Err(e) => return Err(io("read", e)),
        };
        if found > version {
            return Err(StoreError::TooNew {
                store: name,
                found,
                expected: version,
            });
        }
        let migrated = found < version;
        while found < version {
            let next = match migrations.get(&found) {
                Some(migrate) => {
                    migrate(Value::Object(data)).map_err(|reason| StoreError::Migration {
                        store: name.clone(),
                        from: found,
                        reason,
                    })?
                }
                // No function for this step: the data carries over as is.
                None => Value::Object(data),
            };
            data = match next {
                Value::Object(map) => map,
                other => {
                    return Err(StoreError::Migration {
                        store: name,
                        from: found,
                        reason: format!("migration returned {other}, not an object"),
                    })
                }
            };
            found += 1;
        }
        let store = Self {
            name,
            path,
            version,
            data,
            debounce,
            dirty: false,
            flush_scheduled: false,
            watchers: Vec::new(),
        };
        if migrated {
            store.write()?;
        }
        Ok(store)
    }

    /// Writes the whole document atomically and durably.
    fn write(&self) -> Result<(), StoreError> {
        let io = |op: &'static str, e: std::io::Error| StoreError::Io {
            store: self.name.clone(),
            op,
            path: self.path.display().to_string(),
            reason: e.to_string(),
        };
        let doc = json!({"version": self.version, "data": &self.data});
        let bytes = serde_json::to_vec(&doc).map_err(|e| io("encode", e.into()))?;
        let mut file =
            atomic_write_file::AtomicWriteFile::open(&self.path).map_err(|e| io("open", e))?;
        file.write_all(&bytes).map_err(|e| io("write", e))?;
        // commit() fsyncs the file and renames it over the old one.
        file.commit().map_err(|e| io("commit", e))?;
        // …and the rename itself must survive a power cut.
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io("fsync directory of", e))?;
        }
        Ok(())
    }

    /// Persists now (durable mode) or schedules it (debounced mode).
    fn persist(&mut self, ctx: &mut Context<Self>) -> Result<(), StoreError> {
        match self.debounce {
            None => self.write(),
            Some(delay) => {
                self.dirty = true;
                if !self.flush_scheduled {
                    self.flush_scheduled = true;
                    ctx.run_later(delay, |this, _| {
                        this.flush_scheduled = false;
                        if let Err(error) = this.flush() {
                            tracing::error!(store = %this.name, %error, "debounced write failed");
                        }
                    });
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.dirty {
            self.write()?;
            self.dirty = false;
        }
        Ok(())
    }

    fn notify(&mut self, key: &str, value: Option<&Value>) {
        self.watchers.retain(|(_, r)| r.connected());
        for (prefix, watcher) in &self.watchers {
            if key.starts_with(prefix.as_str()) {
                watcher.do_send(StoreChanged {
                    store: self.name.clone(),
                    key: key.to_owned(),
                    value: value.cloned(),
                });
            }
        }
    }

    /// Applies a change: memory first, then disk; undone if the write fails,
    /// so an error means "not changed" and memory never runs ahead of disk.
    fn change(
        &mut self,
        key: String,
        value: Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<Option<Value>, StoreError> {
        let old = match &value {
            Some(v) => self.data.insert(key.clone(), v.clone()),
            None => self.data.remove(&key),
        };
        if let Err(e) = self.persist(ctx) {
            match old.clone() {
                Some(v) => self.data.insert(key, v),
                None => self.data.remove(&key),
            };
            return Err(e);
        }
        if old.as_ref() != value.as_ref() {
            self.notify(&key, value.as_ref());
        }
        Ok(old)
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;

    fn stopping(&mut self, _: &mut Context<Self>) -> Running {
        if let Err(error) = self.flush() {
            tracing::error!(store = %self.name, %error, "final write failed");
        }
        Running::Stop
    }
}

impl Handler<Get> for StoreActor {
    type Result = Option<Value>;
    fn handle(&mut self, msg: Get, _: &mut Context<Self>) -> Self::Result {
        self.data.get(&msg.0).cloned()
    }
}

impl Handler<Set> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, msg: Set, ctx: &mut Context<Self>) -> Self::Result {
        self.change(msg.0, Some(msg.1), ctx).map(drop)
    }
}

impl Handler<Delete> for StoreActor {
    type Result = Result<bool, StoreError>;
    fn handle(&mut self, msg: Delete, ctx: &mut Context<Self>) -> Self::Result {
        if !self.data.contains_key(&msg.0) {
            return Ok(false);
        }
        self.change(msg.0, None, ctx).map(|old| old.is_some())
    }
}

impl Handler<Keys> for StoreActor {
    type Result = Vec<String>;
    fn handle(&mut self, _: Keys, _: &mut Context<Self>) -> Self::Result {
        self.data.keys().cloned().collect()
    }
}

impl Handler<Clear> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, _: Clear, ctx: &mut Context<Self>) -> Self::Result {
        let old = std::mem::take(&mut self.data);
        if let Err(e) = self.persist(ctx) {
            self.data = old;
            return Err(e);
        }
        for key in old.keys() {
            self.notify(key, None);
        }
        Ok(())
    }
}

impl Handler<Flush> for StoreActor {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        self.flush()
    }
}

impl Handler<Update> for StoreActor {
    type Result = Result<Option<Value>, StoreError>;
    fn handle(&mut self, msg: Update, ctx: &mut Context<Self>) -> Self::Result {
        let current = self.data.get(&msg.0).cloned();
        let next = (msg.1)(current).map_err(|reason| StoreError::Type {
            store: self.name.clone(),
            key: msg.0.clone(),
            reason,
        })?;
        self.change(msg.0, next.clone(), ctx)?;
        Ok(next)
    }
}

impl Handler<Watch> for StoreActor {
    type Result = ();
    fn handle(&mut self, msg: Watch, _: &mut Context<Self>) {
        self.watchers.push((msg.0, msg.1));
    }
}

impl Handler<crate::app::Shutdown> for StoreActor {
    type Result = ();
    fn handle(&mut self, _: crate::app::Shutdown, _: &mut Context<Self>) {
        if let Err(error) = self.flush() {
            tracing::error!(store = %self.name, %error, "write at shutdown failed");
        }
    }
}

/// A typed, `Send + Clone` handle to one store.
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
        self.addr
            .send(msg)
            .timeout(self.timeout)
            .await
            .map_err(|e| ActorError::from_mailbox(e, ACTOR, self.timeout).into())
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "traykit-store-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn parse_never_panics_on_near_json(s in "\\{\"version\":[0-9a-z\"]{0,4},\"data\":[\\[\\]{}0-9a-z\":,]{0,40}\\}?") {
            let _ = parse(s.as_bytes());
        }
    }

    #[test]
    fn corrupt_files_fail_or_are_kept_aside() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("s.json");
        std::fs::write(&path, b"{\"version\":1,\"data\":{\"a\":").expect("write");
        let err = StoreActor::open(&dir, StoreOptions::new("s"))
            .err()
            .expect("refused");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("left untouched"));
        assert!(path.exists(), "the bad file stays where it was");
        let store = StoreActor::open(
            &dir,
            StoreOptions::new("s").on_corrupt(OnCorrupt::StartEmpty),
        )
        .expect("starts empty");
        assert!(store.data.is_empty());
        let aside: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("s.json.corrupt-")
            })
            .collect();
        assert_eq!(aside.len(), 1, "kept aside, not overwritten");
        assert_eq!(
            std::fs::read(aside[0].path()).expect("read"),
            b"{\"version\":1,\"data\":{\"a\":"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn migrations_run_in_order_and_are_written_back() {
        let dir = temp_dir("migrate");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("m.json"), br#"{"version":1,"data":{"name":"x"}}"#).expect("write");
        let store = StoreActor::open(
            &dir,
            StoreOptions::new("m")
                .version(3)
                .migrate(1, |mut v| {
                    v["title"] = v["name"].take();
                    v.as_object_mut().map(|m| m.remove("name"));
                    Ok(v)
                })
                .migrate(2, |mut v| {
                    v["v3"] = json!(true);
                    Ok(v)
                }),
        )
        .expect("migrates");
        assert_eq!(
            Value::Object(store.data.clone()),
            json!({"title":"x","v3":true})
        );
        let (version, data) =
            parse(&std::fs::read(dir.join("m.json")).expect("read")).expect("parses");
        assert_eq!(version, 3);
        assert_eq!(Value::Object(data), json!({"title":"x","v3":true}));
        // An older app refuses a newer file instead of damaging it.
        let err = StoreActor::open(&dir, StoreOptions::new("m").version(2))
            .err()
            .expect("refused");
        assert!(matches!(
            err,
            StoreError::TooNew {
                found: 3,
                expected: 2,
                ..
            }
        ));
        let bad = StoreActor::open(
            &dir,
            StoreOptions::new("m")
                .version(4)
                .migrate(3, |_| Err("nope".into())),
        )
        .err()
        .expect("refused");
        assert!(matches!(bad, StoreError::Migration { from: 3, .. }));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn names_are_checked() {
        let dir = temp_dir("names");
        for bad in ["", "../x", "a/b", ".hidden", "a b"] {
            assert!(
                matches!(
                    StoreActor::open(&dir, StoreOptions::new(bad)),
                    Err(StoreError::BadName(_))
                ),
                "{bad:?}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[derive(Default)]
    struct Seen(Vec<StoreChanged>);
    impl Actor for Seen {
        type Context = Context<Self>;
    }
    impl Handler<StoreChanged> for Seen {
        type Result = ();
        fn handle(&mut self, msg: StoreChanged, _: &mut Context<Self>) {
            self.0.push(msg);
        }
    }
    #[derive(Message)]
    #[rtype(result = "Vec<StoreChanged>")]
    struct TakeSeen;
    impl Handler<TakeSeen> for Seen {
        type Result = MessageResult<TakeSeen>;
        fn handle(&mut self, _: TakeSeen, _: &mut Context<Self>) -> Self::Result {
            MessageResult(std::mem::take(&mut self.0))
        }
    }

    #[actix::test]
    async fn typed_access_durability_and_watchers() {
        let dir = temp_dir("typed");
        let store = StoreHandle::new(
            "t",
            StoreActor::open(&dir, StoreOptions::new("t"))
                .expect("opens")
                .start(),
            Duration::from_secs(5),
        );
        let seen = Seen::default().start();
        store.watch("ui.", seen.clone().recipient());
        store.set("ui.theme", &"dark").await.expect("set");
        store.set("count", &1u32).await.expect("set");
        assert_eq!(
            store
                .update("count", |n: Option<u32>| n.unwrap_or(0) + 1)
                .await,
            Ok(2)
        );
        store
            .set("ui.theme", &"dark")
            .await
            .expect("same value: no event");
        store.set("ui.size", &12).await.expect("set");
        assert!(store.delete("ui.size").await.expect("delete"));
        assert!(!store.delete("ui.size").await.expect("delete again"));
        assert_eq!(
            store.get::<String>("ui.theme").await,
            Ok(Some("dark".into()))
        );
        assert!(matches!(
            store.get::<u32>("ui.theme").await,
            Err(StoreError::Type { .. })
        ));
        assert_eq!(store.keys().await.expect("keys"), ["count", "ui.theme"]);
        // Acknowledged means on disk.
        let (_, data) = parse(&std::fs::read(dir.join("t.json")).expect("read")).expect("parses");
        assert_eq!(Value::Object(data), json!({"count": 2, "ui.theme": "dark"}));
        let events: Vec<(String, Option<Value>)> = seen
            .send(TakeSeen)
            .await
            .expect("seen")
            .into_iter()
            .map(|c| (c.key, c.value))
            .collect();
        assert_eq!(
            events,
            [
                ("ui.theme".into(), Some(json!("dark"))),
                ("ui.size".into(), Some(json!(12))),
                ("ui.size".into(), None),
            ]
        );
        store.clear().await.expect("clear");
        assert!(store.keys().await.expect("keys").is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[actix::test]
    async fn debounced_writes_reach_disk_on_flush() {
        let dir = temp_dir("debounce");
        let store = StoreHandle::new(
            "d",
            StoreActor::open(
                &dir,
                StoreOptions::new("d").debounce(Duration::from_secs(3600)),
            )
            .expect("opens")
            .start(),
            Duration::from_secs(5),
        );
        for i in 0..100 {
            store.set(&format!("k{i}"), &i).await.expect("queued");
        }
        assert!(
            !dir.join("d.json").exists(),
            "nothing written before the debounce ends"
        );
        store.flush().await.expect("flush");
        let (_, data) = parse(&std::fs::read(dir.join("d.json")).expect("read")).expect("parses");
        assert_eq!(data.len(), 100);
        std::fs::remove_dir_all(&dir).ok();
    }
}
