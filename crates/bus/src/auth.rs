//! Who may do what on the bus. Every service connects with its own NATS identity (an NKey:
//! the server knows only public keys, each service holds its seed) and nats-server grants each
//! identity the least publish/subscribe permissions its job needs. What is not allowed is
//! denied, so a leaked portal seed cannot read webhooks (tokens, emails) nor send an operator's
//! commands, and nobody can connect without a seed at all.
//!
//! [`authorization_conf`] writes the nats-server `authorization` block; `lanyard nats-auth DIR`
//! (and the test harness) generate the seeds and that block together.

use crate::{EVENTS_STREAM, INSTALLATIONS_BUCKET, WEBHOOK_SUBJECTS};
use std::path::{Path, PathBuf};

/// A NATS identity: one per service, plus `ops` for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    Ingest,
    Provision,
    Portal,
    Cli,
    /// The RADIUS service (FreeRADIUS's `rlm_rest` endpoint).
    Radius,
    /// The controllers service (cloud WiFi controllers): reads the events stream, reports a
    /// vendor's key limit as a command.
    Controllers,
    /// Unrestricted, for an operator's `nats` CLI, the test harness and the benchmarks'
    /// inspection of streams. No Lanyard service runs as ops; keep its seed offline.
    Ops,
}

impl Identity {
    pub const ALL: [Identity; 7] = [
        Identity::Ingest,
        Identity::Provision,
        Identity::Portal,
        Identity::Cli,
        Identity::Radius,
        Identity::Controllers,
        Identity::Ops,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Identity::Ingest => "ingest",
            Identity::Provision => "provision",
            Identity::Portal => "portal",
            Identity::Cli => "cli",
            Identity::Radius => "radius",
            Identity::Controllers => "controllers",
            Identity::Ops => "ops",
        }
    }

    /// Each identity receives replies on its own inbox prefix, and may subscribe only there:
    /// nobody reads another service's replies (a portal seed cannot watch the CLI's answers).
    pub fn inbox_prefix(self) -> String {
        format!("_INBOX.{}", self.name())
    }

    /// The seed's file name in a credentials directory.
    pub fn seed_file_name(self) -> String {
        format!("{}.nk", self.name())
    }

    /// Which command subjects this identity sends on (None: it sends no commands).
    pub fn command_sender(self) -> Option<crate::commands::Sender> {
        match self {
            Identity::Portal => Some(crate::commands::Sender::Portal),
            Identity::Cli => Some(crate::commands::Sender::Cli),
            Identity::Radius => Some(crate::commands::Sender::Radius),
            Identity::Controllers => Some(crate::commands::Sender::Controllers),
            _ => None,
        }
    }

    /// Whether this identity may look at the webhook stream (readiness checks use it).
    pub fn sees_webhook_stream(self) -> bool {
        !matches!(
            self,
            Identity::Portal | Identity::Radius | Identity::Controllers
        )
    }

    /// Subjects this identity may never publish to, even where a wildcard of its permissions
    /// matches them: radius, which names its instances' consumers freely, never touches the
    /// other services' consumers of the events stream.
    pub fn publish_denied(self) -> Vec<Rule> {
        if self != Identity::Radius {
            return Vec::new();
        }
        let events = EVENTS_STREAM;
        [crate::NOTIFY_CONSUMER, crate::CONTROLLERS_CONSUMER]
            .into_iter()
            .flat_map(|consumer| {
                [
                    format!("$JS.API.CONSUMER.*.{events}.{consumer}"),
                    format!("$JS.API.CONSUMER.*.{events}.{consumer}.>"),
                    format!("$JS.API.CONSUMER.MSG.NEXT.{events}.{consumer}"),
                    format!("$JS.ACK.{events}.{consumer}.>"),
                ]
            })
            .map(|subject| rule(subject, "another service's consumer of the events stream"))
            .collect()
    }

    /// The permissions nats-server enforces for this identity (None: unrestricted, ops).
    /// JetStream API subjects use the default `$JS.API` prefix; `webhook_stream` is the
    /// configured webhook stream's name (`nats.webhook_stream`).
    pub fn permissions(self, webhook_stream: &str) -> Option<Permissions> {
        let names = Names {
            w: webhook_stream,
            kv: format!("KV_{INSTALLATIONS_BUCKET}"),
            inbox: format!("{}.>", self.inbox_prefix()),
        };
        match self {
            Identity::Ingest => Some(ingest_permissions(&names)),
            Identity::Provision => Some(provision_permissions(&names)),
            Identity::Portal => Some(portal_permissions(&names)),
            Identity::Cli => Some(cli_permissions(&names)),
            Identity::Radius => Some(radius_permissions(&names)),
            Identity::Controllers => Some(controllers_permissions(&names)),
            Identity::Ops => None,
        }
    }
}

