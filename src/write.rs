//! Writing without half-written results. Single files are written to a temporary file in
//! the same directory and renamed over the target (atomic on POSIX). A whole site is built
//! in a fresh sibling directory and swapped in only when complete, so a failed build leaves
//! the previous site untouched and a reader never sees a half-written tree.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other writer in this or another process uses at the same time.
fn unique_suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{}", std::process::id(), n)
}

/// How old a temporary file must be to be taken for one left by a killed process: a live
/// writer renames its file within seconds.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Remove the temporary files [`atomic_write`] left in `dir` when a process was killed
/// before its rename (`.NAME.tmp-PID-N`, older than ten minutes). They are harmless
/// (everything skips dotfiles) but clutter the folder; what they held was never the file.
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.contains(".tmp-")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMP_AGE));
        if old && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Write `bytes` to `path` atomically: temp file in the same directory, fsync, rename.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", unique_suffix()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io("write", path, e));
    }
    Ok(())
}

/// The output directory cannot be made: say why in the user's terms (a file in the way)
/// and where to set another. Nothing was written.
fn output_dir_error(target: &Path, e: std::io::Error) -> Error {
    let in_the_way = target
        .ancestors()
        .skip(1)
        .find(|p| p.exists() && !p.is_dir() && !p.as_os_str().is_empty());
    let why = match in_the_way {
        Some(file) => format!("{} is a file, not a folder", file.display()),
        None => e.to_string(),
    };
    Error::Other(format!(
        "cannot create the output directory {}: {why}\n  help: set output_dir in site.toml (or pass --output DIR) to a folder that can be created and written; the previous site, if any, is untouched",
        target.display()
    ))
}

/// Writes the files of a site, in one of two ways:
/// - staged (a full build): into a fresh directory beside the output directory, swapped in
///   by [`SiteWriter::commit`] only when complete;
/// - in place (a rebuild that changes a few files of a site it built before): each file is
///   written to a temporary file and renamed over the old one, so no reader ever sees half
///   of a file. The caller keeps readers out while the set of files changes (see serve).
pub struct SiteWriter {
    target: PathBuf,
    /// Where files go: the staging directory, or `target` itself when in place.
    dir: PathBuf,
    in_place: bool,
    /// The files written since the last [`SiteWriter::take_written`].
    written: std::sync::Mutex<Vec<String>>,
}

impl SiteWriter {
    /// Create an empty staging directory beside `target`.
    pub fn staged(target: &Path) -> Result<SiteWriter> {
        let parent = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| output_dir_error(target, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = parent.join(format!(".{name}.building-{}", unique_suffix()));
        fs::create_dir(&staging).map_err(|e| output_dir_error(target, e))?;
        Ok(SiteWriter {
            target: target.to_path_buf(),
            dir: staging,
            in_place: false,
            written: Default::default(),
        })
    }

    /// Change files of the existing site at `target`.
    pub fn in_place(target: &Path) -> SiteWriter {
        SiteWriter {
            target: target.to_path_buf(),
            dir: target.to_path_buf(),
            in_place: true,
            written: Default::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write one output file at a site-relative path.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(rel)?;
        file.write_all(bytes)
            .map_err(|e| Error::io("write", &self.dir.join(rel), e))?;
        file.finish()
    }

    /// The site-relative paths of the files written since the last call.
    pub fn take_written(&self) -> Vec<String> {
        std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Open a file at a site-relative path for writing in pieces (large data files).
    pub fn create(&self, rel: &str) -> Result<OutputFile> {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
        let path = self.dir.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        let (open, rename_to) = if self.in_place {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let tmp = path.with_file_name(format!(".{name}.tmp-{}", unique_suffix()));
            (tmp, Some(path))
        } else {
            (path, None)
        };
        let file = fs::File::create(&open).map_err(|e| Error::io("write", &open, e))?;
        Ok(OutputFile {
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            path: open,
            rename_to,
        })
    }

    /// Remove a page (a site-relative file) that the site no longer has, and the folders it
    /// leaves empty. Only for in-place writers: a staged site starts empty.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let path = self.dir.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &path, e)),
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
            if fs::remove_dir(d).is_err() {
                break; // not empty: other files of the site are in it
            }
            dir = d.parent();
        }
        Ok(())
    }

    /// Finish: swap a staged site in (the old tree is moved aside first and removed last,
    /// so the target is never missing for long and never half-written); nothing to do in
    /// place.
    pub fn commit(self) -> Result<()> {
        if self.in_place {
            return Ok(());
        }
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let old = parent.join(format!(".old-site-{}", unique_suffix()));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| Error::io("move aside", &self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io("replace", &self.target, e));
        }
        if had_old {
            remove_tree(&old);
        }
        // Consumed: nothing left to clean up.
        std::mem::forget(self);
        Ok(())
    }
}

