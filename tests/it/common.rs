//! Helpers shared by the integration tests: fixture archives copied into temp dirs, and
//! small edits to their files.
#![allow(dead_code)] // not every helper is used by every area

use std::fs;
use std::path::{Path, PathBuf};

/// A fixture archive of tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of a fixture archive in a fresh temp dir.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), tmp.path());
    tmp
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Replace `from` (which must be there) by `to` in the file `rel` of an archive.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = read(&path);
    assert!(text.contains(from), "{from:?} not in {rel}");
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Add a line to the archive's site.toml.
pub fn set(root: &Path, setting: &str) {
    let path = root.join("site.toml");
    fs::write(&path, format!("{}{setting}\n", read(&path))).unwrap();
}
