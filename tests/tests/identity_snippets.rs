//! The server-side signing snippets docs/sdk.md gives sites (Node.js and
//! Python, standard library only), run as written: what they sign must be
//! a token the server accepts, with the claims they were given.

use std::process::Command;

use tandem_server::auth::identity_token::{self, IdentityClaims};

const SECRET: &str = "3f1c9a0e5b7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e";

/// The fenced code block of docs/sdk.md whose first line is `first_line`.
fn snippet(first_line: &str) -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sdk.md"))
        .expect("docs/sdk.md is readable");
    let start = doc
        .find(&format!("{first_line}\n"))
        .unwrap_or_else(|| panic!("docs/sdk.md has a snippet starting {first_line:?}"));
    let end = start
        + doc[start..]
            .find("\n```")
            .expect("the snippet's fence closes");
    doc[start..end].to_string()
}

/// Runs `program args…`, returning its standard output.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("a token is ASCII")
}

fn accepted(token: &str) -> IdentityClaims {
    let now = tandem_server::clock::now_ms() / 1000;
    let claims = identity_token::verify(SECRET, token.trim(), now)
        .unwrap_or_else(|e| panic!("{token:?} was refused: {e}"));
    assert!(
        claims.exp > now + 3000 && claims.exp <= now + 3700,
        "an hour"
    );
    claims
}

#[test]
fn the_documented_node_snippet_signs_tokens_the_server_accepts() {
    let script = format!(
        "{}\nprocess.stdout.write(tandemIdentityToken(process.argv[1], \
         {{ id: 4711, name: 'Zoë Martin', email: 'zoe@example.com' }}));",
        snippet("// tandem-identity-token.js")
    );
    let claims = accepted(&run("node", &["-e", &script, SECRET]));
    assert_eq!(claims.sub, "4711");
    assert_eq!(claims.name.as_deref(), Some("Zoë Martin"));
    assert_eq!(claims.email.as_deref(), Some("zoe@example.com"));
}

#[test]
fn the_documented_python_snippet_signs_tokens_the_server_accepts() {
    let script = format!(
        "{}\nimport sys\nprint(tandem_identity_token(sys.argv[1], 4711, name='Zoë Martin'), end='')",
        snippet("# tandem_identity_token.py")
    );
    let claims = accepted(&run("python3", &["-c", &script, SECRET]));
    assert_eq!(claims.sub, "4711");
    assert_eq!(claims.name.as_deref(), Some("Zoë Martin"));
    assert_eq!(claims.email, None);
}
