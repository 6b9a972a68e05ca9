//! minisign (Ed25519) verification against the public key compiled into the
//! app, in Tauri's format or minisign's own.
//!
//! Tauri's `tauri signer` writes the public key and each signature as the
//! base64 of minisign's text files; minisign writes the text itself. Both are
//! accepted, as is the bare key line.

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
    /// `data`. `what` names the file in the error.
    pub fn verify(&self, what: &str, data: &[u8], signature: &str) -> Result<(), UpdateError> {
        let bad = |reason: String| UpdateError::BadSignature {
            what: what.to_owned(),
            reason,
        };
        let signature = signature.trim();
        let text = if signature.starts_with("untrusted comment:") {
            signature.to_owned()
        } else {
            b64_text(signature).ok_or_else(|| {
                bad("the signature is neither minisign text nor its base64".into())
            })?
        };
        let signature = minisign_verify::Signature::decode(&text)
            .map_err(|e| bad(format!("unreadable signature: {e}")))?;
        // Legacy (non-prehashed) signatures are accepted as minisign and
        // Tauri still verify them.
        self.0
            .verify(data, &signature, true)
            .map_err(|e| bad(e.to_string()))
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
}
