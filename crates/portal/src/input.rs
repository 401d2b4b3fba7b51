//! The shape of what outsiders send, checked before anything is looked up or asked: Optix ids
//! in paths and forms, email addresses, canvas tokens. Anything else is treated as unknown.

/// Optix ids in paths and forms: short, plain.
pub(crate) fn plausible_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A plausible email address (the real check is whether Optix knows it).
pub(crate) fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Tokens are short opaque strings; anything else is not worth asking Optix about.
pub(crate) fn plausible_canvas_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 512 && token.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_for_shape_only() {
        assert!(plausible_email("jean@example.com"));
        assert!(plausible_email("a.b+c@sub.example.co"));
        assert!(!plausible_email("jean"));
        assert!(!plausible_email("jean@localhost"));
        assert!(!plausible_email("je an@example.com"));
        assert!(!plausible_email("@example.com"));
    }
}
