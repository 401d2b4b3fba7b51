//! The Disconnect-Request sender (RFC 5176) against a real Dynamic Authorization Server: a
//! FreeRADIUS configured as one (`deploy/freeradius/nas-simulator`), which checks both
//! authenticators and requires a Message-Authenticator, and a silent UDP socket for a NAS
//! that never answers.

use integration_tests::nas::{NasAnswer, NasSimulator};
use radius::disconnect::packet::{Answer, SessionIdentity};
use radius::disconnect::sender::{DisconnectTarget, RetryPolicy, send_disconnect};
use std::time::Duration;

fn session() -> SessionIdentity {
    SessionIdentity {
        user_name: "0a1b2c3d4e5f".into(),
        calling_station_id: "0A-1B-2C-3D-4E-5F".into(),
        acct_session_id: "6560A1B2-0000002A".into(),
        nas_ip: Some("127.0.0.1".parse().expect("address")),
    }
}

fn target(nas: &NasSimulator, secret: &str) -> DisconnectTarget {
    DisconnectTarget {
        address: ([127, 0, 0, 1], nas.port).into(),
        secret: runtime::Secret::new(secret),
    }
}

const SECRET: &str = "nas-simulator-secret-0123";

const QUICK: RetryPolicy = RetryPolicy {
    tries: 3,
    first_wait: Duration::from_millis(200),
};

#[tokio::test]
async fn a_nas_that_acknowledges_ends_the_session_in_one_request() -> anyhow::Result<()> {
    let nas = NasSimulator::start(NasAnswer::Ack, SECRET).await?;
    let exchange = send_disconnect(&target(&nas, &nas.secret), &session(), QUICK).await?;
    assert_eq!(exchange.answer, Answer::Acked);
    assert_eq!(exchange.sent, 1);
    let line = nas
        .wait_for_disconnect(&["Disconnect-Request"], Duration::from_secs(5))
        .await?;
    assert_eq!(
        line,
        "Disconnect-Request user-name=0a1b2c3d4e5f calling-station-id=0A-1B-2C-3D-4E-5F \
         acct-session-id=6560A1B2-0000002A nas-ip-address=127.0.0.1"
    );
    Ok(())
}

#[tokio::test]
async fn a_nas_that_refuses_answers_a_nak_with_its_error_cause() -> anyhow::Result<()> {
    let nas = NasSimulator::start(NasAnswer::Nak, SECRET).await?;
    let exchange = send_disconnect(&target(&nas, &nas.secret), &session(), QUICK).await?;
    assert_eq!(
        exchange.answer,
        Answer::Nacked {
            error_cause: Some(503)
        }
    );
    assert_eq!(exchange.sent, 1);
    Ok(())
}

#[tokio::test]
async fn a_request_signed_with_another_secret_is_dropped_by_the_nas() -> anyhow::Result<()> {
    let nas = NasSimulator::start(NasAnswer::Ack, SECRET).await?;
    let exchange = send_disconnect(&target(&nas, "not-the-nas-secret"), &session(), QUICK).await?;
    assert_eq!(exchange.answer, Answer::NoAnswer);
    assert_eq!(exchange.sent, 3);
    assert_eq!(nas.disconnects()?, Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn a_silent_nas_gets_the_same_request_each_try_then_no_answer() -> anyhow::Result<()> {
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let target = DisconnectTarget {
        address: silent.local_addr()?,
        secret: runtime::Secret::new("silent-secret"),
    };
    let started = std::time::Instant::now();
    let sending = tokio::spawn(async move { send_disconnect(&target, &session(), QUICK).await });
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while received.len() < 3 {
        let (length, _) =
            tokio::time::timeout(Duration::from_secs(5), silent.recv_from(&mut buffer)).await??;
        received.push(buffer[..length].to_vec());
    }
    let exchange = sending.await??;
    assert_eq!(exchange.answer, Answer::NoAnswer);
    assert_eq!(exchange.sent, 3);
    assert!(
        received.iter().all(|datagram| datagram == &received[0]),
        "a retransmission repeats the request byte for byte"
    );
    // 200 ms, 400 ms, 800 ms of waiting.
    assert!(started.elapsed() >= Duration::from_millis(1400));
    Ok(())
}
