//! A third-party plugin, written only against traykit's public API: the
//! proof that an outside crate can add a feature the way the built-in ones
//! are added. The `counter` plugin brings
//!
//! - its own actor (`CounterActor`, started in `Plugin::start`),
//! - its own built-ins (`counter.add`, `counter.get`, `counter.reset`),
//! - its own page script (`window.counter`, `counter.js`),
//! - its own capability (grants `counter.add` and `counter.get` to every
//!   window; `counter.reset` stays ungranted unless the app grants it),
//! - managed state (the actor's address, for the methods), and
//! - a shutdown hook (prints `COUNTER_SHUTDOWN <total>`).
//!
//! The app opens one page that uses the plugin and reports what it saw as
//! a `PLUGIN_REPORT {json}` line, then quits.
//!
//! ```sh
//! scripts/headless.sh cargo run --example plugin_counter
//! ```

use serde_json::Value;
use traykit::prelude::*;

/// The plugin, as an outside crate would ship it.
mod counter {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::{Arc, OnceLock};

    use actix::prelude::*;
    use serde::Deserialize;
    use traykit::app::{AppHandle, Plugin, PluginError, PluginSetup};
    use traykit::ipc::{CallContext, RpcError};

    /// The plugin's page script: runs in every page after the bridge.
    const PAGE_SCRIPT: &str = include_str!("plugin_counter/counter.js");

    /// What the plugin grants by itself. `counter.reset` is not in it: an
    /// app that wants pages to reset grants it in its own capability.
    const CAPABILITY: &str = r#"{
      "identifier": "counter",
      "description": "the counter plugin's page API, without counter.reset",
      "windows": ["*"],
      "methods": ["counter.add", "counter.get"]
    }"#;

    /// The plugin. `total` mirrors the actor's count for the shutdown hook,
    /// which cannot wait for an answer.
    #[derive(Default)]
    pub struct Counter {
        total: Arc<AtomicI64>,
    }

    /// Managed state: the methods reach the actor through it.
    struct CounterAddr(OnceLock<Addr<CounterActor>>);

    struct CounterActor {
        count: i64,
        published: Arc<AtomicI64>,
    }

    impl Actor for CounterActor {
        type Context = Context<Self>;
    }

    /// Adds `.0` (negative to subtract); answers the new count.
    #[derive(Message)]
    #[rtype(result = "i64")]
    struct Add(i64);

    impl Handler<Add> for CounterActor {
        type Result = i64;
        fn handle(&mut self, Add(by): Add, _: &mut Context<Self>) -> i64 {
            self.count = self.count.saturating_add(by);
            self.published.store(self.count, Ordering::SeqCst);
            self.count
        }
    }

    #[derive(Deserialize)]
    struct AddArgs {
        by: i64,
    }

    /// Adds `by` through the plugin's actor (its address is set in `start`).
    async fn ask(ctx: &CallContext, by: i64) -> Result<i64, RpcError> {
        let addr = ctx
            .app
            .state::<CounterAddr>()
            .and_then(|a| a.0.get())
            .cloned()
            .ok_or_else(|| RpcError::new(4100, "the counter plugin has not started"))?;
        addr.send(Add(by))
            .await
            .map_err(|e| RpcError::new(4101, format!("counter actor: {e}")))
    }

    impl Plugin for Counter {
        fn name(&self) -> &str {
            "counter"
        }

        fn build(&self, setup: &mut PluginSetup<'_>) -> Result<(), PluginError> {
            setup
                .manage(CounterAddr(OnceLock::new()))?
                .capability(CAPABILITY)?
                .page_script(PAGE_SCRIPT);
            setup.method("counter.add", |a: AddArgs, ctx: CallContext| async move {
                ask(&ctx, a.by).await
            })?;
            setup.method("counter.get", |(): (), ctx: CallContext| async move {
                ask(&ctx, 0).await
            })?;
            setup.method("counter.reset", |(): (), ctx: CallContext| async move {
                let now = ask(&ctx, 0).await?;
                ask(&ctx, -now).await
            })?;
            Ok(())
        }

        fn start(&self, app: &AppHandle) -> Result<(), PluginError> {
            let actor = CounterActor {
                count: 0,
                published: self.total.clone(),
            }
            .start();
            if let Some(slot) = app.state::<CounterAddr>() {
                let _ = slot.0.set(actor);
            }
            Ok(())
        }

        fn shutdown(&self, _app: &AppHandle) {
            println!("COUNTER_SHUTDOWN {}", self.total.load(Ordering::SeqCst));
        }
    }
}

fn main() -> Result<(), traykit::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    App::builder()
        .name("Plugin counter")
        .plugin(counter::Counter::default())
        // The app's own command and grant; the plugin brought its own.
        .command(
            "demo.report",
            |report: Value, ctx: CallContext| async move {
                println!("PLUGIN_REPORT {report}");
                ctx.app.quit();
                Ok::<_, RpcError>(Value::Null)
            },
        )
        .capability(r#"{"identifier": "demo", "windows": ["main"], "methods": ["demo.report"]}"#)
        .window(
            Window::new("main")
                .title("Plugin counter")
                .url("index.html")
                .visible_on_start(true),
        )
        .asset("index.html", include_bytes!("plugin_counter/index.html"))
        .asset("page.js", include_bytes!("plugin_counter/page.js"))
        .run()
}
