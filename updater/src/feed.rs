//! The update feed: Tauri's `latest.json`, plus channels, staged rollout and
//! delta patches — as extra fields Tauri ignores, so one feed serves both.
//!
//! ```json
//! {
//!   "version": "2.0.0", "notes": "…", "pub_date": "2026-11-25T12:00:00Z",
//!   "platforms": {
//!     "linux-x86_64": {
//!       "url": "https://…/app-2.0.0", "signature": "<base64 of the .sig file>",
//!       "size": 4194304,
//!       "patches": [{"from": "1.0.0", "url": "…/app-1.0.0-2.0.0.bsdiff",
//!                    "signature": "…", "size": 81234}]
//!     }
//!   },
//!   "rollout": 25,
//!   "channels": { "beta": { "version": "2.1.0-beta.1", "platforms": { … } } }
//! }
//! ```
//!
//! The top level is the stable channel (what Tauri clients read). Tauri's
//! "dynamic server" answer (`url` and `signature` at the top, no
//! `platforms`) is accepted too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::UpdateError;

/// One release: the top level of the feed, or one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Release {
    /// Semver, optionally with a leading `v` (as Tauri allows).
    pub version: String,
    /// Release notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// RFC 3339 date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_date: Option<String>,
    /// Artifacts by platform key (`linux-x86_64`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub platforms: BTreeMap<String, Artifact>,
    /// Tauri dynamic-server form: one artifact for whoever asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Signature of [`url`](Self::url) (dynamic-server form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Staged rollout: the percentage (0–100) of installs offered this
    /// release. Absent = everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<u8>,
}

/// A downloadable, signed file for one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Artifact {
    /// Where to download it.
    pub url: String,
    /// minisign signature of the file (Tauri: base64 of the `.sig` text;
    /// the raw text is accepted too).
    pub signature: String,
    /// Size in bytes, if known (lets the client refuse early and report
    /// the delta's savings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Binary patches from earlier versions to this artifact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
}

/// A bsdiff patch (qbsdiff format) turning version `from`'s artifact into
/// this one. The patched result must verify against the *artifact's*
/// signature; the patch file is signed too, so nothing unverified is parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patch {
    /// The version the patch applies to.
    pub from: String,
    /// Where to download it.
    pub url: String,
    /// minisign signature of the patch file.
    pub signature: String,
    /// Patch size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A whole feed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Feed {
    /// The stable channel, at the top level where Tauri looks.
    #[serde(flatten)]
    pub stable: Release,
    /// Other channels by name (`beta`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, Release>,
}

/// What the client needs to know about an offered update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The offered version (normalised, no `v`).
    pub version: semver::Version,
    /// Release notes.
    pub notes: Option<String>,
    /// Publication date, as written in the feed.
    pub pub_date: Option<String>,
    /// The full artifact for this platform.
    pub artifact: Artifact,
    /// The channel it came from.
    pub channel: String,
    /// The rollout percentage it was published with.
    pub rollout: Option<u8>,
}

/// Parses a version as Tauri does: a leading `v` is allowed.
pub fn parse_version(text: &str) -> Result<semver::Version, semver::Error> {
    semver::Version::parse(text.trim().trim_start_matches('v'))
}

/// This machine's platform key in Tauri's naming: `{os}-{arch}`, with `os`
/// one of `linux`, `darwin`, `windows`.
pub fn current_platform() -> String {
    format!("{}-{}", current_os(), std::env::consts::ARCH)
}

/// Tauri's `{{target}}`: the OS name (`linux`, `darwin`, `windows`).
pub fn current_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

impl Feed {
    /// Parses feed text; `url` is only for the error message.
    pub fn parse(url: &str, text: &[u8]) -> Result<Feed, UpdateError> {
        let invalid = |reason: String| UpdateError::InvalidFeed {
            url: url.to_owned(),
            reason,
        };
        let feed: Feed = serde_json::from_slice(text).map_err(|e| invalid(e.to_string()))?;
        for (name, release) in std::iter::once(("stable", &feed.stable))
            .chain(feed.channels.iter().map(|(k, v)| (k.as_str(), v)))
        {
            parse_version(&release.version).map_err(|e| {
                invalid(format!(
                    "channel `{name}`: version `{}` is not semver: {e}",
                    release.version
                ))
            })?;
            if release.rollout.is_some_and(|r| r > 100) {
                return Err(invalid(format!("channel `{name}`: rollout must be 0–100")));
            }
        }
        Ok(feed)
    }

    /// The release for `channel` (`stable` is the top level; an unknown
    /// channel falls back to stable, so a beta client still gets fixes when
    /// no beta is published).
    pub fn release(&self, channel: &str) -> (&str, &Release) {
        match self.channels.get_key_value(channel) {
            Some((name, release)) if channel != "stable" => (name.as_str(), release),
            _ => ("stable", &self.stable),
        }
    }

    /// What this feed offers `platform` on `channel`, before any
    /// version/rollout decision.
    pub fn offer(&self, channel: &str, platform: &str) -> Result<Offer, UpdateError> {
        let (channel, release) = self.release(channel);
        let artifact = match release.platforms.get(platform) {
            Some(artifact) => artifact.clone(),
            None => match (&release.url, &release.signature) {
                (Some(url), Some(signature)) if release.platforms.is_empty() => Artifact {
                    url: url.clone(),
                    signature: signature.clone(),
                    size: None,
                    patches: Vec::new(),
                },
                _ => return Err(UpdateError::NoPlatform(platform.to_owned())),
            },
        };
        let version = parse_version(&release.version).map_err(|e| UpdateError::InvalidFeed {
            url: artifact.url.clone(),
            reason: e.to_string(),
        })?;
        Ok(Offer {
            version,
            notes: release.notes.clone(),
            pub_date: release.pub_date.clone(),
            artifact,
            channel: channel.to_owned(),
            rollout: release.rollout,
        })
    }
}

