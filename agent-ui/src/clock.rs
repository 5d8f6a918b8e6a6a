//! Time in the browser: the local clock, the local wall-clock display, and
//! the correction towards the server's clock (wait times are measured from
//! the server's `requested_at`, and the agent's laptop clock may be off).

use js_sys::Date;
use protocol::Millis;
use wasm_bindgen::JsValue;

/// Local time, milliseconds since the epoch.
pub fn now() -> Millis {
    Date::now() as Millis
}

/// How far the server's clock is ahead of ours, from a `server_time` just
/// received. Network delay makes this slightly low, which is harmless for a
/// display in seconds.
pub fn skew_from(server_time: Millis) -> Millis {
    server_time - now()
}

/// "14:05" in the agent's own time zone.
pub fn wall_time(at: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// "Tue 14 May, 14:05", for tooltips.
pub fn full_time(at: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}, {}",
        DAYS[date.get_day() as usize % 7],
        date.get_date(),
        MONTHS[date.get_month() as usize % 12],
        wall_time(at)
    )
}
