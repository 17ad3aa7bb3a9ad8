//! `onrecord init DIR`: a new archive that builds at once: site.toml with comments, the
//! built-in templates and static files (to edit), an example article and speaker, an empty
//! sources folder, and a GitHub Pages workflow.

use std::path::Path;

use crate::error::{Error, Result};
use crate::render::{BUILTIN_STATIC, BUILTIN_TEMPLATES};
use crate::write::atomic_write;

const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("init/site.toml")),
    (
        "content/articles/example-article.md",
        include_str!("init/example.md"),
    ),
    (
        "content/speakers/jane-example.md",
        include_str!("init/speaker.md"),
    ),
    ("content/sources/.gitkeep", ""),
    (
        ".github/workflows/pages.yml",
        include_str!("init/pages.yml"),
    ),
    (".gitignore", "/public\n"),
];

/// Write a new archive into `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Vec<String>> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(Error::Other(format!(
                "{} is not empty; `onrecord init` only writes into a new or empty folder",
                dir.display()
            )));
        }
    }
    let mut written = Vec::new();
    let files = FILES.iter().map(|(n, t)| (n.to_string(), t.as_bytes()));
    let templates = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (format!("templates/{n}"), t.as_bytes()));
    let statics = BUILTIN_STATIC
        .iter()
        .map(|(n, b)| (format!("static/{n}"), *b));
    for (name, bytes) in files.chain(templates).chain(statics) {
        atomic_write(&dir.join(&name), bytes)?;
        written.push(name);
    }
    Ok(written)
}
