//! The distributor's rules, one by one, then randomised runs that check its
//! invariants after every step (never over capacity, never a request lost,
//! one offer per request and per agent).

use std::collections::{HashMap, HashSet};

use protocol::AgentPresence::{Away, Offline, Online};

use super::acd::{Acd, Action, ClaimError, RING_MS};

fn offers(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Offer { session, agent, .. } => Some((session.clone(), agent.clone())),
            _ => None,
        })
        .collect()
}

fn online(acd: &mut Acd, id: &str, skills: &[&str], capacity: u32, now: i64) -> Vec<Action> {
    let skills: Vec<String> = skills.iter().map(|s| s.to_string()).collect();
    acd.agent(id, Online, true, &skills, capacity, now)
}

#[test]
fn offers_to_a_skilled_agent_and_generalists_take_anything() {
    let mut acd = Acd::default();
    online(&mut acd, "billing", &["billing"], 2, 0);
    let a = acd.request("s1", Some("technical".into()), None, 1, 1);
    assert!(offers(&a).is_empty(), "no one has the skill");
    let a = online(&mut acd, "generalist", &[], 2, 2);
    assert_eq!(offers(&a), [("s1".into(), "generalist".into())]);
    let a = acd.request("s2", Some("billing".into()), None, 3, 3);
    assert_eq!(offers(&a), [("s2".into(), "billing".into())]);
}

#[test]
fn prefers_last_agent_then_fewest_open_then_longest_idle() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 4, 10);
    online(&mut acd, "b", &[], 4, 5); // idle longer
    let a = acd.request("s1", None, None, 20, 20);
    assert_eq!(
        offers(&a),
        [("s1".into(), "b".into())],
        "longest idle wins a tie"
    );
    acd.claim("s1", "b", 21).unwrap();
    let a = acd.request("s2", None, None, 22, 22);
    assert_eq!(
        offers(&a),
        [("s2".into(), "a".into())],
        "fewest open sessions"
    );
    acd.claim("s2", "a", 23).unwrap();
    let a = acd.request("s3", None, Some("b".into()), 24, 24);
    assert_eq!(
        offers(&a),
        [("s3".into(), "b".into())],
        "the customer's last agent, when eligible"
    );
    acd.claim("s3", "b", 24).unwrap();
    acd.agent("b", Away, true, &[], 4, 25);
    let a = acd.request("s4", None, Some("b".into()), 26, 26);
    assert_eq!(offers(&a), [("s4".into(), "a".into())], "not when away");
}

#[test]
fn an_unanswered_offer_moves_on_after_the_ring_time() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 1, 0);
    online(&mut acd, "b", &[], 1, 1);
    let first = offers(&acd.request("s1", None, None, 2, 2));
    assert_eq!(first, [("s1".into(), "a".into())]);
    assert!(acd.tick(2 + RING_MS - 1).is_empty(), "still ringing");
    let moved = acd.tick(2 + RING_MS);
    assert!(moved.contains(&Action::Withdraw {
        session: "s1".into(),
        agent: "a".into()
    }));
    assert_eq!(offers(&moved), [("s1".into(), "b".into())]);
    // b declines: a gets it again in a new round (b, who passed last, is skipped).
    let again = acd.decline("s1", "b", 3 + RING_MS);
    assert_eq!(offers(&again), [("s1".into(), "a".into())]);
}

#[test]
fn claims_are_atomic_and_respect_capacity() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 1, 0);
    online(&mut acd, "b", &[], 1, 0);
    acd.request("s1", None, None, 1, 1);
    acd.request("s2", None, None, 2, 2);
    let offered = acd.offered_to("s1").unwrap().to_string();
    let other = if offered == "a" { "b" } else { "a" };
    // The other agent picks s1 from the queue while it rings for `offered`.
    let r = acd.claim("s1", other, 3);
    assert_eq!(
        r,
        Err(ClaimError::AtCapacity),
        "{other}'s only slot is held by the s2 offer"
    );
    acd.claim("s1", &offered, 3).unwrap();
    assert_eq!(acd.claim("s1", other, 4), Err(ClaimError::NotWaiting));
    assert_eq!(acd.claim("s2", &offered, 4), Err(ClaimError::AtCapacity));
    acd.claim("s2", other, 4).unwrap();
    assert!(acd.is_empty());
}

