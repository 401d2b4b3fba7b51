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
}
