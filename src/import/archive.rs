//! What the archive already holds, as far as import cares: which source each article was
//! made from (read cheaply from the front matter's `source:` lines, no body parsing), and,
//! when something is to be imported, every statement id and relation target in use.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::content::{self, ArticleMeta, SourceRef};
use crate::error::{Error, Problem, Result};

/// An article file and the source it records.
#[derive(Debug, Clone)]
pub struct Existing {
    pub path: PathBuf,
    pub source: SourceRef,
}

#[derive(Deserialize)]
struct SourceOnly {
    #[serde(default)]
    source: Option<SourceRef>,
}

pub fn article_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// Source references of all articles, keyed by source file (relative to content/sources).
pub fn sources_by_file(dir: &Path) -> Result<HashMap<String, Existing>> {
    let mut out = HashMap::new();
    for path in article_files(dir) {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        if let Some(source) = source_of(&path, &text)? {
            out.insert(source.file.clone(), Existing { path, source });
        }
    }
    Ok(out)
}

/// The `source:` of one article: by its lines as import writes them, else by YAML.
fn source_of(path: &Path, text: &str) -> Result<Option<SourceRef>> {
    let Some((yaml, _, _)) = content::split_front_matter(text) else {
        return Ok(None);
    };
    if let Some(s) = source_lines(yaml) {
        return Ok(Some(s));
    }
    match serde_saphyr::from_str::<SourceOnly>(yaml) {
        Ok(s) => Ok(s.source),
        Err(_) => Err(Error::problem(
            // Report the article's real problem, located, through the strict parser.
            content::parse_document::<ArticleMeta>(path, text)
                .err()
                .unwrap_or_else(|| Problem::new(path, "cannot read the front matter")),
        )),
    }
}

fn source_lines(yaml: &str) -> Option<SourceRef> {
    let mut lines = yaml.lines().skip_while(|l| l.trim_end() != "source:");
    lines.next()?;
    let mut file = None;
    let mut sha = None;
    for l in lines.take(2) {
        if let Some(v) = l.strip_prefix("  file: ") {
            file = Some(unquote(v));
        } else if let Some(v) = l.strip_prefix("  sha256: ") {
            sha = Some(unquote(v));
        }
    }
    Some(SourceRef {
        file: file?,
        sha256: sha?,
    })
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

/// Statement ids and relation targets in use across the archive, and article slugs.
#[derive(Debug, Default)]
pub struct Ids {
    pub statements: super::ids::Taken,
    pub relation_targets: HashSet<String>,
    pub slugs: super::ids::Taken,
}

pub fn ids(dir: &Path) -> Result<Ids> {
    let mut out = Ids::default();
    let mut problems = Vec::new();
    for path in article_files(dir) {
        if let Some(stem) = path.file_stem() {
            out.slugs.insert(stem.to_string_lossy().into_owned());
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        match content::parse_document::<ArticleMeta>(&path, &text) {
            Ok(doc) => {
                for s in doc.meta.statements {
                    out.statements.insert(s.id);
                    out.statements.extend(s.aliases);
                    out.relation_targets
                        .extend(s.relations.iter().map(|r| r.target().to_string()));
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Problems(problems))
    }
}
