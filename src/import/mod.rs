//! Import: raw articles in content/sources/ -> content/articles/SLUG.md (front matter with
//! speakers and statements, and a clean Markdown body), plus registry entries in
//! content/speakers/ for people met for the first time.
//!
//! This module orchestrates: which sources to import (new or changed ones, or those named),
//! what is known about them from outside the text (flags, content/sources/metadata.toml),
//! running the stages (`decode` -> `clean` -> `extract`), resolving speakers through the
//! registry, assigning ids, merging into an existing article, and writing atomically.
//! Nothing is written until every selected source has been read without error.

mod archive;
mod boilerplate;
mod clauses;
mod clean;
mod dates;
mod decode;
mod extract;
mod ids;
mod lexicon;
mod mentions;
mod merge;
mod metadata;
mod paragraphs;
mod registry;
mod speakers;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::content::{
    self, ArticleMeta, ArticleSpeaker, DateSource, SourceRef, SpeakerMeta, Statement,
};
use crate::error::{Error, Problem, Result};
use crate::write::atomic_write;

use boilerplate::Repeats;
use registry::Registry;
use speakers::{Entity, EntityKind};

pub use metadata::SourceMeta;

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

/// A file import writes (or, with dry_run, would write).
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub text: String,
}

/// What an import did (or, with dry_run, would do).
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: Vec<PathBuf>,
    pub updated: Vec<PathBuf>,
    pub unchanged: usize,
    pub new_speakers: Vec<PathBuf>,
    pub warnings: Vec<Problem>,
    /// With dry_run: every file that would be written, with its full text.
    pub planned: Vec<PlannedFile>,
}

/// A source chosen for import.
struct Source {
    /// Path relative to content/sources/, with `/` separators.
    rel: String,
    /// Where the bytes are read from.
    path: PathBuf,
    bytes: Vec<u8>,
    sha256: String,
    /// A file named on the command line from outside content/sources/: copied in.
    copy_in: bool,
}

