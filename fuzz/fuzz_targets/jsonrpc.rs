//! The JSON-RPC decoder and the routing decisions made on what it yields:
//! never a panic; every error is a JSON-RPC error with a stable code; every
//! decoded call re-encodes to the same call; permission answers are
//! consistent. Small limits, so the fuzzer reaches the batch and decoded-size
//! refusals too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use traykit_actors::ipc::{
    codes, decode, failure, parse_params, Capabilities, Capability, Incoming, IpcLimits,
};

fn caps() -> Capabilities {
    let mut caps = Capabilities::default();
    for text in [
        r#"{"identifier":"main","windows":["main"],"methods":["notes.*","app.info"],"events":["saved"]}"#,
        r#"{"identifier":"web","windows":["popup-*"],"methods":["notes.list"],"remote":["https://example.com"]}"#,
    ] {
        caps.push(Capability::from_json(text).expect("seed capability"));
    }
    caps
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Note {
    title: String,
    body: Option<String>,
    tags: Vec<String>,
}

fn check_error(resp: &Value) {
    assert!(resp.get("id").is_some(), "error without id: {resp}");
    assert!(resp["error"]["code"].is_i64(), "error without code: {resp}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let caps = caps();
    let limits = IpcLimits::default()
        .max_batch(8)
        .max_decoded_bytes(16 * 1024);
    let calls = match decode(text, &limits) {
        Err(err) => {
            assert!(
                [codes::PARSE_ERROR, codes::LIMIT_EXCEEDED].contains(&err.code),
                "{err}"
            );
            check_error(&failure(Value::Null, err));
            return;
        }
        Ok(Incoming::Single(one)) => vec![one],
        Ok(Incoming::Batch(many)) => {
            assert!(many.len() <= 8, "batch over max_batch decoded");
            many
        }
    };
    for call in calls {
        let call = match call {
            Ok(call) => call,
            Err(invalid) => {
                let resp = invalid.response();
                check_error(&resp);
                assert_eq!(resp["error"]["code"], json!(codes::INVALID_REQUEST));
                continue;
            }
        };
        // Round trip: what was decoded re-encodes to the same call.
        let again = decode(&call.to_value().to_string(), &IpcLimits::default());
        assert_eq!(again, Ok(Incoming::Single(Ok(call.clone()))));
        // Routing: a remote origin never gets more than the app's own page.
        for window in ["main", "popup-1", "other"] {
            let own = caps.allows_method(window, None, &call.method);
            let remote = caps.allows_method(window, Some("https://example.com"), &call.method);
            let evil = caps.allows_method(window, Some("https://evil.example"), &call.method);
            assert!(!remote || own);
            assert!(!evil);
        }
        // Typed params: a clean error or a value, never a panic.
        let _ = parse_params::<Note>(&call.method, call.params.clone());
        let _ = parse_params::<(i64, String)>(&call.method, call.params.clone());
        let _ = parse_params::<()>(&call.method, call.params);
    }
});
