//! Reading the cobrowse family's values: the sharing state and the
//! sharing events of the log.

use protocol::{ShareAction, ShareState};

pub(super) fn share_state(s: &str) -> Option<ShareState> {
    match s {
        "off" => Some(ShareState::Off),
        "requested" => Some(ShareState::Requested),
        "active" => Some(ShareState::Active),
        _ => None,
    }
}

pub(super) fn share_action(s: &str) -> Option<ShareAction> {
    match s {
        "requested" => Some(ShareAction::Requested),
        "started" => Some(ShareAction::Started),
        "denied" => Some(ShareAction::Denied),
        "stopped" => Some(ShareAction::Stopped),
        _ => None,
    }
}
