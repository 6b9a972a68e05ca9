//! The whole actor graph on the headless backend: no display, no bus.
//! These are the tests users can write for their own apps with `TestApp`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use traykit::menu::ItemChange;
use traykit::notifier::NotifyError;
use traykit::prelude::*;
use traykit::supervise::guard;
use traykit::test::TestApp;
use traykit::tray::TrayError;
use traykit::ui::{MouseButton, TrayUpdate, UiRequest};
use traykit::{ActorError, UiError};

const T: Duration = Duration::from_secs(5);

fn two_trays() -> traykit::AppBuilder {
    App::builder()
        .name("headless")
        .tray(
            Tray::new("a").title("A").menu(
                Menu::new()
                    .item("hello", "Hello")
                    .check("flag", "Flag", false),
            ),
        )
        .tray(
            Tray::new("b").menu(Menu::new().item("hello", "Hello from B").submenu(
                "more",
                "More",
                Menu::new().item("deep", "Deep"),
            )),
        )
}

/// Collects clicks.
#[derive(Default)]
struct Clicks(Vec<MenuClicked>);
impl Actor for Clicks {
    type Context = Context<Self>;
}
impl Handler<MenuClicked> for Clicks {
    type Result = ();
    fn handle(&mut self, msg: MenuClicked, _: &mut Context<Self>) {
        self.0.push(msg);
    }
}
#[derive(Message)]
#[rtype(result = "Vec<MenuClicked>")]
struct Take;
impl Handler<Take> for Clicks {
    type Result = Vec<MenuClicked>;
    fn handle(&mut self, _: Take, _: &mut Context<Self>) -> Vec<MenuClicked> {
        std::mem::take(&mut self.0)
    }
}

async fn clicks_until(clicks: &Addr<Clicks>, n: usize) -> Vec<MenuClicked> {
    let mut all = Vec::new();
    for _ in 0..200 {
        all.extend(clicks.send(Take).await.expect("clicks actor"));
        if all.len() >= n {
            break;
        }
        tokio::task::yield_now().await;
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    all
}

#[actix::test]
async fn both_trays_are_created_and_clicks_reach_the_right_tray() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    let created: Vec<String> = app
        .ui_requests()
        .iter()
        .filter_map(|r| match r {
            UiRequest::CreateTray(spec) => Some(spec.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(created, ["a", "b"]);

    let clicks = Clicks::default().start();
    app.handle().subscribe_menus(clicks.clone().recipient());
    app.click("a", "hello");
    app.click("b", "deep");
    app.click("a", "flag");
    let got = clicks_until(&clicks, 3).await;
    // Clicks keep their order per tray (one actor each); across trays they
    // are independent, so compare tray by tray.
    let mut got: Vec<(String, String, Option<bool>)> = got
        .into_iter()
        .map(|c| (c.tray.to_string(), c.item.to_string(), c.checked))
        .collect();
    got.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        got,
        [
            ("a".into(), "hello".into(), None),
            ("a".into(), "flag".into(), Some(true)),
            ("b".into(), "deep".into(), None),
        ]
    );
}

#[actix::test]
async fn clicks_on_disabled_unknown_items_and_submenus_are_ignored() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    let tray = app.handle().tray("a").expect("tray a");
    tray.set_enabled("hello", false).await.expect("disable");
    let clicks = Clicks::default().start();
    app.handle().subscribe_menus(clicks.clone().recipient());
    app.click("a", "hello"); // disabled
    app.click("a", "nope"); // unknown
    app.click("b", "more"); // a submenu
    app.click("a", "flag"); // the one that counts
    let got = clicks_until(&clicks, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].item, "flag");
}

