//! Reading the test database's URL (TANDEM_TEST_POSTGRES_URL): where to
//! connect, which database, and how to show it without its password.

/// tests/tests/store.rs reads the same variable and default.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The Redis the cluster tests use unless TANDEM_TEST_REDIS_URL says otherwise.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379/";

/// Host and port of a `redis://[user:password@]host[:port][/db]` URL.
pub fn redis_host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("redis://")?;
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (host_port, 6379),
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

/// A postgres URL cut into `scheme://authority`, the database and the rest
/// (`?options`); None when it is not a postgres URL.
pub fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let scheme = ["postgres://", "postgresql://"]
        .into_iter()
        .find(|s| url.starts_with(s))?;
    let end = |s: &str, from: usize| {
        s[from..]
            .find(['/', '?', '#'])
            .map_or(s.len(), |i| from + i)
    };
    let authority_end = end(url, scheme.len());
    let (head, tail) = url.split_at(authority_end);
    let Some(path) = tail.strip_prefix('/') else {
        return Some((head, "", tail));
    };
    let (db, rest) = path.split_at(path.find(['?', '#']).unwrap_or(path.len()));
    Some((head, db, rest))
}

/// The host and port the URL names (5432 when it names none); None for a URL
/// without a host (a Unix socket through `?host=`) or one that is not postgres.
pub fn host_port(url: &str) -> Option<(String, u16)> {
    let (head, _, _) = split_url(url)?;
    let authority = &head[head.find("://")? + 3..];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None | Some("") => 5432,
        Some(p) => p.parse().ok()?,
    };
    Some((host.to_string(), port))
}

/// The database the URL names, when it is a plain name this check may create.
pub fn database_name(url: &str) -> Option<String> {
    let (_, db, _) = split_url(url)?;
    let plain = !db.is_empty() && db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then(|| db.to_string())
}

/// The same server and user with another database (to create the missing one).
pub fn with_database(url: &str, db: &str) -> String {
    match split_url(url) {
        Some((head, _, rest)) => format!("{head}/{db}{rest}"),
        None => url.to_string(),
    }
}

/// The URL with its password, if any, replaced by `***` (for messages).
pub fn hide_password(url: &str) -> String {
    let Some((head, db, rest)) = split_url(url) else {
        return url.to_string();
    };
    let Some(at) = head.rfind('@') else {
        return url.to_string();
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    match head[scheme_end..at].split_once(':') {
        Some((user, _)) => {
            let slash = if db.is_empty() { "" } else { "/" };
            format!(
                "{}{user}:***{}{slash}{db}{rest}",
                &head[..scheme_end],
                &head[at..]
            )
        }
        None => url.to_string(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_their_host_port_and_database() {
        let hp = |url| host_port(url).map(|(h, p)| format!("{h}:{p}"));
        assert_eq!(hp(DEFAULT_POSTGRES_URL).as_deref(), Some("127.0.0.1:5432"));
        assert_eq!(
            hp("postgresql://u:p@db.example/x").as_deref(),
            Some("db.example:5432")
        );
        assert_eq!(
            hp("postgres://u:p:q@h:5999/x?sslmode=off").as_deref(),
            Some("h:5999")
        );
        assert_eq!(hp("postgres://[::1]:6000/x").as_deref(), Some("::1:6000"));
        assert_eq!(hp("postgres://[::1]/x").as_deref(), Some("::1:5432"));
        assert_eq!(hp("postgres:///x?host=/run/postgresql"), None);
        assert_eq!(hp("postgres://h:port/x"), None);
        assert_eq!(hp("mysql://h/x"), None);
        assert_eq!(database_name(DEFAULT_POSTGRES_URL).as_deref(), Some("test"));
        assert_eq!(
            database_name("postgres://h/t_1?x=y").as_deref(),
            Some("t_1")
        );
        assert_eq!(database_name("postgres://h"), None);
        assert_eq!(database_name("postgres://h/a%22b"), None);
        assert_eq!(
            with_database("postgres://u@h:1/test?sslmode=off", "postgres"),
            "postgres://u@h:1/postgres?sslmode=off"
        );
        assert_eq!(
            with_database("postgres://h", "postgres"),
            "postgres://h/postgres"
        );
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            hide_password("postgres://u:secret@h:1/db?a=b"),
            "postgres://u:***@h:1/db?a=b"
        );
        assert_eq!(hide_password(DEFAULT_POSTGRES_URL), DEFAULT_POSTGRES_URL);
        assert_eq!(hide_password("postgres://u:s@h"), "postgres://u:***@h");
    }

    #[test]
    fn redis_urls_give_host_and_port() {
        let hp = |u| redis_host_port(u).map(|(h, p)| format!("{h}:{p}"));
        assert_eq!(hp(DEFAULT_REDIS_URL).as_deref(), Some("127.0.0.1:6379"));
        assert_eq!(hp("redis://cache").as_deref(), Some("cache:6379"));
        assert_eq!(
            hp("redis://:secret@cache:6380/2").as_deref(),
            Some("cache:6380")
        );
        assert_eq!(hp("postgres://x@y/z"), None);
        assert_eq!(hp("redis://:6379/"), None);
    }
}
