//! How long one retention round holds the database: fills a SQLite store
//! with SESSIONS ended conversations of MESSAGES messages each (all older
//! than the site's retention), then purges them in rounds of
//! `retention::ROUND`, as the server's task does, and prints the longest
//! and the mean round. Each round is one write transaction, so its length
//! is how long a chat message may wait for the event writer meanwhile.
//!
//! cargo run --release -p tandem-tests --example purge_rounds [-- SESSIONS MESSAGES]

use std::time::{Duration, Instant};

use protocol::{Event, EventBody, PageInfo, Role, SessionState, VisitorIdentity};
use tandem_server::privacy::retention::{self, DAY_MS, ROUND};
use tandem_server::store::{self, SessionRecord, Site};
use tandem_tests::scratch_dir;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let (sessions, messages) = (arg(1, 5000), arg(2, 20));
    let dir = scratch_dir();
    let store = store::open(&format!("sqlite://{}/purge.db", dir.0.display()))
        .await
        .unwrap();
    store
        .upsert_site(
            &Site {
                retain_days: Some(30),
                ..Site::new("shop")
            },
            0,
        )
        .await
        .unwrap();
    let then = 10 * DAY_MS;
    let filled = Instant::now();
    for i in 0..sessions {
        let visitor = format!("v_{i}");
        store.touch_visitor(&visitor, "shop", then).await.unwrap();
        let identity = VisitorIdentity {
            name: Some(format!("Visitor {i}")),
            email: Some(format!("v{i}@example.com")),
            ..Default::default()
        };
        store
            .set_visitor_identity(&visitor, &identity)
            .await
            .unwrap();
        let page = PageInfo {
            url: format!("https://shop.example/p/{i}"),
            title: "Product".into(),
        };
        store.add_page_view(&visitor, &page, then).await.unwrap();
        let id = format!("s_{i}");
        let record = SessionRecord {
            id: id.clone(),
            site: "shop".into(),
            visitor_id: visitor,
            visitor_name: None,
            state: SessionState::Ended,
            topic: None,
            first_message: "where is my order?".into(),
            page: Some(page),
            agent: None,
            requested_at: then,
            accepted_at: None,
            ended_at: Some(then + 60_000),
            ended_by: Some(Role::Visitor),
            last_seq: 0,
            receipts: Default::default(),
            callback: None,
            wrapup: None,
        };
        store.create_session(&record).await.unwrap();
        store.update_session(&record).await.unwrap();
        let log: Vec<(String, Event)> = (1..=messages)
            .map(|seq| {
                let body = EventBody::Message {
                    text: format!("message {seq} of a long conversation about an order"),
                    client_id: None,
                };
                let event = Event {
                    seq,
                    at: then + seq as i64,
                    author: if seq % 2 == 0 {
                        Role::Agent
                    } else {
                        Role::Visitor
                    },
                    author_name: Some("Someone".into()),
                    body,
                };
                (id.clone(), event)
            })
            .collect();
        store.append_events(&log).await.unwrap();
    }
    eprintln!(
        "filled {sessions} sessions × {messages} messages in {:.1?}",
        filled.elapsed()
    );

    let now = 100 * DAY_MS;
    let cutoff = retention::purge_cutoff(now, 30);
    let (mut rounds, mut longest, mut total) = (0u32, Duration::ZERO, Duration::ZERO);
    let mut erased = store::Erasure::default();
    loop {
        let started = Instant::now();
        let r = store.purge_site("shop", cutoff, now, ROUND).await.unwrap();
        let took = started.elapsed();
        rounds += 1;
        longest = longest.max(took);
        total += took;
        erased.add(r);
        if !r.filled(ROUND) {
            break;
        }
    }
    println!(
        "| Sessions | Messages each | Rounds of {ROUND} | Longest round | Mean round | Total |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {sessions} | {messages} | {rounds} | {:.1} ms | {:.1} ms | {:.2} s |",
        longest.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / f64::from(rounds),
        total.as_secs_f64()
    );
    assert_eq!(erased.sessions, sessions);
    assert_eq!(erased.events, sessions * messages);
    eprintln!("{erased:?}");
}
