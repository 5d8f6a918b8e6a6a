//! The co-browse frames a sharing visitor's widget sends: a keyframe of a
//! shop page (a few hundred elements, tens of kilobytes of JSON, like a real
//! capture), then small deltas (typing into a field, scrolling, text
//! changes) and pointer frames, each with the binary header the server reads.
//! A new page (navigation) starts a new epoch with a fresh keyframe.

use protocol::cobrowse::{Delta, FrameKind, Keyframe, Node, NodeKind, Op, encode_frame};

/// One visitor's page as the widget sees it: which epoch, which delta is next.
pub struct Page {
    session: String,
    epoch: u32,
    seq: u32,
    /// The keyframe's node ids run 1..=nodes; deltas touch them.
    nodes: u32,
}

/// Products on the captured page; ~6 elements each, so ~30 KB of keyframe.
const PRODUCTS: u32 = 60;

impl Page {
    pub fn new(session: &str) -> Page {
        Page {
            session: session.to_string(),
            epoch: 0,
            seq: 0,
            nodes: 0,
        }
    }

    /// The keyframe of a new page (the visitor navigated, or the server asked).
    pub fn keyframe(&mut self) -> Vec<u8> {
        self.epoch += 1;
        self.seq = 0;
        let mut next = 0;
        let root = shop_page(self.epoch, &mut next);
        self.nodes = next;
        let keyframe = Keyframe {
            url: format!("http://bench.local/shop/page-{}", self.epoch),
            title: "Shoes – Bench Shop".into(),
            vw: 1280,
            vh: 800,
            sx: 0.0,
            sy: 0.0,
            doctype: Some("html".into()),
            root,
            adopted: Vec::new(),
        };
        let body = serde_json::to_vec(&keyframe).expect("keyframes serialise");
        encode_frame(FrameKind::Keyframe, &self.session, self.epoch, 0, &body)
    }

    /// The next delta: `k` picks what changed, so the sizes vary as they do.
    pub fn delta(&mut self, k: u64) -> Vec<u8> {
        self.seq += 1;
        let node = 1 + (k as u32 * 7) % self.nodes.max(1);
        let ops = match k % 4 {
            0 => vec![Op::Value {
                i: node,
                v: "42 Rue de la Paix, 75002 Paris"
                    .chars()
                    .take(1 + (k % 30) as usize)
                    .collect(),
            }],
            1 => vec![Op::Scroll {
                i: 1,
                x: 0.0,
                y: (k % 2000) as f64,
            }],
            2 => vec![
                Op::Text {
                    i: node,
                    x: format!("In stock: {} pairs left in your size", k % 17),
                },
                Op::Attr {
                    i: node,
                    n: "class".into(),
                    v: Some("product product--highlighted".into()),
                },
            ],
            _ => vec![Op::Add {
                p: node,
                b: None,
                n: element(
                    &mut (self.nodes + self.seq),
                    "div",
                    vec![("class".into(), "toast".into())],
                    vec![text(
                        &mut (self.nodes + self.seq + 100_000),
                        "Added to your basket",
                    )],
                ),
                s: false,
            }],
        };
        let body = serde_json::to_vec(&Delta { ops }).expect("deltas serialise");
        encode_frame(FrameKind::Delta, &self.session, self.epoch, self.seq, &body)
    }

    /// A pointer move, with the epoch and seq of the last delta sent.
    pub fn pointer(&self, k: u64) -> Vec<u8> {
        let ops = vec![Op::Mouse {
            x: (k * 37 % 1280) as f64,
            y: (k * 11 % 800) as f64,
        }];
        let body = serde_json::to_vec(&Delta { ops }).expect("deltas serialise");
        encode_frame(
            FrameKind::Pointer,
            &self.session,
            self.epoch,
            self.seq,
            &body,
        )
    }
}

fn shop_page(epoch: u32, next: &mut u32) -> Node {
    let products: Vec<Node> = (0..PRODUCTS)
        .map(|p| {
            let name = text(
                next,
                &format!("Trail runner {p} – breathable mesh, size 36–47"),
            );
            let price = text(next, &format!("{}.{:02} €", 49 + p, (p * 7) % 100));
            let button = text(next, "Add to basket");
            let children = vec![
                element(
                    next,
                    "img",
                    vec![
                        ("src".into(), format!("/img/p{p}.webp")),
                        ("alt".into(), String::new()),
                    ],
                    vec![],
                ),
                element(next, "h2", vec![], vec![name]),
                element(
                    next,
                    "span",
                    vec![("class".into(), "price".into())],
                    vec![price],
                ),
                element(
                    next,
                    "button",
                    vec![("type".into(), "button".into())],
                    vec![button],
                ),
            ];
            element(
                next,
                "article",
                vec![
                    ("class".into(), "product".into()),
                    ("data-sku".into(), format!("SKU-{epoch}-{p:05}")),
                ],
                children,
            )
        })
        .collect();
    let main = element(
        next,
        "main",
        vec![("id".into(), "catalogue".into())],
        products,
    );
    let body = element(next, "body", vec![], vec![main]);
    element(next, "html", vec![("lang".into(), "en".into())], vec![body])
}

fn element(next: &mut u32, tag: &str, a: Vec<(String, String)>, c: Vec<Node>) -> Node {
    *next += 1;
    Node {
        i: *next,
        kind: NodeKind::Element {
            t: tag.into(),
            a,
            c,
            ns: None,
            s: None,
            sa: Vec::new(),
            css: None,
            d: None,
        },
    }
}

fn text(next: &mut u32, x: &str) -> Node {
    *next += 1;
    Node {
        i: *next,
        kind: NodeKind::Text { x: x.into() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::cobrowse::decode_header;

    #[test]
    fn frames_follow_their_keyframe() {
        let mut page = Page::new("s_1");
        let key = page.keyframe();
        let h = decode_header(&key).unwrap();
        assert_eq!((h.kind, h.epoch, h.seq), (FrameKind::Keyframe, 1, 0));
        assert!(
            key.len() > 15_000,
            "a realistic page, not a stub: {}",
            key.len()
        );
        for k in 1..=8 {
            let h = decode_header(&page.delta(k)).unwrap();
            assert_eq!((h.kind, h.epoch, h.seq), (FrameKind::Delta, 1, k as u32));
        }
        let h = decode_header(&page.pointer(3)).unwrap();
        assert_eq!((h.kind, h.epoch, h.seq), (FrameKind::Pointer, 1, 8));
        assert_eq!(decode_header(&page.keyframe()).unwrap().epoch, 2);
    }
}
