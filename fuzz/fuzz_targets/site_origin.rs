//! The site-origin check of the CLI (`tandem serve --allow-origin
//! SITE=ORIGIN`, `TANDEM_ALLOW_ORIGIN`; server/src/cli/parse.rs `check_origin`),
//! reached through the public command-line parser; and the normalisation
//! every WebSocket's `Origin` header goes through before it is compared
//! (server/src/http/ws.rs `normalise_origin`).
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use tandem_server::cli::Cli;

fuzz_target!(|data: &[u8]| {
    let Ok(origin) = std::str::from_utf8(data) else {
        return;
    };
    let _ = tandem_server::http::normalise_origin(origin);
    let arg = format!("demo={origin}");
    let _ = Cli::try_parse_from(["tandem", "serve", "--allow-origin", &arg]);
});
