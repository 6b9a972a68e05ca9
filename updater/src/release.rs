//! The release side: keys, signatures, and the static feed
//! (`traykit-release keygen|sign|manifest` is a thin CLI over this).
//!
//! Files are written in Tauri's format — public key, secret key and `.sig`
//! files hold the base64 of minisign's text — so keys made by
//! `tauri signer generate` work here and ours work there.

use std::path::{Path, PathBuf};

use base64::Engine;

pub use minisign::SecretKey;

use crate::delta;
use crate::error::UpdateError;
use crate::feed::{Artifact, Feed, Patch, Release};
use crate::signature::{valid_binding_value, Binding};

fn check_binding(b: &Binding) -> Result<(), ReleaseError> {
    for (name, value) in [("app id", &b.app), ("target", &b.target)]
        .into_iter()
        .chain(b.from.as_ref().map(|f| ("from", f)))
    {
        if !valid_binding_value(value) {
            return Err(ReleaseError::Invalid(format!(
                "{name} `{value}` must be non-empty, without spaces, `=` or control characters"
            )));
        }
    }
    Ok(())
}

/// Why a release step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// minisign refused (wrong password, bad key file…).
    #[error("{what}: {reason}")]
    Key {
        /// What was being done.
        what: &'static str,
        /// minisign's explanation.
        reason: String,
    },
    /// A file could not be read or written.
    #[error(transparent)]
    Update(#[from] UpdateError),
    /// The request does not make sense.
    #[error("{0}")]
    Invalid(String),
}

/// A fresh key pair, as minisign text.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    /// The public key (`untrusted comment: …` + key line).
    pub public: String,
    /// The secret key, encrypted with the password.
    pub secret: String,
}

fn key_err(what: &'static str) -> impl Fn(minisign::PError) -> ReleaseError {
    move |e| ReleaseError::Key {
        what,
        reason: e.to_string(),
    }
}

/// Base64 of a text file, as Tauri stores keys and signatures.
pub fn tauri_encode(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Text from a file that holds either minisign text or its base64.
pub fn tauri_decode(stored: &str) -> String {
    let stored = stored.trim();
    if stored.starts_with("untrusted comment:") {
        return stored.to_owned();
    }
    base64::engine::general_purpose::STANDARD
        .decode(stored)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| stored.to_owned())
}

/// Generates a key pair whose secret key is encrypted with `password`
/// (minisign's scrypt parameters).
pub fn generate_keys(password: &str, comment: &str) -> Result<KeyFiles, ReleaseError> {
    if password.is_empty() {
        return Err(ReleaseError::Invalid(
            "refusing to write an unencrypted secret key: give a password".into(),
        ));
    }
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some(password.to_owned()))
        .map_err(key_err("generate key pair"))?;
    let public = pair
        .pk
        .to_box()
        .map_err(key_err("encode public key"))?
        .into_string();
    let secret = pair
        .sk
        .to_box(Some(comment))
        .map_err(key_err("encode secret key"))?
        .into_string();
    Ok(KeyFiles { public, secret })
}

/// Decrypts a secret key (minisign text or Tauri's base64 of it).
pub fn unlock_secret_key(
    stored: &str,
    password: &str,
) -> Result<minisign::SecretKey, ReleaseError> {
    minisign::SecretKeyBox::from_string(&tauri_decode(stored))
        .and_then(|b| b.into_secret_key(Some(password.to_owned())))
        .map_err(key_err("unlock secret key (wrong password?)"))
}

/// Signs `data`; returns the `.sig` text (minisign format, prehashed).
pub fn sign_bytes(
    sk: &minisign::SecretKey,
    data: &[u8],
    trusted_comment: &str,
) -> Result<String, ReleaseError> {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let comment = format!("timestamp:{timestamp}\t{trusted_comment}");
    minisign::sign(
        None,
        sk,
        data,
        Some(&comment),
        Some("signature from traykit-release"),
    )
    .map(|b| b.into_string())
    .map_err(key_err("sign"))
}

/// Signs a file and writes `<file>.sig` (Tauri's base64 form); returns that
/// base64, ready for a feed. With a `binding` (what traykit clients
/// require), the trusted comment names the app, version and target the
/// file is for, so it cannot be offered as anything else; without one the
/// signature is Tauri's plain kind (accepted only by apps that opt in).
pub fn sign_file(
    sk: &minisign::SecretKey,
    file: &Path,
    binding: Option<&Binding>,
) -> Result<String, ReleaseError> {
    if let Some(b) = binding {
        check_binding(b)?;
    }
    let data = std::fs::read(file).map_err(|e| UpdateError::io("read", file, e))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A newline or tab in the file name would break the one-line comment.
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let comment = match binding {
        Some(b) => format!("file:{name}\t{}", b.field()),
        None => format!("file:{name}"),
    };
    let sig = tauri_encode(&sign_bytes(sk, &data, &comment)?);
    let sig_path = PathBuf::from(format!("{}.sig", file.display()));
    std::fs::write(&sig_path, &sig).map_err(|e| UpdateError::io("write", &sig_path, e))?;
    Ok(sig)
}

