//! `traykit-release` as a release engineer runs it: keygen with a password
//! file, sign, manifest with a delta patch; the client side verifies what it
//! wrote.

use std::path::{Path, PathBuf};
use std::process::Command;

use traykit_updater::feed::Feed;
use traykit_updater::signature::{Binding, TrustedKey};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tool(args: &[&str], cwd: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_traykit-release"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TRAYKIT_RELEASE_PASSWORD")
        .output()
        .expect("run traykit-release");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn keygen_sign_manifest_round_trip() {
    let dir = Dir(std::env::temp_dir().join(format!("tk-cli-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).expect("dir");
    let d = &dir.0;
    std::fs::write(d.join("pw"), "s3cret\n").expect("pw");

    let (ok, out) = tool(&["keygen", "--out", "keys"], d);
    assert!(
        !ok && out.contains("password"),
        "no password → refused: {out}"
    );
    let (ok, out) = tool(&["keygen", "--out", "keys", "--password-file", "pw"], d);
    assert!(ok, "{out}");
    let (ok, out) = tool(&["keygen", "--out", "keys", "--password-file", "pw"], d);
    assert!(!ok && out.contains("refusing to overwrite"), "{out}");
    let public = std::fs::read_to_string(d.join("keys/updater.pub")).expect("pub");
    let key = TrustedKey::parse(&public).expect("Tauri-style public key");

    let old: Vec<u8> = (0..300_000u32)
        .flat_map(|i| (i / 3).to_le_bytes())
        .collect();
    let mut new = old.clone();
    new[12_345] ^= 0x5a;
    std::fs::write(d.join("app-v1"), &old).expect("v1");
    std::fs::write(d.join("app"), &new).expect("v2");

    // Signing must say what the file is (or ask for a plain signature).
    let (ok, out) = tool(
        &[
            "sign",
            "--key",
            "keys/updater.key",
            "--password-file",
            "pw",
            "app",
        ],
        d,
    );
    assert!(
        !ok && out.contains("--app-id") && out.contains("--unbound"),
        "{out}"
    );
    let (ok, out) = tool(
        &[
            "sign",
            "--key",
            "keys/updater.key",
            "--password-file",
            "pw",
            "--app-id",
            "my-tray",
            "--version",
            "2.0.0",
            "--target",
            "linux-x86_64",
            "app",
        ],
        d,
    );
    assert!(ok, "{out}");
    let sig = std::fs::read_to_string(d.join("app.sig")).expect("sig");
    let comment = key.verify("app", &new, &sig).expect("sign → verifies");
    let bound = |v: &str| Binding {
        app: "my-tray".into(),
        version: traykit_updater::semver::Version::parse(v).expect("semver"),
        target: "linux-x86_64".into(),
        from: None,
    };
    bound("2.0.0")
        .check("app", &comment, false)
        .expect("bound to what it was signed as");
    let err = bound("9.0.0")
        .check("app", &comment, false)
        .expect_err("relabelled");
    assert_eq!(err.kind(), "signature_mismatch");
    // --unbound: a plain Tauri-style signature.
    let (ok, out) = tool(
        &[
            "sign",
            "--key",
            "keys/updater.key",
            "--password-file",
            "pw",
            "--unbound",
            "app",
        ],
        d,
    );
    assert!(ok, "{out}");
    let sig = std::fs::read_to_string(d.join("app.sig")).expect("sig");
    let comment = key.verify("app", &new, &sig).expect("verifies");
    assert_eq!(
        bound("2.0.0")
            .check("app", &comment, false)
            .expect_err("unbound")
            .kind(),
        "unbound_signature"
    );
    // An app id that would break the comment's format is refused.
    let (ok, out) = tool(
        &[
            "sign",
            "--key",
            "keys/updater.key",
            "--password-file",
            "pw",
            "--app-id",
            "my tray",
            "--version",
            "2.0.0",
            "app",
        ],
        d,
    );
    assert!(!ok && out.contains("app id"), "{out}");
    std::fs::write(d.join("wrong-pw"), "nope").expect("pw");
    let (ok, out) = tool(
        &[
            "sign",
            "--key",
            "keys/updater.key",
            "--password-file",
            "wrong-pw",
            "--unbound",
            "app",
        ],
        d,
    );
    assert!(!ok && out.contains("wrong password"), "{out}");

    let (ok, out) = tool(
        &[
            "manifest",
            "--key",
            "keys/updater.key",
            "--password-file",
            "pw",
            "--dir",
            "site",
            "--base-url",
            "https://cdn.example.invalid/app",
            "--app-id",
            "my-tray",
            "--version",
            "v2.0.0",
            "--artifact",
            "app",
            "--target",
            "linux-x86_64",
            "--rollout",
            "25",
            "--notes",
            "Faster",
            "--previous",
            "1.0.0=app-v1",
        ],
        d,
    );
    assert!(ok, "{out}");
    let feed = Feed::parse(
        "site",
        &std::fs::read(d.join("site/latest.json")).expect("feed"),
    )
    .expect("valid feed");
    let offer = feed.offer("stable", "linux-x86_64").expect("offer");
    assert_eq!(offer.version.to_string(), "2.0.0");
    assert_eq!(offer.rollout, Some(25));
    assert_eq!(
        offer.artifact.url,
        "https://cdn.example.invalid/app/app-2.0.0-linux-x86_64"
    );
    let published = std::fs::read(d.join("site/app-2.0.0-linux-x86_64")).expect("artifact");
    let comment = key
        .verify("artifact", &published, &offer.artifact.signature)
        .expect("verifies");
    bound("2.0.0")
        .check("artifact", &comment, false)
        .expect("manifest binds app, version, target");
    let patch = &offer.artifact.patches[0];
    let bytes =
        std::fs::read(d.join("site/app-2.0.0-linux-x86_64.from-1.0.0.bsdiff")).expect("patch");
    key.verify("patch", &bytes, &patch.signature)
        .expect("patch verifies");
    let rebuilt =
        traykit_updater::delta::apply_patch("1.0.0", &old, &bytes, 1 << 30).expect("apply");
    assert_eq!(rebuilt, new);
    println!(
        "NUMBERS release: artifact {} B, patch {} B ({:.2}%)",
        new.len(),
        bytes.len(),
        bytes.len() as f64 * 100.0 / new.len() as f64
    );
    // Tauri reads the top level: version, notes, pub_date, platforms.{url,signature}.
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("site/latest.json")).expect("feed"))
            .expect("json");
    assert!(raw["pub_date"].is_string() && raw["notes"] == "Faster");
    assert!(raw["platforms"]["linux-x86_64"]["signature"].is_string());
}
