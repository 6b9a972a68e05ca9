//! A tray utility with a web UI on demand: the tray menu opens a small notes
//! popup next to the pointer. The page lists, adds and deletes notes through
//! typed commands, stays live through an event the notes actor emits on
//! every change (also changes made from the tray menu), and can show a
//! desktop notification. Closing the popup destroys its webview, so an idle
//! app gives WebKit's memory back.
//!
//! ```sh
//! cargo run --example popup_notes
//! ```

use actix::prelude::*;
use serde::{Deserialize, Serialize};
use traykit::prelude::*;

/// The page, embedded at compile time (in debug builds rust-embed reads the
/// folder at run time, so edits show on reload).
#[derive(traykit::RustEmbed)]
#[folder = "examples/popup_notes/"]
#[crate_path = "traykit::rust_embed"]
struct Ui;

/// One note.
#[derive(Clone, Serialize)]
struct Note {
    id: u64,
    text: String,
}

/// What can go wrong, with codes the page can rely on.
#[derive(Debug, thiserror::Error)]
enum NotesError {
    #[error("a note needs some text")]
    Empty,
    #[error("note {0} does not exist")]
    Missing(u64),
}

impl From<NotesError> for RpcError {
    fn from(e: NotesError) -> Self {
        let code = match e {
            NotesError::Empty => 4000,
            NotesError::Missing(_) => 4004,
        };
        RpcError::new(code, e.to_string())
    }
}

/// Owns the notes; tells every window when they change.
#[derive(Default)]
struct Notes {
    notes: Vec<Note>,
    next_id: u64,
    app: Option<AppHandle>,
}

impl Notes {
    fn changed(&self) {
        if let Some(app) = &self.app {
            app.emit("notes-changed", &self.notes);
            let count = match self.notes.len() {
                1 => "1 note".to_owned(),
                n => format!("{n} notes"),
            };
            if let Ok(tray) = app.tray("notes") {
                tray.post(TrayChange::Title(Some(count)));
            }
        }
    }
}

impl Actor for Notes {
    type Context = Context<Self>;
}
impl Supervised for Notes {}
impl SystemService for Notes {}

#[derive(Message)]
#[rtype(result = "()")]
struct Attach(AppHandle);

#[derive(Message)]
#[rtype(result = "Vec<Note>")]
struct List;

#[derive(Message, Deserialize)]
#[rtype(result = "Result<Note, NotesError>")]
struct Add {
    text: String,
}

#[derive(Message, Deserialize)]
#[rtype(result = "Result<Note, NotesError>")]
struct Delete {
    id: u64,
}

#[derive(Message, Deserialize)]
#[rtype(result = "Result<Note, NotesError>")]
struct Get {
    id: u64,
}

#[derive(Message)]
#[rtype(result = "()")]
struct Clear;

impl Handler<Attach> for Notes {
    type Result = ();
    fn handle(&mut self, msg: Attach, _: &mut Context<Self>) {
        self.app = Some(msg.0);
    }
}

impl Handler<List> for Notes {
    type Result = MessageResult<List>;
    fn handle(&mut self, _: List, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.notes.clone())
    }
}

impl Handler<Add> for Notes {
    type Result = Result<Note, NotesError>;
    fn handle(&mut self, msg: Add, _: &mut Context<Self>) -> Self::Result {
        let text = msg.text.trim();
        if text.is_empty() {
            return Err(NotesError::Empty);
        }
        self.next_id += 1;
        let note = Note {
            id: self.next_id,
            text: text.to_owned(),
        };
        self.notes.push(note.clone());
        self.changed();
        Ok(note)
    }
}

impl Handler<Delete> for Notes {
    type Result = Result<Note, NotesError>;
    fn handle(&mut self, msg: Delete, _: &mut Context<Self>) -> Self::Result {
        let at = self
            .notes
            .iter()
            .position(|n| n.id == msg.id)
            .ok_or(NotesError::Missing(msg.id))?;
        let note = self.notes.remove(at);
        self.changed();
        Ok(note)
    }
}

impl Handler<Get> for Notes {
    type Result = Result<Note, NotesError>;
    fn handle(&mut self, msg: Get, _: &mut Context<Self>) -> Self::Result {
        self.notes
            .iter()
            .find(|n| n.id == msg.id)
            .cloned()
            .ok_or(NotesError::Missing(msg.id))
    }
}

impl Handler<Clear> for Notes {
    type Result = ();
    fn handle(&mut self, _: Clear, _: &mut Context<Self>) {
        self.notes.clear();
        self.changed();
    }
}

/// The notes actor did not answer (only during shutdown).
fn gone(e: MailboxError) -> RpcError {
    RpcError::internal(format!("notes actor: {e}"))
}

fn main() -> Result<(), traykit::Error> {
    // RUST_LOG as an `EnvFilter`, or as `target=level` directives in a
    // build without traykit's `env-filter` feature (no regex engine).
    tracing_subscriber::fmt::init();

    App::builder()
        .name("Popup notes")
        .tray(
            Tray::new("notes")
                .icon(Icon::solid(22, [0xe0, 0xa8, 0x2e, 0xff]).expect("valid icon"))
                .title("0 notes")
                .tooltip("Popup notes")
                .menu(
                    Menu::new()
                        .item("open", "Open notes")
                        .item("clear", "Clear all notes")
                        .separator()
                        .item("quit", "Quit"),
                ),
        )
        .window(
            Window::new("notes")
                .url("index.html")
                .title("Notes")
                .size(360.0, 420.0)
                .placement(Placement::Pointer)
                .skip_taskbar(true),
        )
        .assets::<Ui>()
        .capability(
            r#"{
              "identifier": "notes",
              "description": "the notes popup: its commands and its live event",
              "windows": ["notes"],
              "methods": ["notes.*"],
              "events": ["notes-changed"]
            }"#,
        )
        .command("notes.list", |(): (), _: CallContext| async move {
            Notes::from_registry().send(List).await.map_err(gone)
        })
        .command("notes.add", |add: Add, _: CallContext| async move {
            Ok::<_, RpcError>(Notes::from_registry().send(add).await.map_err(gone)??)
        })
        .command("notes.delete", |del: Delete, _: CallContext| async move {
            Ok::<_, RpcError>(Notes::from_registry().send(del).await.map_err(gone)??)
        })
        .command("notes.remind", |get: Get, ctx: CallContext| async move {
            let note = Notes::from_registry().send(get).await.map_err(gone)??;
            let id = ctx
                .app
                .notify(Notification::new("Reminder").body(note.text))
                .await?;
            Ok::<_, RpcError>(id.0)
        })
        .setup(|app| {
            Notes::from_registry().do_send(Attach(app.clone()));
            Ok(())
        })
        .on_menu_click(|app, click| match click.item.as_str() {
            "open" => app.show_window("notes"),
            "clear" => Notes::from_registry().do_send(Clear),
            _ => app.quit(),
        })
        .run()
}
