//! A process's CPU time from `/proc` (the ingest scenario's CPU per request; the
//! `jetstream_batches` example's CPU per message).

/// User plus system time of a process, all its threads, from its `/proc/<pid>/stat`.
pub fn cpu_seconds(stat_path: &str) -> anyhow::Result<f64> {
    // Linux reports these in USER_HZ ticks, 100 a second on every architecture it runs on.
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(stat_path)?;
    // The command name (field 2) may hold spaces: count from the parenthesis that closes it.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| anyhow::anyhow!("{stat_path}: no command name"))?;
    // Fields 14 (utime) and 15 (stime); after the name, field 3 comes first.
    let mut fields = after_name.split_whitespace().skip(11);
    let mut next_ticks = || -> anyhow::Result<f64> {
        Ok(fields
            .next()
            .ok_or_else(|| anyhow::anyhow!("{stat_path}: too few fields"))?
            .parse::<f64>()?)
    };
    let ticks = next_ticks()? + next_ticks()?;
    Ok(ticks / TICKS_PER_SECOND)
}
