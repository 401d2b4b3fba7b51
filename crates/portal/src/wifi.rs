//! The "join this network" QR code: the `WIFI:` URI most phone cameras understand
//! (`WIFI:T:WPA;S:<ssid>;P:<passphrase>;;`), rendered as inline SVG.

use qrcode::QrCode;
use qrcode::render::svg;

/// Escapes a value for the `WIFI:` format: `\`, `;`, `,`, `:` and `"` get a backslash.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ';' | ',' | ':' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The URI a phone joins the network from (WPA/WPA2/WPA3-personal with a passphrase).
pub fn join_uri(ssid: &str, passphrase: &str) -> String {
    format!("WIFI:T:WPA;S:{};P:{};;", escape(ssid), escape(passphrase))
}

#[derive(Debug, thiserror::Error)]
#[error("the QR code could not be made: {0}")]
pub struct QrError(String);

/// An `<svg>` element (no XML declaration) for `data`, scaled by CSS. It names itself with
/// `aria-label`, since the picture alone says nothing to a screen reader.
pub fn qr_svg(data: &str, label: &str) -> Result<String, QrError> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| QrError(e.to_string()))?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    let start = svg
        .find("<svg")
        .ok_or_else(|| QrError("no <svg> element".into()))?;
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Ok(svg[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\""),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped_with_a_backslash() {
        assert_eq!(escape(r#"a\b;c,d:e"f"#), r#"a\\b\;c\,d\:e\"f"#);
        assert_eq!(escape("plain-text 123"), "plain-text 123");
        assert_eq!(
            join_uri("Gastown; Guest", "k3y:with,\"all\""),
            r#"WIFI:T:WPA;S:Gastown\; Guest;P:k3y\:with\,\"all\";;"#
        );
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_with_a_label() {
        let svg = qr_svg(&join_uri("net", "abcd-efgh-jkmn"), "Join \"net\"").expect("qr");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Join &quot;net&quot;\""));
        assert!(!svg.contains("<?xml"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
