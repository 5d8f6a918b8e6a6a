//! Client text frames: every WebSocket text frame a visitor or agent sends
//! goes through `decode_client` (protocol/src/envelope.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A WebSocket text frame is UTF-8 by the time the server reads it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(envelope) = protocol::decode_client(text) {
        // What was accepted must say the same thing when written back.
        let again = serde_json::to_string(&envelope).expect("an accepted frame serialises");
        assert!(protocol::decode_client(&again).is_ok(), "{again}");
    }
});
