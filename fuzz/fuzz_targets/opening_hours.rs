//! The opening-hours parser (`tandem site add --hours`, also read from the
//! store at start-up): server/src/routing/hours.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_server::routing::OpeningHours;

/// Zones the spec is tried under: no offset, a DST zone, a half-hour zone.
/// Arbitrary zone names would only measure tzdb file lookups.
const ZONES: [&str; 3] = ["UTC", "Europe/Paris", "Asia/Kolkata"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, spec)) = data.split_first() else {
        return;
    };
    let Ok(spec) = std::str::from_utf8(spec) else {
        return;
    };
    if let Ok(hours) = OpeningHours::parse(spec, ZONES[pick as usize % ZONES.len()]) {
        // Any instant, including the ends of the range jiff accepts.
        for now in [0, 1_765_000_000_000, i64::MIN, i64::MAX, -1] {
            let _ = hours.is_open(now);
        }
    }
});
