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

/// A site being built in a staging directory next to the real output directory.
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
}

impl Staging {
    /// Create an empty staging directory beside `target`.
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| output_dir_error(target, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = parent.join(format!(".{name}.building-{}", unique_suffix()));
        fs::create_dir(&staging).map_err(|e| output_dir_error(target, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// Write one output file at a site-relative path.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.staging.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    }

    /// Open a file at a site-relative path for writing in pieces (large data files).
    pub fn create(&self, rel: &str) -> Result<std::io::BufWriter<fs::File>> {
        let path = self.staging.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        let file = fs::File::create(&path).map_err(|e| Error::io("write", &path, e))?;
        Ok(std::io::BufWriter::with_capacity(1 << 16, file))
    }

    /// Replace the target directory with the finished staging directory. The old tree is
    /// moved aside first and removed last, so the target is never missing for long and
    /// never half-written.
    pub fn commit(self) -> Result<()> {
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let old = parent.join(format!(".old-site-{}", unique_suffix()));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| Error::io("move aside", &self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
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

impl Drop for Staging {
    /// A build that did not commit leaves no trace.
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_build_keeps_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = Staging::new(&public).unwrap();
        s.write("index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&public).unwrap();
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
        let s = Staging::new(&public).unwrap();
        s.write("old/index.html", b"x").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&public).unwrap();
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
