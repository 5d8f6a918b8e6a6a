//! The queue's rules on a clock of the tests' own: coalesced rounds, the
//! places waiting visitors are told, offers that ring out, and a full line.
//! The state is driven directly; connections are plain outbound queues.

use protocol::{AgentPresence, Millis, ServerEnvelope, ServerFrame, Unavailable};
use tokio::sync::mpsc::Receiver;

use super::outbound::{ConnHandle, Wire};
use super::session::waiting_record;
use super::state::{LiveSession, QUEUE_FLUSH, State};
use crate::routing::Acd;
use crate::store::Agent;

const T0: Millis = 1_000_000;
const RING: Millis = 15_000;
const ROUND: Millis = QUEUE_FLUSH.as_millis() as Millis;

fn state(max_waiting: u32) -> State {
    State::new(Acd::new(RING), max_waiting)
}

fn connection(st: &mut State) -> (ConnHandle, Receiver<Wire>) {
    st.next_conn += 1;
    let (conn, rx, _closer) = ConnHandle::new(st.next_conn);
    (conn, rx)
}

/// An agent who connects and goes online at `now`, with one slot.
fn agent_online(st: &mut State, id: &str, now: Millis) -> Receiver<Wire> {
    let (conn, rx) = connection(st);
    let live = st.agents.entry(id.to_string()).or_default();
    live.presence = AgentPresence::Online;
    live.conns.push(conn);
    let agent = Agent {
        id: id.to_string(),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        skills: Vec::new(),
        capacity: 1,
        roles: vec![protocol::api::AgentRole::Agent],
    };
    st.sync_agent(&agent, now);
    rx
}

/// A visitor's request `id` for `site`, made at `now`.
fn request(st: &mut State, id: &str, site: &str, now: Millis) -> Receiver<Wire> {
    let (conn, rx) = connection(st);
    let visitor = format!("v_{id}");
    st.visitors.entry(visitor.clone()).or_default().push(conn);
    let record = waiting_record(id.to_string(), site, &visitor, "help".into(), now);
    st.sessions.insert(id.to_string(), LiveSession::new(record));
    st.enqueue(id, None, now);
    rx
}

/// The visitor withdraws request `id` at `now` (as `help.cancel` does).
fn cancel(st: &mut State, id: &str, now: Millis) {
    st.sessions.remove(id);
    st.overflow.remove(id);
    let actions = st.acd.cancel(id, now);
    st.carry_out(actions, now);
    st.queue_changed(now);
}

/// The frames a connection was sent since last asked.
fn received(rx: &mut Receiver<Wire>) -> Vec<ServerFrame> {
    let mut out = Vec::new();
    while let Ok(wire) = rx.try_recv() {
        if let Wire::Text(text) = wire {
            let env: ServerEnvelope = serde_json::from_str(text.as_str()).expect("a server frame");
            out.push(env.frame);
        }
    }
    out
}

/// The sessions of each `queue` frame received.
fn queues(frames: &[ServerFrame]) -> Vec<Vec<String>> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Queue { items, .. } => {
                Some(items.iter().map(|i| i.session.clone()).collect())
            }
            _ => None,
        })
        .collect()
}

/// Each `queue.position` received: (position, why nobody answers soon).
fn places(frames: &[ServerFrame]) -> Vec<(u32, Option<Unavailable>)> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::QueuePosition {
                position,
                unavailable,
                ..
            } => Some((*position, *unavailable)),
            _ => None,
        })
        .collect()
}

#[test]
fn queue_updates_are_coalesced_into_one_round_per_interval() {
    let mut st = state(10);
    let mut agent = agent_online(&mut st, "a", T0);
    let _v1 = request(&mut st, "s1", "site", T0);
    st.queue_changed(T0);
    assert_eq!(
        queues(&received(&mut agent)),
        [["s1"]],
        "the first round goes at once"
    );
    let _v2 = request(&mut st, "s2", "site", T0 + 10);
    st.queue_changed(T0 + 10);
    let _v3 = request(&mut st, "s3", "site", T0 + ROUND - 1);
    st.queue_changed(T0 + ROUND - 1);
    assert!(queues(&received(&mut agent)).is_empty(), "held back");
    st.round(T0 + ROUND, false);
    assert_eq!(
        queues(&received(&mut agent)),
        [["s1", "s2", "s3"]],
        "one round carries both changes"
    );
    st.round(T0 + 2 * ROUND, true);
    assert!(queues(&received(&mut agent)).is_empty(), "nothing changed");
}

