//! minisign (Ed25519) verification against the public key compiled into the
//! app, in Tauri's format or minisign's own, and the *binding* of what is
//! signed to what is installed.
//!
//! Tauri's `tauri signer` writes the public key and each signature as the
//! base64 of minisign's text files; minisign writes the text itself. Both are
//! accepted, as is the bare key line.
//!
//! A signature alone says "these bytes come from the key holder", not which
//! version they are: the version comes from the unsigned feed. So
//! `traykit-release` writes a [`Binding`] into minisign's *trusted comment*
//! (covered by the global signature, which `minisign-verify` checks along
//! with the data): `traykit v1 app=<id> version=<v> target=<t>` (and
//! `from=<v>` for a patch), one tab-separated field beside minisign's own
//! `timestamp:` and `file:`. The client refuses an artifact whose binding
//! names another app, version or target than the one it is about to
//! install ([`UpdateError::SignatureMismatch`]), and one without a binding
//! (a plain Tauri signature) unless the app opted in
//! ([`UpdateError::UnboundSignature`]).

use base64::Engine;

use crate::error::UpdateError;

/// The key updates must be signed with.
#[derive(Debug, Clone)]
pub struct TrustedKey(minisign_verify::PublicKey);

fn b64_text(text: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

impl TrustedKey {
    /// Parses the key; anything unusable (empty included) is
    /// [`UpdateError::NoPublicKey`].
    pub fn parse(text: &str) -> Result<TrustedKey, UpdateError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UpdateError::NoPublicKey("the key is empty".into()));
        }
        let key = if text.starts_with("untrusted comment:") {
            minisign_verify::PublicKey::decode(text)
        } else if let Some(inner) = b64_text(text).filter(|t| t.starts_with("untrusted comment:")) {
            minisign_verify::PublicKey::decode(&inner)
        } else {
            minisign_verify::PublicKey::from_base64(text)
        };
        key.map(TrustedKey)
            .map_err(|e| UpdateError::NoPublicKey(format!("not a minisign public key: {e}")))
    }

    /// Verifies `signature` (base64 of the `.sig` file, or its text) over
    /// `data` and returns its trusted comment, authenticated: minisign's
    /// global signature covers it. `what` names the file in the error.
    pub fn verify(&self, what: &str, data: &[u8], signature: &str) -> Result<String, UpdateError> {
        let signature = decode(what, signature)?;
        // Legacy (non-prehashed) signatures are accepted as minisign and
        // Tauri still verify them.
        self.0
            .verify(data, &signature, true)
            .map_err(|e| UpdateError::BadSignature {
                what: what.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(signature.trusted_comment().to_owned())
    }
}

fn decode(what: &str, signature: &str) -> Result<minisign_verify::Signature, UpdateError> {
    let bad = |reason: String| UpdateError::BadSignature {
        what: what.to_owned(),
        reason,
    };
    let signature = signature.trim();
    let text = if signature.starts_with("untrusted comment:") {
        signature.to_owned()
    } else {
        b64_text(signature)
            .ok_or_else(|| bad("the signature is neither minisign text nor its base64".into()))?
    };
    minisign_verify::Signature::decode(&text).map_err(|e| bad(format!("unreadable signature: {e}")))
}

/// The trusted comment of `signature`, *not* authenticated: only to refuse
/// a relabelled offer before downloading it. What is installed is checked
/// again with the comment [`TrustedKey::verify`] returns.
pub fn unverified_comment(what: &str, signature: &str) -> Result<String, UpdateError> {
    Ok(decode(what, signature)?.trusted_comment().to_owned())
}

/// What a traykit signature is for, as written into its trusted comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The app's id (`UpdaterConfig::app_id`, by default `AppBuilder::id`).
    pub app: String,
    /// The version the signed file is.
    pub version: semver::Version,
    /// The platform key (`linux-x86_64`).
    pub target: String,
    /// For a patch: the version it applies to.
    pub from: Option<String>,
}

/// The prefix of the binding field in a trusted comment (format version 1).
const BINDING_PREFIX: &str = "traykit v1 ";

/// A value a binding can carry: non-empty, no whitespace, no `=`, no
/// control characters (the comment is one line, fields split on spaces).
pub fn valid_binding_value(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '=')
}

impl Binding {
    /// The binding field: `traykit v1 app=… version=… target=…[ from=…]`.
    pub fn field(&self) -> String {
        let mut field = format!(
            "{BINDING_PREFIX}app={} version={} target={}",
            self.app, self.version, self.target
        );
        if let Some(from) = &self.from {
            field.push_str(&format!(" from={from}"));
        }
        field
    }