/// A file of the site being written; [`OutputFile::finish`] completes it.
pub struct OutputFile {
    out: std::io::BufWriter<fs::File>,
    /// Where the bytes go now.
    path: PathBuf,
    /// In place: the file that the finished temporary file replaces.
    rename_to: Option<PathBuf>,
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl OutputFile {
    /// Flush the file and, in place, rename it over the old one. Dropped unfinished, a
    /// temporary file is removed and the old file stays.
    pub fn finish(mut self) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| Error::io("write", &self.path, e))?;
        if let Some(target) = self.rename_to.take() {
            fs::rename(&self.path, &target).map_err(|e| Error::io("write", &target, e))?;
        }
        Ok(())
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.rename_to.is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Held while a site changes: writers take it to change or swap the site, readers (the
/// preview server) to read a file, so that no reader sees the site half-changed.
#[derive(Default)]
pub struct SiteLock(tokio::sync::RwLock<()>);

impl SiteLock {
    /// Wait until no reader is reading, and keep new ones waiting. Not from async code.
    pub fn for_writing(&self) -> tokio::sync::RwLockWriteGuard<'_, ()> {
        self.0.blocking_write()
    }

    /// Wait until no writer is writing.
    pub async fn for_reading(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.0.read().await
    }
}

/// Remove a directory tree, the entries two levels down in parallel: a site is a few
/// folders (articles/, statements/) of thousands of folders each, and deleting them one
/// by one is what made rebuilds on disk slow.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let children = |d: &Path| -> Vec<PathBuf> {
        fs::read_dir(d)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let top = children(dir);
    let second: Vec<PathBuf> = top
        .iter()
        .filter(|p| p.is_dir())
        .flat_map(|p| children(p))
        .collect();
    second.par_iter().for_each(|p| {
        let _ = if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
    });
    let _ = fs::remove_dir_all(dir);
}

impl Drop for SiteWriter {
    /// A staged build that did not commit leaves no trace.
    fn drop(&mut self) {
        if !self.in_place {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temp_files_are_removed_fresh_ones_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let file = |name: &str, age_secs: u64| {
            let path = tmp.path().join(name);
            fs::write(&path, "x").unwrap();
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
            fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .unwrap();
            path
        };
        let stale = file(".a.md.tmp-123-0", 3600);
        let fresh = file(".b.md.tmp-123-1", 1);
        let article = file("c.md", 3600);
        let hidden = file(".keep", 3600);
        remove_stale_temp_files(tmp.path());
        assert!(!stale.exists());
        assert!(fresh.exists() && article.exists() && hidden.exists());
    }

    #[test]
    fn failed_build_keeps_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = SiteWriter::staged(&public).unwrap();
        s.write("index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = SiteWriter::staged(&public).unwrap();
        s.write("index.html", b"two").unwrap();
        drop(s); // the build failed before commit
        assert_eq!(fs::read(public.join("index.html")).unwrap(), b"one");
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "no staging left"
        );
    }

    #[test]
    fn commit_removes_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = SiteWriter::staged(&public).unwrap();
        s.write("old/index.html", b"x").unwrap();
        s.commit().unwrap();
        let s = SiteWriter::staged(&public).unwrap();
        s.write("index.html", b"y").unwrap();
        s.commit().unwrap();
        assert!(!public.join("old").exists());
        assert!(public.join("index.html").exists());
    }

    #[test]
    fn atomic_write_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a/b.md");
        atomic_write(&p, b"1").unwrap();
        atomic_write(&p, b"2").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"2");
        assert_eq!(fs::read_dir(tmp.path().join("a")).unwrap().count(), 1);
    }
}