/// The names permissions are written with: the webhook stream, the installations bucket's
/// stream and the identity's inbox subjects.
struct Names<'a> {
    w: &'a str,
    kv: String,
    inbox: String,
}

fn rule(subject: String, why: &'static str) -> Rule {
    Rule { subject, why }
}

/// ingest publishes webhooks and keeps the installations bucket.
fn ingest_permissions(names: &Names) -> Permissions {
    let Names { w, kv, inbox } = names;
    let inbox = inbox.clone();
    Permissions {
        publish: vec![
            rule(
                WEBHOOK_SUBJECTS.into(),
                "the webhooks it accepted (JetStream publish; the ack comes to its inbox)",
            ),
            rule(
                format!("$JS.API.STREAM.INFO.{w}"),
                "readiness, and looking the webhook stream up before creating it",
            ),
            rule(
                format!("$JS.API.STREAM.CREATE.{w}"),
                "creates the webhook stream when it starts before provision",
            ),
            rule(
                format!("$JS.API.STREAM.UPDATE.{w}"),
                "moves a webhook stream made earlier to the configured retention",
            ),
            rule(
                format!("$JS.API.STREAM.INFO.{kv}"),
                "opens the installations bucket",
            ),
            rule(
                format!("$JS.API.STREAM.CREATE.{kv}"),
                "creates the installations bucket when missing",
            ),
            rule(
                "$JS.API.INFO".into(),
                "the account's limits, read before creating the bucket (no content)",
            ),
            rule(
                format!("$KV.{INSTALLATIONS_BUCKET}.>"),
                "records and forgets installations (KV put/delete)",
            ),
            rule(
                format!("$JS.API.DIRECT.GET.{kv}.>"),
                "looks an installation up (KV get)",
            ),
            rule(
                format!("$JS.API.CONSUMER.CREATE.{kv}"),
                "watches the bucket (an ordered consumer, recreated after a gap)",
            ),
            rule(
                format!("$JS.API.CONSUMER.CREATE.{kv}.>"),
                "the same, named form of the consumer API",
            ),
            rule(
                format!("$JS.API.CONSUMER.DELETE.{kv}.>"),
                "removes the watch's consumer when it is recreated",
            ),
            rule(
                format!("$JS.FC.{kv}.>"),
                "answers the watch's flow-control messages",
            ),
        ],
        subscribe: vec![rule(
            inbox,
            "its own replies: JetStream acks, API answers, the watch's deliveries",
        )],
        allow_responses: false,
    }
}

/// provision consumes webhooks, owns the streams, answers commands and relays events.
fn provision_permissions(names: &Names) -> Permissions {
    let Names { w, inbox, .. } = names;
    let inbox = inbox.clone();
    let mut publish = vec![rule(
        crate::EVENT_SUBJECTS.into(),
        "the relay's domain events (JetStream publish)",
    )];
    publish.extend(stream_owner_rules(names));
    publish.extend([
        rule(
            format!("$KV.{INSTALLATIONS_BUCKET}.>"),
            "records an install and forgets an uninstall once Optix confirmed it \
                 (KV put/delete)",
        ),
        rule(
            "$JS.API.INFO".into(),
            "the account's limits, read before creating the bucket (no content)",
        ),
        rule(
            format!("$JS.API.CONSUMER.INFO.{w}.>"),
            "its durable consumer's state (lookup, backlog metrics)",
        ),
        rule(
            format!("$JS.API.CONSUMER.CREATE.{w}.>"),
            "creates its durable consumer of the webhook stream",
        ),
        rule(
            format!("$JS.API.CONSUMER.DURABLE.CREATE.{w}.>"),
            "the same, older form of the consumer API",
        ),
        rule(format!("$JS.API.CONSUMER.MSG.NEXT.{w}.>"), "pulls webhooks"),
        rule(
            format!("$JS.ACK.{w}.>"),
            "acknowledges a webhook once its transaction committed",
        ),
    ]);
    Permissions {
        publish,
        subscribe: vec![
            rule(
                crate::commands::COMMAND_SUBJECTS.into(),
                "commands of the portal and the CLI (queue group `provision`)",
            ),
            rule(
                inbox,
                "its own replies: JetStream acks, API answers, pulled webhooks",
            ),
        ],
        // Answers a command on the reply subject of that very request, and nowhere else.
        allow_responses: true,
    }
}

