//! The form and page pushes of one session waiting for the visitor's answer
//! (form.rs handles the frames). The server numbers each push and remembers
//! it until answered, so a visitor can only answer pushes that were made,
//! once each, and with the kind of answer the push asked for.

use std::collections::BTreeMap;

use protocol::limits::MAX_PENDING_PUSHES;

/// A push waiting for the visitor's answer.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// Form push: the names of the fields it proposed values for.
    Form(Vec<String>),
    Page,
}

impl Pending {
    /// The field names of a form push; any other push is given back.
    pub(super) fn into_form(self) -> Result<Vec<String>, Pending> {
        match self {
            Pending::Form(names) => Ok(names),
            other => Err(other),
        }
    }

    /// A page push; any other push is given back.
    pub(super) fn into_page(self) -> Result<(), Pending> {
        match self {
            Pending::Page => Ok(()),
            other => Err(other),
        }
    }
}

/// The pushes of one session waiting for an answer, by number.
#[derive(Debug, Default)]
pub(super) struct Pushes {
    next: u32,
    waiting: BTreeMap<u32, Pending>,
}

impl Pushes {
    /// Numbers a new push. When too many wait (a visitor who never
    /// answers), the oldest is forgotten: its late answer is refused.
    pub(super) fn add(&mut self, pending: Pending) -> u32 {
        self.next += 1;
        while self.waiting.len() >= MAX_PENDING_PUSHES {
            self.waiting.pop_first();
        }
        self.waiting.insert(self.next, pending);
        self.next
    }

    /// Takes push `push` if `kind` accepts it (`Pending::into_form`,
    /// `Pending::into_page`). Answered with the wrong kind, the push stays,
    /// waiting for the right answer. None when there is no such push (or
    /// not of that kind).
    pub(super) fn take<T>(
        &mut self,
        push: u32,
        kind: impl FnOnce(Pending) -> Result<T, Pending>,
    ) -> Option<T> {
        match kind(self.waiting.remove(&push)?) {
            Ok(taken) => Some(taken),
            Err(other) => {
                self.waiting.insert(push, other);
                None
            }
        }
    }

    /// Forgets every waiting push (the agent who made them left the
    /// session); numbering goes on, so a late answer matches no new push.
    pub(super) fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_are_numbered_answered_once_and_bounded() {
        let mut p = Pushes::default();
        let first = p.add(Pending::Page);
        let second = p.add(Pending::Form(vec!["email".into()]));
        assert_eq!((first, second), (1, 2));
        assert!(p.take(first, Pending::into_page).is_some());
        assert!(p.take(first, Pending::into_page).is_none(), "answered once");
        for _ in 0..MAX_PENDING_PUSHES {
            p.add(Pending::Page);
        }
        assert!(
            p.take(second, Pending::into_form).is_none(),
            "the oldest was forgotten"
        );
        assert_eq!(p.waiting.len(), MAX_PENDING_PUSHES);
    }

    #[test]
    fn an_answer_of_the_wrong_kind_leaves_the_push_waiting() {
        let mut p = Pushes::default();
        let form = p.add(Pending::Form(vec!["email".into()]));
        assert!(p.take(form, Pending::into_page).is_none());
        assert_eq!(p.take(form, Pending::into_form), Some(vec!["email".into()]));
    }
}
