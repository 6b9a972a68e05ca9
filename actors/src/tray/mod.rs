//! The tray actor: one per tray icon, owner of that icon's model.
//!
//! Every change is validated against the model first, then sent to the UI
//! thread as a whole property ([`TrayUpdate`](crate::ui::TrayUpdate)). Menu clicks come back from the
//! UI thread as [`UiEvent`](crate::ui::UiEvent)s, are resolved against the
//! model (a check item flips here, so the model stays the truth) and are
//! published to subscribers as [`MenuClicked`].
//!
//! # Layout
//! - `mod.rs`: [`Tray`] (the declaration), [`TrayChange`], [`TrayError`]
//!   and the events subscribers get.
//! - `actor`: [`TrayActor`] and its messages.
//! - `handle`: [`TrayHandle`], the typed `Send + Clone` way in.

use actix::prelude::*;

use crate::error::{ActorError, UiError};
use crate::icon::{Icon, IconError};
use crate::ids::{IdError, MenuId, TrayId};
use crate::menu::{ItemChange, Menu, MenuError};
use crate::ui::{MouseButton, TraySpec};

mod actor;
mod handle;

pub use actor::{
    ChangeTray, GetTray, IconActivated, MenuActivated, MenuOpening, RemoveTray,
    SubscribeActivation, SubscribeMenu, SubscribeMenuOpened, TrayActor,
};
pub use handle::TrayHandle;

const ACTOR: &str = "TrayActor";

/// Why a tray operation failed.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::tray::TrayError;
///
/// # #[actix::main] async fn main() {
/// # let test = traykit::test::TestApp::start(App::builder()).await.unwrap();
/// # let app = test.handle();
/// match app.tray("missing") {
///     Err(TrayError::Unknown(id)) => assert_eq!(id, "missing"),
///     other => panic!("{other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrayError {
    /// The tray id is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The menu or the change to it is invalid.
    #[error("tray `{tray}`: {source}")]
    Menu {
        /// Which tray.
        tray: String,
        /// What is wrong.
        source: MenuError,
    },
    /// The icon is invalid.
    #[error("tray `{tray}`: {source}")]
    Icon {
        /// Which tray.
        tray: String,
        /// What is wrong.
        source: IconError,
    },
    /// Another tray already has this id.
    #[error("a tray with id `{0}` already exists")]
    Duplicate(String),
    /// No tray has this id.
    #[error("no tray with id `{0}`")]
    Unknown(String),
    /// The UI thread could not apply the change.
    #[error("tray `{tray}`: {source}")]
    Ui {
        /// Which tray.
        tray: String,
        /// What the UI thread said.
        source: UiError,
    },
    /// The tray actor did not answer.
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// Declares a tray icon: pass it to `App::builder().tray(..)`, or to
/// [`crate::app::AppHandle::add_tray`] at run time.
///
/// ```
/// use traykit::prelude::*;
/// let tray = Tray::new("main")
///     .icon(Icon::solid(32, [0x20, 0x80, 0xf0, 0xff]).unwrap())
///     .title("12:00")
///     .tooltip("My app")
///     .menu(Menu::new().item("quit", "Quit"));
/// ```
#[derive(Debug, Clone)]
pub struct Tray {
    id: String,
    icon: Option<Result<Icon, IconError>>,
    title: Option<String>,
    tooltip: Option<String>,
    visible: bool,
    menu: Menu,
}

impl Tray {
    /// A tray with this id (letters, digits, `-`, `_`, `.`), visible, with no
    /// icon, title or menu yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            icon: None,
            title: None,
            tooltip: None,
            visible: true,
            menu: Menu::new(),
        }
    }

    /// Sets the icon.
    pub fn icon(mut self, icon: Icon) -> Self {
        self.icon = Some(Ok(icon));
        self
    }

    /// Sets the icon from PNG bytes; a bad PNG is reported when the tray is
    /// created, naming the tray.
    pub fn icon_png(mut self, png: &[u8]) -> Self {
        self.icon = Some(Icon::from_png(png));
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the tooltip.
    pub fn tooltip(mut self, tooltip: impl Into<String>) -> Self {
        self.tooltip = Some(tooltip.into());
        self
    }

    /// Starts hidden (SNI status `Passive`) when false.
    pub fn visible(mut self, visible: bool) -> Self {
        self.visible = visible;
        self
    }

    /// Sets the menu.
    pub fn menu(mut self, menu: Menu) -> Self {
        self.menu = menu;
        self
    }

    /// The id as given.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Validates everything and produces what the UI thread needs.
    pub fn into_spec(self) -> Result<TraySpec, TrayError> {
        let id = TrayId::new(self.id)?;
        let icon = match self.icon {
            None => None,
            Some(Ok(icon)) => Some(icon),
            Some(Err(source)) => {
                return Err(TrayError::Icon {
                    tray: id.to_string(),
                    source,
                })
            }
        };
        self.menu.validate().map_err(|source| TrayError::Menu {
            tray: id.to_string(),
            source,
        })?;
        Ok(TraySpec {
            id,
            icon,
            title: self.title,
            tooltip: self.tooltip,
            visible: self.visible,
            menu: self.menu,
        })
    }
}

