//! Golden frames: every example in docs/protocol.md decodes into the Rust
//! types and serialises back to the same JSON, byte for byte as pinned in
//! `tests/golden/frames.jsonl`. Moving a frame between modules, renaming a
//! variant or reordering fields must not change the wire; this test says so
//! the moment it would. Regenerate the pinned file only for a deliberate wire
//! change: `TANDEM_BLESS=1 cargo test -p tandem-protocol --test golden`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use protocol::client_frame::CLIENT_TYPES;
use protocol::cobrowse::{Delta, Keyframe};
use protocol::{ClientEnvelope, Event, ServerEnvelope, decode_client};
use serde_json::Value;

/// Which way an example travels, from the section of the document it is in.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Direction {
    /// Before "## Client → server": the envelope example, a client frame.
    Preamble,
    Client,
    Server,
}

struct Example {
    direction: Direction,
    json: Value,
    line: usize,
}

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// Every JSON value inside the document's ```json blocks. A block may hold
/// several values (one per line, or one spread over lines); a block that is
/// only a fragment of an object (it starts with a quoted key) is skipped.
fn examples() -> Vec<Example> {
    let doc = std::fs::read_to_string(repo_file("docs/protocol.md")).expect("docs/protocol.md");
    let mut out = Vec::new();
    let mut direction = Direction::Preamble;
    let mut block: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        if line.starts_with("## Client → server") {
            direction = Direction::Client;
        } else if line.starts_with("## Server → client") {
            direction = Direction::Server;
        }
        match (&mut block, line.trim_end()) {
            (None, "```json") => block = Some((i + 2, String::new())),
            (Some((start, text)), "```") => {
                let start = *start;
                if !text.trim_start().starts_with('"') {
                    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
                        let json = value.unwrap_or_else(|e| {
                            panic!("docs/protocol.md block at line {start}: {e}")
                        });
                        out.push(Example {
                            direction,
                            json,
                            line: start,
                        });
                    }
                }
                block = None;
            }
            (Some((_, text)), line) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(block.is_none(), "docs/protocol.md ends inside a json block");
    out
}

fn kind(json: &Value) -> Option<&str> {
    json.get("v")?;
    json.get("type")?.as_str()
}

/// The canonical serialisation of one example, after a round trip through
/// the Rust types (client frames through the same decoder the server uses).
fn round_trip(example: &Example) -> String {
    let text = example.json.to_string();
    let line = example.line;
    let back = match (example.direction, kind(&example.json)) {
        (Direction::Server, Some(_)) => serde_json::from_str::<ServerEnvelope>(&text)
            .unwrap_or_else(|e| panic!("line {line}: not a server frame: {e}\n{text}"))
            .to_json(),
        (_, Some(_)) => decode_client(&text)
            .unwrap_or_else(|e| panic!("line {line}: refused client frame: {e:?}\n{text}"))
            .to_json(),
        // Bodies documented on their own: log events and page-frame bodies.
        (_, None) if example.json.get("seq").is_some() => body::<Event>(&text, line),
        (_, None) if example.json.get("root").is_some() => body::<Keyframe>(&text, line),
        (_, None) if example.json.get("ops").is_some() => body::<Delta>(&text, line),
        // REST error bodies (problem details).
        (_, None) if example.json.get("code").is_some() => {
            body::<protocol::integration::Problem>(&text, line)
        }
        (_, None) => panic!("line {line}: neither a frame, an event nor a page body\n{text}"),
    };
    let reread: Value = serde_json::from_str(&back).unwrap();
    assert!(
        keeps(&reread, &example.json),
        "line {line}: the types change the example on a round trip\n{back}"
    );
    back
}

fn body<T: serde::Serialize + serde::de::DeserializeOwned>(text: &str, line: usize) -> String {
    let value: T =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("line {line}: {e}\n{text}"));
    serde_json::to_string(&value).unwrap()
}

/// Whether `actual` holds everything `documented` says, allowing fields the
/// documentation leaves out because they carry their default (`verified`
/// in `identify`, for one), documented defaults the types leave out (an
/// empty child list) and `0` for `0.0`.
fn keeps(actual: &Value, documented: &Value) -> bool {
    let is_default = |v: &Value| v == &Value::Array(vec![]) || v == &Value::Bool(false);
    match (actual, documented) {
        (Value::Object(a), Value::Object(d)) => d.iter().all(|(k, dv)| match a.get(k) {
            Some(av) => keeps(av, dv),
            None => is_default(dv),
        }),
        (Value::Number(a), Value::Number(d)) => a.as_f64() == d.as_f64(),
        (Value::Array(a), Value::Array(d)) => {
            a.len() == d.len() && a.iter().zip(d).all(|(av, dv)| keeps(av, dv))
        }
        _ => actual == documented,
    }
}

#[test]
fn every_documented_example_round_trips_to_the_pinned_bytes() {
    let actual: String = examples().iter().map(|e| round_trip(e) + "\n").collect();
    let pinned_path = repo_file("protocol/tests/golden/frames.jsonl");
    if std::env::var_os("TANDEM_BLESS").is_some() {
        std::fs::write(&pinned_path, &actual).unwrap();
    }
    let pinned = std::fs::read_to_string(&pinned_path).expect("protocol/tests/golden/frames.jsonl");
    for (i, (a, p)) in actual.lines().zip(pinned.lines()).enumerate() {
        assert_eq!(
            a,
            p,
            "example {} serialises differently from the pinned bytes",
            i + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        pinned.lines().count(),
        "docs/protocol.md and the pinned file hold a different number of examples"
    );
}

/// The `type` names an enum accepts, read from serde's own "unknown variant"
/// message so that a variant added to the enum cannot be missed here.
fn variants<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
    let err = serde_json::from_str::<T>(r#"{"v":1,"type":"no such type"}"#)
        .unwrap_err()
        .to_string();
    let list = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("unexpected serde message: {err}"));
    list.split(", ")
        .map(|t| t.trim_matches(|c: char| c == '`' || c.is_whitespace()))
        .map(|t| t.split('`').next().unwrap().to_string())
        .collect()
}

#[test]
fn every_frame_type_has_a_documented_example() {
    let all = examples();
    let documented = |dir: Direction| -> BTreeSet<&str> {
        all.iter()
            .filter(|e| e.direction == dir)
            .filter_map(|e| kind(&e.json))
            .collect()
    };
    for (dir, types) in [
        (Direction::Client, variants::<ClientEnvelope>()),
        (Direction::Server, variants::<ServerEnvelope>()),
    ] {
        let have = documented(dir);
        let missing: Vec<_> = types
            .iter()
            .filter(|t| !have.contains(t.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{dir:?} frames without an example: {missing:?}"
        );
    }
}

#[test]
fn the_client_type_list_is_the_enum() {
    // decode_client answers `unknown_type` for a name missing from the list,
    // even when the enum has a variant for it.
    let listed: BTreeSet<String> = CLIENT_TYPES.iter().map(|t| t.to_string()).collect();
    let variants: BTreeSet<String> = variants::<ClientEnvelope>().into_iter().collect();
    assert_eq!(listed, variants);
    assert_eq!(listed.len(), CLIENT_TYPES.len(), "a type is listed twice");
}
