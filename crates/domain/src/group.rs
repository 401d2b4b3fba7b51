//! The group aggregate (`group-{org}-{team}` stream): one group per Optix team, holding one VLAN
//! for the team's whole life (rule 4). The VLAN is picked at the edge from the pool and the
//! groups alive (see `policy::allocate_vlan`); the database refuses a VLAN held twice.

use crate::aggregate::Aggregate;
use crate::events::Event;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub live: bool,
    pub name: String,
    pub vlan: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupCommand {
    /// The team exists in Optix: create its group (with `vlan`, the free VLAN the edge picked)
    /// or follow a rename. A live group keeps its VLAN; one that has none gets `vlan`.
    Ensure {
        team_id: String,
        name: String,
        vlan: Option<u16>,
    },
    /// The team is gone from Optix.
    Delete { team_id: String },
}

impl Aggregate for Group {
    type Command = GroupCommand;
    type Error = std::convert::Infallible;

    fn decide(&self, command: GroupCommand) -> Result<Vec<Event>, Self::Error> {
        Ok(decide(self, command))
    }

    fn evolve(self, event: &Event) -> Self {
        evolve(self, event)
    }
}

pub fn decide(state: &Group, command: GroupCommand) -> Vec<Event> {
    match command {
        GroupCommand::Ensure {
            team_id,
            name,
            vlan,
        } => {
            if !state.live {
                return vec![Event::GroupCreated {
                    team_id,
                    name,
                    vlan,
                }];
            }
            let mut events = Vec::new();
            if state.name != name {
                events.push(Event::GroupRenamed { name });
            }
            if let (None, Some(vlan)) = (state.vlan, vlan) {
                events.push(Event::GroupVlanAssigned { vlan });
            }
            events
        }
        GroupCommand::Delete { team_id } => {
            if state.live {
                vec![Event::GroupDeleted { team_id }]
            } else {
                vec![]
            }
        }
    }
}

pub fn evolve(mut state: Group, event: &Event) -> Group {
    match event {
        Event::GroupCreated { name, vlan, .. } => {
            state = Group {
                live: true,
                name: name.clone(),
                vlan: *vlan,
            };
        }
        Event::GroupRenamed { name } => state.name = name.clone(),
        Event::GroupVlanAssigned { vlan } => state.vlan = Some(*vlan),
        Event::GroupDeleted { .. } => state = Group::default(),
        _ => {}
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ensure(name: &str, vlan: Option<u16>) -> GroupCommand {
        GroupCommand::Ensure {
            team_id: "123123".into(),
            name: name.into(),
            vlan,
        }
    }

    #[test]
    fn a_team_becomes_a_group_with_its_vlan_which_stays_for_the_teams_life() {
        let created = decide(&Group::default(), ensure("The Cube Team", Some(101)));
        assert_eq!(
            created,
            vec![Event::GroupCreated {
                team_id: "123123".into(),
                name: "The Cube Team".into(),
                vlan: Some(101)
            }]
        );
        let state = created.iter().fold(Group::default(), evolve);
        // Later ensures (with whatever VLAN is free then) never move it.
        assert_eq!(decide(&state, ensure("The Cube Team", Some(105))), vec![]);
        let renamed = decide(&state, ensure("Cube", Some(105)));
        assert_eq!(
            renamed,
            vec![Event::GroupRenamed {
                name: "Cube".into()
            }]
        );
        let state = renamed.iter().fold(state, evolve);
        assert_eq!(state.vlan, Some(101));
    }

    #[test]
    fn a_group_without_a_vlan_gets_one_when_the_pool_has_room() {
        let state = [Event::GroupCreated {
            team_id: "123123".into(),
            name: "T".into(),
            vlan: None,
        }]
        .iter()
        .fold(Group::default(), evolve);
        assert_eq!(decide(&state, ensure("T", None)), vec![]);
        let assigned = decide(&state, ensure("T", Some(102)));
        assert_eq!(assigned, vec![Event::GroupVlanAssigned { vlan: 102 }]);
        let state = assigned.iter().fold(state, evolve);
        assert_eq!(decide(&state, ensure("T", Some(103))), vec![]);
    }

    #[test]
    fn a_deleted_team_frees_its_group_once() {
        let state = [Event::GroupCreated {
            team_id: "123123".into(),
            name: "T".into(),
            vlan: Some(101),
        }]
        .iter()
        .fold(Group::default(), evolve);
        let delete = GroupCommand::Delete {
            team_id: "123123".into(),
        };
        let deleted = decide(&state, delete.clone());
        assert_eq!(
            deleted,
            vec![Event::GroupDeleted {
                team_id: "123123".into()
            }]
        );
        let state = deleted.iter().fold(state, evolve);
        assert_eq!(decide(&state, delete), vec![]);
    }
}
