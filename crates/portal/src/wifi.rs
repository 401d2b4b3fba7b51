//! The "join this network" QR code: the `WIFI:` URI most phone cameras understand
//! (`WIFI:T:WPA;S:<ssid>;P:<passphrase>;;`), rendered as inline SVG.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::render::{Renderer, svg};
use qrcode::types::Color;
use qrcode::{EcLevel, bits, ec};

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

/// The QR code's modules, row by row, and its width in modules.
///
/// Error correction M, like `QrCode::new`, but with one fixed mask: `QrCode` scores all eight
/// masks to pick the one with the fewest scanner-unfriendly patterns, which was a third of the
/// key page's CPU time (docs/performance.md). Any mask is valid QR; for a short `WIFI:` text
/// the difference in scanning is nil, and the decode test below reads the result back.
fn qr_modules(data: &str) -> Result<(Vec<Color>, usize), QrError> {
    let error = |e: qrcode::types::QrError| QrError(e.to_string());
    let level = EcLevel::M;
    let bits = bits::encode_auto(data.as_bytes(), level).map_err(error)?;
    let version = bits.version();
    let (data_codewords, ec_codewords) =
        ec::construct_codewords(&bits.into_bytes(), version, level).map_err(error)?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_codewords, &ec_codewords);
    canvas.apply_mask(MaskPattern::Checkerboard);
    Ok((canvas.into_colors(), version.width() as usize))
}

/// An `<svg>` element (no XML declaration) for `data`, scaled by CSS. It names itself with
/// `aria-label`, since the picture alone says nothing to a screen reader.
pub fn qr_svg(data: &str, label: &str) -> Result<String, QrError> {
    let (modules, width) = qr_modules(data)?;
    let svg = Renderer::<svg::Color>::new(&modules, width, 4)
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

    #[test]
    fn a_scanner_reads_the_join_uri_back() {
        for (ssid, passphrase) in [
            ("net", "abcd-efgh-jkmn"),
            ("Trastevere members", "Zq7-x9Lm-4Rt2-pW8k"),
            (
                "Gastown; Guest",
                "k3y:with,\"all\" and spaces and a longer tail 0123456789",
            ),
        ] {
            let uri = join_uri(ssid, passphrase);
            let (modules, width) = qr_modules(&uri).expect("qr");
            // Draw it as a camera would see it: 4 px per module, 4 modules of quiet zone.
            let (scale, quiet) = (4, 4);
            let side = (width + 2 * quiet) * scale;
            let mut picture = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
                let (mx, my) = (
                    (x / scale).wrapping_sub(quiet),
                    (y / scale).wrapping_sub(quiet),
                );
                let dark = mx < width && my < width && modules[my * width + mx] == Color::Dark;
                if dark { 0 } else { 255 }
            });
            let grids = picture.detect_grids();
            assert_eq!(grids.len(), 1, "one code found for {uri}");
            let (_, content) = grids[0].decode().expect("decodes");
            assert_eq!(content, uri);
        }
    }
}
