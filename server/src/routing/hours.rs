//! A site's opening hours: when agents are expected, in the site's own time
//! zone. Outside them a waiting visitor is offered to leave a message or be
//! called back instead of waiting on. Requests still reach any agent who is
//! online: the hours set expectations, they do not turn anyone away.
//!
//! The format, written by whoever runs the site (`tandem site add --hours`):
//! comma-separated entries of days then one or more time ranges,
//!
//! ```text
//! mon-fri 09:00-12:30 13:30-18:00, sat 10:00-14:00
//! ```
//!
//! Days are `mon` … `sun`, alone or as a range (`fri-mon` wraps over the
//! week end); a range ends after it starts, `24:00` closes at midnight.

use jiff::tz::TimeZone;
use protocol::Millis;

#[derive(Debug, Clone)]
pub struct OpeningHours {
    /// Open minutes since Monday 00:00, as half-open ranges.
    ranges: Vec<(u32, u32)>,
    tz: TimeZone,
}

const DAY: u32 = 24 * 60;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl OpeningHours {
    /// Parses `spec` for the IANA time zone `tz` (e.g. `Europe/Paris`).
    pub fn parse(spec: &str, tz: &str) -> Result<OpeningHours, String> {
        let tz = TimeZone::get(tz).map_err(|_| format!("unknown time zone {tz:?}"))?;
        let mut ranges = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let mut words = entry.split_whitespace();
            let days = days(words.next().unwrap_or_default())?;
            let times: Vec<(u32, u32)> = words.map(time_range).collect::<Result<_, _>>()?;
            if times.is_empty() {
                return Err(format!("{entry:?} needs a time range like 09:00-18:00"));
            }
            for day in days {
                ranges.extend(times.iter().map(|(a, b)| (day * DAY + a, day * DAY + b)));
            }
        }
        if ranges.is_empty() {
            return Err("no opening hours given, e.g. \"mon-fri 09:00-18:00\"".into());
        }
        Ok(OpeningHours { ranges, tz })
    }

    /// Whether the site is open at `now` (milliseconds since the epoch).
    pub fn is_open(&self, now: Millis) -> bool {
        let Ok(at) = jiff::Timestamp::from_millisecond(now) else {
            return false;
        };
        let local = at.to_zoned(self.tz.clone());
        let day = local.weekday().to_monday_zero_offset() as u32;
        let minute = day * DAY + local.hour() as u32 * 60 + local.minute() as u32;
        self.ranges.iter().any(|(a, b)| (*a..*b).contains(&minute))
    }
}

fn day(name: &str) -> Result<u32, String> {
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(name))
        .map(|i| i as u32)
        .ok_or_else(|| format!("{name:?} is not a day (mon, tue, … sun)"))
}

/// `mon`, or a range `mon-fri` that may wrap (`fri-mon`).
fn days(word: &str) -> Result<Vec<u32>, String> {
    let (first, last) = match word.split_once('-') {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(word)?, day(word)?),
    };
    let count = (last + 7 - first) % 7 + 1;
    Ok((0..count).map(|i| (first + i) % 7).collect())
}

fn time_range(word: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{word:?} is not a time range like 09:00-18:00");
    let (a, b) = word.split_once('-').ok_or_else(bad)?;
    let (a, b) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
    if a >= b {
        return Err(format!("{word:?} must end after it starts"));
    }
    Ok((a, b))
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    // `then`, not `then_some`: the product is only computed for a valid
    // hour; an hour like 549247266 would overflow it.
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then(|| h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds at a civil time in a zone.
    fn at(civil: &str, tz: &str) -> Millis {
        let dt: jiff::civil::DateTime = civil.parse().unwrap();
        dt.to_zoned(TimeZone::get(tz).unwrap())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn open_on_weekdays_with_a_lunch_break_in_local_time() {
        let h = OpeningHours::parse("mon-fri 09:00-12:30 13:30-18:00", "Europe/Paris").unwrap();
        // 2026-12-02 is a Wednesday.
        assert!(h.is_open(at("2026-12-02T09:00", "Europe/Paris")));
        assert!(!h.is_open(at("2026-12-02T08:59", "Europe/Paris")));
        assert!(!h.is_open(at("2026-12-02T13:00", "Europe/Paris")));
        assert!(h.is_open(at("2026-12-02T17:59", "Europe/Paris")));
        assert!(!h.is_open(at("2026-12-02T18:00", "Europe/Paris")));
        assert!(
            !h.is_open(at("2026-12-05T10:00", "Europe/Paris")),
            "Saturday"
        );
        // Summer time: 09:00 in Paris is 07:00 UTC, not 08:00.
        assert!(h.is_open(at("2026-07-01T07:00", "UTC")));
        assert!(!h.is_open(at("2026-12-02T07:30", "UTC")));
    }

    #[test]
    fn day_ranges_wrap_and_midnight_closes() {
        let h = OpeningHours::parse("fri-mon 20:00-24:00, wed 10:00-11:00", "UTC").unwrap();
        assert!(h.is_open(at("2026-12-06T23:59", "UTC")), "Sunday");
        assert!(h.is_open(at("2026-12-07T20:00", "UTC")), "Monday");
        assert!(!h.is_open(at("2026-12-08T21:00", "UTC")), "Tuesday");
        assert!(h.is_open(at("2026-12-02T10:30", "UTC")), "Wednesday");
    }

    /// Found by the opening_hours fuzz target: the hour was multiplied into
    /// minutes before it was checked, which overflowed (a panic where
    /// overflow is checked, as in tests and debug builds).
    #[test]
    fn an_hour_too_large_to_count_in_minutes_is_refused() {
        let err = OpeningHours::parse("sun 000549247266:00-2", "UTC").unwrap_err();
        assert!(err.contains("000549247266:00-2"), "{err}");
    }

    #[test]
    fn mistakes_are_named() {
        let err = |spec: &str| OpeningHours::parse(spec, "UTC").unwrap_err();
        assert!(err("").contains("no opening hours"));
        assert!(err("mon-fry 09:00-18:00").contains("fry"));
        assert!(err("mon").contains("time range"));
        assert!(err("mon 18:00-09:00").contains("end after"));
        assert!(err("mon 9-18").contains("9-18"));
        assert!(err("mon 09:00-24:30").contains("24:30"));
        assert!(
            OpeningHours::parse("mon 09:00-18:00", "Mars/Olympus")
                .unwrap_err()
                .contains("time zone")
        );
    }
}
