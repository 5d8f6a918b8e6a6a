//! What /metrics may read of the hub: its counters and its live figures.
//! Nothing here reaches the store, so a scrape costs no query however often
//! it comes (the handler gets this view, not the hub).

use super::{Hub, LiveFigures};
use crate::metrics::Counters;

#[derive(Clone)]
pub struct MetricsView {
    hub: Hub,
}

impl MetricsView {
    pub fn counters(&self) -> &Counters {
        &self.hub.inner.counters
    }

    /// The queue and agents right now (one pass under the hub's lock).
    pub fn live(&self) -> LiveFigures {
        self.hub.live()
    }
}

impl Hub {
    pub fn metrics_view(&self) -> MetricsView {
        MetricsView { hub: self.clone() }
    }
}