#[actix::test]
async fn every_property_change_reaches_the_ui_in_order() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    app.take_ui_requests();
    let tray = app.handle().tray("a").expect("tray");
    let icon = Icon::solid(16, [1, 2, 3, 255]).expect("icon");
    tray.set_title("T").await.expect("title");
    tray.set_tooltip("tip").await.expect("tooltip");
    tray.set_icon(icon.clone()).await.expect("icon");
    tray.set_visible(false).await.expect("visible");
    tray.set_label("hello", "Hi").await.expect("label");
    tray.set_checked("flag", true).await.expect("check");
    tray.set_menu(Menu::new().item("x", "X"))
        .await
        .expect("menu");

    let updates: Vec<TrayUpdate> = app
        .take_ui_requests()
        .into_iter()
        .map(|r| match r {
            UiRequest::UpdateTray { id, update } => {
                assert_eq!(id, "a");
                update
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let relabelled = Menu::new().item("hello", "Hi").check("flag", "Flag", false);
    let checked = Menu::new().item("hello", "Hi").check("flag", "Flag", true);
    assert_eq!(
        updates,
        [
            TrayUpdate::Title(Some("T".into())),
            TrayUpdate::Tooltip(Some("tip".into())),
            TrayUpdate::Icon(Some(icon)),
            TrayUpdate::Visible(false),
            TrayUpdate::Menu(relabelled),
            TrayUpdate::Menu(checked),
            TrayUpdate::Menu(Menu::new().item("x", "X")),
        ]
    );
    let snapshot = tray.snapshot().await.expect("snapshot");
    assert_eq!(snapshot.title.as_deref(), Some("T"));
    assert!(!snapshot.visible);
}

#[actix::test]
async fn refused_changes_never_reach_the_ui_and_leave_the_model_alone() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    let tray = app.handle().tray("a").expect("tray");
    let before = tray.snapshot().await.expect("snapshot");
    app.take_ui_requests();

    let cases: Vec<(TrayChange, &str)> = vec![
        (
            TrayChange::Item {
                id: "nope".into(),
                change: ItemChange::Enabled(false),
            },
            "tray `a`: no menu item `nope`",
        ),
        (
            TrayChange::Item {
                id: "hello".into(),
                change: ItemChange::Checked(true),
            },
            "tray `a`: menu item `hello` is not a check item",
        ),
        (
            TrayChange::Menu(Menu::new().item("x", "1").item("x", "2")),
            "tray `a`: menu item id `x` is used twice",
        ),
        (
            TrayChange::Menu(Menu::new().item("has space", "1")),
            "tray `a`: menu item id `has space` may only contain ASCII letters, digits, '-', '_' and '.'",
        ),
    ];
    for (change, message) in cases {
        let err = tray.change(change.clone()).await.expect_err("refused");
        assert_eq!(err.to_string(), message, "{change:?}");
    }
    assert!(
        app.ui_requests().is_empty(),
        "refused changes reached the UI"
    );
    assert_eq!(tray.snapshot().await.expect("snapshot"), before);
}

#[actix::test]
async fn ui_failures_are_returned_to_the_caller() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    let tray = app.handle().tray("a").expect("tray");
    app.ui().fail_with(Some(UiError::Failed {
        request: "UpdateTray",
        reason: "panel gone".into(),
    }));
    let err = tray.set_title("x").await.expect_err("fails");
    assert_eq!(err.to_string(), "tray `a`: UpdateTray failed: panel gone");
    app.ui().fail_with(None);
    tray.set_title("y").await.expect("works again");
}

#[actix::test]
async fn invalid_and_duplicate_trays_are_refused_at_start() {
    let cases: Vec<(traykit::AppBuilder, &str)> = vec![
        (
            App::builder().tray(Tray::new("bad id")),
            "tray id `bad id` may only contain ASCII letters, digits, '-', '_' and '.'",
        ),
        (
            App::builder().tray(Tray::new("a")).tray(Tray::new("a")),
            "a tray with id `a` already exists",
        ),
        (
            App::builder().tray(Tray::new("a").icon_png(b"nope")),
            "tray `a`: icon is not a valid PNG",
        ),
        (
            App::builder().tray(Tray::new("a").menu(Menu::new().item("q", "Q").item("q", "Q"))),
            "tray `a`: menu item id `q` is used twice",
        ),
        (
            App::builder().manage(1u8).manage(2u8),
            "state of type `u8` is managed twice",
        ),
    ];
    for (builder, message) in cases {
        let err = TestApp::start(builder).await.expect_err("refused");
        assert!(err.to_string().contains(message), "{err} vs {message}");
    }
}

