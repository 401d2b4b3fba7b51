//! A revocation is seen within a second of the commit, whether the answer came through Lanyard
//! or from FreeRADIUS's memory (which forgets it within milliseconds).

use super::*;
use std::time::{Duration, Instant};

/// From the moment the suspension is committed (visible in the read model) to the first
/// Reject: within one second, measured.
#[tokio::test]
async fn a_suspended_member_is_rejected_within_a_second_of_the_commit() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Aruba).await?;
    radius.suspend_jean().await?;
    let committed = Instant::now();
    loop {
        let exchange = radius.ask(JEAN_MAC).await?;
        if exchange.rejected() {
            assert_rejected(&radius, &exchange);
            break;
        }
        assert!(
            committed.elapsed() < Duration::from_secs(1),
            "still accepted {:?} after the commit",
            committed.elapsed()
        );
    }
    assert!(
        committed.elapsed() < Duration::from_secs(1),
        "{:?}",
        committed.elapsed()
    );
    Ok(())
}
