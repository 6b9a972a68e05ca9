//! Delta updates: bsdiff patches (qbsdiff's format, pure Rust).

use crate::error::UpdateError;

/// Makes a patch turning `old` into `new` (release tool side).
pub fn make_patch(old: &[u8], new: &[u8]) -> Result<Vec<u8>, UpdateError> {
    let mut patch = Vec::new();
    qbsdiff::Bsdiff::new(old, new)
        .compare(std::io::Cursor::new(&mut patch))
        .map_err(|e| UpdateError::Patch {
            from: "<local>".into(),
            reason: format!("bsdiff failed: {e}"),
        })?;
    Ok(patch)
}

/// Applies `patch` (from version `from`) to `old`. The result is refused if
/// it would exceed `limit` bytes; its signature is checked by the caller.
pub fn apply_patch(
    from: &str,
    old: &[u8],
    patch: &[u8],
    limit: u64,
) -> Result<Vec<u8>, UpdateError> {
    let err = |reason: String| UpdateError::Patch {
        from: from.to_owned(),
        reason,
    };
    let patcher =
        qbsdiff::Bspatch::new(patch).map_err(|e| err(format!("not a bsdiff patch: {e}")))?;
    let size = patcher.hint_target_size();
    if size > limit {
        return Err(err(format!(
            "result of {size} bytes is over the limit of {limit}"
        )));
    }
    let mut out = Vec::with_capacity(size as usize);
    patcher
        .apply(old, std::io::Cursor::new(&mut out))
        .map_err(|e| err(format!("bspatch failed: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_round_trip_and_corruption() {
        let old: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i * 7).to_le_bytes())
            .collect();
        let mut new = old.clone();
        new[1000..1010].copy_from_slice(b"NEWVERSION");
        new.extend_from_slice(b"appended tail");
        let patch = make_patch(&old, &new).expect("diff");
        assert!(
            patch.len() < new.len() / 20,
            "patch {} vs {}",
            patch.len(),
            new.len()
        );
        assert_eq!(apply_patch("1", &old, &patch, 1 << 30).expect("apply"), new);
        assert!(matches!(
            apply_patch("1", &old, &patch, 10),
            Err(UpdateError::Patch { .. })
        ));
        let err = apply_patch("1", &old, b"garbage", 1 << 30).expect_err("garbage");
        assert!(err.to_string().contains("patch from 1"), "{err}");
        // A corrupted patch either fails or yields other bytes — never
        // silently the right ones; the signature check catches the latter.
        let mut bad = patch.clone();
        let n = bad.len();
        bad[n / 2] ^= 0xff;
        if let Ok(out) = apply_patch("1", &old, &bad, 1 << 30) {
            assert_ne!(out, new);
        }
    }
}
