//! The TURN server's socket, wrapped to log the requests it refuses. The
//! auth handler sees only usernames; a forged password is found out later,
//! when the server checks the request's MESSAGE-INTEGRITY, and answered with
//! an error the `turn` crate does not log. Reading our own error responses on
//! the way out catches every refusal, whatever its cause.

use std::net::SocketAddr;

use super::filtered::DatagramFilter;

/// Logs the error responses worth logging; sends everything.
pub struct RefusalLog;

impl DatagramFilter for RefusalLog {
    fn outgoing(&self, datagram: &[u8], target: SocketAddr) -> bool {
        if let Some((method, code)) = refusal(datagram) {
            tracing::warn!(client = %target, method, code, "TURN request refused");
        }
        true
    }
}

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const ERROR_CODE: u16 = 0x0009;

/// The method and code of a STUN error response worth logging: not the
/// 401 and 438 that are the normal first step of authentication, nor the
/// 403 to a refused peer, which the screen logs with its peer (screen.rs).
fn refusal(packet: &[u8]) -> Option<(&'static str, u16)> {
    if packet.len() < 20 || packet[0] & 0xc0 != 0 || packet[4..8] != MAGIC_COOKIE {
        return None;
    }
    let typ = u16::from_be_bytes([packet[0], packet[1]]);
    if typ & 0x0110 != 0x0110 {
        return None; // not an error response
    }
    let method = (typ & 0x000f) | ((typ & 0x00e0) >> 1) | ((typ & 0x3e00) >> 2);
    let end = (20 + usize::from(u16::from_be_bytes([packet[2], packet[3]]))).min(packet.len());
    let mut at = 20;
    while at + 4 <= end {
        let kind = u16::from_be_bytes([packet[at], packet[at + 1]]);
        let len = usize::from(u16::from_be_bytes([packet[at + 2], packet[at + 3]]));
        let value = packet.get(at + 4..at + 4 + len)?;
        if kind == ERROR_CODE && len >= 4 {
            let code = u16::from(value[2] & 0x07) * 100 + u16::from(value[3]);
            let name = match method {
                0x001 => "binding",
                0x003 => "allocate",
                0x004 => "refresh",
                0x008 => "create_permission",
                0x009 => "channel_bind",
                _ => "other",
            };
            return (!matches!(code, 401 | 403 | 438)).then_some((name, code));
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Allocate error response (0x0113) carrying ERROR-CODE `code`.
    fn allocate_error(code: u16) -> Vec<u8> {
        let mut p = vec![0x01, 0x13, 0x00, 0x08];
        p.extend(MAGIC_COOKIE);
        p.extend([7u8; 12]);
        p.extend([
            0x00,
            0x09,
            0x00,
            0x04,
            0,
            0,
            (code / 100) as u8,
            (code % 100) as u8,
        ]);
        p
    }

    #[test]
    fn refusals_are_read_from_error_responses() {
        assert_eq!(refusal(&allocate_error(400)), Some(("allocate", 400)));
        assert_eq!(refusal(&allocate_error(401)), None);
        assert_eq!(refusal(&allocate_error(438)), None);
        // A success response (0x0103), channel data, garbage.
        let mut ok = allocate_error(400);
        ok[1] = 0x03;
        assert_eq!(refusal(&ok), None);
        assert_eq!(refusal(&[0x40, 0, 0, 4, 1, 2, 3, 4]), None);
        assert_eq!(refusal(&allocate_error(400)[..22]), None);
    }
}
