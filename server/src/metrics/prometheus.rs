//! The Prometheus text exposition format (version 0.0.4) of the counters
//! (counters.rs) and the hub's live figures. Built from memory only: a
//! scrape costs a few atomic loads and one pass over the hub's live state.

use std::fmt::Write;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use protocol::api::LiveFigures;
use protocol::{AgentPresence, DISPOSITIONS};

use super::counters::{Counters, Histogram};

pub fn render(counters: &Counters, live: &LiveFigures) -> String {
    let mut out = Text::default();
    let c = counters;
    out.counter("tandem_requests_total", "Help requests made.", &c.requests);
    out.family(
        "tandem_queue_wait_seconds",
        "histogram",
        "Wait from request to first answer (outcome=answered) or to giving up unanswered (outcome=abandoned).",
    );
    out.histogram(
        "tandem_queue_wait_seconds",
        "outcome",
        "answered",
        &c.answered_wait,
    );
    out.histogram(
        "tandem_queue_wait_seconds",
        "outcome",
        "abandoned",
        &c.abandoned_wait,
    );
    out.family(
        "tandem_handle_seconds",
        "histogram",
        "Time from first answer to the end of the session, over answered sessions.",
    );
    out.histogram("tandem_handle_seconds", "", "", &c.handle);
    out.counters_by(
        "tandem_sessions_ended_total",
        "Sessions ended, by who ended them.",
        "by",
        [
            ("visitor", &c.ended_by_visitor),
            ("agent", &c.ended_by_agent),
        ],
    );
    out.counters_by(
        "tandem_messages_total",
        "Chat messages stored and delivered, by author.",
        "author",
        [
            ("visitor", &c.messages_from_visitors),
            ("agent", &c.messages_from_agents),
        ],
    );
    out.counter(
        "tandem_transfers_total",
        "Sessions handed to a colleague or a queue.",
        &c.transfers,
    );
    out.counters_by(
        "tandem_wrapups_total",
        "Wrap-ups recorded, by disposition.",
        "disposition",
        DISPOSITIONS.iter().copied().zip(c.wrapups.iter()),
    );
    out.counters_by(
        "tandem_identify_total",
        "Visitor identify frames by result: verified, unverified (no proof given) or refused (a proof that failed).",
        "result",
        [
            ("verified", &c.identify_verified),
            ("unverified", &c.identify_unverified),
            ("refused", &c.identify_refused),
        ],
    );

    out.family(
        "tandem_queue_waiting",
        "gauge",
        "Requests waiting now, by skill.",
    );
    for (skill, q) in &live.queues {
        out.sample(
            "tandem_queue_waiting",
            &[("skill", skill)],
            f64::from(q.waiting),
        );
    }
    out.family(
        "tandem_queue_longest_wait_seconds",
        "gauge",
        "Longest current wait, by skill.",
    );
    for (skill, q) in &live.queues {
        let secs = q.longest_wait_secs as f64;
        out.sample(
            "tandem_queue_longest_wait_seconds",
            &[("skill", skill)],
            secs,
        );
    }
    out.family(
        "tandem_agents",
        "gauge",
        "Agents by presence (online and away count connected agents).",
    );
    for p in [
        AgentPresence::Online,
        AgentPresence::Away,
        AgentPresence::Offline,
    ] {
        let n = live
            .agents
            .iter()
            .filter(|a| a.presence == p && (a.connected || p == AgentPresence::Offline))
            .count();
        out.sample("tandem_agents", &[("presence", presence_name(p))], n as f64);
    }
    out.family(
        "tandem_sessions_active",
        "gauge",
        "Sessions being served now.",
    );
    out.sample(
        "tandem_sessions_active",
        &[],
        f64::from(live.active_sessions),
    );
    out.family(
        "tandem_visitor_connections",
        "gauge",
        "Visitor WebSocket connections.",
    );
    out.sample(
        "tandem_visitor_connections",
        &[],
        f64::from(live.visitors_connected),
    );
    out.0
}

#[derive(Default)]
struct Text(String);

impl Text {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// A counter family with one unlabelled sample.
    fn counter(&mut self, name: &str, help: &str, n: &AtomicU64) {
        self.family(name, "counter", help);
        self.sample(name, &[], n.load(Relaxed) as f64);
    }