#[test]
fn going_offline_withdraws_the_offer_and_closing_frees_a_slot() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 1, 0);
    acd.request("s1", None, None, 1, 1);
    let a = acd.agent("a", Offline, true, &[], 1, 2);
    assert_eq!(
        a,
        [Action::Withdraw {
            session: "s1".into(),
            agent: "a".into()
        }]
    );
    let a = online(&mut acd, "a", &[], 1, 3);
    assert_eq!(offers(&a), [("s1".into(), "a".into())]);
    acd.claim("s1", "a", 4).unwrap();
    assert!(
        offers(&acd.request("s2", None, None, 5, 5)).is_empty(),
        "at capacity"
    );
    let a = acd.closed("a", Some(60_000), 6);
    assert_eq!(offers(&a), [("s2".into(), "a".into())]);
}

#[test]
fn wait_estimates_use_free_slots_and_handle_time() {
    let mut acd = Acd::default();
    assert_eq!(acd.estimated_wait_secs(1), None, "no one online");
    online(&mut acd, "a", &[], 2, 0);
    assert_eq!(acd.estimated_wait_secs(2), Some(0));
    acd.closed("a", Some(100_000), 1); // handle time now 100 s
    assert_eq!(
        acd.estimated_wait_secs(4),
        Some(100),
        "two beyond two free slots: one round"
    );
}

/// A small deterministic generator, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn randomised_runs_keep_every_invariant() {
    const AGENTS: [&str; 5] = ["a0", "a1", "a2", "a3", "a4"];
    const SKILLS: [&str; 3] = ["billing", "technical", "orders"];
    for seed in 1..=100u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut acd = Acd::default();
        let mut now = 0i64;
        let mut capacity: HashMap<&str, u32> = HashMap::new();
        let mut open: HashMap<String, u32> = HashMap::new();
        let mut requested: HashSet<String> = HashSet::new();
        let mut done: HashSet<String> = HashSet::new();
        let mut next_session = 0;
        for step in 0..300 {
            now += rng.below(3000) as i64;
            let agent = AGENTS[rng.below(AGENTS.len() as u64) as usize];
            match rng.below(8) {
                0 => {
                    let cap = 1 + rng.below(3) as u32;
                    capacity.insert(agent, cap);
                    let presence = [Online, Online, Away, Offline][rng.below(4) as usize];
                    let skills: Vec<String> = SKILLS
                        .iter()
                        .filter(|_| rng.below(3) == 0)
                        .map(|s| s.to_string())
                        .collect();
                    acd.agent(agent, presence, rng.below(5) != 0, &skills, cap, now);
                }
                1 | 2 => {
                    next_session += 1;
                    let s = format!("s{next_session}");
                    let skill =
                        (rng.below(2) == 0).then(|| SKILLS[rng.below(3) as usize].to_string());
                    let last = (rng.below(3) == 0).then(|| agent.to_string());
                    acd.request(&s, skill, last, now, now);
                    requested.insert(s);
                }
                3 => {
                    // Accept whatever rings for this agent, or pick the oldest.
                    let ringing = acd
                        .waiting()
                        .find(|s| acd.offered_to(s) == Some(agent))
                        .map(str::to_string);
                    let pick = ringing.or_else(|| acd.waiting().next().map(str::to_string));
                    if let Some(s) = pick
                        && acd.claim(&s, agent, now).is_ok()
                    {
                        let n = open.entry(agent.to_string()).or_default();
                        *n += 1;
                        let cap = capacity.get(agent).copied().unwrap_or(0);
                        assert!(
                            *n <= cap,
                            "seed {seed} step {step}: {agent} over capacity {n}/{cap}"
                        );
                        done.insert(s);
                    }
                }
                4 => {
                    if open.get(agent).copied().unwrap_or(0) > 0 {
                        *open.get_mut(agent).unwrap() -= 1;
                        acd.closed(agent, Some(rng.below(600_000) as i64), now);
                    }
                }
                5 => {
                    let oldest = acd.waiting().next().map(str::to_string);
                    if let Some(s) = oldest {
                        if rng.below(4) == 0 {
                            acd.cancel(&s, now);
                            done.insert(s);
                        } else if let Some(a) = acd.offered_to(&s).map(str::to_string) {
                            acd.decline(&s, &a, now);
                        }
                    }
                }
                _ => {
                    acd.tick(now);
                }
            }
            // Invariants.
            let waiting: HashSet<String> = acd.waiting().map(str::to_string).collect();
            for s in &requested {
                assert!(
                    waiting.contains(s) ^ done.contains(s),
                    "seed {seed} step {step}: {s} is lost or in two places"
                );
            }
            let mut ringing_agents = HashSet::new();
            for s in &waiting {
                if let Some(a) = acd.offered_to(s) {
                    assert!(
                        ringing_agents.insert(a.to_string()),
                        "seed {seed}: {a} rings twice"
                    );
                }
            }
            for a in AGENTS {
                if let Some((o, ringing)) = acd.load(a) {
                    assert_eq!(
                        o,
                        open.get(a).copied().unwrap_or(0),
                        "seed {seed}: open count of {a}"
                    );
                    let cap = capacity.get(a).copied().unwrap_or(0);
                    if ringing {
                        assert!(
                            o < cap,
                            "seed {seed} step {step}: {a} rings while at capacity {o}/{cap}"
                        );
                    }
                    // Capacity may shrink below open sessions (a profile change);
                    // what matters is that no claim happens while at or over it.
                }
            }
        }
    }
}

