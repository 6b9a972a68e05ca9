//! Building the app's handle from its [`AppConfig`]: apart from `handle.rs`
//! so the handle's file does not depend on the configuration (the config
//! holds the router, whose context holds the handle).

use std::sync::{Arc, Mutex, RwLock};

use actix::prelude::*;

use super::handle::{AppHandle, Inner, Windows};
use super::lifecycle::{AppActor, Trays};
use super::AppConfig;
use crate::notify::NotifierActor;
use crate::sync::Subscribers;
use crate::ui::UiHandle;

impl AppHandle {
    #[doc(hidden)]
    /// Starts the app's actors. Must run inside an actix `System`.
    pub fn start(config: AppConfig, ui: UiHandle) -> AppHandle {
        let trays = Trays::default();
        let app = AppActor {
            ui: ui.clone(),
            trays: trays.clone(),
            shutdown_subscribers: Vec::new(),
            shutdown_timeout: config.shutdown_timeout,
            quitting: false,
        }
        .start();
        let (name, backend) = (config.name.clone(), config.notifications.clone());
        let notifier = Supervisor::start(move |_| NotifierActor::new(name, backend));
        AppHandle {
            inner: Arc::new(Inner {
                name: config.name,
                ui,
                timeout: config.request_timeout,
                app,
                notifier,
                trays,
                menu_subscribers: Subscribers::new(),
                activation_subscribers: Subscribers::new(),
                state: config.state,
                windows: Windows::default(),
                router: Arc::new(config.router),
                capabilities: Arc::new(config.capabilities),
                init_script: config.init_script.into(),
                dev_url: config.dev_url.map(Into::into),
                event_subscribers: Subscribers::new(),
                data_dir: config.data_dir,
                ipc_limits: config.ipc_limits,
                isolation: config.isolation,
                ready: std::sync::atomic::AtomicBool::new(false),
                page_windows: std::sync::atomic::AtomicUsize::new(0),
                plugins: RwLock::default(),
                held: Mutex::default(),
            }),
        }
    }
}
