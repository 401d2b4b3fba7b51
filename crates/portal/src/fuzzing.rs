//! Entry points for the fuzz targets (`fuzz/fuzz_targets/portal.rs`), compiled only with the
//! `fuzzing` feature: each takes raw bytes as they arrive from a browser and runs the portal's
//! own decoding and checks on them (forms as actix-web's `Form` decodes them, cookies as the
//! `Cookie` header is split, the canvas token, `X-Forwarded-For`), asserting what must hold.
//! None of them does I/O.

use crate::address::client_address;
use crate::admin_forms::FormPage;
use crate::input::{plausible_canvas_token, plausible_email, plausible_id};
use crate::routes::admin::locations::{LocationForm, Locations};
use crate::routes::admin::nas::{NasForm, Nases};
use crate::routes::admin::plans::{PlanForm, Plans};
use crate::routes::tenant::key::PassphraseForm;
use crate::routes::tenant::sign_in::EmailRequest;
use crate::session;
use bus::commands::Command;
use i18n::{Lang, Texts};
use std::net::IpAddr;

/// The admin canvas's location form: a command it sends is one provision would accept.
pub fn admin_location_form(body: &[u8]) {
    let Ok(form) = serde_urlencoded::from_bytes::<LocationForm>(body) else {
        return;
    };
    if let Ok((
        Command::MapLocation {
            location_id,
            settings,
        },
        _,
    )) = Locations::command(&form, &Texts::new(Lang::En))
    {
        assert!(plausible_id(&location_id));
        assert!(settings.validate().is_ok(), "{settings:?}");
        for text in [&settings.name, &settings.network_name] {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        assert!((1..=32).contains(&settings.network_name.len()));
    }
}

/// The admin canvas's plan form: a profile it sends is one provision would accept.
pub fn admin_plan_form(body: &[u8]) {
    let Ok(form) = serde_urlencoded::from_bytes::<PlanForm>(body) else {
        return;
    };
    match Plans::command(&form, &Texts::new(Lang::En)) {
        Ok((Command::MapPlan { profile, .. }, _))
        | Ok((Command::SetDefaultProfile { profile }, _)) => {
            assert!(profile.validate().is_ok(), "{profile:?}");
            assert!(!profile.name.chars().any(char::is_control));
        }
        _ => {}
    }
}

/// The admin canvas's access point form: an id, address and secret it sends are ones the
/// NAS registry accepts (the secret is never required: empty keeps the recorded one).
pub fn admin_nas_form(body: &[u8]) {
    let Ok(form) = serde_urlencoded::from_bytes::<NasForm>(body) else {
        return;
    };
    if let Ok((
        Command::RegisterNas {
            nas_id,
            location_id,
            address,
            secret,
            ..
        },
        _,
    )) = Nases::command(&form, &Texts::new(Lang::En))
    {
        assert!(domain::nas::check_nas_id(&nas_id).is_ok(), "{nas_id:?}");
        assert!(plausible_id(&location_id));
        assert!(
            domain::nas::canonical_address(&address).is_ok(),
            "{address:?}"
        );
        if let Some(secret) = secret {
            let secret = domain::nas::SecretText::new(secret.0);
            assert!(domain::nas::check_secret(&secret).is_ok());
        }
    }
}

/// The sign-in form's email: what passes as plausible is one line of printable text.
pub fn email_form(body: &[u8]) {
    let Ok(form) = serde_urlencoded::from_bytes::<EmailRequest>(body) else {
        return;
    };
    let email = form.email.trim();
    if plausible_email(email) {
        assert!(email.len() <= 254 && email.contains('@'), "{email:?}");
        assert!(!email.chars().any(char::is_control), "{email:?}");
    }
    let _ = session::plausible_secret(&form.csrf);
}

/// A chosen passphrase: the WPA2 rule (8 to 63 printable ASCII characters, no quoting
/// characters) decides every input the form can carry. zxcvbn's dictionary score, which
/// `validate_chosen` adds, is a third-party crate taking milliseconds an input under coverage
/// instrumentation: it is left out here (its input is bounded to 63 characters by this rule).
pub fn passphrase_form(body: &[u8]) {
    let Ok(form) = serde_urlencoded::from_bytes::<PassphraseForm>(body) else {
        return;
    };
    let passphrase = form.passphrase.as_str();
    if domain::passphrase::validate(passphrase).is_ok() {
        assert!((8..=63).contains(&passphrase.len()), "{}", passphrase.len());
        assert!(passphrase.bytes().all(|b| (0x20..0x7f).contains(&b)));
        assert!(
            !passphrase.contains(['"', '\'', '\\', ';']),
            "{passphrase:?}"
        );
    }
}

/// A canvas token from the sign-in form: only short printable tokens are sent to Optix.
pub fn canvas_token(token: &[u8]) {
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    if plausible_canvas_token(token) {
        assert!(!token.is_empty() && token.len() <= 512);
        assert!(!token.contains(char::is_whitespace), "{token:?}");
    }
}

/// A `Cookie` header, split and decoded as actix-web's `HttpRequest::cookies` does (which
/// `session::read_cookie` reads): every value the portal would take is a plausible secret.
pub fn cookie_header(header: &[u8]) {
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    for part in header
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let Ok(cookie) = actix_web::cookie::Cookie::parse_encoded(part) else {
            return;
        };
        if session::plausible_secret(cookie.value()) {
            assert!((16..=128).contains(&cookie.value().len()), "{cookie:?}");
            assert!(!cookie.value().contains([';', ' ', '=']), "{cookie:?}");
        }
    }
}

/// `X-Forwarded-For` behind trusted proxies: the client address is the peer, an address from
/// the header, or "unknown", and an untrusted peer is never overridden by the header.
pub fn forwarded_for(input: &[u8]) {
    let Some((&selector, header)) = input.split_first() else {
        return;
    };
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let peer: IpAddr = match selector % 3 {
        0 => [10, 0, 0, 1].into(),
        1 => [203, 0, 113, 7].into(),
        _ => "::1".parse().expect("an address"),
    };
    let trusted: Vec<ipnet::IpNet> = ["10.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|net| net.parse().ok())
        .collect();
    let client = client_address(Some(peer), &[header], &trusted);
    assert!(client.parse::<IpAddr>().is_ok(), "{client:?}");
    if !trusted.iter().any(|net| net.contains(&peer)) {
        assert_eq!(client, peer.to_string());
    }
    assert_eq!(client_address(None, &[header], &trusted), "unknown");
}
