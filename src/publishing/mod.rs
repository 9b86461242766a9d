//! Publishing: the one service that turns changes in the database into files in `public/`
//! and entries in the search index (D189 §6.3.13), used by the panel, the scheduler and the
//! command line alike. It takes the site's publishing lock, reads what changed since its last
//! publish (`Store::pending_changes`), decides which outputs changed by the digest of their
//! inputs, renders them in parallel, writes them atomically and records the publish — or the
//! failure, which leaves the changes pending so that the next publish retries them. The
//! editor's preview and the template trial render through it too.

mod files;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rayon::prelude::*;
use time::OffsetDateTime;

pub use files::{
    TEMPORARY_PREFIX, UnsafeOutputPath, WRITING_MARKER, output_file, sweep_temporary_files,
    write_atomically,
};

use crate::config::Config;
use crate::content::sha256_hex;
use crate::error::UserError;
use crate::model::{PageContent, Status};
use crate::render::{
    Output, OutputKind, RENDER_VERSION, SiteLayout, SiteView, Templates, same_place,
};
use crate::search::index::SearchIndex;
use crate::store::{
    LivePage, ManifestEntry, PageMeta, PendingChanges, PublishRecord, PublishState, SiteModel,
    Store,
};

/// The file whose exclusive lock every publish and reindex of a site holds, in every process
/// (`serve`'s panel and scheduler, `govsite build`, `govsite index`): one writer of `public/`,
/// the build manifest and the search index at a time (D189 §6.3.13).
pub const PUBLISH_LOCK_FILE: &str = "publish.lock";

