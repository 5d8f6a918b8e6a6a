//! The TURN socket's screen (server/src/turn/screen.rs, peers.rs): every UDP
//! datagram that reaches the TURN port is decoded as STUN or ChannelData
//! and, when it names a peer, checked against the peer policy before the
//! `turn` crate sees it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_server::turn::{ScreenVerdict, verdict_for_fuzzing};

fuzz_target!(|datagram: &[u8]| {
    if let ScreenVerdict::Answer(answer) = verdict_for_fuzzing(datagram) {
        // An answer is a STUN message: 20-byte header, 4-byte aligned.
        assert!(answer.len() >= 20 && answer.len() % 4 == 0);
    }
});
