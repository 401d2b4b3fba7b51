//! The location's roaming policy decides whether a member gets a key from its NAS.

use super::*;
use domain::RoamingPolicy;
use integration_tests::stack::location_settings;

async fn set_roaming(radius: &Radius, roaming: RoamingPolicy) -> anyhow::Result<()> {
    let mut trastevere = location_settings("Trastevere", "trastevere-members", "Europe/Rome");
    trastevere.roaming = roaming;
    radius
        .stack
        .map_location(DEMO_ORG, TRASTEVERE, trastevere)
        .await
}

/// Richard's desk is in Gastown (his home, his plan's location); Jean's hot desk is valid
/// everywhere and binds her nowhere. At Trastevere's NAS: `single_location` admits Jean only,
/// `all_locations` both, `by_plan` Jean only (her plan is for every location); at Gastown's,
/// Richard is always at home.
#[tokio::test]
async fn single_all_and_by_plan_roaming_each_admit_whom_they_should() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    let richard = radius
        .stack
        .member(DEMO_ORG, RICHARD)
        .await?
        .expect("Richard");
    assert_eq!(richard.home_location.as_deref(), Some(GASTOWN));
    let jean = radius.stack.member(DEMO_ORG, JEAN).await?.expect("Jean");
    assert_eq!(jean.home_location, None, "a hot desk binds to no location");
    radius.add_device(DEMO_ORG, RICHARD, RICHARD_MAC).await?;
    radius.add_device(DEMO_ORG, JEAN, JEAN_MAC).await?;
    radius
        .register_nas(DEMO_ORG, "rome", TRASTEVERE, NasDialect::Hostapd)
        .await?;
    for (roaming, richard_admitted, jean_admitted) in [
        (RoamingPolicy::SingleLocation, false, true),
        (RoamingPolicy::AllLocations, true, true),
        (RoamingPolicy::ByPlan, false, true),
    ] {
        set_roaming(&radius, roaming).await?;
        for (who, mac, admitted) in [
            ("Richard", RICHARD_MAC, richard_admitted),
            ("Jean", JEAN_MAC, jean_admitted),
        ] {
            let exchange = radius.ask_until(mac, |e| e.accepted() == admitted).await?;
            assert_eq!(
                exchange.accepted(),
                admitted,
                "{who} under {roaming:?}:\n{}",
                exchange.output
            );
            if !admitted {
                assert_rejected(&radius, &exchange);
            }
        }
    }
    radius
        .register_nas(DEMO_ORG, "rome", GASTOWN, NasDialect::Hostapd)
        .await?;
    assert_accepted(&radius, &radius.ask(RICHARD_MAC).await?);
    Ok(())
}
