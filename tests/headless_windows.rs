//! Windows and the IPC bridge on the headless backend: lazy creation, close
//! policies, pre-warming, placement, and commands called as a page would.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use traykit::prelude::*;
use traykit::test::TestApp;
use traykit::ui::{UiRequest, WindowOp};
use traykit::window::{Corner, Life};

const CAP: &str = r#"{"identifier":"t","windows":["main","popup-*"],"methods":["math.*","window.*"],"events":["tick"],"open":["popup-*"]}"#;

#[derive(Deserialize)]
struct Div {
    a: i64,
    b: i64,
}

fn app() -> traykit::AppBuilder {
    App::builder()
        .window(Window::new("main"))
        .window(Window::new("keep").close_policy(ClosePolicy::Hide))
        .window(Window::new("warm").prewarm(true))
        .window(Window::new("popup-1").placement(Placement::Corner(Corner::TopRight)))
        .window(Window::new("nocap"))
        .capability(CAP)
        .command("math.div", |d: Div, _: CallContext| async move {
            if d.b == 0 {
                return Err(RpcError::new(4001, "division by zero").with_data(json!({"a": d.a})));
            }
            Ok(d.a / d.b)
        })
}

fn names(reqs: &[UiRequest]) -> Vec<String> {
    reqs.iter()
        .map(|r| match r {
            UiRequest::CreateWindow { spec, visible, .. } => {
                format!("create {} visible={visible}", spec.label)
            }
            UiRequest::DestroyWindow(l) => format!("destroy {l}"),
            UiRequest::Window { label, op } => format!("{label} {op:?}"),
            other => other.name().to_owned(),
        })
        .collect()
}

#[actix::test]
async fn windows_are_created_on_first_show_and_closed_by_policy() {
    let app = TestApp::start(app()).await.expect("starts");
    // Only the pre-warmed window exists at start, hidden.
    assert_eq!(
        names(&app.take_ui_requests()),
        ["create warm visible=false"]
    );

    let main = app.handle().window("main").expect("main");
    main.show().await.expect("show");
    main.show().await.expect("show again");
    main.close().await.expect("close → destroy");
    main.show().await.expect("re-open");
    let keep = app.handle().window("keep").expect("keep");
    keep.show().await.expect("show");
    keep.close().await.expect("close → hide");
    keep.show().await.expect("show again");
    let warm = app.handle().window("warm").expect("warm");
    warm.show().await.expect("instant show");
    assert_eq!(
        names(&app.take_ui_requests()),
        [
            "create main visible=true",
            "main Show",
            "main Focus",
            "destroy main",
            "create main visible=true",
            "create keep visible=true",
            "keep Hide",
            "keep Show",
            "keep Focus",
            "warm Show",
            "warm Focus",
        ]
    );
    assert_eq!(
        keep.state().await.expect("state").1,
        Life::Open { visible: true }
    );
    assert!(matches!(
        app.handle().window("nope"),
        Err(traykit::window::WindowError::Unknown(_))
    ));
}

#[actix::test]
async fn popups_are_placed_each_time_they_show() {
    let app = TestApp::start(app()).await.expect("starts");
    app.take_ui_requests();
    app.handle()
        .window("popup-1")
        .expect("popup")
        .show()
        .await
        .expect("show");
    let reqs = app.take_ui_requests();
    assert!(reqs.iter().any(|r| matches!(
        r,
        UiRequest::Window {
            op: WindowOp::Place(Placement::Corner(Corner::TopRight)),
            ..
        }
    )));
}

