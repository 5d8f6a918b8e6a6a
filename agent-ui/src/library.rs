//! The library of canned responses and articles: loading it after sign-in,
//! and which items fit the moment: canned responses whose `/shortcut`
//! starts with what the agent typed, and articles whose keywords appear in
//! what the visitor wrote lately. The matching is pure, so it is tested
//! natively.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, LibraryItem, LibraryKind};
use crate::state::Console;

/// Canned responses offered while the draft is a bare `/prefix`.
const MAX_CANNED: usize = 6;
/// Articles suggested at once.
const MAX_ARTICLES: usize = 3;

/// Loads the library (canned responses, articles) into the console.
pub fn load_library(console: Console) {
    spawn_local(async move {
        match api::library().await {
            Ok(items) => {
                console.library.try_set(items);
            }
            Err(e) => console.toast(format!("Could not load the library: {}", e.message()), None),
        }
    });
}

/// Canned responses whose shortcut starts with the `/prefix` the draft
/// consists of; none when the draft is anything else.
pub fn canned_for<'a>(items: &'a [LibraryItem], draft: &str) -> Vec<&'a LibraryItem> {
    let Some(prefix) = draft.strip_prefix('/') else {
        return Vec::new();
    };
    if prefix.chars().any(char::is_whitespace) {
        return Vec::new();
    }
    let prefix = prefix.to_lowercase();
    let mut found: Vec<&LibraryItem> = items
        .iter()
        .filter(|i| {
            i.shortcut
                .as_deref()
                .is_some_and(|s| s.starts_with(&prefix))
        })
        .collect();
    // The exact shortcut first, then the shortest, so Tab takes the likeliest.
    found.sort_by_key(|i| {
        let s = i.shortcut.as_deref().unwrap_or_default();
        (s != prefix, s.len(), s.to_string())
    });
    found.truncate(MAX_CANNED);
    found
}

/// Articles whose keywords appear in `texts` (a keyword matches a word it
/// begins, so "return" finds "returns"; several words match as a phrase),
/// best first.
pub fn articles_for<'a>(items: &'a [LibraryItem], texts: &[&str]) -> Vec<&'a LibraryItem> {
    let text = texts.join(" ").to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let matches = |k: &str| {
        if k.contains(' ') {
            text.contains(k)
        } else {
            words.iter().any(|w| w.starts_with(k))
        }
    };
    let mut scored: Vec<(usize, &LibraryItem)> = items
        .iter()
        .filter(|i| i.kind == LibraryKind::Article)
        .map(|i| (i.keywords.iter().filter(|k| matches(k)).count(), i))
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
    scored
        .into_iter()
        .take(MAX_ARTICLES)
        .map(|(_, i)| i)
        .collect()
}

/// What inserting an article adds to the draft: its title and link, or its
/// text when it has no link.
pub fn article_text(item: &LibraryItem) -> String {
    if item.url.is_empty() {
        item.body.clone()
    } else {
        format!("{}: {}", item.title, item.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, shortcut: Option<&str>, title: &str, keywords: &[&str]) -> LibraryItem {
        LibraryItem {
            id: title.into(),
            kind: match kind {
                "article" => LibraryKind::Article,
                _ => LibraryKind::Canned,
            },
            shortcut: shortcut.map(Into::into),
            title: title.into(),
            body: format!("{title} body"),
            url: String::new(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn canned_responses_follow_the_typed_prefix() {
        let items = [
            item("canned", Some("thanks-long"), "A", &[]),
            item("canned", Some("thx"), "B", &[]),
            item("canned", Some("ship"), "C", &[]),
            item("article", None, "D", &["th"]),
        ];
        let shortcuts = |draft| -> Vec<String> {
            canned_for(&items, draft)
                .iter()
                .map(|i| i.shortcut.clone().unwrap())
                .collect()
        };
        assert_eq!(shortcuts("/th"), ["thx", "thanks-long"]);
        assert_eq!(shortcuts("/THX"), ["thx"]);
        assert_eq!(shortcuts("/").len(), 3);
        assert!(shortcuts("/th more").is_empty());
        assert!(shortcuts("th").is_empty());
    }

    #[test]
    fn articles_match_words_and_phrases_best_first() {
        let items = [
            item("article", None, "Returns", &["return", "refund"]),
            item("article", None, "Sizes", &["size chart", "fit"]),
            item("article", None, "Shipping", &["ship"]),
            item("canned", Some("x"), "Not an article", &["return"]),
        ];
        let titles = |texts: &[&str]| -> Vec<String> {
            articles_for(&items, texts)
                .iter()
                .map(|i| i.title.clone())
                .collect()
        };
        assert_eq!(
            titles(&["Can I get a refund?", "I returned it yesterday"]),
            ["Returns"]
        );
        assert_eq!(titles(&["where is the size chart"]), ["Sizes"]);
        assert_eq!(titles(&["Returns and shipping"]), ["Returns", "Shipping"]);
        assert!(titles(&["hello"]).is_empty());
        assert!(
            titles(&["fitness"]).len() == 1,
            "a keyword matches the words it begins"
        );
    }
}
