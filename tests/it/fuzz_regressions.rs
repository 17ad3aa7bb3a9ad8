//! Replays the inputs stored under tests/fixtures/fuzz/TARGET/ (what the fuzzers found,
//! minimized, and a few corpus entries) through the fuzz targets' own checks,
//! fuzz/checks.rs: no panic, and the invariants hold. See "Fuzzing" in the README.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

#[path = "../../fuzz/checks.rs"]
mod checks;

/// Runs `check` on every file of tests/fixtures/fuzz/`target`/; fails naming each input
/// that panics.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no inputs in {}", dir.display());
    let failed: Vec<String> = paths
        .iter()
        .filter(|p| {
            let bytes = fs::read(p).unwrap();
            catch_unwind(AssertUnwindSafe(|| check(&bytes))).is_err()
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(failed.is_empty(), "failing inputs: {failed:#?}");
}

#[test]
fn import_inputs() {
    replay("import", checks::import);
}

#[test]
fn front_matter_inputs() {
    replay("front_matter", checks::front_matter);
}
