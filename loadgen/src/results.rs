//! The one JSON line each scenario prints on stdout. `cargo xtask bench`
//! gathers the lines into a file that `report` turns into docs/benchmarks.md.

use serde::{Deserialize, Serialize};

use crate::failover::FailoverRun;
use crate::idle::IdleRun;
use crate::logins::LoginRun;
use crate::pairing::PairingRun;
use crate::persist::PersistRun;
use crate::relay::RelayRun;
use crate::soak::SoakRun;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum Outcome {
    Relay(Box<RelayRun>),
    Idle(IdleRun),
    Pairing(PairingRun),
    Persist(PersistRun),
    Logins(LoginRun),
    /// Writes its own section of the report (soak/report.rs).
    Soak(Box<SoakRun>),
    /// In the cluster section (report/cluster.rs).
    Failover(FailoverRun),
}

impl Outcome {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("results serialise")
    }
}
