//! Operations that run on their own while `serve` runs: the scheduler that publishes and
//! expires items when their time comes and refreshes the search index on its schedule
//! (backups join it later).

use std::time::Duration;

use time::OffsetDateTime;

use crate::build;
use crate::config::Config;
use crate::store::Store;

/// Runs forever on its own thread: every `publish_check_seconds`, rebuilds the site when a
/// scheduled publication or expiry has come due since the last check; every
/// `index_refresh_minutes`, rebuilds the search index from scratch (D189 §4.10.1).
pub fn run_scheduler(config: Config) {
    let interval = Duration::from_secs(config.publish_check_seconds);
    let refresh_every = Duration::from_secs(config.index_refresh_minutes * 60);
    let mut last_check = OffsetDateTime::now_utc().unix_timestamp();
    let mut last_refresh = std::time::Instant::now();
    loop {
        std::thread::sleep(interval);
        let now = OffsetDateTime::now_utc();
        if last_refresh.elapsed() >= refresh_every {
            last_refresh = std::time::Instant::now();
            match Store::open(&config.database_path(), &config.domain, config.utc_offset)
                .map_err(anyhow::Error::from)
                .and_then(|store| build::reindex(&store, &config, now))
            {
                Ok(pages) => println!("scheduler: search index refreshed, {pages} pages"),
                Err(error) => eprintln!("scheduler: search index refresh failed: {error:#}"),
            }
        }
        last_check = publish_due(&config, last_check, now);
    }
}

/// One check of the scheduler: builds what came due in `(since, now]` and returns where the
/// next check starts — `now` when the build succeeded or nothing was due, `since` again when
/// it failed, so that a failed scheduled publication is retried at the next check instead of
/// being forgotten (D189 §10.1.11: a maintenance notice must reach the home page).
pub fn publish_due(config: &Config, since: i64, now: OffsetDateTime) -> i64 {
    match scheduled_build(config, since, now) {
        Ok(Some(report)) => {
            for path in &report.written {
                println!("scheduler: wrote /{path}");
            }
            for path in &report.removed {
                println!("scheduler: removed /{path}");
            }
            now.unix_timestamp()
        }
        Ok(None) => now.unix_timestamp(),
        Err(error) => {
            eprintln!(
                "scheduler: publishing what came due failed, retrying at the next check: {error:#}"
            );
            since
        }
    }
}

/// Builds when something was scheduled in `(since, now]`; `None` when nothing was due.
pub fn scheduled_build(
    config: &Config,
    since: i64,
    now: OffsetDateTime,
) -> anyhow::Result<Option<build::BuildReport>> {
    let mut store = Store::open(&config.database_path(), &config.domain, config.utc_offset)?;
    match store.next_scheduled_change(since)? {
        Some(due) if due <= now.unix_timestamp() => {
            Ok(Some(build::build(&mut store, config, false, now)?))
        }
        _ => Ok(None),
    }
}