    /// A counter family with one sample per value of `label`.
    fn counters_by<'a>(
        &mut self,
        name: &str,
        help: &str,
        label: &str,
        counts: impl IntoIterator<Item = (&'a str, &'a AtomicU64)>,
    ) {
        self.family(name, "counter", help);
        for (value, n) in counts {
            self.sample(name, &[(label, value)], n.load(Relaxed) as f64);
        }
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{label}=\"{}\"", escape(v));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {}", number(value));
    }

    /// `_bucket` lines (cumulative, `le` last among the labels), `_sum`, `_count`.
    fn histogram(&mut self, name: &str, label: &str, value: &str, h: &Histogram) {
        let (buckets, sum) = h.snapshot();
        let mut labels: Vec<(&str, &str)> = Vec::with_capacity(2);
        if !label.is_empty() {
            labels.push((label, value));
        }
        let bucket = format!("{name}_bucket");
        for (bound, count) in &buckets {
            let le = number(*bound);
            let mut with_le = labels.clone();
            with_le.push(("le", &le));
            self.sample(&bucket, &with_le, *count as f64);
        }
        let count = buckets.last().map_or(0, |(_, n)| *n);
        self.sample(&format!("{name}_sum"), &labels, sum);
        self.sample(&format!("{name}_count"), &labels, count as f64);
    }
}

/// Numbers as Prometheus writes them (`+Inf`, integers without a fraction).
fn number(v: f64) -> String {
    if v == f64::INFINITY {
        "+Inf".into()
    } else {
        format!("{v}")
    }
}

fn presence_name(p: AgentPresence) -> &'static str {
    match p {
        AgentPresence::Online => "online",
        AgentPresence::Away => "away",
        AgentPresence::Offline => "offline",
    }
}

/// A label value as the text format writes it: backslash, double quote and
/// line feed escaped (`\\`, `\"`, `\n`), the only escapes the format has.
/// A carriage return has none, and a raw one would end the line for some
/// readers, so it is written as `\r` (read back as those two characters);
/// any other control character becomes U+FFFD. Skill labels come from
/// visitors' topics, so nothing raw may pass.
pub fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for ch in v.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::api::SkillQueue;

    #[test]
    fn label_values_cannot_break_out_of_their_line() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("x\ny\r\nz"), r"x\ny\r\nz");
        assert_eq!(
            escape("tab\there\u{0}\u{7f}\u{85}"),
            "tab\u{fffd}here\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(escape("billing é"), "billing é");

        // A skill named by a hostile topic still renders as one sample line.
        let mut live = LiveFigures {
            queues: Default::default(),
            agents: vec![],
            active_sessions: 0,
            visitors_connected: 0,
        };
        let hostile = "x\"} 1\r\ntandem_fake 9\n#";
        live.queues.insert(
            hostile.into(),
            SkillQueue {
                waiting: 1,
                longest_wait_secs: 3,
            },
        );
        let text = render(&Counters::default(), &live);
        assert!(!text.contains('\r'), "{text:?}");
        assert!(
            !text.lines().any(|l| l.starts_with("tandem_fake")),
            "{text}"
        );
        let waiting: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("tandem_queue_waiting{"))
            .collect();
        assert_eq!(
            waiting,
            [r#"tandem_queue_waiting{skill="x\"} 1\r\ntandem_fake 9\n#"} 1"#]
        );
    }

    #[test]
    fn histograms_render_cumulative_buckets_sum_and_count() {
        let c = Counters::default();
        c.answered(12_000);
        c.answered(45_000);
        c.ended(protocol::Role::Visitor, None, 3_000);
        let text = render(
            &c,
            &LiveFigures {
                queues: Default::default(),
                agents: vec![],
                active_sessions: 0,
                visitors_connected: 0,
            },
        );
        for line in [
            r#"tandem_queue_wait_seconds_bucket{outcome="answered",le="10"} 0"#,
            r#"tandem_queue_wait_seconds_bucket{outcome="answered",le="20"} 1"#,
            r#"tandem_queue_wait_seconds_bucket{outcome="answered",le="60"} 2"#,
            r#"tandem_queue_wait_seconds_bucket{outcome="answered",le="+Inf"} 2"#,
            r#"tandem_queue_wait_seconds_sum{outcome="answered"} 57"#,
            r#"tandem_queue_wait_seconds_count{outcome="answered"} 2"#,
            r#"tandem_queue_wait_seconds_count{outcome="abandoned"} 1"#,
            r#"tandem_handle_seconds_count 0"#,
            r#"tandem_sessions_ended_total{by="visitor"} 1"#,
            "# TYPE tandem_queue_wait_seconds histogram",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in:\n{text}"
            );
        }
    }
}
