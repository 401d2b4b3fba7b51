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

/// The middle of `values` (the upper one of an even count; 0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// `values` printed with `decimals` decimals, `separator` between them (figures in a cell).
pub fn joined(values: &[f64], decimals: usize, separator: &str) -> String {
    values
        .iter()
        .map(|value| format!("{value:.decimals$}"))
        .collect::<Vec<_>>()
        .join(separator)
}

pub fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

/// One line of the table: what, the figure, the ceiling beside it, the target and whether the
/// figure meets it (`None`: a figure without a target).
pub struct Row {
    pub what: String,
    pub figure: String,
    pub ceiling: String,
    pub target: String,
    pub met: Option<bool>,
}

impl Row {
    fn verdict(&self) -> &'static str {
        match self.met {
            Some(true) => "met",
            Some(false) => "missed",
            None => "-",
        }
    }
}

/// How many rows with a target meet it, of how many have one.
pub fn targets_met(rows: &[Row]) -> (usize, usize) {
    let checked = rows.iter().filter_map(|r| r.met);
    let total = checked.clone().count();
    (checked.filter(|&met| met).count(), total)
}

/// Each row with a target as JSON: what, figure, target, met.
pub fn verdicts(rows: &[Row]) -> serde_json::Value {
    rows.iter()
        .filter_map(|r| {
            r.met.map(|met| {
                serde_json::json!({
                    "what": r.what,
                    "figure": r.figure,
                    "target": r.target,
                    "met": met,
                })
            })
        })
        .collect()
}

pub fn render_table(rows: &[Row]) -> String {
    let header = Row {
        what: "measure".into(),
        figure: "figure".into(),
        ceiling: "ceiling (same run)".into(),
        target: "target".into(),
        met: None,
    };
    let all: Vec<&Row> = std::iter::once(&header).chain(rows).collect();
    // In characters, as `format!` pads: µ, ≥ and → are one each.
    let width = |f: fn(&Row) -> &str| all.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (a, b, c, d) = (
        width(|r| &r.what),
        width(|r| &r.figure),
        width(|r| &r.ceiling),
        width(|r| &r.target),
    );
    let mut lines: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let verdict = if i == 0 { "met?" } else { r.verdict() };
            format!(
                "| {:a$} | {:b$} | {:c$} | {:d$} | {verdict} |",
                r.what, r.figure, r.ceiling, r.target
            )
        })
        .collect();
    // A Markdown table: it pastes into the README as it is.
    lines.insert(1, "|---|---|---|---|---|".into());
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

    #[test]
    fn the_median_is_the_middle_value_and_figures_join_as_printed() {
        assert_eq!(median(&[56_148.0, 34_370.0, 71_956.0]), 56_148.0);
        assert_eq!(median(&[2.0]), 2.0);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(joined(&[43_588.4, 44_784.6], 0, ", "), "43588, 44785");
        assert_eq!(joined(&[37.94, 57.0], 1, "/"), "37.9/57.0");
    }

    fn row(met: Option<bool>) -> Row {
        Row {
            what: "w".into(),
            figure: "f".into(),
            ceiling: "-".into(),
            target: "t".into(),
            met,
        }
    }

    #[test]
    fn rows_without_a_target_are_not_counted() {
        let rows = [
            row(Some(true)),
            row(Some(false)),
            row(None),
            row(Some(true)),
        ];
        assert_eq!(targets_met(&rows), (2, 3));
        assert_eq!(verdicts(&rows).as_array().map(Vec::len), Some(3));
        let table = render_table(&rows);
        assert!(table.contains("| met |"), "{table}");
        assert!(table.contains("| missed |"), "{table}");
        assert!(
            // Header, separator, then the rows: the third row has no target.
            table.lines().nth(4).is_some_and(|l| l.ends_with("| - |")),
            "{table}"
        );
    }
}
