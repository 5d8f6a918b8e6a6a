//! The Prometheus text exposition format (version 0.0.4) of the figures.

use std::fmt::Write;

use protocol::AgentPresence;

use super::DayFigures;
use crate::hub::LiveFigures;

pub fn render(day: &DayFigures, live: &LiveFigures) -> String {
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let one = |v: f64| vec![(String::new(), v)];
    let waiting: Vec<(String, f64)> = live
        .queues
        .iter()
        .map(|(skill, q)| {
            (
                format!("{{skill=\"{}\"}}", escape(skill)),
                f64::from(q.waiting),
            )
        })
        .collect();
    gauge(
        "tandem_queue_waiting",
        "Requests waiting, by skill.",
        &waiting,
    );
    let longest: Vec<(String, f64)> = live
        .queues
        .iter()
        .map(|(skill, q)| {
            (
                format!("{{skill=\"{}\"}}", escape(skill)),
                q.longest_wait_secs as f64,
            )
        })
        .collect();
    gauge(
        "tandem_queue_longest_wait_seconds",
        "Longest current wait, by skill.",
        &longest,
    );
    let by_presence: Vec<(String, f64)> = [
        AgentPresence::Online,
        AgentPresence::Away,
        AgentPresence::Offline,
    ]
    .into_iter()
    .map(|p| {
        let n = live
            .agents
            .iter()
            .filter(|a| a.presence == p && (a.connected || p == AgentPresence::Offline))
            .count();
        (format!("{{presence=\"{}\"}}", presence_name(p)), n as f64)
    })
    .collect();
    gauge(
        "tandem_agents",
        "Agents by presence (online and away count connected agents).",
        &by_presence,
    );
    gauge(
        "tandem_sessions_active",
        "Sessions being served now.",
        &one(f64::from(live.active_sessions)),
    );
    gauge(
        "tandem_visitor_connections",
        "Visitor WebSocket connections.",
        &one(f64::from(live.visitors_connected)),
    );
    gauge(
        "tandem_today_offered",
        "Requests today (UTC).",
        &one(f64::from(day.offered)),
    );
    gauge(
        "tandem_today_answered",
        "Requests answered today.",
        &one(f64::from(day.answered)),
    );
    gauge(
        "tandem_today_abandoned",
        "Requests abandoned while waiting today.",
        &one(f64::from(day.abandoned)),
    );
    let optional = |v: Option<f64>| v.map(one).unwrap_or_default();
    gauge(
        "tandem_today_service_level_ratio",
        "Answered within the threshold, of answered and abandoned.",
        &optional(day.service_level),
    );
    gauge(
        "tandem_today_average_speed_of_answer_seconds",
        "Mean wait before an agent answered.",
        &optional(day.average_speed_of_answer_secs),
    );
    gauge(
        "tandem_today_abandonment_ratio",
        "Abandoned, of answered and abandoned.",
        &optional(day.abandonment_rate),
    );
    gauge(
        "tandem_today_average_handle_time_seconds",
        "Mean time from answer to end.",
        &optional(day.average_handle_time_secs),
    );
    let dispositions: Vec<(String, f64)> = day
        .dispositions
        .iter()
        .map(|(tag, n)| {
            (
                format!("{{disposition=\"{}\"}}", escape(tag)),
                f64::from(*n),
            )
        })
        .collect();
    gauge(
        "tandem_today_wrapups",
        "Sessions requested today and wrapped up, by disposition.",
        &dispositions,
    );
    out
}

fn presence_name(p: AgentPresence) -> &'static str {
    match p {
        AgentPresence::Online => "online",
        AgentPresence::Away => "away",
        AgentPresence::Offline => "offline",
    }
}

/// Label values escape backslash, quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
