//! Only FreeRADIUS is answered: every request carries its bearer token, compared in constant
//! time. A refusal is logged (with the peer, never the header) and answered 401, which rlm_rest
//! turns into `reject`.

use crate::state::State;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use subtle::ConstantTimeEq;

/// Middleware: 401 unless `Authorization: Bearer <radius.freeradius_token>`.
pub(crate) async fn require_token(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let accepted = match (presented, request.app_data::<web::Data<State>>()) {
        (Some(presented), Some(state)) => token_matches(state.token.expose(), presented),
        _ => false,
    };
    if !accepted {
        tracing::warn!(
            peer = ?request.peer_addr(),
            path = request.path(),
            "refused a request without FreeRADIUS's bearer token"
        );
        let response = HttpResponse::Unauthorized()
            .body("missing or wrong bearer token (radius.freeradius_token)");
        return Ok(request.into_response(response));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

fn token_matches(expected: &str, presented: &str) -> bool {
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn only_the_exact_token_matches() {
        let token = "a-token-of-at-least-thirty-two-characters";
        assert!(token_matches(token, token));
        assert!(!token_matches(
            token,
            "a-token-of-at-least-thirty-two-character"
        ));
        assert!(!token_matches(token, ""));
    }
}