#[actix::test]
async fn trays_can_be_added_and_removed_at_run_time() {
    let app = TestApp::start(App::builder()).await.expect("starts");
    let handle = app.handle();
    let tray = handle
        .add_tray(Tray::new("late").menu(Menu::new().item("x", "X")))
        .await
        .expect("add");
    assert_eq!(tray.id(), &"late");
    assert!(matches!(
        handle.add_tray(Tray::new("late")).await,
        Err(TrayError::Duplicate(id)) if id == "late"
    ));
    handle.remove_tray("late").await.expect("remove");
    // A handle kept from before refuses changes instead of resurrecting it.
    assert!(matches!(
        tray.set_title("ghost").await,
        Err(TrayError::Unknown(id)) if id == "late"
    ));
    assert!(matches!(handle.tray("late"), Err(TrayError::Unknown(_))));
    assert!(matches!(
        handle.remove_tray("late").await,
        Err(TrayError::Unknown(_))
    ));
    assert_eq!(
        app.ui_requests().last(),
        Some(&UiRequest::RemoveTray("late".try_into().expect("id")))
    );
}

#[actix::test]
async fn notification_actions_and_close_reasons_come_back() {
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = TestApp::start(App::builder().on_notification(move |_, e| {
        sink.lock().expect("lock").push(e.clone());
    }))
    .await
    .expect("starts");
    let handle = app.handle();
    let first = handle
        .notify(Notification::new("Hi").action("snooze", "Snooze"))
        .await
        .expect("shown");
    let second = handle
        .notify(Notification::new("Bye"))
        .await
        .expect("shown");
    assert!(app.notifications().invoke_action(first, "snooze"));
    assert!(app.notifications().close(second, CloseReason::Expired));
    assert!(
        !app.notifications().invoke_action(first, "again"),
        "already closed"
    );

    for _ in 0..200 {
        if events.lock().expect("lock").len() >= 2 {
            break;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    let events = events.lock().expect("lock").clone();
    assert_eq!(
        events,
        [
            NotificationEvent {
                id: first,
                kind: NotificationEventKind::ActionInvoked("snooze".into())
            },
            NotificationEvent {
                id: second,
                kind: NotificationEventKind::Closed(CloseReason::Expired)
            },
        ]
    );
    assert!(matches!(
        handle.notify(Notification::new(" ")).await,
        Err(NotifyError::Invalid(_))
    ));
}

/// A user actor whose handler panics on request.
struct Fragile {
    served: usize,
}
impl Actor for Fragile {
    type Context = Context<Self>;
}
impl Supervised for Fragile {}
#[derive(Message)]
#[rtype(result = "Result<usize, ActorError>")]
struct Work {
    panic: bool,
}
impl Handler<Work> for Fragile {
    type Result = Result<usize, ActorError>;
    fn handle(&mut self, msg: Work, ctx: &mut Context<Self>) -> Self::Result {
        guard(ctx, "Fragile", "Work", || {
            assert!(!msg.panic, "bad input");
            self.served += 1;
            self.served
        })
    }
}

#[actix::test]
async fn a_panicking_actor_is_restarted_and_the_app_keeps_answering() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    let fragile = Supervisor::start(|_| Fragile { served: 0 });
    assert_eq!(fragile.send(Work { panic: false }).await, Ok(Ok(1)));
    assert_eq!(
        fragile.send(Work { panic: true }).await,
        Ok(Err(ActorError::Panicked {
            actor: "Fragile",
            message: "Work"
        }))
    );
    assert_eq!(fragile.send(Work { panic: false }).await, Ok(Ok(2)));
    // The rest of the app is unaffected.
    app.handle()
        .tray("a")
        .expect("tray")
        .set_title("still here")
        .await
        .expect("tray answers");
}

#[actix::test]
async fn a_panicking_menu_callback_does_not_take_the_app_down() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = TestApp::start(two_trays().on_menu_click(move |_, click| {
        seen.fetch_add(1, Ordering::SeqCst);
        assert!(click.item != "hello", "callback bug");
    }))
    .await
    .expect("starts");
    app.click("a", "hello"); // panics inside the callback
    app.click("a", "flag");
    for _ in 0..200 {
        if calls.load(Ordering::SeqCst) >= 2 {
            break;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "callback still runs after a panic"
    );
}

/// Records that it was asked to shut down.
struct Flusher(Arc<AtomicUsize>);
impl Actor for Flusher {
    type Context = Context<Self>;
}
impl Handler<Shutdown> for Flusher {
    type Result = ();
    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[actix::test]
async fn quit_from_a_menu_runs_shutdown_removes_trays_then_exits() {
    let flushed = Arc::new(AtomicUsize::new(0));
    let counter = flushed.clone();
    let app = TestApp::start(
        two_trays()
            .setup(move |app| {
                app.on_shutdown(Flusher(counter).start().recipient());
                Ok(())
            })
            .on_menu_click(|app, click| {
                if click.item == "hello" {
                    app.exit(3);
                }
            }),
    )
    .await
    .expect("starts");
    app.take_ui_requests();
    app.click("a", "hello");
    assert!(
        app.wait_for_ui(T, |r| r.contains(&UiRequest::Exit { code: 3 }))
            .await,
        "no Exit request"
    );
    assert_eq!(
        flushed.load(Ordering::SeqCst),
        1,
        "Shutdown ran before exit"
    );
    let requests = app.ui_requests();
    let names: Vec<_> = requests.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["RemoveTray", "RemoveTray", "Exit"]);
}

#[actix::test]
async fn setup_errors_and_panics_are_reported() {
    let err = TestApp::start(App::builder().setup(|_| Err("no config file".into())))
        .await
        .expect_err("fails");
    assert_eq!(err.to_string(), "setup failed: no config file");
    let err = TestApp::start(App::builder().setup(|_| panic!("oops")))
        .await
        .expect_err("fails");
    assert_eq!(err.to_string(), "setup failed: panicked: oops");
}

#[actix::test]
async fn managed_state_is_reachable_from_handlers() {
    struct Config {
        greeting: &'static str,
    }
    let app = TestApp::start(App::builder().manage(Config { greeting: "hi" }))
        .await
        .expect("starts");
    assert_eq!(
        app.handle().state::<Config>().map(|c| c.greeting),
        Some("hi")
    );
    assert!(app.handle().state::<String>().is_none());
}

#[actix::test]
async fn icon_clicks_reach_subscribers_with_the_pointer_position() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let app = TestApp::start(two_trays().on_tray_activated(move |_, a| {
        sink.lock().expect("lock").push(a.clone());
    }))
    .await
    .expect("starts");
    app.activate("b", MouseButton::Left, (10.0, 20.0));
    for _ in 0..200 {
        if !seen.lock().expect("lock").is_empty() {
            break;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].tray, "b");
    assert_eq!(seen[0].position, (10.0, 20.0));
}

