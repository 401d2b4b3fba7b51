//! What can stop provision's work, shared by every part of it.

use store::StoreError;
use store::decide::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Optix(#[from] optix::api::OptixError),
    #[error("organization {0} has not installed the app (no token yet)")]
    NotInstalled(String),
    #[error("the stored organization token could not be opened: {0}")]
    Token(#[from] secrets::CryptoError),
    #[error("the stored token is not organization {0}'s: {1}")]
    TokenNotConfirmed(String, optix::api::TokenRefusal),
    #[error(transparent)]
    Bus(#[from] bus::BusError),
    #[error(transparent)]
    OfficeRnd(#[from] officernd::OfficeRndError),
    #[error("OfficeRnD does not confirm the stored credentials as organization {0}'s: {1}")]
    NotConfirmed(String, String),
}

impl Conflict for ProvisionError {
    fn is_conflict(&self) -> bool {
        matches!(self, ProvisionError::Store(e) if e.is_conflict())
    }
}

impl From<deadpool_postgres::PoolError> for ProvisionError {
    fn from(error: deadpool_postgres::PoolError) -> ProvisionError {
        ProvisionError::Store(error.into())
    }
}
