//! The isolation opener on hostile input: never a panic, never accepts
//! anything it did not see sealed under its key, never accepts twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use traykit_actors::isolation::{seal, Isolation, IsolationError, SEALED_PREFIX};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((frame, mut opener)) = Isolation::hook("").frame() else {
        return;
    };
    // Random input is never accepted (the key is fresh: nothing can be
    // sealed under it by chance).
    assert!(opener.open(text).is_err());
    assert!(opener.open(&format!("{SEALED_PREFIX}{text}")).is_err());
    // A genuine message carrying the input opens once, then is a replay.
    let seq = u64::from(data.first().copied().unwrap_or(1)) + 1;
    let Some(sealed) = seal(&frame.key, 1, seq, text) else {
        return;
    };
    assert_eq!(opener.open(&sealed).as_deref(), Ok(text));
    assert!(matches!(
        opener.open(&sealed),
        Err(IsolationError::Replayed { .. })
    ));
});
