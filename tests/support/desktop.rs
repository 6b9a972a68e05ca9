//! A private home for apps that touch the desktop's per-user places: the
//! runtime dir (instance sockets), `~/.config` (autostart, mimeapps.list),
//! `~/.local/state` (logs) and `~/.local/share` (desktop entries). Every
//! launch made through one `Home` shares them, as launches by one user do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::bus::{Bus, TempDir};
use super::App;

pub struct Home {
    pub runtime: TempDir,
    pub config: TempDir,
    pub state: TempDir,
    pub data: TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            runtime: TempDir::new("runtime"),
            config: TempDir::new("config"),
            state: TempDir::new("state"),
            data: TempDir::new("share"),
        }
    }

    fn apply(&self, cmd: &mut Command) {
        cmd.env("XDG_RUNTIME_DIR", &self.runtime.0)
            .env("XDG_CONFIG_HOME", &self.config.0)
            // No system-wide autostart entries from the machine.
            .env("XDG_CONFIG_DIRS", self.config.0.join("xdg-system"))
            .env("XDG_STATE_HOME", &self.state.0)
            .env("XDG_DATA_HOME", &self.data.0);
    }

    /// Starts `binary` on `bus` in this home, stdout collected.
    pub fn spawn(&self, binary: &Path, bus: &Bus, args: &[&str]) -> App {
        let data = TempDir::new("data");
        let mut cmd = App::command(binary, bus, args, &data);
        self.apply(&mut cmd);
        App::start_piped(cmd, data)
    }

    /// Runs `binary args` to completion in this home (a second launch, a
    /// `--ctl` call), on `bus` if given, in the directory `self.data`.
    pub fn run(&self, binary: &Path, bus: Option<&Bus>, args: &[&str]) -> Output {
        self.run_env(binary, bus, args, &[])
    }

    /// Like `run`, with extra environment variables.
    pub fn run_env(
        &self,
        binary: &Path,
        bus: Option<&Bus>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Output {
        let mut cmd = Command::new(binary);
        cmd.args(args)
            .current_dir(&self.data.0)
            .env("RUST_LOG", "info,zbus=error")
            .stdin(Stdio::null());
        if let Some(bus) = bus {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", bus.address());
        }
        self.apply(&mut cmd);
        cmd.envs(env.iter().copied());
        cmd.output().expect("run app")
    }

    /// The instance socket of app `id`.
    pub fn socket(&self, id: &str) -> PathBuf {
        self.runtime.0.join(id).join("instance.sock")
    }
}
