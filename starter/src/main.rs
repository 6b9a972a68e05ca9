//! `traykit new NAME [--path DIR] [--traykit PATH]`: creates a tray app that
//! builds and passes its tests right away: a tray, one window opened on
//! demand, a command, an event, a store, single instance, logging, and
//! headless tests of all of it (`cargo test` in the new directory).
//!
//! `--traykit PATH` makes the app depend on a traykit checkout (and copies
//! its `Cargo.lock`, so the app starts from the versions traykit is tested
//! with); without it, on the crates.io release.

use std::path::{Path, PathBuf};

/// The template, embedded: (path in the new project, text).
const TEMPLATE: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../template/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("../template/src/lib.rs.tmpl")),
    ("src/main.rs", include_str!("../template/src/main.rs.tmpl")),
    ("ui/index.html", include_str!("../template/ui/index.html")),
    ("ui/app.js", include_str!("../template/ui/app.js")),
    (
        "capabilities/main.json",
        include_str!("../template/capabilities/main.json"),
    ),
    (
        "tests/app.rs",
        include_str!("../template/tests/app.rs.tmpl"),
    ),
    (".gitignore", "/target\n"),
];

/// Why a project could not be created.
#[derive(Debug, thiserror::Error)]
enum NewError {
    #[error("usage: traykit new NAME [--path DIR] [--traykit PATH]\n{0}")]
    Usage(String),
    #[error("`{0}` gives no usable crate name (letters or digits needed)")]
    BadName(String),
    #[error("{0} already exists; choose another --path")]
    Exists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not make the update signing keys: {0}")]
    Keys(String),
}

/// The crate name for a display name: `"Demo tray"` → `demo-tray`.
fn crate_name(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    // A crate name must not start with a digit.
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => Some(out),
        _ => None,
    }
}

struct Args {
    name: String,
    path: Option<PathBuf>,
    traykit: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Args, NewError> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("new") => {}
        other => return Err(NewError::Usage(format!("unknown command {other:?}"))),
    }
    let mut name = None;
    let (mut path, mut traykit) = (None, None);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--path" | "--traykit" => {
                let value = it
                    .next()
                    .ok_or_else(|| NewError::Usage(format!("{arg} needs a value")))?;
                if arg == "--path" {
                    path = Some(PathBuf::from(value));
                } else {
                    traykit = Some(PathBuf::from(value));
                }
            }
            flag if flag.starts_with("--") => {
                return Err(NewError::Usage(format!("unknown option {flag}")))
            }
            n if name.is_none() => name = Some(n.to_owned()),
            extra => return Err(NewError::Usage(format!("unexpected argument {extra}"))),
        }
    }
    let name = name.ok_or_else(|| NewError::Usage("NAME is missing".into()))?;
    Ok(Args {
        name,
        path,
        traykit,
    })
}

fn write(path: &Path, text: &str) -> Result<(), NewError> {
    let io = |source| NewError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

/// Creates the project; returns its directory.
fn create(args: Args) -> Result<PathBuf, NewError> {
    let krate = crate_name(&args.name).ok_or_else(|| NewError::BadName(args.name.clone()))?;
    let dir = args.path.unwrap_or_else(|| PathBuf::from(&krate));
    if dir.exists() {
        return Err(NewError::Exists(dir));
    }
    let traykit_dep = match &args.traykit {
        Some(p) => {
            let p = std::fs::canonicalize(p).map_err(|source| NewError::Io {
                path: p.clone(),
                source,
            })?;
            format!("{{ path = {:?} }}", p.display().to_string())
        }
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let updater_dep = match &args.traykit {
        Some(p) => {
            let p = std::fs::canonicalize(p.join("updater")).map_err(|source| NewError::Io {
                path: p.join("updater"),
                source,
            })?;
            format!("{{ path = {:?} }}", p.display().to_string())
        }
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let patches = match &args.traykit {
        // traykit carries a patched tray-icon (patches/README.md). A
        // `[patch]` applies only in the workspace that declares it, so the
        // app must name it too, or it builds against the unpatched crate.
        Some(p) => {
            let tray_icon =
                std::fs::canonicalize(p.join("patches/tray-icon")).map_err(|source| {
                    NewError::Io {
                        path: p.join("patches/tray-icon"),
                        source,
                    }
                })?;
            format!(
                "\n# traykit's patched tray-icon (see traykit's patches/README.md).\n[patch.crates-io]\ntray-icon = {{ path = {:?} }}\n",
                tray_icon.display().to_string()
            )
        }
        None => String::new(),
    };
    let name = args.name.replace('\\', "\\\\").replace('"', "\\\"");
    for (file, text) in TEMPLATE {
        let text = text
            .replace("{{name}}", &name)
            .replace("{{crate_ident}}", &krate.replace('-', "_"))
            .replace("{{crate}}", &krate)
            .replace("{{traykit_dep}}", &traykit_dep)
            .replace("{{updater_dep}}", &updater_dep)
            .replace("{{patches}}", &patches);
        write(&dir.join(file), &text)?;
    }
    write_update_keys(&dir, &krate)?;
    if let Some(traykit) = &args.traykit {
        let lock = traykit.join("Cargo.lock");
        if lock.exists() {
            std::fs::copy(&lock, dir.join("Cargo.lock"))
                .map_err(|source| NewError::Io { path: lock, source })?;
        }
    }
    Ok(dir)
}

/// The app's update signing keys: `updater.pub` (compiled into the app) and,
/// in `.traykit/` (git-ignored), the password-protected secret key
/// `traykit-release sign` needs. The password is
/// `$TRAYKIT_RELEASE_PASSWORD`, or a random one written beside the key.
fn write_update_keys(dir: &Path, krate: &str) -> Result<(), NewError> {
    let password = match std::env::var("TRAYKIT_RELEASE_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut bytes = [0u8; 18];
            getrandom::getrandom(&mut bytes).map_err(|e| NewError::Keys(e.to_string()))?;
            let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            write(&dir.join(".traykit/password"), &password)?;
            password
        }
    };
    let keys = traykit_updater::release::generate_keys(&password, &format!("{krate} updates"))
        .map_err(|e| NewError::Keys(e.to_string()))?;
    write(&dir.join("updater.pub"), &keys.public)?;
    write(&dir.join(".traykit/updater.key"), &keys.secret)?;
    // Secrets: readable by their owner only.
    for secret in ["updater.key", "password"] {
        let path = dir.join(".traykit").join(secret);
        if path.exists() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|source| NewError::Io { path, source })?;
        }
    }
    write(&dir.join(".gitignore"), "/target\n/.traykit/\n")?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(create) {
        Ok(dir) => {
            println!("created {}", dir.display());
            println!("  cd {} && cargo test && cargo run", dir.display());
        }
        Err(e) => {
            eprintln!("traykit: {e}");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names() {
        assert_eq!(crate_name("Demo tray").as_deref(), Some("demo-tray"));
        assert_eq!(crate_name("  My  App!! 2").as_deref(), Some("my-app-2"));
        assert_eq!(crate_name("2fast"), None);
        assert_eq!(crate_name("ßß"), None);
    }

    #[test]
    fn arguments() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let args = parse(&a(&["new", "Demo", "--path", "/tmp/x"])).expect("parses");
        assert_eq!(
            (args.name.as_str(), args.path),
            ("Demo", Some("/tmp/x".into()))
        );
        assert!(parse(&a(&["old", "x"])).is_err());
        assert!(parse(&a(&["new"])).is_err());
        assert!(parse(&a(&["new", "x", "--bogus"])).is_err());
    }
}
