//! The Disconnect-Request (RFC 5176) to the NAS holding a session, sent over UDP and
//! retransmitted with backoff until the NAS answers or the tries are spent; the answer
//! cache's CoA-Requests to FreeRADIUS go the same way ([`send_request`]).

use super::packet::{
    Answer, EncodeError, MAX_PACKET_LENGTH, SessionIdentity, encode_request, read_answer,
};

use runtime::Secret;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::time::Instant;

/// Unix seconds now: the Event-Timestamp of a request.
pub fn event_timestamp() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u32::try_from(since.as_secs()).unwrap_or(u32::MAX)
        })
}

/// Where a request goes and the secret it is signed with: a NAS's registry address and CoA
/// port, or FreeRADIUS's answer-cache listener.
#[derive(Clone, Debug)]
pub struct DisconnectTarget {
    pub address: SocketAddr,
    pub secret: Secret,
}

/// How often and how patiently to ask: `tries` sends, waiting `first_wait` for an answer
/// after the first and twice as long after each next one (1 s, 2 s, 4 s by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub tries: u32,
    pub first_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            tries: 3,
            first_wait: Duration::from_secs(1),
        }
    }
}

/// An answer and how many Disconnect-Requests it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub answer: Answer,
    pub sent: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the request cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
    #[error("UDP to {address}: {source}")]
    Socket {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// Sends the Disconnect-Request for `session` to `target` and waits for its answer.
pub async fn send_disconnect(
    target: &DisconnectTarget,
    session: &SessionIdentity,
    policy: RetryPolicy,
) -> Result<Exchange, SendError> {
    let request = encode_request(rand::random(), session, event_timestamp(), &target.secret)?;
    send_request(target, &request, policy).await
}

/// Sends `request` (signed with `target.secret`) and waits for its answer, resending the same
/// packet (same identifier and authenticator, RFC 5080 §2.2.1) on each timeout.
pub async fn send_request(
    target: &DisconnectTarget,
    request: &[u8],
    policy: RetryPolicy,
) -> Result<Exchange, SendError> {
    let socket_error = |source| SendError::Socket {
        address: target.address,
        source,
    };
    let local: SocketAddr = if target.address.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await.map_err(socket_error)?;
    socket.connect(target.address).await.map_err(socket_error)?;
    let mut wait = policy.first_wait;
    let mut buffer = vec![0u8; MAX_PACKET_LENGTH + 1];
    for sent in 1..=policy.tries.max(1) {
        socket.send(request).await.map_err(socket_error)?;
        let deadline = Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, socket.recv(&mut buffer)).await {
                Err(_elapsed) => break,
                // An ICMP port unreachable reads as an error on a connected socket: no
                // listener there now, which the next try may find.
                Ok(Err(e)) => {
                    tracing::debug!(nas = %target.address, error = %e, "no listener there");
                    tokio::time::sleep_until(deadline).await;
                    break;
                }
                Ok(Ok(length)) => match read_answer(&buffer[..length], request, &target.secret) {
                    Some(answer) => return Ok(Exchange { answer, sent }),
                    None => tracing::warn!(
                        nas = %target.address,
                        length,
                        "a datagram that is not the answer, ignored"
                    ),
                },
            }
        }
        wait = wait.saturating_mul(2);
    }
    Ok(Exchange {
        answer: Answer::NoAnswer,
        sent: policy.tries.max(1),
    })
}
