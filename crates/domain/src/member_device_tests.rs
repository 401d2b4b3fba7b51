//! Given/when/then for a member's devices and disconnect history.

use super::tests::opened;
use super::*;
use crate::events::{Basis, GrantNetwork};
use crate::testing::at;

const NOW: &str = "2026-11-30T10:00:00Z";

/// A plan grant whose profile allows `limit` devices (None: the default), until `until`.
fn granted(id: &str, limit: Option<u16>, until: Option<&str>) -> Event {
    Event::AccessGranted {
        grant: GrantKey {
            basis: Basis::Plan,
            source_id: id.into(),
        },
        location_id: Some("3390".into()),
        valid_from: None,
        valid_until: until.map(at),
        network: Some(GrantNetwork {
            profile: "p".into(),
            vlan: None,
            bandwidth_up_kbps: None,
            bandwidth_down_kbps: None,
            device_limit: limit,
        }),
    }
}

fn mac(n: u8) -> Mac {
    format!("02:00:00:00:00:{n:02x}").parse().expect("mac")
}

fn added(n: u8) -> Event {
    Event::DeviceAdded {
        mac: mac(n),
        name: format!("device {n}"),
        bound_via: DeviceBinding::Tenant,
    }
}

fn given(history: &[Event]) -> Member {
    Member::from_events(history)
}

fn add(n: u8, taken: bool) -> MemberCommand {
    MemberCommand::AddDevice {
        mac: mac(n),
        name: format!(" device {n} "),
        via: DeviceBinding::Tenant,
        taken,
        now: at(NOW),
    }
}

fn bind(n: u8) -> MemberCommand {
    MemberCommand::BindDevice {
        mac: mac(n),
        via: DeviceBinding::Accounting,
        taken: false,
        now: at(NOW),
    }
}

fn history(extra: impl IntoIterator<Item = Event>) -> Vec<Event> {
    let mut events = opened();
    events.push(granted("1", None, None));
    events.extend(extra);
    events
}

#[test]
fn given_an_account_when_a_device_is_added_then_it_is_recorded_with_its_name_trimmed() {
    let state = given(&history([]));
    assert_eq!(state.decide(add(1, false)), Ok(vec![added(1)]));
    let state = state.evolve(&added(1));
    assert_eq!(state.devices.get(&mac(1)), Some(&DeviceBinding::Tenant));
}

#[test]
fn given_the_default_limit_reached_when_another_is_added_then_it_is_refused_with_the_limit() {
    let state = given(&history((1..=5).map(added)));
    assert_eq!(
        state.decide(add(6, false)),
        Err(MemberError::DeviceLimitReached(5))
    );
    assert_eq!(
        MemberError::DeviceLimitReached(5).to_string(),
        "You can register at most 5 devices; remove one first"
    );
    // The network binding a sixth device is refused the same way.
    assert_eq!(
        state.decide(bind(6)),
        Err(MemberError::DeviceLimitReached(5))
    );
}

#[test]
fn given_several_live_grants_then_the_largest_profile_limit_counts_and_expired_ones_do_not() {
    let mut events = opened();
    events.push(granted("1", Some(1), None));
    events.push(granted("2", Some(3), Some("2026-11-30T09:00:00Z")));
    events.push(added(1));
    let state = given(&events);
    assert_eq!(state.device_limit(at(NOW)), 1);
    assert_eq!(
        state.decide(add(2, false)),
        Err(MemberError::DeviceLimitReached(1))
    );
    let state = state.evolve(&granted("3", Some(3), None));
    assert_eq!(state.device_limit(at(NOW)), 3);
    assert_eq!(state.decide(add(2, false)).map(|e| e.len()), Ok(1));
    // No live grant at all: the default.
    assert_eq!(given(&opened()).device_limit(at(NOW)), 5);
}

#[test]
fn given_a_mac_of_another_member_when_it_is_added_or_bound_then_it_is_refused_as_taken() {
    let state = given(&history([]));
    assert_eq!(
        state.decide(add(1, true)),
        Err(MemberError::DeviceTaken("02:00:00:00:00:01".into()))
    );
    let taken_bind = MemberCommand::BindDevice {
        mac: mac(1),
        via: DeviceBinding::Handshake,
        taken: true,
        now: at(NOW),
    };
    assert_eq!(
        state.decide(taken_bind),
        Err(MemberError::DeviceTaken("02:00:00:00:00:01".into()))
    );
}