    /// The binding in a trusted comment. `Ok(None)`: there is none (a
    /// plain minisign or Tauri signature). A binding field that is
    /// malformed, of an unknown format version, or given twice is an error.
    pub fn parse(trusted_comment: &str) -> Result<Option<Binding>, String> {
        let mut found = None;
        for field in trusted_comment.split('\t') {
            let Some(rest) = field.strip_prefix("traykit ") else {
                continue;
            };
            if found.is_some() {
                return Err("two traykit bindings in one signature".into());
            }
            let Some(pairs) = field.strip_prefix(BINDING_PREFIX) else {
                let format = rest.split_whitespace().next().unwrap_or_default();
                return Err(format!("unsupported binding format `{format}`"));
            };
            let (mut app, mut version, mut target, mut from) = (None, None, None, None);
            for pair in pairs.split(' ').filter(|p| !p.is_empty()) {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("binding field `{pair}` is not key=value"))?;
                let slot = match key {
                    "app" => &mut app,
                    "version" => &mut version,
                    "target" => &mut target,
                    "from" => &mut from,
                    // Later formats may add fields; what we check is here.
                    _ => continue,
                };
                if slot.replace(value.to_owned()).is_some() {
                    return Err(format!("binding names `{key}` twice"));
                }
            }
            let need =
                |v: Option<String>, key: &str| v.ok_or_else(|| format!("binding has no `{key}`"));
            let version = need(version, "version")?;
            found = Some(Binding {
                app: need(app, "app")?,
                version: crate::feed::parse_version(&version)
                    .map_err(|e| format!("binding version `{version}`: {e}"))?,
                target: need(target, "target")?,
                from,
            });
        }
        Ok(found)
    }

    /// Checks the trusted comment of `what`'s signature against what is
    /// about to be installed. Without a binding the signature is accepted
    /// only if `allow_unbound` (a plain Tauri feed: then the started
    /// version's own report is the only check of the version).
    pub fn check(
        &self,
        what: &str,
        trusted_comment: &str,
        allow_unbound: bool,
    ) -> Result<(), UpdateError> {
        let mismatch = |field: &'static str, signed: String, expected: String| {
            UpdateError::SignatureMismatch {
                what: what.to_owned(),
                field,
                signed,
                expected,
            }
        };
        let signed = match Binding::parse(trusted_comment) {
            Ok(Some(signed)) => signed,
            Ok(None) if allow_unbound => {
                tracing::warn!(
                    what,
                    "signature names no version (Tauri-style); accepted as configured"
                );
                return Ok(());
            }
            Ok(None) => {
                return Err(UpdateError::UnboundSignature {
                    what: what.to_owned(),
                })
            }
            Err(reason) => return Err(mismatch("binding", reason, self.field())),
        };
        if signed.app != self.app {
            return Err(mismatch("app", signed.app, self.app.clone()));
        }
        if signed.version != self.version {
            return Err(mismatch(
                "version",
                signed.version.to_string(),
                self.version.to_string(),
            ));
        }
        if signed.target != self.target {
            return Err(mismatch("target", signed.target, self.target.clone()));
        }
        if let (Some(signed), Some(expected)) = (&signed.from, &self.from) {
            if signed != expected {
                return Err(mismatch("from", signed.clone(), expected.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release;

    #[test]
    fn accepts_own_and_tauri_formats_and_rejects_the_rest() {
        let keys = release::generate_keys("pw", "test key").expect("keygen");
        let sk = release::unlock_secret_key(&keys.secret, "pw").expect("unlock");
        let data = b"the artifact bytes".to_vec();
        let sig_text = release::sign_bytes(&sk, &data, "file:app").expect("sign");
        let sig_b64 = base64::engine::general_purpose::STANDARD.encode(&sig_text);

        let pub_b64 = base64::engine::general_purpose::STANDARD.encode(&keys.public);
        let bare = keys.public.lines().nth(1).expect("key line").to_owned();
        for public in [keys.public.as_str(), pub_b64.as_str(), bare.as_str()] {
            let key = TrustedKey::parse(public).expect("key parses");
            key.verify("app", &data, &sig_b64)
                .expect("tauri-style signature");
            key.verify("app", &data, &sig_text).expect("raw signature");
            let mut tampered = data.clone();
            tampered[0] ^= 1;
            let err = key
                .verify("app", &tampered, &sig_b64)
                .expect_err("tampered");
            assert!(matches!(err, UpdateError::BadSignature { .. }), "{err}");
            let err = key.verify("app", &data, "garbage!").expect_err("garbage");
            assert!(err.to_string().contains("signature of app"), "{err}");
        }

        let other = release::generate_keys("pw", "other").expect("keygen");
        let wrong = TrustedKey::parse(&other.public).expect("parses");
        let err = wrong.verify("app", &data, &sig_b64).expect_err("wrong key");
        assert!(matches!(err, UpdateError::BadSignature { .. }), "{err}");

        for missing in ["", "   ", "not a key", "dW50cnVzdGVkIGNvbW1lbnQ6IHgKYQ=="] {
            assert!(
                matches!(TrustedKey::parse(missing), Err(UpdateError::NoPublicKey(_))),
                "{missing:?}"
            );
        }
    }

    fn binding(version: &str) -> Binding {
        Binding {
            app: "com.example.tray".into(),
            version: semver::Version::parse(version).expect("semver"),
            target: "linux-x86_64".into(),
            from: None,
        }
    }

    #[test]
    fn the_binding_round_trips_through_a_trusted_comment() {
        let b = Binding {
            from: Some("1.0.0".into()),
            ..binding("2.0.0")
        };
        let comment = format!("timestamp:1700000000\tfile:app-2.0.0\t{}", b.field());
        assert_eq!(Binding::parse(&comment), Ok(Some(b.clone())));
        assert_eq!(
            Binding::parse("timestamp:1\tfile:app"),
            Ok(None),
            "Tauri-style"
        );
        let cases = [
            (
                "traykit v2 app=a version=1.0.0 target=t",
                "unsupported binding format `v2`",
            ),
            ("traykit v1 app=a target=t", "no `version`"),
            (
                "traykit v1 app=a version=one target=t",
                "binding version `one`",
            ),
            (
                "traykit v1 app=a version=1.0.0 version=9.0.0 target=t",
                "`version` twice",
            ),
            (
                "traykit v1 app=a version=1.0.0 target=t\ttraykit v1 app=a version=9.0.0 target=t",
                "two traykit bindings",
            ),
            ("traykit v1 app version=1.0.0 target=t", "not key=value"),
        ];
        for (comment, want) in cases {
            let err = Binding::parse(comment).expect_err(comment);
            assert!(err.contains(want), "{comment}: {err}");
        }
        // Later formats may add fields; the ones we check must still match.
        let extra =
            "traykit v1 app=com.example.tray version=2.0.0 target=linux-x86_64 channel=beta";
        assert_eq!(Binding::parse(extra), Ok(Some(binding("2.0.0"))));
        assert!(valid_binding_value("com.example-tray_1"));
        for bad in ["", "a b", "a=b", "a\tb", "a\nb"] {
            assert!(!valid_binding_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_relabelled_artifact_is_refused_and_the_comment_is_authenticated() {
        let keys = release::generate_keys("pw", "test key").expect("keygen");
        let sk = release::unlock_secret_key(&keys.secret, "pw").expect("unlock");
        let key = TrustedKey::parse(&keys.public).expect("key");
        let v1 = b"version one".to_vec();
        let sig = release::sign_bytes(&sk, &v1, &format!("file:app\t{}", binding("1.0.0").field()))
            .expect("sign");
        let comment = key.verify("app", &v1, &sig).expect("verifies");
        assert_eq!(unverified_comment("app", &sig).expect("parses"), comment);
        binding("1.0.0")
            .check("app", &comment, false)
            .expect("what was signed");
        // The same signed bytes offered as 9.0.0, for another app, another
        // target: refused, whatever the unbound policy.
        let other_app = Binding {
            app: "com.other".into(),
            ..binding("1.0.0")
        };
        let other_target = Binding {
            target: "linux-aarch64".into(),
            ..binding("1.0.0")
        };
        for (expected, field) in [
            (binding("9.0.0"), "version"),
            (other_app, "app"),
            (other_target, "target"),
        ] {
            for allow_unbound in [false, true] {
                let err = expected
                    .check("app", &comment, allow_unbound)
                    .expect_err("relabelled");
                assert_eq!(err.kind(), "signature_mismatch", "{err}");
                assert!(
                    matches!(&err, UpdateError::SignatureMismatch { field: f, .. } if *f == field),
                    "{err}"
                );
            }
        }
        // Editing the trusted comment breaks the global signature.
        let forged = sig.replace("version=1.0.0", "version=9.0.0");
        assert_ne!(forged, sig);
        let err = key.verify("app", &v1, &forged).expect_err("forged comment");
        assert_eq!(err.kind(), "bad_signature", "{err}");

        // A plain (Tauri-style) signature: refused unless the app opts in.
        let plain = release::sign_bytes(&sk, &v1, "file:app").expect("sign");
        let comment = key.verify("app", &v1, &plain).expect("verifies");
        let err = binding("9.0.0")
            .check("app", &comment, false)
            .expect_err("unbound");
        assert_eq!(err.kind(), "unbound_signature", "{err}");
        binding("9.0.0")
            .check("app", &comment, true)
            .expect("opted in: accepted (the started version is checked)");
    }
}