/// Fills an endpoint template: `{{current_version}}`, `{{target}}` (the OS,
/// as in Tauri), `{{arch}}`, and our `{{channel}}`.
pub fn endpoint(template: &str, current: &semver::Version, channel: &str) -> String {
    template
        .replace("{{current_version}}", &current.to_string())
        .replace("{{target}}", current_os())
        .replace("{{arch}}", std::env::consts::ARCH)
        .replace("{{channel}}", channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAURI: &str = r#"{
      "version": "v1.0.1",
      "notes": "Test version",
      "pub_date": "2020-06-22T19:25:57Z",
      "platforms": {
        "darwin-x86_64": {"signature": "sig-mac", "url": "https://example.invalid/app.tar.gz"},
        "linux-x86_64": {"signature": "sig-linux", "url": "https://example.invalid/app.AppImage.tar.gz"},
        "windows-x86_64": {"signature": "sig-win", "url": "https://example.invalid/app.msi.zip"}
      }
    }"#;

    #[test]
    fn tauri_latest_json_parses() {
        let feed = Feed::parse("f", TAURI.as_bytes()).expect("valid");
        let offer = feed.offer("stable", "linux-x86_64").expect("linux");
        assert_eq!(offer.version, semver::Version::new(1, 0, 1));
        assert_eq!(offer.artifact.signature, "sig-linux");
        assert_eq!(offer.notes.as_deref(), Some("Test version"));
        assert!(offer.artifact.patches.is_empty());
        assert!(matches!(
            feed.offer("stable", "linux-riscv64"),
            Err(UpdateError::NoPlatform(p)) if p == "linux-riscv64"
        ));
        // Unknown fields from newer Tauri versions do not break us.
        let extra = TAURI.replacen("\"notes\"", "\"something_new\": 1, \"notes\"", 1);
        Feed::parse("f", extra.as_bytes()).expect("unknown fields ignored");
    }

    #[test]
    fn tauri_dynamic_server_answer_parses() {
        let feed = Feed::parse(
            "f",
            br#"{"version":"0.2.0","pub_date":"2020-09-18T12:29:53+01:00","url":"https://x.invalid/a","signature":"s","notes":"n"}"#,
        )
        .expect("valid");
        let offer = feed.offer("stable", "linux-x86_64").expect("any platform");
        assert_eq!(offer.artifact.url, "https://x.invalid/a");
    }

    #[test]
    fn channels_and_rollout() {
        let text = r#"{"version":"1.1.0","platforms":{"p":{"url":"u1","signature":"s"}},"rollout":30,
            "channels":{"beta":{"version":"1.2.0-beta.1","platforms":{"p":{"url":"u2","signature":"s",
            "patches":[{"from":"1.1.0","url":"pu","signature":"ps","size":10}]}}}}}"#;
        let feed = Feed::parse("f", text.as_bytes()).expect("valid");
        let stable = feed.offer("stable", "p").expect("stable");
        assert_eq!(
            (stable.artifact.url.as_str(), stable.rollout),
            ("u1", Some(30))
        );
        let beta = feed.offer("beta", "p").expect("beta");
        assert_eq!(beta.version.to_string(), "1.2.0-beta.1");
        assert_eq!(beta.channel, "beta");
        assert_eq!(beta.artifact.patches[0].from, "1.1.0");
        assert_eq!(
            feed.offer("nightly", "p").expect("fallback").channel,
            "stable"
        );
        // What we write, Tauri's fields included, reads back the same.
        let again = serde_json::to_vec(&feed).expect("serialise");
        assert_eq!(Feed::parse("f", &again).expect("round trip"), feed);
    }

    #[test]
    fn invalid_feeds_are_explained() {
        let cases: [(&str, &str); 5] = [
            ("not json", "expected"),
            ("{}", "missing field `version`"),
            (r#"{"version":"one"}"#, "not semver"),
            (r#"{"version":"1.0.0","rollout":101}"#, "rollout must be"),
            (
                r#"{"version":"1.0.0","channels":{"beta":{"version":"x"}}}"#,
                "channel `beta`",
            ),
        ];
        for (text, want) in cases {
            let err = Feed::parse("http://feed", text.as_bytes()).expect_err(text);
            assert!(matches!(err, UpdateError::InvalidFeed { .. }), "{err}");
            assert!(err.to_string().contains(want), "{text}: {err}");
            assert!(err.to_string().contains("http://feed"), "{err}");
        }
    }

    #[test]
    fn endpoint_templates() {
        let v = semver::Version::new(1, 2, 3);
        let url = endpoint(
            "https://u.invalid/{{target}}/{{arch}}/{{current_version}}?c={{channel}}",
            &v,
            "beta",
        );
        assert_eq!(
            url,
            format!(
                "https://u.invalid/{}/{}/1.2.3?c=beta",
                current_os(),
                std::env::consts::ARCH
            )
        );
        assert!(current_platform().starts_with(current_os()));
    }
}