#[test]
fn given_a_device_when_it_is_added_again_then_it_is_refused_but_binding_it_again_is_a_no_op() {
    let state = given(&history([added(1)]));
    assert_eq!(
        state.decide(add(1, false)),
        Err(MemberError::DeviceAlreadyAdded("02:00:00:00:00:01".into()))
    );
    assert_eq!(state.decide(bind(1)), Ok(vec![]));
}

#[test]
fn given_an_unknown_mac_when_the_network_binds_it_then_it_gets_a_made_up_name() {
    let state = given(&history([]));
    assert_eq!(
        state.decide(bind(7)),
        Ok(vec![Event::DeviceAdded {
            mac: mac(7),
            name: "Device 02:00:00:00:00:07".into(),
            bound_via: DeviceBinding::Accounting,
        }])
    );
}

#[test]
fn bad_device_names_are_refused() {
    let state = given(&history([]));
    for (name, error) in [
        ("  ", DeviceNameError::Empty),
        ("tab\there", DeviceNameError::ControlCharacter),
    ] {
        let command = MemberCommand::AddDevice {
            mac: mac(1),
            name: name.into(),
            via: DeviceBinding::Admin,
            taken: false,
            now: at(NOW),
        };
        assert_eq!(state.decide(command), Err(MemberError::DeviceName(error)));
    }
}

#[test]
fn given_a_device_when_it_is_removed_then_it_is_gone_and_removing_it_again_is_refused() {
    let state = given(&history([added(1)]));
    let remove = MemberCommand::RemoveDevice {
        mac: mac(1),
        by: DeviceRemover::Admin,
    };
    let events = state.decide(remove.clone()).expect("remove");
    assert_eq!(
        events,
        vec![Event::DeviceRemoved {
            mac: mac(1),
            by: DeviceRemover::Admin
        }]
    );
    let state = events.iter().fold(state, Member::evolve);
    assert!(state.devices.is_empty());
    assert_eq!(
        state.decide(remove),
        Err(MemberError::NoSuchDevice("02:00:00:00:00:01".into()))
    );
}

#[test]
fn given_no_account_or_a_deleted_one_then_devices_are_refused_and_deletion_forgets_them() {
    assert_eq!(
        Member::default().decide(add(1, false)),
        Err(MemberError::NoAccount)
    );
    assert_eq!(
        Member::default().decide(bind(1)),
        Err(MemberError::NoAccount)
    );
    let deleted = given(&history([added(1), Event::AccountDeleted]));
    assert!(deleted.devices.is_empty());
    assert_eq!(deleted.decide(add(1, false)), Err(MemberError::NoAccount));
}

#[test]
fn disconnects_are_recorded_as_history_even_for_a_deleted_account() {
    let requested = DisconnectRecord::Requested {
        nas_id: "lobby".into(),
        session_id: "5a1".into(),
        mac: mac(1),
    };
    let answered = DisconnectRecord::Answered {
        nas_id: "lobby".into(),
        session_id: "5a1".into(),
        outcome: DisconnectOutcome::NoAnswer,
    };
    let deleted = given(&history([Event::AccountDeleted]));
    assert_eq!(
        deleted.decide(MemberCommand::RecordDisconnect(requested.clone())),
        Ok(vec![Event::SessionDisconnectRequested {
            nas_id: "lobby".into(),
            session_id: "5a1".into(),
            mac: mac(1),
        }])
    );
    assert_eq!(
        deleted.decide(MemberCommand::RecordDisconnect(answered)),
        Ok(vec![Event::SessionDisconnectAnswered {
            nas_id: "lobby".into(),
            session_id: "5a1".into(),
            outcome: DisconnectOutcome::NoAnswer,
        }])
    );
    assert_eq!(
        Member::default().decide(MemberCommand::RecordDisconnect(requested)),
        Err(MemberError::NoAccount)
    );
}
