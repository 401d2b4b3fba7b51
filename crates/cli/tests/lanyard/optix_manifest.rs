//! `lanyard optix manifest` as an operator runs it: no configuration, JSON on stdout, a clear
//! error and exit status 1 for a bad URL.

use crate::lanyard;

#[test]
fn the_manifest_prints_the_optix_app_settings_without_any_configuration() {
    let output = lanyard(&[
        "optix",
        "manifest",
        "--public-url",
        "https://wifi.example.com/",
    ]);
    assert!(output.status.success(), "{output:?}");
    let settings: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let webhooks = settings["webhooks"].as_array().expect("a webhooks list");
    assert_eq!(webhooks.len(), optix::manifest::SUBSCRIBED_WEBHOOKS.len());
    assert_eq!(
        webhooks[0]["url"],
        "https://wifi.example.com/optix/webhooks"
    );
    assert_eq!(settings["canvases"][0]["type"], "MOBILE_HOME_PRIMARY");
}

#[test]
fn a_plain_http_url_is_refused_with_what_to_fix() {
    let output = lanyard(&[
        "optix",
        "manifest",
        "--public-url",
        "http://wifi.example.com",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must use https"), "{stderr}");
    assert!(output.stdout.is_empty());
}
