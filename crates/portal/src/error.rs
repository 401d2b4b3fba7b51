//! The portal's error: what a handler could not do, and the page a person sees then (503 when
//! the database is away, 500 otherwise); the cause goes to the log, never to the page.

use crate::language::PageLanguage;
use crate::pages::{self, Framing, Message};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the database is unavailable: {0}")]
    Database(String),
    #[error("rendering the page failed: {0}")]
    Template(#[from] askama::Error),
    #[error("a sealed value could not be opened: {0}")]
    Crypto(#[from] secrets::CryptoError),
    #[error("{0}")]
    Internal(String),
}

impl From<tokio_postgres::Error> for PortalError {
    fn from(error: tokio_postgres::Error) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for PortalError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl From<store::StoreError> for PortalError {
    fn from(error: store::StoreError) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl ResponseError for PortalError {
    fn status_code(&self) -> StatusCode {
        match self {
            PortalError::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(error = %self, "portal request failed");
        // No request here: the page is in English (the cause is logged, the page says little).
        let (title, text) = match self {
            PortalError::Database(_) => ("error-database-title", "error-database-text"),
            _ => ("error-internal-title", "error-internal-text"),
        };
        let page = Message::localized(&PageLanguage::english(), title, &[text]);
        let body = askama::Template::render(&page).unwrap_or_else(|_| page.title.clone());
        pages::html(self.status_code(), Framing::Deny, "").body(body)
    }
}
