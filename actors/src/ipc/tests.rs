use super::*;
use std::sync::Arc;

use super::codec::cost;
use serde_json::{json, Value};

#[test]
fn decoding_table() {
    let ok = |id: Option<Value>, m: &str, p: Option<Value>| {
        Ok(Call {
            id,
            method: m.into(),
            params: p,
        })
    };
    let cases: Vec<(&str, Result<Call, Value>)> = vec![
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"a","params":[1]}"#,
            ok(Some(json!(1)), "a", Some(json!([1]))),
        ),
        (r#"{"jsonrpc":"2.0","method":"n"}"#, ok(None, "n", None)),
        (
            r#"{"jsonrpc":"2.0","id":null,"method":"a"}"#,
            ok(Some(Value::Null), "a", None),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"x","method":"a","params":{"k":1}}"#,
            ok(Some(json!("x")), "a", Some(json!({"k":1}))),
        ),
        (
            r#"{"jsonrpc":"1.0","id":7,"method":"a"}"#,
            Err(
                json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `jsonrpc` must be \"2.0\"","data":{"kind":"invalid_request"}}}),
            ),
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":1}"#,
            Err(
                json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `method` must be a string","data":{"kind":"invalid_request"}}}),
            ),
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"a","params":3}"#,
            Err(
                json!({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: `params` must be an object or an array","data":{"kind":"invalid_request"}}}),
            ),
        ),
        (
            r#"{"jsonrpc":"2.0","id":{},"method":"a"}"#,
            Err(
                json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: `id` must be a number, string or null","data":{"kind":"invalid_request"}}}),
            ),
        ),
        (
            r#"1"#,
            Err(
                json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected an object","data":{"kind":"invalid_request"}}}),
            ),
        ),
        (
            r#"[]"#,
            Err(
                json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: empty batch","data":{"kind":"invalid_request"}}}),
            ),
        ),
    ];
    for (text, want) in cases {
        let Incoming::Single(got) = decode(text, &IpcLimits::default()).expect("json") else {
            panic!("{text} is not a batch");
        };
        assert_eq!(got.map_err(|invalid| invalid.response()), want, "{text}");
    }
}

#[test]
fn parse_errors_have_null_id_and_hostile_depth_is_refused() {
    for text in [
        "{",
        "nul",
        "",
        "[1] x",
        &"[".repeat(100_000),
        &format!("[{}1{}]", "[".repeat(200), "]".repeat(200)),
        &format!(
            r#"{{"jsonrpc":"2.0","method":"m","params":{}1{}}}"#,
            r#"{"a":"#.repeat(200),
            "}".repeat(200)
        ),
    ] {
        let err = decode(text, &IpcLimits::default()).expect_err("parse error");
        assert_eq!(err.code, codes::PARSE_ERROR, "{text:.20}");
        assert_eq!(err.kind(), Some("parse_error"), "{text:.20}");
        // Answered as a whole-message error: id null.
        assert_eq!(failure(Value::Null, err)["id"], Value::Null);
    }
}

#[test]
fn batches_keep_invalid_members_as_errors() {
    let Incoming::Batch(items) = decode(
        r#"[1,{"jsonrpc":"2.0","method":"n"}]"#,
        &IpcLimits::default(),
    )
    .expect("json") else {
        panic!("not a batch")
    };
    assert_eq!(items.len(), 2);
    assert!(items[0].is_err());
    assert!(items[1].is_ok());
}

#[test]
fn a_long_batch_is_refused_while_scanning() {
    let limits = IpcLimits::default();
    // 4 MiB of `1,`: the old decoder built ~2M error responses (~3.3 GB)
    // before counting them.
    let ones = format!("[{}1]", "1,".repeat(2 * 1024 * 1024));
    let err = decode(&ones, &limits).expect_err("refused");
    assert_eq!(err.code, codes::LIMIT_EXCEEDED);
    assert_eq!(err.kind(), Some("too_large"));
    assert!(err.message.contains("max_batch"), "{}", err.message);
    // Proof that it stops at member max_batch + 1: what follows is not
    // even JSON, yet the answer is the batch limit, not a parse error.
    let members = "1,".repeat(limits.max_batch);
    for tail in ["{{{{ not json", "1, ]]]", "\"unterminated"] {
        let err = decode(&format!("[{members}{tail}"), &limits).expect_err("refused");
        assert_eq!(err.code, codes::LIMIT_EXCEEDED, "{tail}: {err}");
    }
    // Exactly max_batch members is fine; each invalid one is answered.
    let full = format!("[{}1]", "1,".repeat(limits.max_batch - 1));
    let Ok(Incoming::Batch(items)) = decode(&full, &limits) else {
        panic!("a full batch decodes");
    };
    assert_eq!(items.len(), limits.max_batch);
    assert!(items.iter().all(|i| i
        .as_ref()
        .is_err_and(|e| e.error().code == codes::INVALID_REQUEST)));
}