pub fn run(root: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    let sources_dir = root.join("content").join("sources");
    let articles_dir = root.join("content").join("articles");
    let mut report = ImportReport::default();
    let existing = archive::sources_by_file(&articles_dir)?;
    let selected = if opts.paths.is_empty() {
        discover(&sources_dir)?
    } else {
        named(&sources_dir, &opts.paths)?
    };
    let mut todo = Vec::new();
    for s in selected {
        match existing.get(&s.rel) {
            Some(e) if e.source.sha256 == s.sha256 => report.unchanged += 1,
            _ => todo.push(s),
        }
    }
    let flags = opts.date.is_some() || opts.publication.is_some() || opts.url.is_some();
    if flags && (todo.len() + report.unchanged != 1 || (opts.paths.is_empty() && todo.len() != 1)) {
        return Err(Error::Other(
            "--date, --publication and --url describe one source file; name exactly one, or describe several in content/sources/metadata.toml".into(),
        ));
    }
    if todo.is_empty() {
        return Ok(report);
    }
    let metadata = metadata::load(&sources_dir)?;
    let mut decoded = Vec::new();
    let mut problems = Vec::new();
    for s in &todo {
        match decode::decode(&s.path, &s.bytes) {
            Ok(d) => {
                report.warnings.extend(d.warning);
                decoded.push(d.text);
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let repeats = archive_repeats(&sources_dir, &todo, &decoded);
    let mut registry = Registry::load(&root.join("content").join("speakers"))?;
    let mut ids = archive::ids(&articles_dir)?;
    let mut writes: Vec<PlannedFile> = Vec::new();
    for (s, text) in todo.iter().zip(&decoded) {
        let known = Known::for_source(&s.rel, opts, &metadata);
        let (meta, body) = import_one(s, text, &known, &repeats, &mut registry);
        let (path, meta, created) = match existing.get(&s.rel) {
            Some(e) => {
                let old_text = std::fs::read_to_string(&e.path)
                    .map_err(|err| Error::io("read", &e.path, err))?;
                let old = content::parse_document::<ArticleMeta>(&e.path, &old_text)?;
                let merged = merge::merge(
                    &e.path,
                    &old.meta,
                    meta,
                    &body,
                    &ids.relation_targets,
                    |st| {
                        ids::statement_id(
                            &st.speaker,
                            st.said_on.or(old.meta.date),
                            &st.text,
                            &mut ids.statements,
                        )
                    },
                )?;
                (e.path.clone(), merged, false)
            }
            None => {
                let mut meta = meta;
                for st in &mut meta.statements {
                    st.id = ids::statement_id(
                        &st.speaker,
                        st.said_on.or(meta.date),
                        &st.text,
                        &mut ids.statements,
                    );
                }
                let slug = ids::article_slug(meta.date, &meta.title, &mut ids.slugs);
                (articles_dir.join(format!("{slug}.md")), meta, true)
            }
        };
        let text = content::render_document(&meta, &body)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?;
        if created {
            report.created.push(path.clone());
        } else {
            report.updated.push(path.clone());
        }
        if s.copy_in {
            writes.push(PlannedFile {
                path: sources_dir.join(&s.rel),
                text: String::from_utf8_lossy(&s.bytes).into_owned(),
            });
        }
        writes.push(PlannedFile { path, text });
    }
    for id in &registry.added {
        let path = registry::speaker_path(root, id);
        let meta = registry
            .get(id)
            .cloned()
            .unwrap_or_else(|| unreachable_meta(id));
        let text = content::render_document(&meta, "")
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?;
        report.new_speakers.push(path.clone());
        writes.insert(0, PlannedFile { path, text });
    }
    if opts.dry_run {
        report.planned = writes;
        return Ok(report);
    }
    for (s, w) in todo
        .iter()
        .filter(|s| s.copy_in)
        .zip(writes.iter().filter(|w| w.path.starts_with(&sources_dir)))
    {
        // Sources are copied byte for byte, never re-encoded.
        atomic_write(&w.path, &s.bytes)?;
    }
    for w in writes.iter().filter(|w| !w.path.starts_with(&sources_dir)) {
        atomic_write(&w.path, w.text.as_bytes())?;
    }
    Ok(report)
}

fn unreachable_meta(id: &str) -> SpeakerMeta {
    SpeakerMeta {
        name: id.to_string(),
        aliases: Vec::new(),
        role: None,
        anonymous: false,
        organization: false,
    }
}

/// What is known about a source from outside its text.
struct Known {
    date: Option<(Date, DateSource)>,
    publication: Option<String>,
    url: Option<String>,
    title: Option<String>,
    authors: Vec<String>,
}

impl Known {
    fn for_source(rel: &str, opts: &ImportOptions, metadata: &metadata::Metadata) -> Known {
        let file_name = rel.rsplit('/').next().unwrap_or(rel);
        let m = metadata
            .get(rel)
            .or_else(|| metadata.get(file_name))
            .cloned()
            .unwrap_or_default();
        Known {
            date: opts
                .date
                .map(|d| (d, DateSource::Flag))
                .or(m.date.map(|d| (d, DateSource::Manifest))),
            publication: opts.publication.clone().or(m.publication),
            url: opts.url.clone().or(m.url),
            title: m.title,
            authors: m.authors,
        }
    }
}

/// Clean, extract and describe one source. Statement ids are left empty.
fn import_one(
    s: &Source,
    text: &str,
    known: &Known,
    repeats: &Repeats,
    registry: &mut Registry,
) -> (ArticleMeta, String) {
    let cleaned = clean::clean(text, repeats);
    let (date, date_source) = match (known.date, cleaned.date) {
        (Some((d, src)), _) => (Some(d), Some(src)),
        (None, Some(d)) => (Some(d), Some(DateSource::Text)),
        (None, None) => (None, None),
    };
    let (body, escaped) = render_body(&cleaned.body);
    let found = extract::extract(&cleaned.body, date, registry);
    let mut speaker_ids: HashMap<usize, String> = HashMap::new();
    let mut used: Vec<usize> = found.statements.iter().map(|f| f.speaker).collect();
    used.sort_by_key(|&e| found.entities[e].first_seen);
    used.dedup();
    let mut speakers = Vec::new();
    for e in used {
        let entity = &found.entities[e];
        let id = match &entity.registry_id {
            Some(id) => id.clone(),
            None => registry.resolve(registry_entry(entity)),
        };
        if !speakers.iter().any(|s: &ArticleSpeaker| s.id == id) {
            speakers.push(ArticleSpeaker {
                id: id.clone(),
                name: display_name(entity),
                role: entity.role.clone(),
            });
        }
        speaker_ids.insert(e, id);
    }
    let statements = found
        .statements
        .iter()
        .filter(|f| !(f.start == 0 && escaped[f.para]))
        .map(|f| Statement {
            id: String::new(),
            speaker: speaker_ids[&f.speaker].clone(),
            kind: f.kind,
            verb: f.verb.clone(),
            said_on: f.said_on,
            text: cleaned.body[f.para][f.start..f.end].to_string(),
            note: None,
            relations: Vec::new(),
            aliases: Vec::new(),
        })
        .collect();
    let title = cleaned
        .title
        .clone()
        .or_else(|| known.title.clone())
        .unwrap_or_else(|| title_from(&cleaned.body));
    let meta = ArticleMeta {
        title,
        publication: known.publication.clone().or(cleaned.publication),
        url: known.url.clone(),
        date,
        date_source,
        authors: if known.authors.is_empty() {
            cleaned.authors
        } else {
            known.authors.clone()
        },
        tags: Vec::new(),
        source: Some(SourceRef {
            file: s.rel.clone(),
            sha256: s.sha256.clone(),
        }),
        speakers,
        statements,
    };
    (meta, body)
}

fn display_name(e: &Entity) -> String {
    match e.kind {
        EntityKind::Anonymous => format!("{} (anonymous)", capitalize(&e.name)),
        _ => e.name.clone(),
    }
}

fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn registry_entry(e: &Entity) -> SpeakerMeta {
    let words: Vec<&str> = e.name.split_whitespace().collect();
    let aliases = if e.kind == EntityKind::Person && words.len() >= 2 {
        vec![words[words.len() - 1].to_string()]
    } else {
        Vec::new()
    };
    SpeakerMeta {
        name: display_name(e),
        aliases,
        role: e.role.clone(),
        anonymous: e.kind == EntityKind::Anonymous,
        organization: e.kind == EntityKind::Organization,
    }
}

/// The body as Markdown: paragraphs separated by blank lines. A paragraph that would start
/// a Markdown block (heading, list, quote) gets its first character escaped; such
/// paragraphs are flagged so that no statement starts at their first byte.
fn render_body(paras: &[String]) -> (String, Vec<bool>) {
    let mut out = String::new();
    let mut escaped = Vec::with_capacity(paras.len());
    for p in paras {
        let needs = starts_markdown_block(p);
        if needs {
            out.push('\\');
        }
        escaped.push(needs);
        out.push_str(p);
        out.push_str("\n\n");
    }
    let body = out.trim_end().to_string() + "\n";
    (body, escaped)
}

fn starts_markdown_block(p: &str) -> bool {
    let first = p.chars().next().unwrap_or(' ');
    if matches!(
        first,
        '#' | '>' | '-' | '+' | '*' | '=' | '|' | '<' | '`' | '~'
    ) {
        return true;
    }
    let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
    !digits.is_empty() && p[digits.len()..].starts_with(['.', ')'])
}

/// A short title from the body's first sentence, when the text has no headline.
fn title_from(body: &[String]) -> String {
    let Some(first) = body.first() else {
        return "Untitled".into();
    };
    let p = text::Para::new(first, text::QuoteStyle::Double);
    let sentence = p
        .sentences
        .first()
        .map_or(first.as_str(), |s| p.span(s.start, s.end));
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut title = words.iter().take(10).copied().collect::<Vec<_>>().join(" ");
    title = title
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    if words.len() > 10 {
        title.push('\u{2026}');
    }
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_source_name(rel: &Path) -> bool {
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let ext = rel.extension().map(|e| e.to_string_lossy().to_lowercase());
    !hidden
        && rel != Path::new(metadata::FILE_NAME)
        && matches!(ext.as_deref(), None | Some("txt") | Some("text"))
}

fn rel_string(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_source(rel: String, path: PathBuf, copy_in: bool) -> Result<Source> {
    let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
    Ok(Source {
        rel,
        sha256: sha256_hex(&bytes),
        path,
        bytes,
        copy_in,
    })
}

/// Every text file in content/sources/ (except metadata.toml and dotfiles), sorted.
fn discover(sources_dir: &Path) -> Result<Vec<Source>> {
    if !sources_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(sources_dir).sort_by_file_name() {
        let entry = entry
            .map_err(|e| Error::Other(format!("cannot list {}: {e}", sources_dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(sources_dir)
            .unwrap_or(entry.path());
        if is_source_name(rel) {
            out.push(read_source(
                rel_string(rel),
                entry.path().to_path_buf(),
                false,
            )?);
        }
    }
    Ok(out)
}

/// Sources named on the command line: inside content/sources/, or copied into it.
fn named(sources_dir: &Path, paths: &[PathBuf]) -> Result<Vec<Source>> {
    let root = sources_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let canon_sources = std::fs::canonicalize(sources_dir).ok();
    let mut out = Vec::new();
    for p in paths {
        let candidates = [p.clone(), root.join(p), sources_dir.join(p)];
        let Some(found) = candidates.iter().find(|c| c.is_file()) else {
            return Err(Error::problem(Problem::new(p, "no such source file").help(
                "give a path to a text file, or a file name in content/sources/",
            )));
        };
        let canon = std::fs::canonicalize(found).map_err(|e| Error::io("read", found, e))?;
        match canon_sources
            .as_ref()
            .and_then(|s| canon.strip_prefix(s).ok())
        {
            Some(rel) => out.push(read_source(rel_string(rel), found.clone(), false)?),
            None => {
                let name = found
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let source = read_source(name.clone(), found.clone(), true)?;
                let target = sources_dir.join(&name);
                if let Ok(existing) = std::fs::read(&target) {
                    if existing != source.bytes {
                        return Err(Error::problem(
                            Problem::new(
                                &target,
                                "a different source with this name is already in content/sources/",
                            )
                            .help("rename the new file before importing it"),
                        ));
                    }
                    out.push(Source {
                        copy_in: false,
                        path: target,
                        ..source
                    });
                } else {
                    out.push(source);
                }
            }
        }
    }
    Ok(out)
}

/// Paragraphs that recur across the archive's sources (boilerplate), from every source in
/// content/sources/ plus the ones being imported.
fn archive_repeats(sources_dir: &Path, todo: &[Source], decoded: &[String]) -> Repeats {
    let mut texts: HashMap<String, String> = HashMap::new();
    if let Ok(all) = discover(sources_dir) {
        for s in all {
            if let Ok(d) = decode::decode(&s.path, &s.bytes) {
                texts.insert(s.rel, d.text);
            }
        }
    }
    for (s, d) in todo.iter().zip(decoded) {
        texts.insert(s.rel.clone(), d.clone());
    }
    let paras: Vec<Vec<String>> = texts.values().map(|t| paragraphs::paragraphs(t)).collect();
    Repeats::from_sources(paras.iter().map(Vec::as_slice))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No input makes the pipeline panic: random mixes of quotes, dashes, multi-byte
    /// characters, abbreviations and line breaks.
    #[test]
    fn never_panics() {
        let pieces = [
            "“",
            "”",
            "\"",
            "‘",
            "’",
            "'",
            "—",
            " - ",
            ",",
            ".",
            "?",
            "\n",
            "\n\n",
            " ",
            "U.S.",
            "Nov.",
            "said",
            "told",
            "he",
            "she",
            "Peskov",
            "Dmitry Peskov",
            "the official",
            "one Russian official",
            "according to",
            "that",
            "Mr",
            "By ",
            "MOSCOW (Reuters) - ",
            "é",
            "日本",
            "🙂",
            "(",
            ")",
            "Read more.",
            ":",
            "A Message from X:",
            "saying",
            "quoted",
            "as",
            "the Kremlin",
            "2016",
            "Monday",
            "on",
            "Jan.",
            "10",
            "/",
            "AP/Name",
            "\u{2026}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let registry = Registry::default();
        for _ in 0..3000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 40) as usize + 1;
            for k in 0..n {
                let r = seed
                    .rotate_left(k as u32 * 7)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15);
                text.push_str(pieces[(r >> 33) as usize % pieces.len()]);
                if r % 3 == 0 {
                    text.push(' ');
                }
            }
            let cleaned = clean::clean(&text, &Repeats::default());
            let found = extract::extract(
                &cleaned.body,
                Some(jiff::civil::date(2016, 11, 14)),
                &registry,
            );
            for f in &found.statements {
                assert!(
                    cleaned.body[f.para].get(f.start..f.end).is_some(),
                    "{text:?}"
                );
            }
            let _ = title_from(&cleaned.body);
            let _ = render_body(&cleaned.body);
        }
    }
}

#[cfg(test)]
mod bench {
    use super::*;

    /// Throughput of clean + extract (`cargo test --release --lib import::bench -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn throughput() {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 10_000_000 {
            for f in [
                "000_a9015e1fb20e6a51",
                "001_5b80619e571c45d9",
                "002_b3cbf9e2b05ff51b",
                "003_09882ac5bc3d6676",
            ] {
                let s = std::fs::read_to_string(format!("/work/shared/seeds/{f}.txt"))
                    .unwrap_or_default();
                text.push_str(&s.replace("Peskov", &format!("Peskov{i}")));
                text.push_str("\n\n");
                i += 1;
            }
        }
        let registry = Registry::default();
        let t = std::time::Instant::now();
        let cleaned = clean::clean(&text, &Repeats::default());
        let t_clean = t.elapsed();
        let found = extract::extract(&cleaned.body, None, &registry);
        let total = t.elapsed();
        let mb = text.len() as f64 / 1e6;
        println!(
            "{mb:.1} MB: clean {t_clean:?}, total {total:?} = {:.1} MB/s, {} statements",
            mb / total.as_secs_f64(),
            found.statements.len()
        );
    }
}
