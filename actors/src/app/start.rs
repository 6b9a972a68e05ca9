//! Building the app's handle from its [`AppConfig`]: apart from `handle.rs`
//! so the handle's file does not depend on the configuration (the config
//! holds the router, whose context holds the handle).

use std::sync::{Arc, RwLock};

use actix::prelude::*;

use super::handle::PageRegistry;
use super::handle::{AppHandle, Inner};
use super::lifecycle::{AppActor, Trays};
use super::registry::{BootGate, EventRegistry, TrayRegistry, WindowRegistry};
use super::AppConfig;
use crate::notify::NotifierActor;
use crate::sync::Subscribers;
use crate::ui::UiHandle;

impl AppHandle {
    /// Starts the app's actors (`RuntimeHandle::start`). Must run inside
    /// an actix `System`.
    pub(super) fn start(config: AppConfig, ui: UiHandle) -> AppHandle {
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
                timeout: config.request_timeout,
                data_dir: config.data_dir,
                state: config.state,
                ui,
                app,
                notifier,
                trays: TrayRegistry::new(trays),
                windows: WindowRegistry::default(),
                events: EventRegistry {
                    subscribers: Subscribers::new(),
                },
                pages: PageRegistry {
                    router: Arc::new(config.router),
                    capabilities: Arc::new(config.capabilities),
                    init_script: config.init_script.into(),
                    dev_url: config.dev_url.map(Into::into),
                    limits: config.ipc_limits,
                    isolation: config.isolation,
                },
                boot: BootGate::default(),
                plugins: RwLock::default(),
            }),
        }
    }
}
