//! The output folder's files: where an output path may go (`output_file`), atomic writes,
//! listing and removing, and the sweep of temporary files a killed publish left behind.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The prefix of the temporary files [`write_atomically`] renames into place. The public
/// server never serves dot-files; the sweep after an interrupted publish removes them.
pub const TEMPORARY_PREFIX: &str = ".govsite-";

/// A marker in `data/` that exists while a publish writes `public/`: found at the start of
/// the next publish, it means the last one was killed midway, so `public/` is swept for the
/// temporary files it may have left (issue 10: 4 of 22 builds killed with -9 left one).
pub const WRITING_MARKER: &str = "publish.writing";

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
    let file = plain_output_file(public, relative)?;
    let segments = relative.split('/').count();
    let mut folder = public.to_path_buf();
    for segment in relative.split('/').take(segments - 1) {
        folder.push(segment);
        if fs::symlink_metadata(&folder).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(UnsafeOutputPath {
                path: relative.to_string(),
                reason: "a folder of this output path is a symbolic link; the build never writes through links",
            });
        }
    }
    Ok(file)
}

/// The first half of [`output_file`], without touching the disk: every segment a plain name.
/// Enough to look at a file a publish will not write; whatever it writes or deletes goes
/// through [`output_file`].
pub fn plain_output_file(public: &Path, relative: &str) -> Result<PathBuf, UnsafeOutputPath> {
    let mut file = public.to_path_buf();
    for segment in relative.split('/') {
        let mut components = Path::new(segment).components();
        let plain = matches!(
            (components.next(), components.next()),
            (Some(std::path::Component::Normal(_)), None)
        );
        if !plain || segment.is_empty() || segment == "." || segment.contains(['\\', '\0']) {
            return Err(UnsafeOutputPath {
                path: relative.to_string(),
                reason: "every segment of an output path must be a plain name inside the public folder (no `..`, `.`, empty segment, `\\` or leading `/`)",
            });
        }
        file.push(segment);
    }
    Ok(file)
}

/// Writes a file so that readers see the old or the new content, never a part: a temporary
/// file in the same folder, renamed over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
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
pub(super) fn files_under(root: &Path) -> anyhow::Result<Vec<String>> {
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

pub(super) fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(current) = dir {
        if current == root || fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

/// Removes the temporary files of an interrupted publish from `public`; returns their paths
/// relative to it. Only files named with [`TEMPORARY_PREFIX`] are touched.
pub fn sweep_temporary_files(public: &Path) -> anyhow::Result<Vec<String>> {
    let mut swept = Vec::new();
    if !public.is_dir() {
        return Ok(swept);
    }
    for entry in walkdir::WalkDir::new(public).min_depth(1) {
        let entry = entry.with_context(|| format!("failed to list {}", public.display()))?;
        let temporary = entry.file_type().is_file()
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(TEMPORARY_PREFIX);
        if !temporary {
            continue;
        }
        fs::remove_file(entry.path())
            .with_context(|| format!("failed to remove {}", entry.path().display()))?;
        let relative = entry.path().strip_prefix(public).unwrap_or(entry.path());
        swept.push(relative.to_string_lossy().replace('\\', "/"));
    }
    Ok(swept)
}
