//! The handshake matcher's keys read from the read models (issue 17): each member's PMK at the
//! SSIDs of the locations that may admit them. (The handshake endpoint is not built yet.)

use super::*;
use radius::handshake_keys::{self, MemberKeys, SetId};

async fn loaded(radius: &Radius, user_id: Option<&str>) -> anyhow::Result<Vec<MemberKeys>> {
    let stack = &radius.stack;
    Ok(handshake_keys::load(&stack.pool, &stack.keys, DEMO_ORG, user_id).await?)
}

fn place(location_id: &str) -> SetId {
    SetId {
        org_id: DEMO_ORG.into(),
        location_id: location_id.into(),
        ssid: "members".into(),
    }
}

/// Richard (single location, Gastown) and Jean (hot desk) both have a key on Gastown's SSID
/// once a NAS broadcasts it there, and it is their passphrase's PMK; Trastevere, with no NAS,
/// holds none; Jean's suspension leaves her no key anywhere.
#[tokio::test]
async fn each_member_s_pmk_is_kept_at_the_ssids_of_the_locations_that_may_admit_them()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    let everyone = loaded(&radius, None).await?;
    for user_id in [RICHARD, JEAN] {
        let keys = everyone
            .iter()
            .find(|keys| keys.user_id() == user_id)
            .ok_or_else(|| anyhow::anyhow!("{user_id} has no handshake keys"))?;
        let pmk = ::handshake::pmk(&radius.passphrase(user_id).await?, b"members")?;
        assert_eq!(
            keys.pmk_at(&place(GASTOWN)),
            Some(&pmk),
            "{user_id} at Gastown"
        );
        assert_eq!(
            keys.pmk_at(&place(TRASTEVERE)),
            None,
            "{user_id}: no NAS at Trastevere"
        );
    }
    radius.suspend_jean().await?;
    let jean = loaded(&radius, Some(JEAN)).await?;
    assert_eq!(jean.len(), 1, "Jean still has a passphrase");
    assert_eq!(jean[0].pmk_at(&place(GASTOWN)), None, "suspended: no key");
    Ok(())
}
