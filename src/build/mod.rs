//! Publishing: decides which output files changed since the last build (by the digest of their
//! inputs), renders them in parallel and writes them atomically. The only writer of `public/`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rayon::prelude::*;
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::UserError;
use crate::render::{Output, OutputKind, SiteView, Templates};
use crate::search::index::SearchIndex;
use crate::store::Store;

/// The file whose exclusive lock every build and reindex of a site holds, in every process
/// (`serve`'s panel and scheduler, `govsite build`, `govsite index`): one writer of `public/`,
/// the build manifest and the search index at a time (D189 §6.3.13).
pub const PUBLISH_LOCK_FILE: &str = "publish.lock";

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
            eprintln!(
                "build: another govsite process is publishing this site; waiting for it to finish ({})",
                path.display()
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

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Paths written, relative to the public folder, sorted.
    pub written: Vec<String>,
    /// Paths removed because nothing produces them any more, sorted.
    pub removed: Vec<String>,
    pub unchanged: usize,
    pub elapsed: Duration,
}

/// Builds the site into `config.public_dir` as it is published at `now`.
///
/// Incremental unless `full`: only outputs whose inputs changed since the last build are
/// rendered and written. Both ways give the same tree.
pub fn build(
    store: &mut Store,
    config: &Config,
    full: bool,
    now: OffsetDateTime,
) -> anyhow::Result<BuildReport> {
    // One build at a time for this site, across threads and processes: the admin panel, the
    // scheduler and the command line all publish.
    let _turn = take_publish_turn(config)?;
    let started = Instant::now();
    let model = store
        .load_model(&config.theme, now.unix_timestamp())
        .context("failed to read the site from the database")?;
    let templates = Templates::compile(&model.templates).map_err(|problems| {
        UserError::with_problems(
            format!("the templates of theme `{}` have problems:", config.theme),
            problems,
        )
    })?;
    refuse_unsafe_segments(&model)?;
    let view = SiteView::new(config, &model);
    let outputs = view.outputs();
    let public = &config.public_dir;
    fs::create_dir_all(public).with_context(|| format!("failed to create {}", public.display()))?;
    // Every output path is checked, once, before anything is written: a bad one stops the
    // build. `files[i]` is where `outputs[i]` goes.
    let mut files = Vec::with_capacity(outputs.len());
    let mut unsafe_outputs = Vec::new();
    for output in &outputs {
        match output_file(public, &output.path) {
            Ok(file) => files.push(file),
            Err(error) => unsafe_outputs.push(error.to_string()),
        }
    }
    if !unsafe_outputs.is_empty() {
        return Err(UserError::with_problems(
            "the build was refused: these outputs would be written outside the public folder; nothing was written:",
            unsafe_outputs,
        )
        .into());
    }

    let manifest = if full {
        HashMap::new()
    } else {
        store.build_manifest()?
    };
    let changed: Vec<(&Output, &PathBuf)> = outputs
        .iter()
        .zip(&files)
        .filter(|(output, file)| {
            manifest.get(&output.path) != Some(&output.digest) || !file.is_file()
        })
        .collect();

    let revision_ids: Vec<i64> = changed
        .iter()
        .filter_map(|(output, _)| match output.kind {
            OutputKind::Page { index, .. } => Some(model.pages[index].revision_id),
            _ => None,
        })
        .collect();
    let bodies = store.revision_bodies(&revision_ids)?;
    let mut media_bytes: HashMap<&str, Vec<u8>> = HashMap::new();
    for (output, _) in &changed {
        if let OutputKind::Media { path } = &output.kind {
            let bytes = store
                .media_bytes(path)?
                .with_context(|| format!("stored file `{path}` disappeared during the build"))?;
            media_bytes.insert(path.as_str(), bytes);
        }
    }

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

    let wanted: HashSet<&str> = outputs.iter().map(|output| output.path.as_str()).collect();
    let stale: Vec<String> = if full {
        files_under(public)?
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
    let mut removed = Vec::new();
    // Manifest rows that do not name a file inside public/ are dropped, never acted upon.
    let mut dropped = Vec::new();
    for path in stale {
        let Ok(file) = output_file(public, &path) else {
            dropped.push(path);
            continue;
        };
        match fs::remove_file(&file) {
            Ok(()) => {
                remove_empty_parents(public, &file);
                removed.push(path);
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => removed.push(path),
            Err(error) => {
                return Err(error).with_context(|| format!("failed to remove {}", file.display()));
            }
        }
    }
    let changed: Vec<&Output> = changed.into_iter().map(|(output, _)| output).collect();
    update_search_index(config, &view, &changed, &removed, &bodies, full)?;
    let written: Vec<(String, String)> = changed
        .iter()
        .map(|output| (output.path.clone(), output.digest.clone()))
        .collect();
    let forgotten: Vec<String> = removed.iter().chain(&dropped).cloned().collect();
    store.update_build_manifest(&written, &forgotten, full)?;
    let mut written: Vec<String> = written.into_iter().map(|(path, _)| path).collect();
    written.sort();
    removed.sort();
    Ok(BuildReport {
        unchanged: outputs.len() - written.len(),
        written,
        removed,
        elapsed: started.elapsed(),
    })
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

/// Rebuilds the search index from the published site, without writing any page
/// (`govsite index --full`, and the scheduled refresh of D189 §4.10.1). Returns the number of
/// pages indexed.
pub fn reindex(store: &Store, config: &Config, now: OffsetDateTime) -> anyhow::Result<u64> {
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

/// An output path that would leave the public folder.
#[derive(Debug, thiserror::Error)]
#[error("`{path}`: {reason}")]
pub struct UnsafeOutputPath {
    pub path: String,
    pub reason: &'static str,
}

/// The file an output's relative path (`az/xeberler/index.html`) names inside `public`: every
/// `/`-separated segment must be a plain name (no empty segment, no `.` or `..`, no `\\`, no
/// leading `/`), and no folder on the way may be a symbolic link. Used for every write and
/// every delete of the build, whatever produced the path (strings, stored files, the manifest).
pub fn output_file(public: &Path, relative: &str) -> Result<PathBuf, UnsafeOutputPath> {
    let refuse = |reason| UnsafeOutputPath {
        path: relative.to_string(),
        reason,
    };
    let mut file = public.to_path_buf();
    let segments: Vec<&str> = relative.split('/').collect();
    for (index, segment) in segments.iter().enumerate() {
        let mut components = Path::new(segment).components();
        let plain = matches!(
            (components.next(), components.next()),
            (Some(std::path::Component::Normal(_)), None)
        );
        if !plain || segment.is_empty() || *segment == "." || segment.contains(['\\', '\0']) {
            return Err(refuse(
                "every segment of an output path must be a plain name inside the public folder (no `..`, `.`, empty segment, `\\` or leading `/`)",
            ));
        }
        file.push(segment);
        if index + 1 < segments.len()
            && fs::symlink_metadata(&file).is_ok_and(|meta| meta.file_type().is_symlink())
        {
            return Err(refuse(
                "a folder of this output path is a symbolic link; the build never writes through links",
            ));
        }
    }
    Ok(file)
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

/// Writes a file so that readers see the old or the new content, never a part: a temporary
/// file in the same folder, renamed over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".govsite-")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in {}", dir.display()))?;
    temporary
        .write_all(bytes)
        .with_context(|| format!("failed to write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(temporary.path(), fs::Permissions::from_mode(0o644))?;
    }
    temporary
        .persist(path)
        .with_context(|| format!("failed to replace {}", path.display()))?;
    Ok(())
}

/// Every file under a folder, as `/`-separated relative paths.
fn files_under(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.with_context(|| format!("failed to list {}", root.display()))?;
        if entry.file_type().is_file() {
            let relative: PathBuf = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_path_buf();
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(files)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(current) = dir {
        if current == root || fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}