/// What provision, which owns the streams and the bucket, does to them: look them up, create
/// them, and move them to the configured retention and replicas.
fn stream_owner_rules(names: &Names) -> Vec<Rule> {
    let Names { w, kv, .. } = names;
    let events = EVENTS_STREAM;
    vec![
        rule(
            format!("$JS.API.STREAM.INFO.{w}"),
            "readiness, backlog metrics, stream lookup",
        ),
        rule(
            format!("$JS.API.STREAM.CREATE.{w}"),
            "creates the webhook stream",
        ),
        rule(
            format!("$JS.API.STREAM.UPDATE.{w}"),
            "moves a webhook stream made earlier to the configured retention and replicas",
        ),
        rule(
            format!("$JS.API.STREAM.INFO.{events}"),
            "looks the events stream up",
        ),
        rule(
            format!("$JS.API.STREAM.CREATE.{events}"),
            "creates the events stream",
        ),
        rule(
            format!("$JS.API.STREAM.UPDATE.{events}"),
            "moves the events stream to the configured replicas",
        ),
        rule(
            format!("$JS.API.STREAM.INFO.{kv}"),
            "looks the installations bucket up",
        ),
        rule(
            format!("$JS.API.STREAM.CREATE.{kv}"),
            "creates the installations bucket",
        ),
        rule(
            format!("$JS.API.STREAM.UPDATE.{kv}"),
            "moves the installations bucket to the configured replicas",
        ),
    ]
}

/// The portal, facing the internet, sends its own commands and reads member events through
/// its one durable consumer (the tenant emails); nothing else.
fn portal_permissions(names: &Names) -> Permissions {
    let inbox = names.inbox.clone();
    let mut publish = vec![
        rule(
            crate::commands::Sender::Portal.subjects(),
            "its commands (for tenants and admins it authenticated)",
        ),
        rule(
            format!("$JS.API.STREAM.INFO.{EVENTS_STREAM}"),
            "looks the events stream up (member events trigger the tenant emails)",
        ),
    ];
    publish.extend(consumer_rules(
        crate::NOTIFY_CONSUMER,
        "its durable consumer of member events (tenant emails)",
        "pulls member events",
    ));
    Permissions {
        publish,
        subscribe: vec![rule(
            inbox,
            "provision's answers, JetStream API answers, pulled member events",
        )],
        allow_responses: false,
    }
}

/// What one durable consumer of the events stream needs: look itself up, be created with its
/// filter (named in the subject when it is one, not when several: `bus::event_type_filters`)
/// or have its filters changed, pull, and acknowledge (or ask again later).
fn consumer_rules(consumer: &str, consumer_why: &'static str, pull_why: &'static str) -> [Rule; 5] {
    let events = EVENTS_STREAM;
    [
        rule(
            format!("$JS.API.CONSUMER.INFO.{events}.{consumer}"),
            consumer_why,
        ),
        rule(
            format!("$JS.API.CONSUMER.CREATE.{events}.{consumer}"),
            consumer_why,
        ),
        rule(
            format!("$JS.API.CONSUMER.CREATE.{events}.{consumer}.>"),
            consumer_why,
        ),
        rule(
            format!("$JS.API.CONSUMER.MSG.NEXT.{events}.{consumer}"),
            pull_why,
        ),
        rule(
            format!("$JS.ACK.{events}.{consumer}.>"),
            "acknowledges an event once handled",
        ),
    ]
}

