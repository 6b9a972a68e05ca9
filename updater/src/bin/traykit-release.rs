//! `traykit-release`: keys, signatures and the static update feed.
//!
//! ```text
//! traykit-release keygen   --out DIR [--name NAME]                 (password: --password-file F or $TRAYKIT_RELEASE_PASSWORD)
//! traykit-release sign     --key KEY --app-id ID --version V [--target T] [--from V] FILE...
//! traykit-release sign     --key KEY --unbound FILE...
//! traykit-release manifest --key KEY --app-id ID --dir DIR --base-url URL --version V --artifact FILE
//!                          [--target T] [--channel C] [--rollout N] [--notes TEXT]
//!                          [--previous VERSION=FILE]...
//! ```
//!
//! `keygen` writes `NAME.key` (secret, password-encrypted) and `NAME.pub`,
//! both in Tauri's base64 form. `sign` writes `FILE.sig`, its trusted
//! comment binding the file to the app id, version and target
//! (`traykit v1 app=ID version=V target=T`; `--from V` for a patch), which
//! traykit clients check; `--unbound` writes a plain Tauri-style signature
//! instead (accepted only by apps with `allow_unbound_signatures`). `manifest` copies
//! the artifact into DIR, signs it, makes and signs a bsdiff patch from
//! each previous version, and updates `DIR/latest.json`. Serve DIR from any
//! static host.

use std::path::PathBuf;
use std::process::ExitCode;

use traykit_updater::release::{self, ManifestRequest};

const USAGE: &str = "usage:
  traykit-release keygen   --out DIR [--name NAME]
  traykit-release sign     --key KEY --app-id ID --version V [--target T] [--from V] FILE...
  traykit-release sign     --key KEY --unbound FILE...
  traykit-release manifest --key KEY --app-id ID --dir DIR --base-url URL --version V --artifact FILE
                           [--target T] [--channel C] [--rollout N] [--notes TEXT]
                           [--previous VERSION=FILE]...
The password comes from --password-file FILE or $TRAYKIT_RELEASE_PASSWORD.";

struct Args {
    flags: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
        let (mut flags, mut positional) = (Vec::new(), Vec::new());
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            if arg == "--unbound" {
                flags.push(("unbound".to_owned(), String::new()));
            } else if let Some(name) = arg.strip_prefix("--") {
                let value = args
                    .next()
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                flags.push((name.to_owned(), value));
            } else {
                positional.push(arg);
            }
        }
        Ok(Args { flags, positional })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("--{name} is required"))
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn password(&self) -> Result<String, String> {
        if let Some(file) = self.get("password-file") {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            return Ok(text.trim_end_matches(['\n', '\r']).to_owned());
        }
        std::env::var("TRAYKIT_RELEASE_PASSWORD").map_err(|_| {
            "give the key's password with --password-file or $TRAYKIT_RELEASE_PASSWORD".into()
        })
    }

    fn secret_key(&self) -> Result<minisign::SecretKey, String> {
        let path = self.need("key")?;
        let stored = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        release::unlock_secret_key(&stored, &self.password()?).map_err(|e| e.to_string())
    }
}

fn run() -> Result<(), String> {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().ok_or(USAGE)?;
    let args = Args::parse(argv)?;
    match command.as_str() {
        "keygen" => keygen(&args),
        "sign" => sign(&args),
        "manifest" => manifest(&args),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

/// `keygen`: a new password-encrypted key pair; never over an existing key.
fn keygen(args: &Args) -> Result<(), String> {
    let out = PathBuf::from(args.need("out")?);
    let name = args.get("name").unwrap_or("updater");
    let keys = release::generate_keys(&args.password()?, "traykit-release secret key")
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let (sk, pk) = (
        out.join(format!("{name}.key")),
        out.join(format!("{name}.pub")),
    );
    if sk.exists() {
        return Err(format!(
            "{} exists: refusing to overwrite a secret key",
            sk.display()
        ));
    }
    std::fs::write(&sk, release::tauri_encode(&keys.secret))
        .map_err(|e| format!("{}: {e}", sk.display()))?;
    std::fs::write(&pk, release::tauri_encode(&keys.public))
        .map_err(|e| format!("{}: {e}", pk.display()))?;
    println!("secret key: {}\npublic key: {}", sk.display(), pk.display());
    Ok(())
}

/// `sign`: a `.sig` beside each file, bound to what it is unless `--unbound`.
fn sign(args: &Args) -> Result<(), String> {
    let binding = if args.get("unbound").is_some() {
        None
    } else {
        let (Some(app), Some(v)) = (args.get("app-id"), args.get("version")) else {
            return Err(
                "sign: give --app-id and --version (what the file is, checked by \
                 the app before it installs it), or --unbound for a plain Tauri-style \
                 signature"
                    .into(),
            );
        };
        Some(traykit_updater::signature::Binding {
            app: app.to_owned(),
            version: traykit_updater::feed::parse_version(v)
                .map_err(|e| format!("version `{v}`: {e}"))?,
            target: args
                .get("target")
                .map_or_else(traykit_updater::feed::current_platform, str::to_owned),
            from: args.get("from").map(str::to_owned),
        })
    };
    let sk = args.secret_key()?;
    if args.positional.is_empty() {
        return Err("sign: name the files to sign".into());
    }
    for file in &args.positional {
        release::sign_file(&sk, file.as_ref(), binding.as_ref()).map_err(|e| e.to_string())?;
        println!("{file}.sig");
    }
    Ok(())
}

/// `manifest`: publish one artifact (and its patches) into the feed.
fn manifest(args: &Args) -> Result<(), String> {
    let sk = args.secret_key()?;
    let version = |v: &str| {
        traykit_updater::feed::parse_version(v).map_err(|e| format!("version `{v}`: {e}"))
    };
    let previous = args
        .all("previous")
        .map(|p| {
            let (v, file) = p
                .split_once('=')
                .ok_or_else(|| format!("--previous `{p}`: expected VERSION=FILE"))?;
            Ok((version(v)?, PathBuf::from(file)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let rollout = args
        .get("rollout")
        .map(|r| r.parse::<u8>().map_err(|e| format!("--rollout `{r}`: {e}")))
        .transpose()?;
    let req = ManifestRequest {
        dir: PathBuf::from(args.need("dir")?),
        base_url: args.need("base-url")?.to_owned(),
        app_id: args.need("app-id")?.to_owned(),
        version: version(args.need("version")?)?,
        target: args
            .get("target")
            .map_or_else(traykit_updater::feed::current_platform, str::to_owned),
        channel: args.get("channel").unwrap_or("stable").to_owned(),
        rollout,
        notes: args.get("notes").map(str::to_owned),
        artifact: PathBuf::from(args.need("artifact")?),
        previous,
    };
    let feed = release::write_manifest(&req, &sk).map_err(|e| e.to_string())?;
    let (_, rel) = feed.release(&req.channel);
    println!(
        "{}: {} {} ({} platform(s))",
        req.dir.join("latest.json").display(),
        req.channel,
        rel.version,
        rel.platforms.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("traykit-release: {message}");
            ExitCode::FAILURE
        }
    }
}
