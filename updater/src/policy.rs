//! Whether an offer is taken: newer than what runs (downgrade protection),
//! not a version that was rolled back, and inside the staged rollout.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::UpdateError;
use crate::feed::Offer;

/// The install's rollout bucket for `version`, 0–99: stable for one install
/// and version, independent across versions (so the same installs are not
/// always first).
pub(crate) fn rollout_bucket(install_id: &str, version: &semver::Version) -> u8 {
    let digest = Sha256::new()
        .chain_update(install_id.as_bytes())
        .chain_update(b"\0")
        .chain_update(version.to_string().as_bytes())
        .finalize();
    let n = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]);
    (n % 100) as u8
}

/// Why an offer was not taken although it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skip {
    /// This install is outside the rollout percentage (for now).
    NotInRollout {
        /// The install's bucket.
        bucket: u8,
        /// The published percentage.
        rollout: u8,
    },
}

/// Decides on an offer. `Ok(None)` = the running version is current.
pub(crate) fn decide(
    offer: &Offer,
    current: &semver::Version,
    bad_versions: &[String],
    install_id: &str,
) -> Result<Result<(), Skip>, UpdateError> {
    if offer.version < *current {
        return Err(UpdateError::Downgrade {
            offered: offer.version.to_string(),
            current: current.to_string(),
        });
    }
    if bad_versions.iter().any(|v| *v == offer.version.to_string()) {
        return Err(UpdateError::BadVersion(offer.version.to_string()));
    }
    if let Some(rollout) = offer.rollout {
        let bucket = rollout_bucket(install_id, &offer.version);
        if bucket >= rollout {
            return Ok(Err(Skip::NotInRollout { bucket, rollout }));
        }
    }
    Ok(Ok(()))
}

/// The install's random id, created on first use in `dir/install-id`.
pub(crate) fn install_id(dir: &Path) -> Result<String, UpdateError> {
    let path = dir.join("install-id");
    match std::fs::read_to_string(&path) {
        Ok(id) if id.trim().len() >= 16 => return Ok(id.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(UpdateError::io("read", &path, e)),
    }
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| UpdateError::Io {
        op: "generate install id",
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    crate::state::write_atomic(&path, id.as_bytes())?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(version: &str, rollout: Option<u8>) -> Offer {
        Offer {
            version: semver::Version::parse(version).expect("semver"),
            notes: None,
            pub_date: None,
            artifact: Default::default(),
            channel: "stable".into(),
            rollout,
        }
    }

    #[test]
    fn downgrades_and_bad_versions_are_refused() {
        let current = semver::Version::new(2, 0, 0);
        assert!(matches!(
            decide(&offer("1.9.9", None), &current, &[], "id"),
            Err(UpdateError::Downgrade { .. })
        ));
        // A pre-release sorts before its release.
        assert!(matches!(
            decide(&offer("2.0.0-rc.1", None), &current, &[], "id"),
            Err(UpdateError::Downgrade { .. })
        ));
        assert_eq!(
            decide(&offer("2.0.1", None), &current, &[], "id").ok(),
            Some(Ok(()))
        );
        assert!(matches!(
            decide(&offer("2.0.1", None), &current, &["2.0.1".into()], "id"),
            Err(UpdateError::BadVersion(v)) if v == "2.0.1"
        ));
    }

    #[test]
    fn rollout_buckets_are_stable_and_spread() {
        let v = semver::Version::new(1, 0, 0);
        assert_eq!(rollout_bucket("abc", &v), rollout_bucket("abc", &v));
        let ids: Vec<String> = (0..2000).map(|i| format!("install-{i}")).collect();
        let in_30 = ids.iter().filter(|id| rollout_bucket(id, &v) < 30).count();
        assert!(
            (480..720).contains(&in_30),
            "{in_30} of 2000 in a 30% rollout"
        );
        let current = semver::Version::new(0, 9, 0);
        for id in &ids[..50] {
            let bucket = rollout_bucket(id, &v);
            let got = decide(&offer("1.0.0", Some(30)), &current, &[], id).expect("valid");
            assert_eq!(got.is_ok(), bucket < 30);
            assert_eq!(
                decide(&offer("1.0.0", Some(100)), &current, &[], id).ok(),
                Some(Ok(()))
            );
            assert!(decide(&offer("1.0.0", Some(0)), &current, &[], id)
                .expect("valid")
                .is_err());
        }
    }

    #[test]
    fn install_id_persists() {
        let dir = std::env::temp_dir().join(format!("tk-upd-id-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let a = install_id(&dir).expect("id");
        assert_eq!(a.len(), 32);
        assert_eq!(install_id(&dir).expect("id again"), a);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