/// RADIUS reports what the network saw (devices bound, disconnects) as commands, nothing else.
fn radius_permissions(names: &Names) -> Permissions {
    let inbox = names.inbox.clone();
    let events = EVENTS_STREAM;
    let mut publish = vec![
        rule(
            crate::commands::Sender::Radius.subjects(),
            "its commands (bind_device, record_disconnect)",
        ),
        rule(
            format!("$JS.API.STREAM.INFO.{events}"),
            "looks the events stream up (revocations end sessions and refresh cached answers)",
        ),
    ];
    publish.extend(consumer_rules(
        crate::DISCONNECT_CONSUMER,
        "its durable consumer of member events (revocations), shared by its instances",
        "pulls member events",
    ));
    // Each instance's own consumer (`radius-instance-<instance>`): a subject wildcard cannot
    // match a name's prefix, so any consumer name is allowed on the events stream (which
    // radius reads whole anyway), except the other services' consumers
    // ([`Identity::publish_denied`]).
    publish.extend(consumer_rules(
        "*",
        "each instance's own consumer of all events (cached answers, handshake keys)",
        "pulls events",
    ));
    Permissions {
        publish,
        subscribe: vec![rule(
            inbox,
            "provision's answers, JetStream API answers, pulled events",
        )],
        allow_responses: false,
    }
}

/// Controllers follow the domain events through their own durable consumer and report a
/// vendor's key limit as a command, nothing else.
fn controllers_permissions(names: &Names) -> Permissions {
    let inbox = names.inbox.clone();
    let events = EVENTS_STREAM;
    let consumer = crate::CONTROLLERS_CONSUMER;
    Permissions {
        publish: vec![
            rule(
                crate::commands::Sender::Controllers.subjects(),
                "its command (report_controller_over_limit)",
            ),
            rule(
                format!("$JS.API.STREAM.INFO.{events}"),
                "looks the events stream up",
            ),
            rule(
                format!("$JS.API.CONSUMER.INFO.{events}.{consumer}"),
                "its durable consumer of the events: lookup",
            ),
            rule(
                format!("$JS.API.CONSUMER.CREATE.{events}.{consumer}.>"),
                "creates that consumer",
            ),
            rule(
                format!("$JS.API.CONSUMER.MSG.NEXT.{events}.{consumer}"),
                "pulls events",
            ),
            rule(
                format!("$JS.ACK.{events}.{consumer}.>"),
                "acknowledges events once their locations are reconciled",
            ),
        ],
        subscribe: vec![rule(
            inbox,
            "provision's answers, JetStream API answers, pulled events",
        )],
        allow_responses: false,
    }
}

/// The CLI sends operator commands and replays stored webhooks.
fn cli_permissions(names: &Names) -> Permissions {
    let Names { w, inbox, .. } = names;
    let inbox = inbox.clone();
    Permissions {
        publish: vec![
            rule(
                crate::commands::Sender::Cli.subjects(),
                "operator commands (`lanyard locations`, `plans`, `sync`)",
            ),
            rule(
                WEBHOOK_SUBJECTS.into(),
                "`lanyard webhooks replay` re-publishes stored webhooks",
            ),
            rule(
                format!("$JS.API.STREAM.INFO.{w}"),
                "replay looks the webhook stream up",
            ),
            rule(
                format!("$JS.API.CONSUMER.CREATE.{w}"),
                "replay reads the stream through an ephemeral consumer",
            ),
            rule(
                format!("$JS.API.CONSUMER.CREATE.{w}.>"),
                "the same, named form of the consumer API",
            ),
            rule(
                format!("$JS.API.CONSUMER.INFO.{w}.>"),
                "how many messages replay has to read",
            ),
            rule(
                format!("$JS.API.CONSUMER.MSG.NEXT.{w}.>"),
                "replay fetches the stored webhooks",
            ),
        ],
        subscribe: vec![rule(
            inbox,
            "its own replies: provision's answers, JetStream acks and API answers",
        )],
        allow_responses: false,
    }
}

/// One allowed subject and why the identity needs it (written as a comment in the config).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub subject: String,
    pub why: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permissions {
    pub publish: Vec<Rule>,
    pub subscribe: Vec<Rule>,
    /// May publish to the reply subject of a request it received (provision's answers).
    pub allow_responses: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("reading the NATS seed {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the NATS seed from {source_name} is not a valid user NKey seed (it starts with SU)")]
    InvalidSeed { source_name: String },
    #[error("writing {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("generating an NKey: {0}")]
    Generate(String),
}