#[actix::test]
async fn a_menu_opening_prewarms_the_host_and_reaches_subscribers() {
    struct Opened(Arc<std::sync::Mutex<Vec<String>>>);
    impl Actor for Opened {
        type Context = Context<Self>;
    }
    impl Handler<traykit::tray::TrayMenuOpened> for Opened {
        type Result = ();
        fn handle(&mut self, msg: traykit::tray::TrayMenuOpened, _: &mut Context<Self>) {
            self.0.lock().expect("lock").push(msg.tray.to_string());
        }
    }
    let app = TestApp::start(two_trays().window(Window::new("pop").url("pop.html")))
        .await
        .expect("starts");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    app.handle()
        .tray("a")
        .expect("tray a")
        .subscribe_menu_opened(Opened(seen.clone()).start().recipient());
    app.open_menu("a");
    assert!(
        app.wait_for_ui(T, |r| r.contains(&UiRequest::PrewarmHost))
            .await,
        "the menu opening prewarmed the host: {:?}",
        app.ui_requests()
    );
    for _ in 0..200 {
        if !seen.lock().expect("lock").is_empty() {
            break;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(*seen.lock().expect("lock"), vec!["a".to_owned()]);
}

#[actix::test]
async fn an_app_without_windows_never_prewarms() {
    let app = TestApp::start(two_trays()).await.expect("starts");
    app.open_menu("a");
    app.handle().prewarm_host();
    // A later request, to know the earlier ones were recorded.
    app.handle()
        .tray("a")
        .expect("tray a")
        .set_title("x")
        .await
        .expect("title");
    assert!(
        !app.ui_requests().contains(&UiRequest::PrewarmHost),
        "{:?}",
        app.ui_requests()
    );
}
