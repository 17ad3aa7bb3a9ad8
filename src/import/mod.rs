//! Import: raw articles in content/sources/ -> content/articles/*.md. (Being written.)

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::error::{Error, Problem, Result};

/// What `onrecord import` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Source files to import; empty means every new or changed file in content/sources/.
    pub paths: Vec<PathBuf>,
    /// Publication date for the given file(s) (`--date`).
    pub date: Option<Date>,
    /// Publication name (`--publication`).
    pub publication: Option<String>,
    /// Original address (`--url`).
    pub url: Option<String>,
    /// Show what would be written, write nothing.
    pub dry_run: bool,
}

/// What an import did (or, with dry_run, would do).
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: Vec<PathBuf>,
    pub updated: Vec<PathBuf>,
    pub unchanged: usize,
    pub new_speakers: Vec<PathBuf>,
    pub warnings: Vec<Problem>,
}

pub fn run(root: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    let _ = (root, opts);
    Err(Error::Other("import is not available yet".into()))
}