/// A change to a live tray, for [`TrayHandle::change`] (the `set_*`
/// methods are shorthands for one change each).
///
/// ```
/// use traykit::prelude::*;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main").menu(Menu::new().item("sync", "Sync")))).await?;
/// # let app = test.handle();
/// let tray = app.tray("main")?;
/// tray.change(TrayChange::Tooltip(Some("3 unread".into()))).await?;
/// tray.change(TrayChange::Menu(Menu::new().item("quit", "Quit"))).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrayChange {
    /// New title (`None` clears it).
    Title(Option<String>),
    /// New tooltip (`None` clears it).
    Tooltip(Option<String>),
    /// New icon (`None` clears it).
    Icon(Option<Icon>),
    /// Show or hide.
    Visible(bool),
    /// Replace the whole menu.
    Menu(Menu),
    /// Change one menu item.
    Item {
        /// The item's id.
        id: String,
        /// What to change.
        change: ItemChange,
    },
}

/// A tray menu entry was clicked. Sent to every subscriber of the tray.
///
/// ```
/// use traykit::prelude::*;
///
/// let builder = App::builder()
///     .tray(Tray::new("main").menu(Menu::new().check("pause", "Pause", false).item("quit", "Quit")))
///     .on_menu_click(|app, click: &MenuClicked| match click.item.as_str() {
///         "pause" => println!("paused: {:?}", click.checked),
///         "quit" => app.quit(),
///         _ => {}
///     });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct MenuClicked {
    /// The tray whose menu it was.
    pub tray: TrayId,
    /// The entry that was clicked.
    pub item: MenuId,
    /// For check items: the new state after the click.
    pub checked: Option<bool>,
}

/// A tray's menu is opening: the panel asked for it (dbusmenu
/// `AboutToShow`), so a click on one of its entries may follow. traykit
/// prewarms the webview host on it by itself
/// ([`AppHandle::prewarm_host`](crate::app::AppHandle::prewarm_host));
/// subscribe to refresh what the menu shows, or to prepare for the click.
///
/// ```
/// use actix::prelude::*;
/// use traykit::prelude::*;
/// use traykit::tray::TrayMenuOpened;
///
/// # #[actix::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let test = traykit::test::TestApp::start(App::builder().tray(Tray::new("main"))).await?;
/// # let app = test.handle();
/// struct Opened;
/// impl Actor for Opened { type Context = Context<Self>; }
/// impl Handler<TrayMenuOpened> for Opened {
///     type Result = ();
///     fn handle(&mut self, opened: TrayMenuOpened, _: &mut Context<Self>) {
///         println!("menu of {} opening", opened.tray);
///     }
/// }
/// app.tray("main")?.subscribe_menu_opened(Opened.start().recipient());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct TrayMenuOpened {
    /// Which tray.
    pub tray: TrayId,
}

/// The tray icon itself was clicked.
///
/// ```
/// use traykit::prelude::*;
/// use traykit::ui::MouseButton;
///
/// let builder = App::builder()
///     .tray(Tray::new("main"))
///     .window(Window::new("popup").url("popup.html"))
///     .on_tray_activated(|app, click: &TrayActivated| {
///         if click.button == MouseButton::Left {
///             app.show_window("popup");
///         }
///     });
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct TrayActivated {
    /// Which tray.
    pub tray: TrayId,
    /// Which button.
    pub button: MouseButton,
    /// Pointer position in screen pixels, as reported by the panel: the
    /// anchor for a popup window (Linux panels give no icon rectangle).
    pub position: (f64, f64),
}
