//! `Node`'s reader, in one pass. The derived one (a struct flattening an
//! internally tagged enum) first copies each node's whole map, subtree
//! included, into serde's generic buffer to find its `k`, then reads it from
//! there; for a tree that is a copy per level, and the agent's console spent
//! most of a large keyframe's build in it. Here every field is read into its
//! slot as it comes, in any order, and the node is made once `k` is known.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Node, NodeKind};

#[derive(Deserialize)]
enum Kind {
    #[serde(rename = "e")]
    Element,
    #[serde(rename = "t")]
    Text,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum Field {
    #[serde(rename = "i")]
    Id,
    #[serde(rename = "k")]
    Kind,
    #[serde(rename = "t")]
    Tag,
    #[serde(rename = "a")]
    Attrs,
    #[serde(rename = "c")]
    Children,
    #[serde(rename = "ns")]
    Namespace,
    #[serde(rename = "s")]
    Shadow,
    #[serde(rename = "sa")]
    ShadowSheets,
    #[serde(rename = "css")]
    Css,
    #[serde(rename = "d")]
    Doc,
    #[serde(rename = "x")]
    Text,
    /// Fields a newer widget may add: skipped, as the derive did.
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut i = None;
        let mut kind = None;
        let mut t = None;
        let (mut a, mut c, mut sa) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ns, mut s, mut css, mut d, mut x) = (None, None, None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => i = Some(map.next_value()?),
                Field::Kind => kind = Some(map.next_value::<Kind>()?),
                Field::Tag => t = Some(map.next_value()?),
                Field::Attrs => a = map.next_value()?,
                Field::Children => c = map.next_value()?,
                Field::Namespace => ns = map.next_value()?,
                Field::Shadow => s = map.next_value()?,
                Field::ShadowSheets => sa = map.next_value()?,
                Field::Css => css = map.next_value()?,
                Field::Doc => d = map.next_value()?,
                Field::Text => x = Some(map.next_value()?),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let i = i.ok_or_else(|| de::Error::missing_field("i"))?;
        let kind = match kind.ok_or_else(|| de::Error::missing_field("k"))? {
            Kind::Element => NodeKind::Element {
                t: t.ok_or_else(|| de::Error::missing_field("t"))?,
                a,
                c,
                ns,
                s,
                sa,
                css,
                d,
            },
            Kind::Text => NodeKind::Text {
                x: x.ok_or_else(|| de::Error::missing_field("x"))?,
            },
        };
        Ok(Node { i, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(i: u32, x: &str) -> Node {
        Node {
            i,
            kind: NodeKind::Text { x: x.into() },
        }
    }

    #[test]
    fn every_field_survives_a_round_trip() {
        let node = Node {
            i: 1,
            kind: NodeKind::Element {
                t: "my-card".into(),
                a: vec![
                    ("class".into(), "a \"b\"".into()),
                    ("id".into(), "x".into()),
                ],
                c: vec![text(2, "é ✓"), text(3, "")],
                ns: Some("svg".into()),
                s: Some(vec![text(4, "in the shadow")]),
                sa: vec![":host{color:red}".into()],
                css: Some("p{margin:0}".into()),
                d: Some(Box::new(Node {
                    i: 5,
                    kind: NodeKind::Element {
                        t: "html".into(),
                        a: vec![],
                        c: vec![text(6, "framed")],
                        ns: None,
                        s: Some(vec![]),
                        sa: vec![],
                        css: None,
                        d: None,
                    },
                })),
            },
        };
        let json = serde_json::to_string(&node).unwrap();
        assert_eq!(serde_json::from_str::<Node>(&json).unwrap(), node);
    }

    #[test]
    fn fields_come_in_any_order_and_unknown_ones_are_skipped() {
        let json =
            r#"{"c":[{"x":"hi","k":"t","i":2}],"later":{"a":[1]},"t":"p","ns":null,"i":1,"k":"e"}"#;
        let expected = Node {
            i: 1,
            kind: NodeKind::Element {
                t: "p".into(),
                a: vec![],
                c: vec![text(2, "hi")],
                ns: None,
                s: None,
                sa: vec![],
                css: None,
                d: None,
            },
        };
        assert_eq!(serde_json::from_str::<Node>(json).unwrap(), expected);
    }

    #[test]
    fn broken_nodes_are_refused_with_the_reason() {
        for (json, says) in [
            (r#"{"i":1,"t":"p"}"#, "missing field `k`"),
            (r#"{"i":1,"k":"q","t":"p"}"#, "unknown variant `q`"),
            (r#"{"i":1,"k":"e"}"#, "missing field `t`"),
            (r#"{"i":1,"k":"t"}"#, "missing field `x`"),
            (r#"{"k":"t","x":"a"}"#, "missing field `i`"),
            (r#"{"i":-1,"k":"t","x":"a"}"#, "invalid value"),
            (r#"[1,"t"]"#, "a page node"),
        ] {
            let e = serde_json::from_str::<Node>(json).unwrap_err().to_string();
            assert!(e.contains(says), "{json}: {e}");
        }
    }
}
