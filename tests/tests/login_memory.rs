//! Concurrent logins must not each hold an Argon2 working set (19 MiB): 40 at
//! once took the server from 22 to 782 MiB. Alone in its own test binary, so
//! the process's peak resident memory (VmHWM) is this test's alone.

use tandem_tests::TestServer;

const LOGINS: usize = 20;
const SLOTS: usize = 2;

/// The process's peak resident set so far, in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    kib / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_do_not_each_hold_argon2_memory() {
    let server = TestServer::start_with(|c| {
        c.login.concurrent_hashes = SLOTS;
        // Queue rather than refuse: every login must get through here.
        c.login.hash_wait = std::time::Duration::from_secs(120);
        // All from 127.0.0.1: the address throttle is not what is tested here.
        c.login.throttle.address.free = 1_000;
    })
    .await;
    let mut agents = Vec::new();
    for i in 0..LOGINS {
        let email = format!("agent{i}@example.com");
        let password = server.add_agent(&email, &format!("Agent {i}"), 1).await;
        agents.push((email, password));
    }
    let before = peak_rss_mib();
    let logins = agents
        .iter()
        .map(|(email, password)| server.login(email, password));
    for result in futures_util::future::join_all(logins).await {
        result.expect("every login succeeds");
    }
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew {grown} MiB for {LOGINS} concurrent logins");
    // Two slots need about 2 × 19 MiB; twenty unbounded checks need ~380.
    assert!(
        grown < 100,
        "peak memory grew {grown} MiB for {LOGINS} concurrent logins"
    );
}