#[test]
fn an_escalated_request_skips_the_agent_who_sent_it() {
    let mut acd = Acd::default();
    online(&mut acd, "alex", &[], 2, 0);
    online(&mut acd, "lee", &["level2"], 2, 5);
    // Alex has been idle longer and is a generalist, yet is not rung with it.
    let a = acd.requeue("s1", Some("level2".into()), "alex", 1, 10);
    assert_eq!(offers(&a), [("s1".into(), "lee".into())]);
    // Lee declines: everyone eligible has passed, so a new round starts
    // without Lee, and the request falls back to Alex rather than waiting unseen.
    let a = acd.decline("s1", "lee", 11);
    assert_eq!(offers(&a), [("s1".into(), "alex".into())]);
    assert!(acd.claim("s1", "alex", 12).is_ok());
}

#[test]
fn a_call_back_is_offered_once_due_and_not_before() {
    let mut acd = Acd::default();
    acd.request("s1", None, None, 0, 0);
    // Booked for t=1000 while nobody was online.
    assert!(acd.schedule("s1", 1_000, 10).is_empty());
    assert!(
        offers(&online(&mut acd, "a", &[], 2, 20)).is_empty(),
        "not due yet"
    );
    assert!(offers(&acd.tick(999)).is_empty());
    assert_eq!(offers(&acd.tick(1_000)), [("s1".into(), "a".into())]);
    // Agents may still pick a call back early by hand.
    acd.request("s2", None, None, 30, 1_001);
    acd.schedule("s2", 50_000, 1_001);
    assert!(acd.claim("s2", "a", 1_002).is_ok());
}

#[test]
fn booking_later_withdraws_a_ringing_offer() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 2, 0);
    assert_eq!(offers(&acd.request("s1", None, None, 1, 1)).len(), 1);
    let a = acd.schedule("s1", 60_000, 2);
    assert_eq!(
        a,
        [Action::Withdraw {
            session: "s1".into(),
            agent: "a".into()
        }]
    );
    assert_eq!(acd.offered_to("s1"), None);
    assert_eq!(acd.load("a"), Some((0, false)), "the agent is free again");
    // Due now: offered at once.
    assert_eq!(offers(&acd.schedule("s1", 3, 3)).len(), 1);
}