/// One `manifest` run: publish `artifact` as `version` for `target` on
/// `channel`.
#[derive(Debug, Clone)]
pub struct ManifestRequest {
    /// Where the feed and its files live (what the static host serves).
    pub dir: PathBuf,
    /// The URL `dir` is served at.
    pub base_url: String,
    /// The app's id, bound into every signature (`AppBuilder::id`, or
    /// `UpdaterConfig::app_id`).
    pub app_id: String,
    /// The version being published.
    pub version: semver::Version,
    /// Platform key (`linux-x86_64`).
    pub target: String,
    /// `stable` (the top level, read by Tauri clients too) or another name.
    pub channel: String,
    /// Staged rollout percentage, if not everyone.
    pub rollout: Option<u8>,
    /// Release notes.
    pub notes: Option<String>,
    /// The artifact to publish (copied into `dir`).
    pub artifact: PathBuf,
    /// Earlier versions' artifacts to make delta patches from.
    pub previous: Vec<(semver::Version, PathBuf)>,
}

/// Name of a published artifact in the feed directory.
fn artifact_name(artifact: &Path, version: &semver::Version, target: &str) -> String {
    let stem = artifact
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "artifact".into());
    format!("{stem}-{version}-{target}")
}

/// Publishes one artifact: copies and signs it, makes and signs a bsdiff
/// patch from each previous version, and updates `dir/latest.json`
/// (written atomically, so a host serving the directory never serves half
/// a feed). Returns the feed written.
pub fn write_manifest(
    req: &ManifestRequest,
    sk: &minisign::SecretKey,
) -> Result<Feed, ReleaseError> {
    if req.rollout.is_some_and(|r| r > 100) {
        return Err(ReleaseError::Invalid("rollout must be 0–100".into()));
    }
    check_binding(&Binding {
        app: req.app_id.clone(),
        version: req.version.clone(),
        target: req.target.clone(),
        from: None,
    })?;
    std::fs::create_dir_all(&req.dir).map_err(|e| UpdateError::io("create", &req.dir, e))?;
    let base = req.base_url.trim_end_matches('/');
    let name = artifact_name(&req.artifact, &req.version, &req.target);
    let published = req.dir.join(&name);
    let new =
        std::fs::read(&req.artifact).map_err(|e| UpdateError::io("read", &req.artifact, e))?;
    crate::state::write_atomic(&published, &new)?;
    let binding = Binding {
        app: req.app_id.clone(),
        version: req.version.clone(),
        target: req.target.clone(),
        from: None,
    };
    let signature = sign_file(sk, &published, Some(&binding))?;
    let patches = write_patches(req, sk, &binding, &name, &new)?;
    let artifact = Artifact {
        url: format!("{base}/{name}"),
        signature,
        size: Some(new.len() as u64),
        patches,
    };
    update_feed(req, artifact)
}

/// A signed bsdiff patch to `new` (published as `name`) from each previous
/// version, each written next to the artifact.
fn write_patches(
    req: &ManifestRequest,
    sk: &minisign::SecretKey,
    binding: &Binding,
    name: &str,
    new: &[u8],
) -> Result<Vec<Patch>, ReleaseError> {
    let base = req.base_url.trim_end_matches('/');
    let mut patches = Vec::new();
    for (from, old_path) in &req.previous {
        if *from >= req.version {
            return Err(ReleaseError::Invalid(format!(
                "patch source {from} is not older than {}",
                req.version
            )));
        }
        let old = std::fs::read(old_path).map_err(|e| UpdateError::io("read", old_path, e))?;
        let patch = delta::make_patch(&old, new)?;
        let patch_name = format!("{name}.from-{from}.bsdiff");
        let patch_path = req.dir.join(&patch_name);
        crate::state::write_atomic(&patch_path, &patch)?;
        patches.push(Patch {
            from: from.to_string(),
            url: format!("{base}/{patch_name}"),
            signature: sign_file(
                sk,
                &patch_path,
                Some(&Binding {
                    from: Some(from.to_string()),
                    ..binding.clone()
                }),
            )?,
            size: Some(patch.len() as u64),
        });
    }
    Ok(patches)
}

