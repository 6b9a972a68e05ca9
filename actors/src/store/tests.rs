use super::*;
use crate::store::{parse, OnCorrupt, StoreHandle};
use proptest::prelude::*;
use std::os::unix::fs::PermissionsExt;

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
    let (version, data) = parse(&std::fs::read(dir.join("m.json")).expect("read")).expect("parses");
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

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[actix::test]
async fn the_quota_and_key_bound_are_checked_before_a_change() {
    let dir = temp_dir("quota");
    let store = StoreHandle::new(
        "q",
        StoreActor::open(&dir, StoreOptions::new("q").max_bytes(200))
            .expect("opens")
            .start(),
        Duration::from_secs(5),
    );
    store.set("a", &"x".repeat(50)).await.expect("fits");
    store.set("b", &[1, 2, 3]).await.expect("fits");
    let before = std::fs::read(dir.join("q.json")).expect("read");
    let err = store
        .set("c", &"y".repeat(200))
        .await
        .expect_err("over the quota");
    assert!(
        matches!(err, StoreError::QuotaExceeded { limit: 200, needed, .. } if needed > 200),
        "{err}"
    );
    assert_eq!(err.kind(), "quota_exceeded");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    // Replacing a value by a larger one counts its growth only.
    let err = store
        .set("a", &"x".repeat(180))
        .await
        .expect_err("over the quota");
    assert!(matches!(err, StoreError::QuotaExceeded { .. }), "{err}");
    assert_eq!(store.keys().await.expect("keys"), ["a", "b"]);
    assert_eq!(store.get::<String>("a").await, Ok(Some("x".repeat(50))));
    assert_eq!(
        std::fs::read(dir.join("q.json")).expect("read"),
        before,
        "refused before the write: the file is as it was"
    );
    let long = "k".repeat(MAX_KEY_BYTES + 1);
    let err = store.set(&long, &1).await.expect_err("key too long");
    assert!(
        matches!(err, StoreError::KeyTooLong { len, max: MAX_KEY_BYTES, .. } if len == MAX_KEY_BYTES + 1),
        "{err}"
    );
    let err = store
        .set(&"k".repeat(MAX_KEY_BYTES), &1)
        .await
        .expect_err("200 bytes are too few");
    assert!(
        matches!(err, StoreError::QuotaExceeded { .. }),
        "a key of the maximum length is not too long: {err}"
    );
    // Shrinking is always allowed; the accounting follows the file.
    assert!(store.delete("a").await.expect("delete"));
    store.set("c", &"y".repeat(100)).await.expect("fits now");
    let on_disk = std::fs::read(dir.join("q.json")).expect("read").len();
    drop(store);
    let reopened = StoreActor::open(&dir, StoreOptions::new("q").max_bytes(200)).expect("opens");
    assert!(
        (on_disk..=on_disk + 1).contains(&reopened.bytes),
        "size kept {} for a {on_disk}-byte file",
        reopened.bytes
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[actix::test]
async fn store_files_and_directories_are_private() {
    let root = temp_dir("private");
    let dir = root.join("data/stores");
    let store = StoreHandle::new(
        "p",
        StoreActor::open(&dir, StoreOptions::new("p"))
            .expect("opens")
            .start(),
        Duration::from_secs(5),
    );
    store.set("k", &1).await.expect("set");
    assert_eq!(mode(&dir.join("p.json")), 0o600);
    assert_eq!(mode(&dir.join("p.json.lock")), 0o600);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&root.join("data")), 0o700);
    // A file an older version wrote 0644 is made private.
    std::fs::write(dir.join("old.json"), br#"{"version":1,"data":{}}"#).expect("write");
    std::fs::set_permissions(dir.join("old.json"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let old = StoreActor::open(&dir, StoreOptions::new("old")).expect("opens");
    assert_eq!(mode(&dir.join("old.json")), 0o600);
    drop(old);
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn stale_temporary_files_of_this_store_are_removed_on_open() {
    let dir = temp_dir("stale");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("s.json"), br#"{"version":1,"data":{"a":1}}"#).expect("write");
    let ours = [".s.json.Ab12Cd", ".s.json.000000"];
    let not_ours = [
        ".s.json.Ab12C",       // not six characters
        ".s.json.Ab12Cd7",     // nor this
        ".s.json.Ab-2Cd",      // not alphanumeric
        ".t.json.Ab12Cd",      // another store's
        ".s.json.json.Ab12Cd", // store `s.json`'s
        "s.json.corrupt-17",   // kept aside on purpose
        "notes.txt",
    ];
    for name in ours.iter().chain(&not_ours) {
        std::fs::write(dir.join(name), b"{\"version\":1,\"data\":{\"half").expect("write");
    }
    std::fs::create_dir(dir.join(".s.json.Dir123")).expect("a directory of that name");
    let store = StoreActor::open(&dir, StoreOptions::new("s")).expect("opens");
    assert_eq!(Value::Object(store.data.clone()), json!({"a": 1}));
    for name in ours {
        assert!(!dir.join(name).exists(), "{name} removed");
    }
    for name in not_ours {
        assert!(dir.join(name).exists(), "{name} left alone");
    }
    assert!(
        dir.join(".s.json.Dir123").is_dir(),
        "only files are removed"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_second_open_in_this_process_shares_the_lock() {
    let dir = temp_dir("relock");
    let first = StoreActor::open(&dir, StoreOptions::new("r")).expect("opens");
    let second = StoreActor::open(&dir, StoreOptions::new("r")).expect("same process");
    drop(first);
    drop(second);
    // Released with the last holder: a fresh lock can be taken.
    let third = StoreActor::open(&dir, StoreOptions::new("r")).expect("opens again");
    drop(third);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_panicking_migration_fails_the_open() {
    let dir = temp_dir("panic");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("p.json"), br#"{"version":1,"data":{"a":1}}"#).expect("write");
    let err = StoreActor::open(
        &dir,
        StoreOptions::new("p")
            .version(2)
            .migrate(1, |_| panic!("migration bug")),
    )
    .err()
    .expect("refused");
    assert!(
        matches!(&err, StoreError::Migration { from: 1, reason, .. } if reason.contains("panicked: migration bug")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.join("p.json")).expect("read"),
        br#"{"version":1,"data":{"a":1}}"#,
        "the file stays as it was"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[actix::test]
async fn a_failed_debounced_write_is_retried_until_it_succeeds() {
    // Virtual time: the runtime jumps from timer to timer, so the retry
    // schedule plays out in order without waiting for it.
    tokio::time::pause();
    let dir = temp_dir("retry");
    let store = StoreHandle::new(
        "d",
        StoreActor::open(
            &dir,
            StoreOptions::new("d").debounce(Duration::from_secs(1)),
        )
        .expect("opens")
        .start(),
        Duration::from_secs(5),
    );
    // A directory where the file goes: the rename over it fails, even
    // for root (EISDIR), like a full disk would.
    let file = dir.join("d.json");
    std::fs::create_dir(&file).expect("block the path");
    store.set("a", &1).await.expect("queued");
    store.set("b", &2).await.expect("queued");
    // The debounced write (at 1 s) fails; then a few retries do.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(file.is_dir(), "nothing could be written");
    assert!(
        matches!(store.flush().await, Err(StoreError::Io { .. })),
        "still failing"
    );
    assert_eq!(store.get::<u32>("a").await, Ok(Some(1)), "kept in memory");
    std::fs::remove_dir(&file).expect("unblock");
    // No flush and no new change: the next retry (at most RETRY_MAX
    // later) writes both.
    tokio::time::sleep(RETRY_MAX * 2).await;
    let (_, data) = parse(&std::fs::read(&file).expect("retried and written")).expect("parses");
    assert_eq!(Value::Object(data), json!({"a": 1, "b": 2}));
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
