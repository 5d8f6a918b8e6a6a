//! The waiting queue: a pure data structure, oldest request first, driven by
//! the hub and tested without sockets.

use std::collections::VecDeque;

use protocol::Millis;

#[derive(Debug, Default)]
pub struct Queue {
    waiting: VecDeque<(String, Millis)>,
}

impl Queue {
    /// Adds a request, keeping the queue ordered by request time (a request
    /// restored after a restart may be older than ones already queued).
    pub fn push(&mut self, session: String, requested_at: Millis) {
        let at = self
            .waiting
            .iter()
            .position(|(_, t)| *t > requested_at)
            .unwrap_or(self.waiting.len());
        self.waiting.insert(at, (session, requested_at));
    }

    /// Removes a request; false if it was not waiting.
    pub fn remove(&mut self, session: &str) -> bool {
        match self.waiting.iter().position(|(s, _)| s == session) {
            Some(i) => {
                self.waiting.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Session ids, oldest first.
    pub fn sessions(&self) -> impl Iterator<Item = &str> {
        self.waiting.iter().map(|(s, _)| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_request_time() {
        let mut q = Queue::default();
        q.push("b".into(), 20);
        q.push("c".into(), 30);
        q.push("a".into(), 10);
        assert_eq!(q.sessions().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(q.remove("a"));
        assert!(!q.remove("a"));
        assert!(!q.remove("zz"));
        assert_eq!(q.sessions().collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(q.len(), 2);
    }
}
