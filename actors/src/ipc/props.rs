use super::*;
use proptest::prelude::*;
use serde_json::Value;

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn id() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        any::<i64>().prop_map(|n| Some(Value::from(n))),
        ".{0,10}".prop_map(|s| Some(Value::String(s))),
    ]
}

fn params() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        prop::collection::vec(json_value(), 0..4).prop_map(|v| Some(Value::Array(v))),
        prop::collection::btree_map(".{0,8}", json_value(), 0..4)
            .prop_map(|m| Some(Value::Object(m.into_iter().collect()))),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    (id(), ".{0,16}", params()).prop_map(|(id, method, params)| Call { id, method, params })
}

proptest! {
    /// Any well-formed call survives encode → text → decode unchanged.
    #[test]
    fn calls_round_trip(call in call()) {
        let text = call.to_value().to_string();
        prop_assert_eq!(decode(&text, &IpcLimits::default()), Ok(Incoming::Single(Ok(call))));
    }

    /// Batches keep their members and order.
    #[test]
    fn batches_round_trip(calls in prop::collection::vec(call(), 1..8)) {
        let text = Value::Array(calls.iter().map(Call::to_value).collect()).to_string();
        let expected = Incoming::Batch(calls.into_iter().map(Ok).collect());
        prop_assert_eq!(decode(&text, &IpcLimits::default()), Ok(expected));
    }

    /// Responses carry the id and the result or error through JSON text.
    #[test]
    fn responses_round_trip(id in id(), result in json_value(), code in any::<i64>(), msg in ".{0,20}") {
        let id = id.unwrap_or(Value::Null);
        let ok: Value = serde_json::from_str(&success(id.clone(), result.clone()).to_string()).expect("json");
        prop_assert_eq!(&ok["id"], &id);
        prop_assert_eq!(&ok["result"], &result);
        let err: Value = serde_json::from_str(&failure(id.clone(), RpcError::new(code, msg.clone())).to_string()).expect("json");
        prop_assert_eq!(&err["error"]["code"], &Value::from(code));
        prop_assert_eq!(&err["error"]["message"], &Value::from(msg));
    }

    /// Arbitrary text never panics, and every error is a JSON-RPC error
    /// response with an id.
    #[test]
    fn any_text_decodes_or_explains(text in ".{0,64}") {
        match decode(&text, &IpcLimits::default()) {
            Err(err) => {
                prop_assert_eq!(err.code, codes::PARSE_ERROR);
                prop_assert_eq!(err.kind(), Some(codes::PARSE_ERROR_KIND));
            }
            Ok(Incoming::Single(Err(invalid))) => {
                let resp = invalid.response();
                prop_assert!(resp.get("id").is_some());
                prop_assert_eq!(&resp["error"]["code"], &Value::from(codes::INVALID_REQUEST));
                prop_assert_eq!(&resp["error"]["data"]["kind"], &Value::from(codes::INVALID_REQUEST_KIND));
            }
            Ok(_) => {}
        }
    }

    /// The glob matcher agrees with a plain recursive definition.
    #[test]
    fn glob_matches_the_reference(pattern in "[ab*.]{0,8}", text in "[ab.]{0,10}") {
        fn reference(p: &[u8], t: &[u8]) -> bool {
            match (p.first(), t.first()) {
                (None, None) => true,
                (Some(b'*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
                (Some(a), Some(b)) if a == b => reference(&p[1..], &t[1..]),
                _ => false,
            }
        }
        prop_assert_eq!(glob(&pattern, &text), reference(pattern.as_bytes(), text.as_bytes()));
    }
}
