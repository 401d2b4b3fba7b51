//! Percentiles and the printed table.

use std::time::Duration;

/// The `q`-quantile (0..=1) of `samples` (sorted in place), nearest-rank.
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

pub fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

/// One line of the table: what, the figure, the ceiling beside it, the target.
pub struct Row {
    pub what: String,
    pub figure: String,
    pub ceiling: String,
    pub target: String,
}

pub fn render_table(rows: &[Row]) -> String {
    let header = Row {
        what: "measure".into(),
        figure: "figure".into(),
        ceiling: "ceiling (same run)".into(),
        target: "target".into(),
    };
    let all: Vec<&Row> = std::iter::once(&header).chain(rows).collect();
    let width = |f: fn(&Row) -> &str| all.iter().map(|r| f(r).len()).max().unwrap_or(0);
    let (a, b, c) = (
        width(|r| &r.what),
        width(|r| &r.figure),
        width(|r| &r.ceiling),
    );
    let mut lines: Vec<String> = all
        .iter()
        .map(|r| {
            format!(
                "| {:a$} | {:b$} | {:c$} | {} |",
                r.what, r.figure, r.ceiling, r.target
            )
        })
        .collect();
    // A Markdown table: it pastes into the README as it is.
    lines.insert(1, "|---|---|---|---|".into());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&mut samples, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&mut samples, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&mut [], 0.5), Duration::ZERO);
    }
}