/// What a publish did.
#[derive(Debug, Default)]
pub struct PublishReport {
    /// Paths written, relative to the public folder, sorted.
    pub written: Vec<String>,
    /// Paths removed because nothing produces them any more, sorted.
    pub removed: Vec<String>,
    /// Outputs planned whose inputs had not changed.
    pub unchanged: usize,
    /// Temporary files of an interrupted publish that were removed first.
    pub swept: Vec<String>,
    /// Nothing had changed since the last publish: no output was planned.
    pub nothing_to_do: bool,
    /// Only what the changed pages shape was planned, not every output of the site.
    pub pages_only: bool,
    /// The layout of the view kept from the last publish was reused: every changed page kept
    /// its place (an edited text), so nothing was derived again for the whole site.
    pub layout_kept: bool,
    pub elapsed: Duration,
    /// How long each step took: read, view, plan, compare, render, remove, index, record.
    pub stages: Vec<(&'static str, Duration)>,
}

/// The time each step of a publish took, for the log line and the benchmarks.
struct Stages {
    last: Instant,
    done: Vec<(&'static str, Duration)>,
}

impl Stages {
    fn new() -> Stages {
        Stages {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    fn mark(&mut self, step: &'static str) {
        let now = Instant::now();
        self.done.push((step, now - self.last));
        self.last = now;
    }
}

/// What a publish starts from (`Publisher::pending`).
struct Pending {
    state: PublishState,
    changes: PendingChanges,
    due: Option<BTreeSet<i64>>,
    fingerprint: String,
}

impl Pending {
    /// Same configuration and program as the last publish, and no failure to retry.
    fn settled(&self) -> bool {
        self.state.fingerprint == self.fingerprint && self.state.failure.is_none()
    }

    /// No change since the last publish and nothing came due.
    fn nothing_changed(&self) -> bool {
        self.changes.is_empty() && self.due.as_ref().is_some_and(BTreeSet::is_empty)
    }
}

/// The build manifest: output path → digest and owner.
type Manifest = HashMap<String, ManifestEntry>;

/// The publishing service of one site.
pub struct Publisher {
    config: Config,
    /// The published view as of the last publish of this process (`serve` keeps it between
    /// publishes), refreshed from the changes instead of read again whole.
    kept: std::sync::Mutex<Option<KeptView>>,
}

/// The site as the last successful publish of this process saw it.
struct KeptView {
    /// Every change up to this id is in `model`.
    upto: i64,
    /// The time it was published as of: another process that published since (pages that
    /// came due move `published_at` without a change id) makes it stale.
    at: i64,
    model: SiteModel,
    templates: Templates,
    /// What the view derived from `model`.
    layout: SiteLayout,
}

impl Publisher {
    pub fn new(config: Config) -> Publisher {
        Publisher {
            config,
            kept: std::sync::Mutex::new(None),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Publishes every change made since the last publish, and every publication or expiry
    /// that came due by `now`: only outputs whose inputs changed are rendered and written.
    /// A failure is recorded (`Store::record_publish_failure`) and the changes stay pending.
    pub fn publish(&self, store: &mut Store, now: OffsetDateTime) -> anyhow::Result<PublishReport> {
        self.publish_recorded(store, false, now)
    }

    /// Renders and writes every output and rebuilds the search index (`govsite build
    /// --full`); gives the same tree as [`Publisher::publish`].
    pub fn publish_full(
        &self,
        store: &mut Store,
        now: OffsetDateTime,
    ) -> anyhow::Result<PublishReport> {
        self.publish_recorded(store, true, now)
    }

    /// Whether a publish at `now` has anything to do: changes not yet published, a failure
    /// to retry, a publication or expiry that came due (the scheduler's question).
    pub fn has_pending(&self, store: &Store, now: OffsetDateTime) -> anyhow::Result<bool> {
        let pending = self.pending(store, now.unix_timestamp())?;
        Ok(!(pending.settled() && pending.nothing_changed()))
    }

    /// What a publish at `now` (unix seconds) starts from: the publisher's state, the changes
    /// since, the pages that came due since (`None` when never published or asked as of an
    /// earlier time: everything is planned) and this publisher's fingerprint.
    fn pending(&self, store: &Store, now: i64) -> anyhow::Result<Pending> {
        let state = store.publish_state()?;
        let changes = store.pending_changes(state.published_change)?;
        let due = match state.published_at {
            Some(at) if at <= now => Some(store.pages_due_between(at, now)?),
            _ => None,
        };
        Ok(Pending {
            state,
            changes,
            due,
            fingerprint: self.fingerprint(),
        })
    }

    fn publish_recorded(
        &self,
        store: &mut Store,
        full: bool,
        now: OffsetDateTime,
    ) -> anyhow::Result<PublishReport> {
        let result = self.run(store, full, now);
        match &result {
            Ok(report) => log_publish(report, full),
            Err(error) => {
                let failure = format!("{error:#}");
                tracing::error!(error = %failure, "publish failed; the changes stay pending");
                if let Err(record) = store.record_publish_failure(&failure, now.unix_timestamp()) {
                    tracing::error!(error = %format!("{record:#}"), "the publish failure could not be recorded");
                }
            }
        }
        result
    }

    /// The configuration and program a publish depends on besides the database: when they
    /// change, every output is planned again.
    fn fingerprint(&self) -> String {
        // What only the servers and the scheduler read does not shape the output.
        let mut shaping = self.config.clone();
        shaping.public_addr = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
        shaping.admin_addr = shaping.public_addr;
        shaping.admin_https = false;
        shaping.publish_check_seconds = 0;
        shaping.index_refresh_minutes = 0;
        sha256_hex(
            format!(
                "{RENDER_VERSION}\u{1f}{}\u{1f}{shaping:?}",
                env!("CARGO_PKG_VERSION")
            )
            .as_bytes(),
        )
    }

    fn run(
        &self,
        store: &mut Store,
        full: bool,
        now: OffsetDateTime,
    ) -> anyhow::Result<PublishReport> {
        let config = &self.config;
        // One publish at a time for this site, across threads and processes: the admin panel,
        // the scheduler and the command line all publish.
        let _turn = take_publish_turn(config)?;
        let started = Instant::now();
        let public = &config.public_dir;
        // A publish killed midway leaves its marker and maybe temporary files in public/.
        let marker = config.data_dir.join(WRITING_MARKER);
        let swept = if marker.exists() {
            let swept = sweep_temporary_files(public)?;
            for path in &swept {
                tracing::warn!(path = %path, "removed a temporary file left by an interrupted publish");
            }
            swept
        } else {
            Vec::new()
        };

        // The changes are read before the site, so that a change committed meanwhile is
        // either in this publish and pending again (published twice, harmlessly) or pending.
        // What changed, what came due and the site are read in one snapshot of the database.
        let snapshot = store.read_snapshot()?;
        let now_unix = now.unix_timestamp();
        let pending = self.pending(store, now_unix)?;
        let settled = !full && pending.settled() && public.is_dir() && swept.is_empty();
        if settled && pending.nothing_changed() {
            drop(snapshot);
            return Ok(PublishReport {
                nothing_to_do: true,
                elapsed: started.elapsed(),
                ..PublishReport::default()
            });
        }
        // Only pages changed, or came due: the view is refreshed for them and only what they
        // shape is planned. Anything else (sections, menus, templates, strings, files,
        // redirects, the configuration) shapes every page, so everything is planned.
        let Pending {
            state,
            changes,
            due,
            fingerprint,
        } = pending;
        let pages_only = settled && changes.sections.is_empty() && changes.site_wide.is_empty();
        let changed_pages: BTreeSet<i64> = match (&due, pages_only) {
            (Some(due), true) => changes.pages.union(due).copied().collect(),
            _ => BTreeSet::new(),
        };
        let pages_only = pages_only && due.is_some();
        let kept = self.kept.lock().map(|mut kept| kept.take()).unwrap_or(None);
        let mut stages = Stages::new();
        let (model, templates, layout) = match kept {
            Some(mut kept)
                if pages_only
                    && kept.upto == state.published_change
                    && state.published_at == Some(kept.at) =>
            {
                let ids: Vec<i64> = changed_pages.iter().copied().collect();
                let fresh = store
                    .live_pages(now_unix, Some(&ids))
                    .context("failed to read the changed pages from the database")?;
                let layout = refresh_pages(&mut kept.model, fresh, kept.layout, &changed_pages);
                (kept.model, kept.templates, layout)
            }
            _ => {
                let model = store
                    .load_model(&config.theme, now_unix)
                    .context("failed to read the site from the database")?;
                let templates = Templates::compile(&model.templates).map_err(|problems| {
                    UserError::with_problems(
                        format!("the templates of theme `{}` have problems:", config.theme),
                        problems,
                    )
                })?;
                (model, templates, None)
            }
        };
        drop(snapshot);
        stages.mark("read");
        refuse_unsafe_segments(&model)?;
        let layout_kept = layout.is_some();
        let view = match layout {
            Some(layout) => SiteView::with_layout(config, &model, layout),
            None => SiteView::new(config, &model),
        };
        stages.mark("view");
        let partial = if pages_only {
            plan_pages(store, &view, &changed_pages, layout_kept)?
        } else {
            None
        };
        let (outputs, manifest, partial) = match partial {
            Some((outputs, manifest)) => (outputs, manifest, true),
            None if full => (view.outputs(), HashMap::new(), false),
            None => (view.outputs(), store.build_manifest()?, false),
        };
        stages.mark("plan");
        fs::create_dir_all(public)
            .with_context(|| format!("failed to create {}", public.display()))?;
        // Every output path is checked before anything is written: a bad one stops the build.
        // Each must be a plain path (no disk access); those to be written are also checked
        // for symbolic links on the way (`output_file`), which costs a look at every folder.
        let mut paths = Vec::with_capacity(outputs.len());
        let mut unsafe_outputs = Vec::new();
        for output in &outputs {
            match files::plain_output_file(public, &output.path) {
                Ok(file) => paths.push(file),
                Err(error) => unsafe_outputs.push(error.to_string()),
            }
        }
        let mut changed: Vec<(&Output, PathBuf)> = Vec::new();
        if unsafe_outputs.is_empty() {
            for (output, file) in outputs.iter().zip(paths) {
                let same = manifest.get(&output.path).map(|entry| &entry.digest)
                    == Some(&output.digest)
                    && file.is_file();
                if same {
                    continue;
                }
                match output_file(public, &output.path) {
                    Ok(file) => changed.push((output, file)),
                    Err(error) => unsafe_outputs.push(error.to_string()),
                }
            }
        }
        if !unsafe_outputs.is_empty() {
            return Err(UserError::with_problems(
                "the build was refused: these outputs would be written outside the public folder; nothing was written:",
                unsafe_outputs,
            )
            .into());
        }

        let revision_ids: Vec<i64> = changed
            .iter()
            .filter_map(|(output, _)| match output.kind {
                OutputKind::Page { index, .. } => Some(model.pages[index].revision_id),
                _ => None,
            })
            .collect();
        stages.mark("compare");
        let bodies = store.revision_bodies(&revision_ids)?;
        let mut media_bytes: HashMap<&str, Vec<u8>> = HashMap::new();
        for (output, _) in &changed {
            if let OutputKind::Media { path } = &output.kind {
                let bytes = store.media_bytes(path)?.with_context(|| {
                    format!("stored file `{path}` disappeared during the build")
                })?;
                media_bytes.insert(path.as_str(), bytes);
            }
        }

        fs::write(&marker, b"")
            .with_context(|| format!("failed to create {}", marker.display()))?;
        changed
            .par_iter()
            .map(|(output, file)| -> anyhow::Result<()> {
                let bytes = match &output.kind {
                    OutputKind::Media { path } => {
                        std::borrow::Cow::Borrowed(media_bytes[path.as_str()].as_slice())
                    }
                    OutputKind::Page { index, .. } => {
                        let body = bodies
                            .get(&model.pages[*index].revision_id)
                            .map(String::as_str);
                        std::borrow::Cow::Owned(
                            view.render(&templates, output, body)
                                .with_context(|| format!("failed to render /{}", output.path))?,
                        )
                    }
                    _ => std::borrow::Cow::Owned(
                        view.render(&templates, output, None)
                            .with_context(|| format!("failed to render /{}", output.path))?,
                    ),
                };
                write_atomically(file, &bytes)
            })
            .collect::<anyhow::Result<Vec<()>>>()?;

        stages.mark("render");
        let wanted: HashSet<&str> = outputs.iter().map(|output| output.path.as_str()).collect();
        let stale: Vec<String> = if full {
            files::files_under(public)?
                .into_iter()
                .filter(|path| !wanted.contains(path.as_str()))
                .collect()
        } else {
            manifest
                .keys()
                .filter(|path| !wanted.contains(path.as_str()))
                .cloned()
                .collect()
        };
        let (removed, dropped) = remove_stale(public, stale)?;
        let changed: Vec<&Output> = changed.into_iter().map(|(output, _)| output).collect();
        stages.mark("remove");
        update_search_index(config, &view, &changed, &removed, &bodies, full)?;
        stages.mark("index");
        // After an upgrade or a change of configuration every row is written again, so that
        // each names its owner.
        let record_all = !partial && state.fingerprint != fingerprint;
        let recorded: Vec<&Output> = if record_all {
            outputs.iter().collect()
        } else {
            changed.clone()
        };
        let written: Vec<(String, String, String)> = recorded
            .iter()
            .map(|output| {
                (
                    output.path.clone(),
                    output.digest.clone(),
                    owner_of(output, &model),
                )
            })
            .collect();
        let forgotten: Vec<String> = removed.iter().chain(&dropped).cloned().collect();
        store.record_publish(&PublishRecord {
            written: &written,
            removed: &forgotten,
            replace_all: full || record_all,
            upto: changes.upto,
            at: now_unix,
            fingerprint: &fingerprint,
        })?;
        fs::remove_file(&marker)
            .with_context(|| format!("failed to remove {}", marker.display()))?;
        stages.mark("record");
        let mut written: Vec<String> = changed.iter().map(|output| output.path.clone()).collect();
        written.sort();
        let mut removed = removed;
        removed.sort();
        let report = PublishReport {
            unchanged: outputs.len() - written.len(),
            written,
            removed,
            swept,
            nothing_to_do: false,
            pages_only: partial,
            layout_kept,
            elapsed: started.elapsed(),
            stages: stages.done,
        };
        let layout = view.into_layout();
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some(KeptView {
                upto: changes.upto,
                at: now_unix,
                model,
                templates,
                layout,
            });
        }
        Ok(report)
    }

    /// Reads the published site into memory, as of its last publish, so that the next publish
    /// from this process (`serve`'s panel and scheduler) starts from it instead of reading the
    /// whole site then. Does nothing when a view is kept already or the site was never
    /// published; takes no lock (it writes nothing).
    pub fn keep_view(&self, store: &Store) -> anyhow::Result<()> {
        if self.kept.lock().map(|kept| kept.is_some()).unwrap_or(true) {
            return Ok(());
        }
        let snapshot = store.read_snapshot()?;
        let state = store.publish_state()?;
        let Some(at) = state.published_at else {
            return Ok(());
        };
        if state.fingerprint != self.fingerprint() || state.failure.is_some() {
            return Ok(());
        }
        let model = store
            .load_model(&self.config.theme, at)
            .context("failed to read the site from the database")?;
        drop(snapshot);
        let Ok(templates) = Templates::compile(&model.templates) else {
            return Ok(());
        };
        let layout = SiteView::new(&self.config, &model).into_layout();
        if let Ok(mut kept) = self.kept.lock()
            && kept.is_none()
        {
            *kept = Some(KeptView {
                upto: state.published_change,
                at,
                model,
                templates,
                layout,
            });
        }
        Ok(())
    }

    /// Rebuilds the search index from the published site, without writing any page
    /// (`govsite index --full`, and the scheduled refresh of D189 §4.10.1). Returns the number
    /// of pages indexed.
    pub fn reindex(&self, store: &Store, now: OffsetDateTime) -> anyhow::Result<u64> {
        let config = &self.config;
        let _turn = take_publish_turn(config)?;
        let model = store.load_model(&config.theme, now.unix_timestamp())?;
        let view = SiteView::new(config, &model);
        let revision_ids: Vec<i64> = model.pages.iter().map(|page| page.revision_id).collect();
        let bodies = store.revision_bodies(&revision_ids)?;
        let docs: Vec<_> = (0..model.pages.len())
            .filter_map(|index| {
                view.search_document(
                    index,
                    bodies
                        .get(&model.pages[index].revision_id)
                        .map(String::as_str)
                        .unwrap_or(""),
                )
            })
            .collect();
        let index = SearchIndex::open_for_writing(&config.search_index_dir())?;
        index.rebuild(&docs)?;
        Ok(index.len())
    }

    /// A page as it would be published with `content` instead of its live revision, rendered
    /// whole (the parts of a long document one after another) with the site's templates: the
    /// editor's preview (D189 §6.4.1). Nothing is written.
    pub fn preview_page(
        &self,
        store: &Store,
        page: &PageMeta,
        content: &PageContent,
        now: OffsetDateTime,
    ) -> anyhow::Result<String> {
        let mut model = store.load_model(&self.config.theme, now.unix_timestamp())?;
        let templates = Templates::compile(&model.templates).map_err(|problems| {
            anyhow::anyhow!("the theme's templates: {}", problems.join("; "))
        })?;
        let mut shown = content.clone();
        shown.status = Status::Published;
        shown.body = String::new();
        let live = LivePage {
            page_id: page.id,
            revision_id: -1,
            lang: page.lang.clone(),
            section_id: page.section_id,
            slug: page.slug.clone(),
            translation_key: page.translation_key.clone(),
            weight: page.weight,
            content: shown,
            content_hash: String::new(),
            parts: 1,
            saved_at: now
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            expired: false,
        };
        let index = match model.pages.iter().position(|p| p.page_id == page.id) {
            Some(index) => {
                model.pages[index] = live;
                index
            }
            None => {
                model.pages.push(live);
                model.pages.len() - 1
            }
        };
        let body = content.body.replace(crate::markdown::PAGE_BREAK, "");
        let view = SiteView::new(&self.config, &model);
        let output = Output {
            path: String::new(),
            digest: String::new(),
            kind: OutputKind::Page {
                index,
                part: 1,
                text_only: false,
            },
        };
        let bytes = view.render(&templates, &output, Some(&body))?;
        Ok(String::from_utf8(bytes)?)
    }

    /// Compiles the theme with `templates` in place of the stored ones and renders with it
    /// every language's home page, first content page, site map and error pages: the rendered
    /// home page of the default language, or every problem (the template editor's trial,
    /// D189 §6.4.5). Nothing is written.
    pub fn try_templates(
        &self,
        store: &Store,
        templates: &BTreeMap<String, String>,
        now: OffsetDateTime,
    ) -> Result<String, Vec<String>> {
        let compiled = Templates::compile(templates)?;
        let mut model = store
            .load_model(&self.config.theme, now.unix_timestamp())
            .map_err(|e| vec![e.to_string()])?;
        model.templates = templates.clone();
        let view = SiteView::new(&self.config, &model);
        let default_home = format!("{}/index.html", self.config.default_language());
        let mut problems = Vec::new();
        let mut home = String::new();
        for output in view.outputs() {
            let tried = match &output.kind {
                OutputKind::List {
                    number: 1,
                    text_only: false,
                    section,
                } => model.sections[*section].parent_id.is_none(),
                OutputKind::Page {
                    part: 1,
                    text_only: false,
                    index,
                } => model.pages[..*index]
                    .iter()
                    .all(|p| p.lang != model.pages[*index].lang),
                OutputKind::SiteMapPage { .. } | OutputKind::Error { .. } => true,
                _ => false,
            };
            if !tried {
                continue;
            }
            let body = match &output.kind {
                OutputKind::Page { index, .. } => store
                    .revision_bodies(&[model.pages[*index].revision_id])
                    .ok()
                    .and_then(|bodies| bodies.into_values().next()),
                _ => None,
            };
            match view.render(&compiled, &output, body.as_deref()) {
                Ok(bytes) => {
                    if home.is_empty() && output.path == default_home {
                        home = String::from_utf8_lossy(&bytes).into_owned();
                    }
                }
                Err(error) => problems.push(format!("/{}: {error:#}", output.path)),
            }
        }
        if problems.is_empty() {
            Ok(home)
        } else {
            Err(problems)
        }
    }
}

/// The plan of a publish where only pages changed: their outputs, their sections', every
/// language's and the site's, with the manifest rows of the same owners. `None` when the
/// change reaches further, so everything must be planned: a page whose files moved (renamed,
/// moved, split into more parts, taken off the site), or a change of what every page of a
/// language shows (its newest publication date).
fn plan_pages(
    store: &Store,
    view: &SiteView<'_>,
    changed_pages: &BTreeSet<i64>,
    in_place: bool,
) -> anyhow::Result<Option<(Vec<Output>, Manifest)>> {
    let scope = view.scope_of_pages(changed_pages, in_place);
    let outputs = view.outputs_in(&scope);
    let mut owners: BTreeSet<String> = outputs
        .iter()
        .map(|output| owner_of(output, view.model))
        .collect();
    owners.extend(changed_pages.iter().map(|&id| page_owner(id)));
    let mut manifest = store.build_manifest_of(&owners)?;
    // The list pages of a section that were not planned (the changed pages kept their places)
    // are as they were: they are not stale.
    if !scope.list_pages.is_empty() {
        let narrowed: HashSet<String> = scope
            .list_pages
            .keys()
            .map(|&section| section_owner(view.model.sections[section].id))
            .collect();
        let planned: HashSet<&str> = outputs.iter().map(|output| output.path.as_str()).collect();
        manifest.retain(|path, entry| {
            !narrowed.contains(&entry.owner) || planned.contains(path.as_str())
        });
    }
    for id in changed_pages {
        let owner = page_owner(*id);
        let before: BTreeSet<&str> = manifest
            .iter()
            .filter(|(_, entry)| entry.owner == owner)
            .map(|(path, _)| path.as_str())
            .collect();
        let after: BTreeSet<&str> = outputs
            .iter()
            .filter(|output| {
                matches!(output.kind, OutputKind::Page { index, .. }
                    if view.model.pages[index].page_id == *id)
            })
            .map(|output| output.path.as_str())
            .collect();
        if !before.is_empty() && before != after {
            return Ok(None);
        }
    }
    // The error pages' digests are exactly a language's shared inputs and newest date.
    let shared_changed = outputs.iter().any(|output| {
        matches!(output.kind, OutputKind::Error { .. })
            && manifest.get(&output.path).map(|entry| &entry.digest) != Some(&output.digest)
    });
    if shared_changed {
        return Ok(None);
    }
    Ok(Some((outputs, manifest)))
}

/// Puts the changed pages' live revisions (`fresh`; a changed page missing from it is no
/// longer live) into the kept model. Returns the kept layout when every changed page stayed in
/// its place ([`same_place`]), the common case of an edited text; `None` when the layout must
/// be derived again (a page came, went, moved, was renamed or redated).
fn refresh_pages(
    model: &mut SiteModel,
    fresh: Vec<crate::store::LivePage>,
    layout: SiteLayout,
    changed_pages: &BTreeSet<i64>,
) -> Option<SiteLayout> {
    // Where each fresh page is in the kept model, if every one of them kept its place there.
    let places: Option<Vec<usize>> = (fresh.len() == changed_pages.len())
        .then(|| {
            fresh
                .iter()
                .map(|page| {
                    let index = model
                        .pages
                        .binary_search_by_key(&page.page_id, |kept| kept.page_id)
                        .ok()?;
                    same_place(&model.pages[index], page).then_some(index)
                })
                .collect()
        })
        .flatten();
    if let Some(places) = places {
        for (index, page) in places.into_iter().zip(fresh) {
            model.pages[index] = page;
        }
        return Some(layout);
    }
    model
        .pages
        .retain(|page| !changed_pages.contains(&page.page_id));
    model.pages.extend(fresh);
    model.pages.sort_by_key(|page| page.page_id);
    None
}

/// One log line per publish (the journal records who changed what; this says what the
/// publish did and where its time went).
fn log_publish(report: &PublishReport, full: bool) {
    let steps: Vec<String> = report
        .stages
        .iter()
        .map(|(step, took)| format!("{step}={}", took.as_millis()))
        .collect();
    tracing::info!(
        written = report.written.len(),
        removed = report.removed.len(),
        unchanged = report.unchanged,
        swept = report.swept.len(),
        ms = report.elapsed.as_millis() as u64,
        plan = if full {
            "full"
        } else if report.nothing_to_do {
            "nothing to do"
        } else if report.pages_only && report.layout_kept {
            "changed pages, layout kept"
        } else if report.pages_only {
            "changed pages"
        } else {
            "everything"
        },
        steps = %steps.join(" "),
        "publish"
    );
}

/// The manifest's owner of a page's outputs.
fn page_owner(page_id: i64) -> String {
    format!("page:{page_id}")
}

/// The manifest's owner of a section's lists and feeds.
fn section_owner(section_id: i64) -> String {
    format!("section:{section_id}")
}

/// Which object an output belongs to, as the manifest records it: a publish that re-plans
/// some objects removes the old outputs of those objects that are no longer produced.
fn owner_of(output: &Output, model: &SiteModel) -> String {
    match &output.kind {
        OutputKind::Page { index, .. } => page_owner(model.pages[*index].page_id),
        OutputKind::List { section, .. }
        | OutputKind::Feed {
            section: Some(section),
            ..
        } => section_owner(model.sections[*section].id),
        OutputKind::SiteMapPage { lang, .. }
        | OutputKind::SearchPage { lang, .. }
        | OutputKind::Error { lang, .. }
        | OutputKind::Feed {
            lang,
            section: None,
            ..
        } => format!("lang:{lang}"),
        OutputKind::Media { .. } => "media".into(),
        OutputKind::Sitemap { .. } | OutputKind::RedirectMap | OutputKind::RedirectStub { .. } => {
            "site".into()
        }
    }
}

/// Removes stale outputs; returns the paths removed and the manifest rows dropped because
/// they do not name a file inside `public` (never acted upon).
fn remove_stale(
    public: &std::path::Path,
    stale: Vec<String>,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut removed = Vec::new();
    let mut dropped = Vec::new();
    for path in stale {
        let Ok(file) = output_file(public, &path) else {
            dropped.push(path);
            continue;
        };
        match fs::remove_file(&file) {
            Ok(()) => {
                files::remove_empty_parents(public, &file);
                removed.push(path);
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => removed.push(path),
            Err(error) => {
                return Err(error).with_context(|| format!("failed to remove {}", file.display()));
            }
        }
    }
    Ok((removed, dropped))
}

/// Waits for this site's publishing turn: the lock on `data/publish.lock`, released when the
/// returned file is dropped. Says so when another process or thread holds it.
fn take_publish_turn(config: &Config) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("failed to create {}", config.data_dir.display()))?;
    let path = config.data_dir.join(PUBLISH_LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .with_context(|| format!("failed to open the publishing lock {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::warn!(
                lock = %path.display(),
                "another govsite process is publishing this site; waiting for it to finish"
            );
            file.lock()
                .with_context(|| format!("failed to lock {}", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(error).with_context(|| format!("failed to lock {}", path.display()));
        }
    }
    Ok(file)
}

/// Keeps the search index in step with what was just published (D189 §4.10.1): pages whose
/// output changed are indexed again, pages gone or expired are removed. A full build rebuilds
/// the whole index.
fn update_search_index(
    config: &Config,
    view: &SiteView<'_>,
    changed: &[&Output],
    removed: &[String],
    bodies: &HashMap<i64, String>,
    full: bool,
) -> anyhow::Result<()> {
    let mut docs = Vec::new();
    let mut gone: Vec<String> = removed
        .iter()
        .filter(|path| path.ends_with("index.html") && !path.starts_with("text/"))
        .map(|path| format!("/{}", path.trim_end_matches("index.html")))
        .collect();
    for output in changed {
        if let OutputKind::Page {
            index,
            part: 1,
            text_only: false,
        } = output.kind
        {
            let page = &view.model.pages[index];
            let body = bodies
                .get(&page.revision_id)
                .map(String::as_str)
                .unwrap_or("");
            match view.search_document(index, body) {
                Some(doc) => docs.push(doc),
                None => gone.push(format!("/{}", output.path.trim_end_matches("index.html"))),
            }
        }
    }
    let index = SearchIndex::open_for_writing(&config.search_index_dir())?;
    if full {
        index.rebuild(&docs)
    } else {
        index.update(&docs, &gone)
    }
    .context("failed to update the search index")
}

/// Refuses UI strings that become URL segments and are not slugs (D189 §6.15), whatever put
/// them into the database (an older version, a direct edit): they would name folders outside
/// the public folder.
fn refuse_unsafe_segments(model: &crate::store::SiteModel) -> anyhow::Result<()> {
    let mut problems: Vec<String> = Vec::new();
    let mut langs: Vec<&String> = model.ui_strings.keys().collect();
    langs.sort();
    for lang in langs {
        for (key, value) in &model.ui_strings[lang] {
            if let Some(problem) = crate::i18n::url_segment_problem(key, value) {
                problems.push(format!("{lang}: {problem}; correct it on the panel's Strings screen or in i18n/{lang}.toml and import"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(UserError::with_problems(
            "the build was refused: UI strings that become addresses are not valid; nothing was written:",
            problems,
        )
        .into())
    }
}