/// Puts `artifact` into `dir/latest.json` under the request's channel and
/// target, keeping the other targets of the same version.
fn update_feed(req: &ManifestRequest, artifact: Artifact) -> Result<Feed, ReleaseError> {
    let feed_path = req.dir.join("latest.json");
    let mut feed = match std::fs::read(&feed_path) {
        Ok(bytes) => Feed::parse(&feed_path.display().to_string(), &bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Feed::default(),
        Err(e) => return Err(UpdateError::io("read", &feed_path, e).into()),
    };
    let release = if req.channel == "stable" {
        &mut feed.stable
    } else {
        feed.channels.entry(req.channel.clone()).or_default()
    };
    if release.version != req.version.to_string() {
        // A new version: other targets' artifacts were for the old one.
        *release = Release {
            version: req.version.to_string(),
            ..Release::default()
        };
    }
    release.notes = req.notes.clone().or(release.notes.take());
    release.pub_date = Some(rfc3339_now());
    release.rollout = req.rollout;
    release.platforms.insert(req.target.clone(), artifact);
    let text =
        serde_json::to_vec_pretty(&feed).map_err(|e| ReleaseError::Invalid(e.to_string()))?;
    crate::state::write_atomic(&feed_path, &text)?;
    Ok(feed)
}

/// Now as RFC 3339 UTC (`2026-11-25T15:04:05Z`), without a date crate.
fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::TrustedKey;

    #[test]
    fn manifest_writes_a_verifiable_feed_with_patches() {
        let dir = std::env::temp_dir().join(format!("tk-release-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let keys = generate_keys("secret", "k").expect("keys");
        assert!(unlock_secret_key(&keys.secret, "wrong").is_err());
        let sk = unlock_secret_key(&tauri_encode(&keys.secret), "secret").expect("unlock b64");
        let old: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut new = old.clone();
        new[500] = 7;
        std::fs::write(dir.join("v1"), &old).expect("v1");
        std::fs::write(dir.join("app"), &new).expect("v2");
        let req = ManifestRequest {
            dir: dir.join("feed"),
            base_url: "http://127.0.0.1:1/feed/".into(),
            app_id: "test-app".into(),
            version: semver::Version::new(2, 0, 0),
            target: "linux-x86_64".into(),
            channel: "stable".into(),
            rollout: Some(50),
            notes: Some("notes".into()),
            artifact: dir.join("app"),
            previous: vec![(semver::Version::new(1, 0, 0), dir.join("v1"))],
        };
        let feed = write_manifest(&req, &sk).expect("manifest");
        let text = std::fs::read(dir.join("feed/latest.json")).expect("written");
        assert_eq!(Feed::parse("f", &text).expect("parses"), feed);
        let offer = feed.offer("stable", "linux-x86_64").expect("offer");
        assert_eq!(offer.rollout, Some(50));
        assert_eq!(
            offer.artifact.url,
            "http://127.0.0.1:1/feed/app-2.0.0-linux-x86_64"
        );
        let key = TrustedKey::parse(&tauri_encode(&keys.public)).expect("key");
        let published = std::fs::read(dir.join("feed/app-2.0.0-linux-x86_64")).expect("artifact");
        let comment = key
            .verify("artifact", &published, &offer.artifact.signature)
            .expect("verifies");
        let bound = Binding {
            app: "test-app".into(),
            version: semver::Version::new(2, 0, 0),
            target: "linux-x86_64".into(),
            from: None,
        };
        bound
            .check("artifact", &comment, false)
            .expect("bound to 2.0.0");
        assert!(comment.contains("file:app-2.0.0-linux-x86_64"), "{comment}");
        let patch = &offer.artifact.patches[0];
        let patch_bytes = std::fs::read(dir.join("feed/app-2.0.0-linux-x86_64.from-1.0.0.bsdiff"))
            .expect("patch");
        let comment = key
            .verify("patch", &patch_bytes, &patch.signature)
            .expect("patch verifies");
        Binding {
            from: Some("1.0.0".into()),
            ..bound.clone()
        }
        .check("patch", &comment, false)
        .expect("the patch is bound to 1.0.0 → 2.0.0");
        let err = Binding {
            from: Some("1.5.0".into()),
            ..bound
        }
        .check("patch", &comment, false)
        .expect_err("another source version");
        assert_eq!(err.kind(), "signature_mismatch");
        assert_eq!(patch.size, Some(patch_bytes.len() as u64));
        let rebuilt = delta::apply_patch("1.0.0", &old, &patch_bytes, 1 << 30).expect("apply");
        key.verify("rebuilt", &rebuilt, &offer.artifact.signature)
            .expect("result verifies");
        // A beta channel is added beside stable, not over it.
        let beta = ManifestRequest {
            channel: "beta".into(),
            version: semver::Version::parse("2.1.0-beta.1").expect("v"),
            previous: vec![],
            rollout: None,
            ..req.clone()
        };
        let feed = write_manifest(&beta, &sk).expect("beta");
        assert_eq!(feed.stable.version, "2.0.0");
        assert_eq!(feed.channels["beta"].version, "2.1.0-beta.1");
        assert!(rfc3339_now().ends_with('Z'));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
