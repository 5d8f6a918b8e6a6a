//! The collected runs of every scenario, and the medians and spreads the
//! tables are made of.

use std::collections::BTreeSet;

use crate::idle::IdleRun;
use crate::logins::LoginRun;
use crate::pairing::PairingRun;
use crate::persist::PersistRun;
use crate::relay::{RelayRun, Target};
use crate::stats::median;

#[derive(Default)]
pub(super) struct Runs {
    pub relay: Vec<RelayRun>,
    pub idle: Vec<IdleRun>,
    pub pairing: Vec<PairingRun>,
    pub persist: Vec<PersistRun>,
    pub logins: Vec<LoginRun>,
}

impl Runs {
    pub(super) fn sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self.relay.iter().map(|r| r.pairs).collect();
        sizes.into_iter().collect()
    }

    /// Runs of the servers as they ship (not the tuned variants).
    pub(super) fn main(&self) -> impl Iterator<Item = &RelayRun> {
        self.relay.iter().filter(|r| r.variant.is_none())
    }

    pub(super) fn of(&self, target: Target, pairs: usize) -> Vec<&RelayRun> {
        self.main()
            .filter(|r| r.target == target && r.pairs == pairs)
            .collect()
    }

    /// The largest run of a target.
    pub(super) fn largest(&self, target: Target) -> Option<&RelayRun> {
        self.main()
            .filter(|r| r.target == target)
            .max_by_key(|r| r.pairs)
    }

    /// The generator, not the server, set the saturation rate: it used its
    /// whole core while the server had time to spare.
    pub(super) fn generator_bound(&self, target: Target, pairs: usize) -> bool {
        let server = self.med(target, pairs, |r| r.saturation.server_cpu.cores());
        let generator = self.med(target, pairs, |r| r.saturation.loadgen_cpu.cores());
        matches!((server, generator), (Some(s), Some(g)) if g > 0.9 && s < 0.9)
    }

    /// Median of `metric` over the repeated runs of one target and size.
    pub(super) fn med(
        &self,
        target: Target,
        pairs: usize,
        metric: impl Fn(&RelayRun) -> f64,
    ) -> Option<f64> {
        let runs = self.of(target, pairs);
        (!runs.is_empty()).then(|| median(runs.into_iter().map(metric).collect()))
    }

    /// Lowest and highest of `metric` over the repeated runs, when there were several.
    pub(super) fn spread(
        &self,
        target: Target,
        pairs: usize,
        metric: impl Fn(&RelayRun) -> f64,
    ) -> Option<(f64, f64)> {
        let values: Vec<f64> = self.of(target, pairs).into_iter().map(metric).collect();
        (values.len() > 1).then(|| {
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        })
    }

    /// Tandem's saturation was its per-connection limit, not its capacity.
    pub(super) fn rate_limited(&self, pairs: usize) -> bool {
        self.of(Target::Tandem, pairs).iter().any(|r| {
            r.max_pair_rate
                .is_some_and(|cap| r.saturation.rate >= 0.95 * cap * r.pairs as f64)
        })
    }
}
