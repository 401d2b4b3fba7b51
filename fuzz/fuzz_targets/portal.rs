//! What the portal reads from a browser before any I/O: the admin canvas's location, access
//! point and plan forms, the sign-in email form, the chosen-passphrase form, the canvas token, the `Cookie`
//! header and `X-Forwarded-For` behind trusted proxies. The first byte picks the parser, the rest
//! is its input; each checks what must hold of what it accepts (see `portal::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::fuzzing;

fuzz_target!(|input: &[u8]| {
    let Some((&which, rest)) = input.split_first() else {
        return;
    };
    match which % 8 {
        0 => fuzzing::admin_location_form(rest),
        1 => fuzzing::admin_plan_form(rest),
        2 => fuzzing::email_form(rest),
        3 => fuzzing::passphrase_form(rest),
        4 => fuzzing::canvas_token(rest),
        5 => fuzzing::cookie_header(rest),
        6 => fuzzing::admin_nas_form(rest),
        _ => fuzzing::forwarded_for(rest),
    }
});