#[test]
fn decoded_size_is_bounded_while_scanning() {
    let limits = IpcLimits::default().max_decoded_bytes(64 * 1024);
    let call =
        |params: &str| format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{params}}}"#);
    let records = format!("[{}{{}}]", r#"{"a":1},"#.repeat(1000));
    let cases = [
        // (params, refused?): objects cost a B-tree node each, so 8 KB
        // of `{"a":1}` is ~700 KB decoded.
        (records.as_str(), true),
        (&format!("[{}0]", "0,".repeat(10_000)), true),
        (&format!(r#"["{}"]"#, "x".repeat(100_000)), true),
        (&format!("[{}0]", "0,".repeat(1000)), false),
        (&format!(r#"["{}"]"#, "x".repeat(60_000)), false),
    ];
    for (params, refused) in cases {
        let got = decode(&call(params), &limits);
        match got {
            Err(e) => {
                assert!(refused, "{params:.30}: {e}");
                assert_eq!(e.code, codes::LIMIT_EXCEEDED);
                assert_eq!(e.kind(), Some("too_large"));
                assert!(e.message.contains("max_decoded_bytes"), "{e}");
            }
            Ok(_) => assert!(!refused, "{params:.30} passed"),
        }
    }
    // The estimate is what `decode_sized` reports.
    let (_, cost) = decode_sized(&call("[1,2,3]"), &limits).expect("small");
    assert!(cost > 3 * cost::VALUE && cost < 4096, "{cost}");
}

#[test]
fn backlog_bounds_messages_and_bytes_and_returns_to_zero() {
    let limits = IpcLimits::default().max_queued(3, 100);
    let backlog = Arc::new(Backlog::default());
    let mut held = Vec::new();
    // An empty backlog takes any one message (the size limit is another
    // check); then bytes, then messages run out.
    assert!(backlog.admit(500, &limits).is_ok());
    held.push(backlog.held(500));
    let err = backlog.admit(1, &limits).expect_err("bytes full");
    assert!(err.message.contains("max_queued_bytes"), "{err}");
    assert_eq!(err.kind(), Some("backlog_full"));
    drop(held.pop());
    for _ in 0..3 {
        assert!(backlog.admit(10, &limits).is_ok());
        held.push(backlog.held(10));
    }
    let err = backlog.admit(10, &limits).expect_err("messages full");
    assert!(err.message.contains("max_queued_messages"), "{err}");
    assert_eq!(err.kind(), Some("backlog_full"));
    held[0].grow(40);
    assert_eq!(backlog.counts(), (3, 70));
    held.clear();
    assert_eq!(backlog.counts(), (0, 0));
    // A message never admitted (sent straight to the actor) does not wrap.
    drop(backlog.held(7));
    assert_eq!(backlog.counts(), (0, 0));
}

#[test]
fn byte_rate_limits_big_messages() {
    let limits = IpcLimits::default().byte_rate(0.0, 1000.0);
    let mut rate = RateLimiter::new(&limits);
    assert!(rate.allow_bytes(&limits, 600));
    assert!(!rate.allow_bytes(&limits, 600), "400 left");
    assert!(rate.allow_bytes(&limits, 400));
    // A message larger than the burst passes on a full bucket only.
    let mut rate = RateLimiter::new(&limits);
    assert!(rate.allow_bytes(&limits, 5000));
    assert!(!rate.allow_bytes(&limits, 1));
}

#[test]
fn no_params_may_be_missing_empty_object_or_empty_array() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Opt {
        a: Option<i32>,
    }
    for p in [None, Some(json!({})), Some(json!([]))] {
        assert_eq!(parse_params::<()>("m", p.clone()), Ok(()), "{p:?}");
        assert_eq!(
            parse_params::<Opt>("m", p.clone()),
            Ok(Opt { a: None }),
            "{p:?}"
        );
    }
    assert_eq!(
        parse_params::<Opt>("m", Some(json!({"a": 1}))),
        Ok(Opt { a: Some(1) })
    );
    assert_eq!(
        parse_params::<()>("m", Some(json!({"x": 1}))).map_err(|e| e.code),
        Err(codes::INVALID_PARAMS)
    );
}

#[test]
fn globs() {
    let cases = [
        ("*", "", true),
        ("*", "anything", true),
        ("notes.*", "notes.add", true),
        ("notes.*", "notes", false),
        ("popup-*", "popup-1", true),
        ("a*c", "abbbc", true),
        ("a*c", "abbb", false),
        ("exact", "exact", true),
        ("exact", "exactly", false),
        ("*.show", "window.show", true),
    ];
    for (p, t, want) in cases {
        assert_eq!(glob(p, t), want, "{p} {t}");
    }
}

#[test]
fn capabilities_deny_by_default() {
    let mut caps = Capabilities::default();
    assert!(!caps.allows_method("main", None, "anything"));
    caps.push(
        Capability::from_json(
            r#"{"identifier":"c","windows":["main"],"methods":["notes.*"],"events":["tick"],"remote":["https://ok.example"]}"#,
        )
        .expect("valid"),
    );
    assert!(caps.allows_method("main", None, "notes.add"));
    assert!(!caps.allows_method("other", None, "notes.add"));
    assert!(!caps.allows_method("main", None, "window.close"));
    assert!(caps.allows_method("main", Some("https://ok.example"), "notes.add"));
    assert!(!caps.allows_method("main", Some("https://evil.example"), "notes.add"));
    assert!(caps.allows_event("main", None, "tick"));
    assert!(!caps.allows_event("main", None, "tock"));
    assert!(!caps.allows_store("main", None, "settings", "ui.theme"));
    caps.push(
        Capability::from_json(
            r#"{"identifier":"s","windows":["main"],"stores":[{"store":"settings","prefix":"ui."},{"store":"notes-*"}]}"#,
        )
        .expect("valid"),
    );
    let cases = [
        ("settings", "ui.theme", true),
        ("settings", "ui.", true),
        ("settings", "secret", false),
        ("settings", "", false),
        ("notes-a", "anything", true),
        ("other", "ui.theme", false),
    ];
    for (store, key, want) in cases {
        assert_eq!(
            caps.allows_store("main", None, store, key),
            want,
            "{store} {key}"
        );
    }
    assert!(!caps.allows_store("other-window", None, "settings", "ui.theme"));
}

#[test]
fn remote_origins_match_as_parsed_urls_not_text() {
    let cap = |remote: &str| {
        Capability::from_json(&format!(
            r#"{{"identifier":"r","windows":["w"],"remote":["{remote}"]}}"#
        ))
        .expect("valid")
    };
    let cases = [
        // (pattern, origin, admitted)
        ("http://localhost:*", "http://localhost:5173", true),
        ("http://localhost:*", "http://localhost", true),
        (
            "http://localhost:*",
            "http://localhost:1@evil.example",
            false,
        ),
        (
            "http://localhost:*",
            "http://localhost:1@evil.example/",
            false,
        ),
        ("http://localhost:*", "http://user@localhost:5173", false),
        ("http://localhost:*", "http://localhost.evil.example", false),
        (
            "http://localhost:*",
            "http://localhost.evil.example:80",
            false,
        ),
        ("http://localhost:*", "http://localhost:5173/path", false),
        ("http://localhost:*", "https://localhost:5173", false),
        (
            "http://localhost:*",
            "http://evil.example#localhost:1",
            false,
        ),
        ("http://LOCALHOST:*", "http://localhost:8080", true),
        ("http://localhost:*", "HTTP://LocalHost:8080", true),
        // Default ports are the same origin, spelt or not.
        ("https://ok.example", "https://ok.example:443", true),
        ("https://ok.example:443", "https://ok.example", true),
        ("https://ok.example", "https://ok.example:8443", false),
        ("http://localhost:8080", "http://localhost", false),
        // A trailing dot is another origin on the web; not admitted.
        ("https://ok.example", "https://ok.example.", false),
        ("https://ok.example.", "https://ok.example", false),
        // IDN hosts compare in their punycode form, any spelling.
        (
            "https://bücher.example",
            "https://xn--bcher-kva.example",
            true,
        ),
        (
            "https://xn--bcher-kva.example",
            "https://BÜCHER.example",
            true,
        ),
        ("https://bucher.example", "https://bücher.example", false),
        // `*.` is any subdomain, never the domain or a look-alike.
        ("https://*.ok.example", "https://a.b.ok.example", true),
        ("https://*.ok.example", "https://ok.example", false),
        ("https://*.ok.example", "https://evilok.example", false),
        (
            "https://*.ok.example",
            "https://ok.example.evil.example",
            false,
        ),
        ("http://127.0.0.1:*", "http://127.0.0.1:9", true),
        ("http://[::1]:*", "http://[::1]:9", true),
        ("http://127.0.0.1:*", "http://127.0.0.1.evil.example", false),
        // Not an origin at all.
        ("http://localhost:*", "null", false),
        ("http://localhost:*", "localhost:1", false),
    ];
    for (pattern, origin, want) in cases {
        assert_eq!(
            cap(pattern).admits_origin(origin),
            want,
            "{pattern} vs {origin}"
        );
    }
    // Patterns that are not `scheme://host[:port]` are refused on load,
    // so a typo cannot silently admit (or fail to admit) anything.
    for bad in [
        "http://localhost*",
        "http://*:*",
        "*",
        "http://a@localhost",
        "https://ok.example/path",
        "ok.example",
        "https://ok.*.example",
    ] {
        let text = format!(r#"{{"identifier":"r","windows":["w"],"remote":["{bad}"]}}"#);
        assert!(
            matches!(
                Capability::from_json(&text),
                Err(CapabilityError::Invalid(_))
            ),
            "{bad} accepted"
        );
    }
}

#[test]
fn bad_capability_files_are_explained() {
    let cases = [
        ("{", "capability file is invalid"),
        (r#"{"identifier":"x","windows":[]}"#, "names no window"),
        (
            r#"{"identifier":"x","windows":["a"],"method":["typo"]}"#,
            "unknown field `method`",
        ),
    ];
    for (text, want) in cases {
        let err = Capability::from_json(text)
            .expect_err("refused")
            .to_string();
        assert!(err.contains(want), "{err}");
    }
}
