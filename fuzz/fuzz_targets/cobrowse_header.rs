//! Binary co-browse frames: the server and the console read the header of
//! every page frame a widget sends (`protocol::cobrowse::decode_header`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::cobrowse::{decode_header, encode_frame};

fuzz_target!(|frame: &[u8]| {
    if let Ok(h) = decode_header(frame) {
        // The body offset is inside the frame, and the header reads back
        // from what the encoder writes for it.
        assert!(h.body_at <= frame.len());
        let body = &frame[h.body_at..];
        let again = encode_frame(h.kind, &h.session, h.epoch, h.seq, body);
        assert_eq!(again, frame);
    }
});
