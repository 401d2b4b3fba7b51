//! The organization aggregate (`org-{org}` stream): the Optix app installation and its token.

use crate::events::{Event, Sealed};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    pub installed: bool,
    pub token: Option<Sealed>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrganizationCommand {
    /// `app_install` or `organization_token_updated`; `token_fingerprint` is a keyed hash of the
    /// token so a redelivered token is recognised without decrypting the stored one.
    RecordToken {
        org_id: String,
        token: Sealed,
        token_fingerprint: String,
        current_fingerprint: Option<String>,
    },
    Uninstall {
        org_id: String,
    },
}

pub fn decide(state: &Organization, command: OrganizationCommand) -> Vec<Event> {
    match command {
        OrganizationCommand::RecordToken {
            org_id,
            token,
            token_fingerprint,
            current_fingerprint,
        } => {
            if !state.installed {
                vec![Event::IntegrationConfigured { org_id, token }]
            } else if current_fingerprint.as_deref() == Some(token_fingerprint.as_str()) {
                vec![]
            } else {
                vec![Event::OrganizationTokenRotated { org_id, token }]
            }
        }
        OrganizationCommand::Uninstall { org_id } => {
            if state.installed {
                vec![Event::AppUninstalled { org_id }]
            } else {
                vec![]
            }
        }
    }
}

pub fn evolve(mut state: Organization, event: &Event) -> Organization {
    match event {
        Event::IntegrationConfigured { token, .. }
        | Event::OrganizationTokenRotated { token, .. } => {
            state.installed = true;
            state.token = Some(token.clone());
        }
        Event::AppUninstalled { .. } => state = Organization::default(),
        _ => {}
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(tag: &str) -> Sealed {
        Sealed {
            key: "master".into(),
            nonce: tag.into(),
            ciphertext: tag.into(),
        }
    }
    fn record(tag: &str, fp: &str, current: Option<&str>) -> OrganizationCommand {
        OrganizationCommand::RecordToken {
            org_id: "6267".into(),
            token: token(tag),
            token_fingerprint: fp.into(),
            current_fingerprint: current.map(str::to_owned),
        }
    }

    #[test]
    fn install_then_rotation_then_redelivery() {
        let s0 = Organization::default();
        let e1 = decide(&s0, record("a", "fa", None));
        assert_eq!(
            e1,
            vec![Event::IntegrationConfigured {
                org_id: "6267".into(),
                token: token("a")
            }]
        );
        let s1 = e1.iter().fold(s0, evolve);
        assert_eq!(decide(&s1, record("a2", "fa", Some("fa"))), vec![]);
        let e2 = decide(&s1, record("b", "fb", Some("fa")));
        assert_eq!(
            e2,
            vec![Event::OrganizationTokenRotated {
                org_id: "6267".into(),
                token: token("b")
            }]
        );
    }

    #[test]
    fn uninstall_forgets_the_token() {
        let s = [Event::IntegrationConfigured {
            org_id: "6267".into(),
            token: token("a"),
        }]
        .iter()
        .fold(Organization::default(), evolve);
        let events = decide(
            &s,
            OrganizationCommand::Uninstall {
                org_id: "6267".into(),
            },
        );
        let s = events.iter().fold(s, evolve);
        assert_eq!(s, Organization::default());
    }
}