#[actix::test]
async fn commands_answer_pages_with_json_rpc() {
    let app = TestApp::start(app()).await.expect("starts");
    let call = |text: &'static str| {
        let app = &app;
        async move { app.ipc("main", text).await }
    };
    assert_eq!(
        call(r#"{"jsonrpc":"2.0","id":1,"method":"math.div","params":{"a":7,"b":2}}"#).await,
        Some(json!({"jsonrpc":"2.0","id":1,"result":3}))
    );
    let err = call(r#"{"jsonrpc":"2.0","id":2,"method":"math.div","params":[1,0]}"#)
        .await
        .expect("answer");
    assert_eq!(
        err["error"],
        json!({"code":4001,"message":"division by zero","data":{"a":1}})
    );
    let bad = call(r#"{"jsonrpc":"2.0","id":3,"method":"math.div","params":{"a":"x"}}"#)
        .await
        .expect("answer");
    assert_eq!(bad["error"]["code"], -32602);
    assert_eq!(bad["error"]["data"]["kind"], "invalid_params", "{bad}");
    let missing = call(r#"{"jsonrpc":"2.0","id":4,"method":"math.nope"}"#)
        .await
        .expect("answer");
    assert_eq!(missing["error"]["code"], -32601);
    assert_eq!(
        missing["error"]["data"]["kind"], "method_not_found",
        "{missing}"
    );
    let parse = call("{").await.expect("answer");
    assert_eq!(
        (parse["id"].clone(), parse["error"]["code"].clone()),
        (Value::Null, json!(-32700))
    );
    assert_eq!(parse["error"]["data"]["kind"], "parse_error", "{parse}");
    let empty = call("[]").await.expect("answer");
    assert_eq!(empty["error"]["code"], -32600, "{empty}");
    assert_eq!(empty["error"]["data"]["kind"], "invalid_request", "{empty}");
    // A batch with a notification: two answers, as an array.
    let batch = call(
        r#"[{"jsonrpc":"2.0","id":5,"method":"math.div","params":[4,2]},
            {"jsonrpc":"2.0","method":"math.div","params":[1,1]},
            {"jsonrpc":"2.0","id":6,"method":"window.label"}]"#,
    )
    .await
    .expect("answer");
    let batch = batch.as_array().expect("array");
    assert_eq!(batch.len(), 2);
    assert!(batch.contains(&json!({"jsonrpc":"2.0","id":5,"result":2})));
    assert!(batch.contains(&json!({"jsonrpc":"2.0","id":6,"result":"main"})));
    // Notifications only: nothing comes back.
    assert_eq!(
        call(r#"{"jsonrpc":"2.0","method":"math.div","params":[1,1]}"#).await,
        None
    );
}

#[actix::test]
async fn ungranted_windows_and_origins_are_refused_before_lookup() {
    let app = TestApp::start(app()).await.expect("starts");
    let denied = app
        .ipc(
            "nocap",
            r#"{"jsonrpc":"2.0","id":1,"method":"math.div","params":[1,1]}"#,
        )
        .await
        .expect("answer");
    assert_eq!(denied["error"]["code"], -32001);
    assert_eq!(denied["error"]["data"]["kind"], "forbidden", "{denied}");
    // Not granted: even a method that does not exist is "denied", not
    // "not found", so a page cannot probe what exists.
    let probe = app
        .ipc(
            "nocap",
            r#"{"jsonrpc":"2.0","id":2,"method":"secret.thing"}"#,
        )
        .await
        .expect("answer");
    assert_eq!(probe["error"]["code"], -32001);
    let event = app
        .ipc(
            "main",
            r#"{"jsonrpc":"2.0","id":3,"method":"event.listen","params":{"event":"other"}}"#,
        )
        .await
        .expect("answer");
    assert_eq!(event["error"]["code"], -32001);
}

#[actix::test]
async fn events_reach_listening_pages_in_one_evaluation() {
    let app = TestApp::start(app()).await.expect("starts");
    let ok = app
        .ipc(
            "main",
            r#"{"jsonrpc":"2.0","id":1,"method":"event.listen","params":{"event":"tick"}}"#,
        )
        .await
        .expect("answer");
    assert_eq!(ok["result"], Value::Null);
    app.take_ui_requests();
    for n in 0..1000 {
        app.handle().emit("tick", n);
    }
    let ticks = app
        .wait_for_page_events("main", "tick", 1000, Duration::from_secs(5))
        .await;
    assert_eq!(
        ticks,
        (0..1000).map(|n| json!(n)).collect::<Vec<_>>(),
        "all, in order"
    );
    let evals = app
        .ui_requests()
        .iter()
        .filter(|r| matches!(r, UiRequest::Eval { .. }))
        .count();
    assert!(evals <= 10, "1000 events took {evals} script evaluations");
    // A window that does not listen gets nothing.
    assert!(app
        .ui_requests()
        .iter()
        .all(|r| !matches!(r, UiRequest::Eval { label, .. } if label.as_str() != "main")));
}

#[actix::test]
async fn pages_open_windows_at_run_time() {
    let app = TestApp::start(app()).await.expect("starts");
    let opened = app
        .ipc(
            "main",
            r#"{"jsonrpc":"2.0","id":1,"method":"window.open","params":{"label":"popup-2","url":"p.html","width":300,"height":200}}"#,
        )
        .await
        .expect("answer");
    assert_eq!(opened["result"], Value::Null, "{opened}");
    let (spec, life) = app
        .handle()
        .window("popup-2")
        .expect("declared")
        .state()
        .await
        .expect("state");
    assert_eq!(spec.url, "traykit://localhost/p.html");
    assert_eq!(spec.size, (300.0, 200.0));
    assert_eq!(life, Life::Open { visible: true });
}

#[actix::test]
async fn remote_pages_get_no_ipc_unless_their_origin_is_granted_and_dev_urls_count_as_own() {
    const REMOTE: &str = r#"{"identifier":"r","windows":["main"],"methods":["window.label"],"remote":["https://ok.example"]}"#;
    let call = r#"{"jsonrpc":"2.0","id":1,"method":"math.div","params":[4,2]}"#;
    let remote = TestApp::start(app().capability(REMOTE))
        .await
        .expect("starts");
    let evil = remote
        .ipc_from("main", "https://evil.example/x", call)
        .await
        .expect("answer");
    assert_eq!(evil["error"]["code"], -32001);
    // The remote capability grants only window.label to that origin.
    let granted = remote
        .ipc_from(
            "main",
            "https://ok.example/page",
            r#"{"jsonrpc":"2.0","id":2,"method":"window.label"}"#,
        )
        .await
        .expect("answer");
    assert_eq!(granted["result"], "main");
    let not_granted = remote
        .ipc_from("main", "https://ok.example/page", call)
        .await
        .expect("answer");
    assert_eq!(not_granted["error"]["code"], -32001);

    // A dev server (debug builds) serves relative URLs and is the app's own.
    let dev = TestApp::start(app().dev_url("http://127.0.0.1:5173"))
        .await
        .expect("starts");
    let (spec, _) = dev
        .handle()
        .window("main")
        .expect("main")
        .state()
        .await
        .expect("state");
    if cfg!(debug_assertions) {
        assert_eq!(spec.url, "http://127.0.0.1:5173/index.html");
        let ok = dev
            .ipc_from("main", "http://127.0.0.1:5173/index.html", call)
            .await
            .expect("answer");
        assert_eq!(ok["result"], 2);
    } else {
        assert_eq!(spec.url, "traykit://localhost/index.html");
    }
}

#[actix::test]
async fn window_geometry_is_remembered_per_label_across_restarts() {
    use traykit::ids::WindowLabel;
    use traykit::ui::UiEvent;
    use traykit::window::{Geometry, WINDOW_STATE_STORE};

    let dir = std::env::temp_dir().join(format!("traykit-geom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let builder = || {
        App::builder()
            .data_dir(&dir)
            .window(Window::new("main"))
            .window(Window::new("plain").remember_state(false))
    };
    let moved = Geometry {
        position: (120.0, 80.0),
        size: (640.0, 480.0),
        maximized: false,
    };
    {
        let app = TestApp::start(builder()).await.expect("starts");
        for label in ["main", "plain"] {
            let w = app.handle().window(label).expect("window");
            w.show().await.expect("show");
            app.handle().dispatch(UiEvent::WindowGeometry {
                window: WindowLabel::new(label).expect("label"),
                geometry: moved,
            });
        }
        // Wait for the debounced store to have it, then make it durable.
        let store = app.handle().store(WINDOW_STATE_STORE).expect("store");
        for _ in 0..200 {
            if store.get::<Geometry>("main").await.expect("get").is_some() {
                break;
            }
            actix::clock::sleep(Duration::from_millis(5)).await;
        }
        store.flush().await.expect("flush");
        assert_eq!(
            store.get::<Geometry>("plain").await.expect("get"),
            None,
            "opted out"
        );
        // Same session: closing and reopening keeps the geometry.
        let main = app.handle().window("main").expect("main");
        main.close().await.expect("close");
        app.take_ui_requests();
        main.show().await.expect("reopen");
        let spec = app
            .ui_requests()
            .into_iter()
            .find_map(|r| match r {
                UiRequest::CreateWindow { spec, .. } => Some(spec),
                _ => None,
            })
            .expect("created again");
        assert_eq!(
            (spec.size, spec.position),
            ((640.0, 480.0), Some((120.0, 80.0)))
        );
    }
    // Next run of the app: restored from the store before the first open.
    let app = TestApp::start(builder()).await.expect("starts again");
    let (spec, _) = app
        .handle()
        .window("main")
        .expect("main")
        .state()
        .await
        .expect("state");
    assert_eq!(
        (spec.size, spec.position),
        ((640.0, 480.0), Some((120.0, 80.0)))
    );
    let (plain, _) = app
        .handle()
        .window("plain")
        .expect("plain")
        .state()
        .await
        .expect("state");
    assert_eq!((plain.size, plain.position), ((800.0, 600.0), None));
    let _ = std::fs::remove_dir_all(&dir);
}