/// The identity's seed from the settings: `nkey_seed`, else `nkey_seed_file`, else
/// `credentials_dir/<identity>.nk`; None when none is configured (a server without
/// authorization, which Lanyard's configurations never run).
pub fn seed_for(
    settings: &runtime::NatsSettings,
    identity: Identity,
) -> Result<Option<runtime::Secret>, AuthError> {
    let (seed, source_name) = if let Some(seed) = &settings.nkey_seed {
        (seed.clone(), "nats.nkey_seed".to_owned())
    } else if let Some(path) = &settings.nkey_seed_file {
        (read_seed(path)?, path.display().to_string())
    } else if let Some(dir) = &settings.credentials_dir {
        let path = dir.join(identity.seed_file_name());
        (read_seed(&path)?, path.display().to_string())
    } else {
        return Ok(None);
    };
    match nkeys::KeyPair::from_seed(seed.expose()) {
        Ok(pair) if pair.public_key().starts_with('U') => Ok(Some(seed)),
        _ => Err(AuthError::InvalidSeed { source_name }),
    }
}

fn read_seed(path: &Path) -> Result<runtime::Secret, AuthError> {
    std::fs::read_to_string(path)
        .map(|text| runtime::Secret::new(text.trim()))
        .map_err(|e| AuthError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

/// The nats-server `authorization` block granting each identity (public key) its
/// permissions. Include it from the server's configuration (`include "auth.conf"`).
pub fn authorization_conf(public_keys: &[(Identity, String)], webhook_stream: &str) -> String {
    let mut conf = String::from(
        "# Lanyard's NATS identities and what each may do; written by `lanyard nats-auth`.\n\
         # Anything not allowed here is denied; a client without one of these keys is refused.\n\
         authorization {\n  users: [\n",
    );
    for (identity, public_key) in public_keys {
        conf.push_str(&format!("    # {}\n    {{\n", identity.name()));
        conf.push_str(&format!("      nkey: \"{public_key}\"\n"));
        match identity.permissions(webhook_stream) {
            None => conf.push_str("      # unrestricted: people only, never a service\n"),
            Some(permissions) => {
                conf.push_str("      permissions: {\n");
                for (kind, rules) in [
                    ("publish", &permissions.publish),
                    ("subscribe", &permissions.subscribe),
                ] {
                    conf.push_str(&format!("        {kind}: {{\n          allow: [\n"));
                    push_rules(&mut conf, rules);
                    let denied = identity.publish_denied();
                    if kind == "publish" && !denied.is_empty() {
                        conf.push_str("          ]\n          deny: [\n");
                        push_rules(&mut conf, &denied);
                    }
                    conf.push_str("          ]\n        }\n");
                }
                if permissions.allow_responses {
                    conf.push_str("        allow_responses: true\n");
                }
                conf.push_str("      }\n");
            }
        }
        conf.push_str("    }\n");
    }
    conf.push_str("  ]\n}\n");
    conf
}

fn push_rules(conf: &mut String, rules: &[Rule]) {
    for rule in rules {
        conf.push_str(&format!(
            "            # {}\n            \"{}\"\n",
            rule.why, rule.subject
        ));
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The `authorization` block (`<dir>/auth.conf`).
    pub conf: PathBuf,
    /// The directory of seeds, one `<identity>.nk` each (mode 0600): `nats.credentials_dir`.
    pub dir: PathBuf,
}

/// Writes a seed per identity under `dir` (kept when it exists, so services keep working across
/// restarts) and `dir/auth.conf` for nats-server.
pub fn generate(dir: &Path, webhook_stream: &str) -> Result<Generated, AuthError> {
    let write_error = |path: &Path, e: std::io::Error| AuthError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut public_keys = Vec::new();
    for identity in Identity::ALL {
        let path = dir.join(identity.seed_file_name());
        let pair = if path.exists() {
            let seed = read_seed(&path)?;
            nkeys::KeyPair::from_seed(seed.expose()).map_err(|_| AuthError::InvalidSeed {
                source_name: path.display().to_string(),
            })?
        } else {
            let pair = nkeys::KeyPair::new_user();
            let seed = pair
                .seed()
                .map_err(|e| AuthError::Generate(e.to_string()))?;
            write_private(&path, seed.as_bytes()).map_err(|e| write_error(&path, e))?;
            pair
        };
        public_keys.push((identity, pair.public_key()));
    }
    let conf = dir.join("auth.conf");
    std::fs::write(&conf, authorization_conf(&public_keys, webhook_stream))
        .map_err(|e| write_error(&conf, e))?;
    Ok(Generated {
        conf,
        dir: dir.to_owned(),
    })
}

/// A file only its owner can read (seeds are secrets).
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_confined_and_only_ops_is_unrestricted() {
        for identity in Identity::ALL {
            let Some(permissions) = identity.permissions("OPTIX_WEBHOOKS") else {
                assert_eq!(identity, Identity::Ops);
                continue;
            };
            let subscribe: Vec<&str> = permissions
                .subscribe
                .iter()
                .map(|r| r.subject.as_str())
                .collect();
            assert!(subscribe.contains(&format!("_INBOX.{}.>", identity.name()).as_str()));
            for rule in permissions.publish.iter().chain(&permissions.subscribe) {
                assert!(
                    !matches!(rule.subject.as_str(), ">" | "$JS.API.>" | "_INBOX.>"),
                    "{identity:?} may {}",
                    rule.subject
                );
            }
        }
        let portal = Identity::Portal
            .permissions("OPTIX_WEBHOOKS")
            .expect("portal is confined");
        assert_eq!(
            portal
                .publish
                .iter()
                .map(|r| r.subject.as_str())
                .collect::<Vec<_>>(),
            [
                "lanyard.commands.portal.>",
                "$JS.API.STREAM.INFO.LANYARD_EVENTS",
                "$JS.API.CONSUMER.INFO.LANYARD_EVENTS.portal-notify",
                "$JS.API.CONSUMER.CREATE.LANYARD_EVENTS.portal-notify",
                "$JS.API.CONSUMER.CREATE.LANYARD_EVENTS.portal-notify.>",
                "$JS.API.CONSUMER.MSG.NEXT.LANYARD_EVENTS.portal-notify",
                "$JS.ACK.LANYARD_EVENTS.portal-notify.>",
            ]
        );
    }

    #[test]
    fn the_portal_reads_member_events_only_through_its_notify_consumer() {
        let portal = Identity::Portal
            .permissions("OPTIX_WEBHOOKS")
            .expect("portal is confined");
        for rule in &portal.publish {
            let subject = rule.subject.as_str();
            assert!(
                !subject.starts_with("lanyard.events") && !subject.contains("OPTIX_WEBHOOKS"),
                "the portal may {subject}"
            );
            if subject.starts_with("$JS.API.CONSUMER") || subject.starts_with("$JS.ACK") {
                assert!(
                    subject.contains(".portal-notify"),
                    "the portal may {subject}"
                );
            }
            assert!(
                !subject.contains("CONSUMER.DELETE") && !subject.contains("STREAM.CREATE"),
                "the portal may {subject}"
            );
        }
    }

    #[test]
    fn generated_seeds_are_private_and_kept() {
        let dir = std::env::temp_dir().join(format!(
            "lanyard-nats-auth-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        let generated = generate(&dir, "OPTIX_WEBHOOKS").expect("generate");
        let conf = std::fs::read_to_string(&generated.conf).expect("conf");
        let first = std::fs::read_to_string(dir.join("portal.nk")).expect("seed");
        assert!(first.starts_with("SU"));
        assert!(
            !conf.contains(first.trim()),
            "a seed must never reach the config"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("portal.nk"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "seed readable by others: {mode:o}");
        }
        generate(&dir, "OPTIX_WEBHOOKS").expect("again");
        let second = std::fs::read_to_string(dir.join("portal.nk")).expect("seed");
        assert_eq!(first, second);
        let settings = runtime::NatsSettings {
            credentials_dir: Some(dir.clone()),
            ..runtime::NatsSettings::new("nats://127.0.0.1:4222")
        };
        let seed = seed_for(&settings, Identity::Portal)
            .expect("seed")
            .expect("configured");
        assert_eq!(seed.expose(), first.trim());
        let bad = runtime::NatsSettings {
            nkey_seed: Some(runtime::Secret::new("not-a-seed")),
            ..settings
        };
        let error = seed_for(&bad, Identity::Portal).expect_err("invalid");
        assert!(!error.to_string().contains("not-a-seed"));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn uuid_like() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    }
}
