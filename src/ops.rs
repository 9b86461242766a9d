//! Operations that run on their own while `serve` runs: the scheduler that publishes what is
//! pending — scheduled publications and expiries that came due, changes whose publish failed —
//! and refreshes the search index on its schedule (backups join it later).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::publishing::{PublishReport, Publisher};
use crate::store::Store;

/// Runs forever on its own thread: every `publish_check_seconds`, publishes what is pending
/// (a publication or expiry that came due, a change whose publish failed: D189 §10.1.11 needs
/// a maintenance notice to reach the home page on time); every `index_refresh_minutes`,
/// rebuilds the search index from scratch (D189 §4.10.1).
pub fn run_scheduler(publisher: Arc<Publisher>) {
    let config = publisher.config();
    let interval = Duration::from_secs(config.publish_check_seconds);
    let refresh_every = Duration::from_secs(config.index_refresh_minutes * 60);
    let mut last_refresh = std::time::Instant::now();
    loop {
        std::thread::sleep(interval);
        let now = OffsetDateTime::now_utc();
        if last_refresh.elapsed() >= refresh_every {
            last_refresh = std::time::Instant::now();
            match open_store(&publisher).and_then(|store| publisher.reindex(&store, now)) {
                Ok(pages) => tracing::info!(pages, "scheduler: search index refreshed"),
                Err(error) => tracing::error!("scheduler: search index refresh failed: {error:#}"),
            }
        }
        match publish_pending(&publisher, now) {
            Ok(Some(report)) => {
                for path in &report.written {
                    tracing::debug!("scheduler: wrote /{path}");
                }
                for path in &report.removed {
                    tracing::debug!("scheduler: removed /{path}");
                }
            }
            Ok(None) => {}
            // Recorded by the publisher (dashboard, journal); the changes stay pending and
            // the next check retries them.
            Err(error) => {
                tracing::error!(
                    "scheduler: publishing failed, retrying at the next check: {error:#}"
                )
            }
        }
    }
}

/// One check of the scheduler: publishes when something is pending at `now`; `None` when
/// nothing was.
pub fn publish_pending(
    publisher: &Publisher,
    now: OffsetDateTime,
) -> anyhow::Result<Option<PublishReport>> {
    let mut store = open_store(publisher)?;
    if !publisher.has_pending(&store, now)? {
        return Ok(None);
    }
    Ok(Some(publisher.publish(&mut store, now)?))
}

fn open_store(publisher: &Publisher) -> anyhow::Result<Store> {
    let config = publisher.config();
    Ok(Store::open(
        &config.database_path(),
        &config.domain,
        config.utc_offset,
    )?)
}
