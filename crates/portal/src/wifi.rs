//! The "join this network" QR code: the `WIFI:` URI most phone cameras understand
//! (`WIFI:T:WPA;S:<ssid>;P:<passphrase>;;`), rendered as inline SVG.

use qrcode::canvas::{Canvas, MaskPattern};
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
/// key page's CPU time (docs/performance-history.md, "Portal key page"). Any mask is valid QR;
/// for a short `WIFI:` text the difference in scanning is nil, and the decode test below reads
/// the result back.
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

/// Modules of light margin around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// An `<svg>` element (no XML declaration) for `data`, scaled by CSS. It names itself with
/// `aria-label`, since the picture alone says nothing to a screen reader.
///
/// One module is one unit of the `viewBox`, and each run of dark modules in a row is one
/// rectangle of the path: fewer and shorter numbers to format than qrcode's own SVG renderer
/// (one square per module, in pixels), whose integer formatting led the key page's own
/// profile once the mask was fixed (docs/performance-history.md, "Portal key page at 500/s").
pub fn qr_svg(data: &str, label: &str) -> Result<String, QrError> {
    use std::fmt::Write;
    let (modules, width) = qr_modules(data)?;
    let side = width + 2 * QUIET_ZONE;
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" \
         xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"240\" \
         height=\"240\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" \
         height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    for (y, row) in modules.chunks_exact(width).enumerate() {
        let mut x = 0;
        while x < width {
            let run = row[x..].iter().take_while(|&&c| c == Color::Dark).count();
            if run > 0 {
                // Writing to a String cannot fail.
                let _ = write!(
                    svg,
                    "M{} {}h{run}v1h-{run}z",
                    x + QUIET_ZONE,
                    y + QUIET_ZONE
                );
            }
            x += run.max(1);
        }
    }
    svg.push_str("\"/></svg>");
    Ok(svg)
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

    /// The dark cells of [`qr_svg`]'s path (`M x y h run v1 h-run z` rectangles) and the side
    /// of its `viewBox`, in modules.
    fn dark_cells(svg: &str) -> (std::collections::HashSet<(usize, usize)>, usize) {
        let number = |text: &str| text.parse::<usize>().expect("a number");
        let view_box = svg.split("viewBox=\"0 0 ").nth(1).expect("viewBox");
        let side = number(view_box.split(' ').next().expect("side"));
        let path = svg.split(" d=\"").nth(1).expect("path");
        let path = &path[..path.find('"').expect("path ends")];
        let mut dark = std::collections::HashSet::new();
        for rect in path.split('z').filter(|r| !r.is_empty()) {
            let (at, rest) = rect
                .strip_prefix('M')
                .and_then(|r| r.split_once('h'))
                .expect("M x y h");
            let (x, y) = at.split_once(' ').expect("x y");
            let (run, back) = rest.split_once("v1h-").expect("v1h-");
            assert_eq!(run, back, "each rectangle closes on itself");
            let (x, y, run) = (number(x), number(y), number(run));
            assert!(x + run <= side - QUIET_ZONE && y < side - QUIET_ZONE);
            dark.extend((x..x + run).map(|x| (x, y)));
        }
        (dark, side)
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
            let svg = qr_svg(&uri, "Join").expect("qr");
            let (dark, side) = dark_cells(&svg);
            // Draw the SVG as a camera would see it: 4 px per module.
            let scale = 4;
            let mut picture =
                rqrr::PreparedImage::prepare_from_greyscale(side * scale, side * scale, |x, y| {
                    if dark.contains(&(x / scale, y / scale)) {
                        0
                    } else {
                        255
                    }
                });
            let grids = picture.detect_grids();
            assert_eq!(grids.len(), 1, "one code found for {uri}");
            let (_, content) = grids[0].decode().expect("decodes");
            assert_eq!(content, uri);
        }
    }
}