#[test]
fn waiting_visitors_hear_their_place_only_when_it_changes() {
    let mut st = state(10);
    let mut v1 = request(&mut st, "s1", "site", T0);
    let mut v2 = request(&mut st, "s2", "site", T0 + 1);
    let mut v3 = request(&mut st, "s3", "site", T0 + 2);
    st.queue_changed(T0 + 2);
    let no_agents = Some(Unavailable::NoAgents);
    assert_eq!(places(&received(&mut v1)), [(1, no_agents)]);
    assert_eq!(places(&received(&mut v2)), [(2, no_agents)]);
    assert_eq!(places(&received(&mut v3)), [(3, no_agents)]);

    cancel(&mut st, "s1", T0 + 2 + ROUND);
    assert_eq!(places(&received(&mut v2)), [(1, no_agents)]);
    assert_eq!(places(&received(&mut v3)), [(2, no_agents)]);

    // A round that looks again finds nothing new to say.
    st.round(T0 + 2 + 2 * ROUND, true);
    assert!(received(&mut v2).is_empty() && received(&mut v3).is_empty());
}

#[test]
fn an_offer_that_rings_out_moves_to_the_next_agent() {
    let mut st = state(10);
    let mut a = agent_online(&mut st, "a", T0);
    let mut b = agent_online(&mut st, "b", T0 + 1);
    let _v = request(&mut st, "s1", "site", T0 + 2);
    let offer = |frames: &[ServerFrame]| {
        frames.iter().find_map(|f| match f {
            ServerFrame::Offer {
                session,
                expires_at,
                ..
            } => Some((session.clone(), *expires_at)),
            _ => None,
        })
    };
    assert_eq!(
        offer(&received(&mut a)),
        Some(("s1".to_string(), T0 + 2 + RING)),
        "the agent idle longest"
    );
    assert_eq!(offer(&received(&mut b)), None);

    st.round(T0 + 2 + RING - 1, false);
    assert!(received(&mut a).is_empty(), "still ringing");
    st.round(T0 + 2 + RING, false);
    let withdrawn = received(&mut a)
        .into_iter()
        .any(|f| matches!(f, ServerFrame::OfferWithdrawn { session } if session == "s1"));
    assert!(withdrawn, "rang out");
    assert_eq!(
        offer(&received(&mut b)),
        Some(("s1".to_string(), T0 + 2 + 2 * RING))
    );
}

#[test]
fn a_full_line_holds_requests_outside_until_there_is_room() {
    let mut st = state(1);
    let mut v1 = request(&mut st, "s1", "site", T0);
    st.queue_changed(T0);
    assert_eq!(
        places(&received(&mut v1)),
        [(1, Some(Unavailable::NoAgents))]
    );
    assert!(st.check_room("site").is_ok(), "room outside the full line");
    // Told at once, without waiting for a round.
    let mut v2 = request(&mut st, "s2", "site", T0 + 1);
    assert_eq!(
        places(&received(&mut v2)),
        [(0, Some(Unavailable::QueueFull))]
    );
    assert!(
        st.check_room("site").is_err(),
        "the line and the room outside are full"
    );
    assert!(st.check_room("other").is_ok(), "per site");

    cancel(&mut st, "s1", T0 + ROUND);
    assert_eq!(
        places(&received(&mut v2)),
        [(1, Some(Unavailable::NoAgents))],
        "the oldest outside joins the line"
    );
    assert!(st.overflow.is_empty());
    assert!(st.check_room("site").is_ok(), "room outside again");
}