#[test]
fn can_serve_counts_online_agents_with_the_skill_even_when_busy() {
    let mut acd = Acd::default();
    assert!(!acd.can_serve(None));
    online(&mut acd, "billing", &["billing"], 1, 0);
    assert!(acd.can_serve(Some("billing")));
    assert!(!acd.can_serve(Some("technical")));
    acd.request("s1", Some("billing".into()), None, 1, 1);
    acd.claim("s1", "billing", 2).unwrap();
    assert!(acd.can_serve(Some("billing")), "busy is not absent");
    acd.agent("billing", Away, true, &["billing".into()], 1, 3);
    assert!(!acd.can_serve(Some("billing")));
}

#[test]
fn an_ended_session_holds_its_slot_until_the_wrap_up() {
    let mut acd = Acd::default().with_after_call(30_000);
    online(&mut acd, "a", &[], 1, 0);
    offers(&acd.request("s1", None, None, 1, 1));
    acd.claim("s1", "a", 2).unwrap();
    acd.after_call("a", "s1", 10);
    let a = acd.closed("a", Some(8), 10);
    assert!(offers(&a).is_empty());
    let a = acd.request("s2", None, None, 11, 11);
    assert!(offers(&a).is_empty(), "in after-call work");
    assert!(offers(&acd.tick(20)).is_empty());
    let a = acd.wrapped("a", "s1", 21);
    assert_eq!(
        offers(&a),
        [("s2".into(), "a".into())],
        "free once wrapped up"
    );
    assert!(
        acd.wrapped("a", "s1", 22).is_empty(),
        "a second wrap-up frees nothing"
    );
}

#[test]
fn after_call_work_runs_out_and_leaves_other_slots_alone() {
    let mut acd = Acd::default().with_after_call(30_000);
    online(&mut acd, "a", &[], 2, 0);
    acd.request("s1", None, None, 1, 1);
    acd.claim("s1", "a", 2).unwrap();
    acd.after_call("a", "s1", 10);
    acd.closed("a", None, 10);
    // Capacity 2: one slot wraps up, the other takes a new visitor.
    let a = acd.request("s2", None, None, 11, 11);
    assert_eq!(offers(&a), [("s2".into(), "a".into())]);
    acd.claim("s2", "a", 12).unwrap();
    let a = acd.request("s3", None, None, 13, 13);
    assert!(offers(&a).is_empty(), "one open, one wrapping: full");
    assert!(offers(&acd.tick(10 + 30_000 - 1)).is_empty());
    let a = acd.tick(10 + 30_000);
    assert_eq!(
        offers(&a),
        [("s3".into(), "a".into())],
        "the wrap-up time ran out"
    );
    // The agent may still pick from the queue themself during after-call work.
    let mut acd = Acd::default().with_after_call(30_000);
    online(&mut acd, "b", &[], 1, 0);
    acd.request("t1", None, None, 1, 1);
    acd.claim("t1", "b", 2).unwrap();
    acd.after_call("b", "t1", 3);
    acd.closed("b", None, 3);
    acd.request("t2", None, None, 4, 4);
    assert!(acd.claim("t2", "b", 5).is_ok());
}

#[test]
fn without_after_call_time_a_closed_slot_is_free_at_once() {
    let mut acd = Acd::default();
    online(&mut acd, "a", &[], 1, 0);
    acd.request("s1", None, None, 1, 1);
    acd.claim("s1", "a", 2).unwrap();
    acd.after_call("a", "s1", 3);
    acd.closed("a", None, 3);
    assert_eq!(
        offers(&acd.request("s2", None, None, 4, 4)),
        [("s2".into(), "a".into())]
    );
}
