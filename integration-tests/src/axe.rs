//! axe-core run inside the browser tests' Chromium: the WCAG 2.1 A and AA rules on the page as
//! it stands. axe-core comes from the npm registry, pinned in `integration-tests/axe`
//! (`npm ci --prefix integration-tests/axe`; `make test` does it). Missing, the check fails.

use crate::browser::Browser;
use anyhow::Context;
use serde_json::Value;
use std::path::PathBuf;

/// The rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
pub const WCAG_21_AA: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

fn axe_source() -> anyhow::Result<String> {
    let path = match std::env::var_os("AXE_CORE_JS") {
        Some(path) => PathBuf::from(path),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js")
        }
    };
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading axe-core at {} (run `npm ci --prefix integration-tests/axe`)",
            path.display()
        )
    })
}

/// Runs axe on the current page and returns its violations, each as
/// `rule id: help (n nodes: selectors)`.
pub async fn violations(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let source = axe_source()?;
    // WebDriver scripts run outside the page's Content-Security-Policy, so the portal's own
    // script-src 'self' stays as it is.
    browser
        .client
        .execute(
            &format!("{source}\n;window.axe = axe; return true;"),
            vec![],
        )
        .await
        .context("loading axe-core into the page")?;
    let result = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe
               .run(document, { runOnly: { type: 'tag', values: arguments[0] } })
               .then(r => done(r.violations), e => done({ error: String(e) }));",
            vec![serde_json::json!(WCAG_21_AA)],
        )
        .await
        .context("running axe-core")?;
    if let Some(error) = result.get("error") {
        anyhow::bail!("axe-core failed: {error}");
    }
    let Value::Array(found) = result else {
        anyhow::bail!("axe-core answered {result}");
    };
    Ok(found
        .iter()
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .map(|nodes| nodes.iter().map(|n| n["target"].to_string()).collect())
                .unwrap_or_default();
            format!(
                "{}: {} ({} node(s): {})",
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
                targets.len(),
                targets.join(", ")
            )
        })
        .collect())
}
