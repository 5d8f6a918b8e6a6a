//! What a retention backlog costs chat: fills a SQLite store with SESSIONS
//! ended conversations of MESSAGES messages each (all older than the site's
//! retention), then runs the server's purge pass (`retention::purge`:
//! rounds of `retention::ROUND` rows, one transaction each, paced) while a
//! live conversation stores one message every 5 ms through the event
//! writer, and prints how long the purge took and how long those chat
//! writes waited (p50, p99, max).
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

    // The live conversation, writing while the purge runs.
    let live = SessionRecord {
        id: "s_live".into(),
        state: SessionState::Active,
        ended_at: None,
        requested_at: 99 * DAY_MS,
        ..store.session("s_0").await.unwrap().unwrap()
    };
    store.create_session(&live).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let (mut seq, mut waits) = (0u64, Vec::new());
            while !*stopped.borrow() {
                seq += 1;
                let event = Event {
                    seq,
                    at: 99 * DAY_MS,
                    author: Role::Visitor,
                    author_name: None,
                    body: EventBody::Message {
                        text: "still here".into(),
                        client_id: None,
                    },
                };
                let started = Instant::now();
                store
                    .append_events(&[("s_live".into(), event)])
                    .await
                    .unwrap();
                waits.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            waits
        })
    };

    let now = 100 * DAY_MS;
    let started = Instant::now();
    let purged = retention::purge(store.as_ref(), now, ROUND, &|| false)
        .await
        .unwrap();
    let total = started.elapsed();
    stop.send(true).unwrap();
    let mut waits = writer.await.unwrap();
    waits.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: usize| ms(waits[(waits.len() * q / 100).min(waits.len() - 1)]);
    println!(
        "| Sessions | Messages each | Purge (rounds of {ROUND} rows) | Chat writes meanwhile | p50 | p99 | max |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {sessions} | {messages} | {:.2} s | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        total.as_secs_f64(),
        waits.len(),
        at(50),
        at(99),
        ms(*waits.last().unwrap()),
    );
    assert_eq!(purged.erased.sessions, sessions);
    assert_eq!(purged.erased.events, sessions * messages);
    eprintln!("{purged:?}");
}
