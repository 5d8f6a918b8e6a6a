//! Co-browse page bodies as the agent's console reads them
//! (agent-ui/src/mirror/mod.rs): a keyframe is parsed with serde_json's
//! recursion limit off after `json_depth` has refused one nested deeper
//! than `MAX_KEYFRAME_DEPTH`, through the hand-written page-node reader
//! (protocol/src/cobrowse/node_de.rs); deltas and pointer frames are read
//! with the default limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::cobrowse::{Delta, Keyframe, MAX_KEYFRAME_DEPTH, json_depth};
use serde::Deserialize;

fuzz_target!(|body: &[u8]| {
    // The console's `parse_keyframe`, step for step.
    if json_depth(body) <= MAX_KEYFRAME_DEPTH {
        let mut de = serde_json::Deserializer::from_slice(body);
        de.disable_recursion_limit();
        if let Ok(keyframe) = Keyframe::deserialize(&mut de) {
            // The node reader and the writer agree on what a page is.
            let json = serde_json::to_vec(&keyframe).expect("a keyframe serialises");
            let mut de = serde_json::Deserializer::from_slice(&json);
            de.disable_recursion_limit();
            let again = Keyframe::deserialize(&mut de).expect("a written keyframe reads back");
            assert_eq!(again.root, keyframe.root);
        }
    }
    let _ = serde_json::from_slice::<Delta>(body);
});
