//! Bodies of the REST API under `/api/v1` that the server sends and the
//! console reads, declared once for both (docs/protocol.md, "REST").

use serde::{Deserialize, Serialize};

/// A canned response (`shortcut` set) or a knowledge-base article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryItem {
    /// Empty in a new item: the server gives it one.
    #[serde(default)]
    pub id: String,
    pub kind: LibraryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    Canned,
    Article,
}

impl LibraryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryKind::Canned => "canned",
            LibraryKind::Article => "article",
        }
    }
}
