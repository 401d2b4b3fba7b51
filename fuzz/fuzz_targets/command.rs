//! The command wire format on NATS (`bus::commands`) and provision's check of who may send it:
//! a subject and a body are whatever arrived, so decoding and `authorize` must never panic. A
//! request that decodes re-encodes to itself; `authorize` accepts exactly the subject
//! `command_subject` builds for a sender the actor belongs to, with a command the actor may run.
#![no_main]

use bus::commands::{Actor, CommandRequest, Reply, Sender, authorize, command_subject};
use libfuzzer_sys::fuzz_target;

/// Input: the subject, a newline, the body (so seeds are readable messages).
fuzz_target!(|input: &[u8]| {
    let (subject, body) = match input.iter().position(|&b| b == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (&b""[..], input),
    };
    let subject = String::from_utf8_lossy(subject);
    let subject = subject.as_ref();
    if let Ok(request) = serde_json::from_slice::<CommandRequest>(body) {
        let encoded = serde_json::to_vec(&request).expect("a decoded request encodes");
        let again: CommandRequest =
            serde_json::from_slice(&encoded).expect("an encoded request decodes");
        assert_eq!(again, request);
        // A passphrase a request carries is never shown by Debug (requests may be logged).
        if let bus::commands::Command::SetPassphrase { passphrase, .. } = &request.command {
            assert_eq!(format!("{passphrase:?}"), "[redacted]");
        }

        // Whatever subject it came on: a refusal or a sender and actor that fit.
        if let Ok((sender, actor)) = authorize(subject, &request) {
            assert_eq!(
                subject,
                command_subject(sender, &request.org_id, &request.command)
            );
            assert!(actor.sent_by(sender) && actor.may_run(&request.command));
        }

        // On the subject each sender would use: accepted exactly when the actor is theirs.
        for sender in [Sender::Portal, Sender::Cli] {
            let subject = command_subject(sender, &request.org_id, &request.command);
            assert!(
                subject.split('.').all(|token| !token.is_empty()
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')),
                "{subject:?}"
            );
            let allowed = Actor::parse(&request.actor)
                .is_some_and(|actor| actor.sent_by(sender) && actor.may_run(&request.command));
            assert_eq!(authorize(&subject, &request).is_ok(), allowed, "{subject}");
        }
    }
    if let Ok(reply) = serde_json::from_slice::<Reply>(body) {
        let encoded = serde_json::to_vec(&reply).expect("a decoded reply encodes");
        let _: Reply = serde_json::from_slice(&encoded).expect("an encoded reply decodes");
    }
});
