//! What the handlers share.

/// The radius service's state: the read models, the key ring, FreeRADIUS's token.
pub(crate) struct State {
    pub(crate) pool: deadpool_postgres::Pool,
    /// Opens sealed passphrases and NAS secrets; never leaves this process.
    pub(crate) keys: secrets::KeyRing,
    /// FreeRADIUS's bearer token (`bearer`).
    pub(crate) token: runtime::Secret,
    /// Has FreeRADIUS fetch answers into its memory; None when no FreeRADIUS caches them.
    pub(crate) answer_cache: Option<crate::answer_cache::AnswerCache>,
    /// The handshake matcher's keys (`handshake_mode`).
    pub(crate) handshakes: std::sync::Arc<crate::handshake_mode::HandshakeMemory>,
    /// Sends the commands a request leads to (a device bound by its handshake).
    pub(crate) bus: bus::Bus,
}
