//! Import: raw articles in content/sources/ -> content/articles/SLUG.md (front matter with
//! speakers and statements, and a clean Markdown body), plus registry entries in
//! content/speakers/ for people met for the first time.
//!
//! This module orchestrates: which sources to import (new or changed ones, or those named),
//! what is known about them from outside the text (flags, content/sources/metadata.toml),
//! running the stages (`decode` -> `clean` -> `extract`), resolving speakers through the
//! registry, assigning ids, merging into an existing article, and writing atomically.
//! Nothing is written until every selected source has been read without error.
//!
//! Re-importing a changed source never loses an editor's work silently (see `merge` for the
//! rules): statements are matched by their text, stored ones win, deleted ones stay
//! deleted; a body whose paragraphs were edited (they are neither in the new source nor
//! in what import makes of it) is refused with the list of those paragraphs ("edit the
//! source instead, or remove the article file to re-import from scratch"). Every article
//! written is checked with the build's own statement locator first. `--date`,
//! `--publication` and `--url` given for an unchanged source update its article.
//! Bodies are written with every Markdown-significant character escaped, so that their
//! rendered text is the cleaned text word for word.

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

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::content::{
    self, ArticleMeta, ArticleSpeaker, DateSource, SourceRef, SpeakerMeta, Statement,
};
use crate::error::{Error, Problem, Result};
use crate::write::atomic_write;

use boilerplate::{Keyed, Repeats};
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
    for dir in [&articles_dir, &root.join("content").join("speakers")] {
        crate::write::remove_stale_temp_files(dir);
    }
    let selected = if opts.paths.is_empty() {
        discover(&sources_dir)?
    } else {
        named(&sources_dir, &opts.paths)?
    };
    if selected.is_empty() {
        // Nothing to import: do not read the articles.
        return Ok(report);
    }
    let existing = archive::sources_by_file(&articles_dir)?;
    let mut todo = Vec::new();
    let mut unchanged = Vec::new();
    for s in selected {
        match existing.get(&s.rel) {
            Some(e) if e.source.sha256 == s.sha256 => unchanged.push(e.path.clone()),
            _ => todo.push(s),
        }
    }
    report.unchanged = unchanged.len();
    let flags = opts.date.is_some() || opts.publication.is_some() || opts.url.is_some();
    if flags && (todo.len() + report.unchanged != 1 || (opts.paths.is_empty() && todo.len() != 1)) {
        return Err(Error::Other(
            "--date, --publication and --url describe one source file; name exactly one, or describe several in content/sources/metadata.toml".into(),
        ));
    }
    if flags && todo.is_empty() {
        // The source is unchanged: the flags still describe it.
        return flag_existing(&unchanged[0], opts, report);
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
    let repeats = archive_repeats(&sources_dir, &todo, &decoded, &metadata);
    let mut registry = Registry::load(&root.join("content").join("speakers"))?;
    let mut ids = archive::ids(&articles_dir)?;
    let mut writes: Vec<PlannedFile> = Vec::new();
    for (s, text) in todo.iter().zip(&decoded) {
        let known = Known::for_source(&s.rel, opts, &metadata);
        let group = repeats.group_of(&s.rel);
        let paras = repeats.paragraphs_of(&s.rel, text);
        let imported = import_one(s, &paras, &known, repeats.for_group(&group), &mut registry);
        let Imported {
            meta,
            body,
            paragraphs,
        } = imported;
        let (path, mut meta, created) = match existing.get(&s.rel) {
            Some(e) => {
                let old_text = std::fs::read_to_string(&e.path)
                    .map_err(|err| Error::io("read", &e.path, err))?;
                let old = content::parse_document::<ArticleMeta>(&e.path, &old_text)?;
                let old_paras = body_paragraphs(&old.body);
                let edits = merge::body_edits(&old_paras, &paragraphs, text);
                let old_plain = merge::plain_of(&old_paras);
                let new_plain = merge::plain_of(&paragraphs);
                let bodies = merge::Bodies {
                    old_plain: &old_plain,
                    new_plain: &new_plain,
                };
                let merged = merge::merge(
                    &e.path,
                    &old.meta,
                    meta,
                    &bodies,
                    &ids.relation_targets,
                    |st, date| {
                        ids::statement_id(
                            &st.speaker,
                            st.said_on.or(date),
                            &st.text,
                            &mut ids.statements,
                        )
                    },
                );
                if !edits.is_empty() {
                    problems.push(body_edit_problem(&e.path, &s.rel, &edits));
                }
                match merged {
                    Ok(m) if edits.is_empty() => (e.path.clone(), m, false),
                    Ok(_) => continue,
                    Err(p) => {
                        problems.push(p);
                        continue;
                    }
                }
            }
            None => {
                let mut meta = meta;
                let (slug, _) = place_new(&mut meta, &body, &paragraphs, &mut ids);
                if meta.statements.is_empty() {
                    report.warnings.push(Problem::new(&s.path, "no attributed statements found: imported as an article without statements").help("if someone is quoted, add the statements to the article's front matter by hand (README, \"Content format\")"));
                }
                (articles_dir.join(format!("{slug}.md")), meta, true)
            }
        };
        apply_flags(&mut meta, opts);
        if !created {
            let missing = unlocated(&body, &paragraphs, &meta.statements);
            if let Some(&i) = missing.first() {
                let st = &meta.statements[i];
                problems.push(
                    Problem::new(
                        &path,
                        format!(
                            "cannot re-import {}: the text of statement {} is not in the new body: {:?}",
                            s.rel, st.id, st.text
                        ),
                    )
                    .help(format!(
                        "edit the text of statement {} in {} to words of the new source (or remove the statement), then import again; nothing was written",
                        st.id,
                        path.display()
                    )),
                );
                continue;
            }
        }
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
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
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

/// A new article: statements the build's locator would not find in `body` are left out
/// (import's own output must pass the build's validation), the others get ids, and the
/// article a slug. Returns the slug and how many statements were left out.
fn place_new(
    meta: &mut ArticleMeta,
    body: &str,
    paragraphs: &[String],
    ids: &mut archive::Ids,
) -> (String, usize) {
    let missing = unlocated(body, paragraphs, &meta.statements);
    let mut k = 0;
    meta.statements.retain(|_| {
        k += 1;
        !missing.contains(&(k - 1))
    });
    for st in &mut meta.statements {
        st.id = ids::statement_id(
            &st.speaker,
            st.said_on.or(meta.date),
            &st.text,
            &mut ids.statements,
        );
    }
    let slug = ids::article_slug(meta.date, &meta.title, &mut ids.slugs);
    (slug, missing.len())
}

/// One source imported in memory, as `run` would write it into an empty archive.
#[derive(Debug)]
pub struct ImportedSource {
    /// The article's file name without `.md`.
    pub slug: String,
    /// The article file: front matter and body.
    pub article: String,
    /// New speaker files (id, text) for the people the article quotes.
    pub speakers: Vec<(String, String)>,
    /// Statements extracted but left out because the build would not find them in the
    /// body. Always 0 unless extraction and rendering disagree.
    pub dropped: usize,
    /// A note about the encoding, when the bytes were not UTF-8.
    pub warning: Option<Problem>,
}

/// Import one source's bytes without touching any file: decode, clean, extract and render
/// as `run` does for a new source `name` in an empty archive (no metadata.toml, no known
/// speakers, no other sources). For tests and fuzzing.
pub fn import_source(name: &str, bytes: &[u8]) -> std::result::Result<ImportedSource, Problem> {
    let decoded = decode::decode(Path::new(name), bytes)?;
    let source = Source {
        rel: name.to_string(),
        path: PathBuf::from(name),
        bytes: bytes.to_vec(),
        sha256: sha256_hex(bytes),
        copy_in: false,
    };
    let paras = Keyed::new(paragraphs::paragraphs(&decoded.text));
    let repeats = Repeats::from_sources([&paras]);
    let mut registry = Registry::default();
    let known = Known::for_source(name, &ImportOptions::default(), &Default::default());
    let Imported {
        mut meta,
        body,
        paragraphs,
    } = import_one(&source, &paras, &known, &repeats, &mut registry);
    let (slug, dropped) = place_new(&mut meta, &body, &paragraphs, &mut archive::Ids::default());
    let render = |e: String| Problem::new(Path::new(name), format!("cannot render: {e}"));
    let article = content::render_document(&meta, &body).map_err(render)?;
    let mut speakers = Vec::new();
    for id in &registry.added {
        let meta = registry
            .get(id)
            .cloned()
            .unwrap_or_else(|| unreachable_meta(id));
        speakers.push((
            id.clone(),
            content::render_document(&meta, "").map_err(render)?,
        ));
    }
    Ok(ImportedSource {
        slug,
        article,
        speakers,
        dropped,
        warning: decoded.warning,
    })
}

fn body_edit_problem(path: &Path, rel: &str, edits: &[String]) -> Problem {
    let list = edits
        .iter()
        .map(|e| format!("\n    {:?}", crate::archive::shorten(e, 100)))
        .collect::<String>();
    Problem::new(
        path,
        format!(
            "cannot re-import the changed source {rel}: {} paragraph(s) of this article's body are neither in the new source nor in the body import makes of it (edited in the article, or removed from the source):{list}",
            edits.len()
        ),
    )
    .help("the body is regenerated from the source on re-import: edit the source instead, or remove the article file to re-import from scratch; nothing was written")
}

/// Indices of statements the build's locator does not find in `body`.
/// `body` is `render_body(paragraphs)`: when every paragraph is one whose rendered text is
/// itself, the locator's plain text is known without parsing the body.
fn unlocated(body: &str, paragraphs: &[String], statements: &[Statement]) -> Vec<usize> {
    debug_assert_eq!(body, render_body(paragraphs));
    let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
    if paragraphs.iter().all(|p| renders_as_itself(p)) {
        crate::markdown::unlocated_in_paragraphs(paragraphs, &texts)
    } else {
        crate::markdown::unlocated(body, &texts)
    }
}

/// Does `escape_paragraph` make of `p` one Markdown paragraph whose rendered text is
/// exactly `p`? True for one line (no line break: a later line could start a heading, a
/// list or a hard break) that neither starts nor ends with white space (stripped, or an
/// indented code block) and has no NUL (replaced by the parser); every character that
/// could be markup, inline or at the start, is escaped.
fn renders_as_itself(p: &str) -> bool {
    let (Some(first), Some(last)) = (p.chars().next(), p.chars().next_back()) else {
        return false;
    };
    !first.is_whitespace()
        && !last.is_whitespace()
        && !p.as_bytes().iter().any(|&b| matches!(b, b'\n' | b'\r' | 0))
}

/// `--date`, `--publication`, `--url`: what the user says about the source now wins.
fn apply_flags(meta: &mut ArticleMeta, opts: &ImportOptions) -> bool {
    let mut changed = false;
    if let Some(d) = opts.date {
        if meta.date != Some(d) || meta.date_source != Some(DateSource::Flag) {
            meta.date = Some(d);
            meta.date_source = Some(DateSource::Flag);
            changed = true;
        }
    }
    if let Some(p) = &opts.publication {
        if meta.publication.as_ref() != Some(p) {
            meta.publication = Some(p.clone());
            changed = true;
        }
    }
    if let Some(u) = &opts.url {
        if meta.url.as_ref() != Some(u) {
            meta.url = Some(u.clone());
            changed = true;
        }
    }
    changed
}

/// Flags given for a source whose article is up to date: applied to the article as it is.
fn flag_existing(
    path: &Path,
    opts: &ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport> {
    let old_text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let mut doc = content::parse_document::<ArticleMeta>(path, &old_text)?;
    if !apply_flags(&mut doc.meta, opts) {
        return Ok(report);
    }
    let text = content::render_document(&doc.meta, &doc.body)
        .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?;
    report.unchanged -= 1;
    report.updated.push(path.to_path_buf());
    if opts.dry_run {
        report.planned.push(PlannedFile {
            path: path.to_path_buf(),
            text,
        });
    } else {
        atomic_write(path, text.as_bytes())?;
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

/// One source, imported: front matter (statement ids still empty), the Markdown body and
/// the body's paragraphs as plain text.
struct Imported {
    meta: ArticleMeta,
    body: String,
    paragraphs: Vec<String>,
}

/// Clean, extract and describe one source. Statement ids are left empty.
fn import_one(
    s: &Source,
    paras: &Keyed,
    known: &Known,
    repeats: &Repeats,
    registry: &mut Registry,
) -> Imported {
    let cleaned = clean::clean_paragraphs(paras, repeats);
    let (date, date_source) = match (known.date, cleaned.date) {
        (Some((d, src)), _) => (Some(d), Some(src)),
        (None, Some(d)) => (Some(d), Some(DateSource::Text)),
        (None, None) => (None, None),
    };
    let body = render_body(&cleaned.body);
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
    Imported {
        meta,
        body,
        paragraphs: cleaned.body,
    }
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

/// The body as Markdown: paragraphs separated by blank lines, every character that
/// Markdown could read as markup escaped with a backslash, so that the rendered text of
/// each paragraph is exactly the cleaned text (statement texts, which the build finds in
/// the rendered text, stay unescaped).
fn render_body(paras: &[String]) -> String {
    let mut out = String::with_capacity(paras.iter().map(|p| p.len() + 2).sum());
    for p in paras {
        escape_paragraph(p, &mut out);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Inline markup characters, escaped wherever they stand.
fn is_markup_char(c: char) -> bool {
    matches!(
        c,
        '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '`' | '~' | '|'
    )
}

fn escape_paragraph(p: &str, out: &mut String) {
    // A paragraph that would start a block (heading, quote, list, rule, numbered item).
    let first = p.chars().next().unwrap_or(' ');
    let digits = p.bytes().take_while(u8::is_ascii_digit).count();
    let numbered = digits > 0 && p[digits..].starts_with(['.', ')']);
    if matches!(first, '#' | '-' | '+' | '=') {
        out.push('\\');
    }
    // Markup characters are all ASCII: look at bytes, copy the text between them whole.
    let mut run = 0;
    for (i, b) in p.bytes().enumerate() {
        if (b.is_ascii() && is_markup_char(b as char)) || (numbered && i == digits) {
            out.push_str(&p[run..i]);
            out.push('\\');
            run = i;
        }
    }
    out.push_str(&p[run..]);
}

/// The text a body written by `render_body` renders to, paragraph by paragraph (backslash
/// escapes removed). For a body an editor changed this is approximate, which is enough to
/// tell changed paragraphs from unchanged ones.
pub(crate) fn unescape_paragraph(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut cs = p.chars().peekable();
    while let Some(c) = cs.next() {
        if c == '\\' {
            if let Some(&n) = cs.peek() {
                if n.is_ascii_punctuation() {
                    out.push(n);
                    cs.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// The paragraphs of a Markdown body (blocks between blank lines), unescaped, white space
/// folded.
pub(crate) fn body_paragraphs(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(|b| merge::normalize(&unescape_paragraph(b)))
        .filter(|b| !b.is_empty())
        .collect()
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
    discover_files(sources_dir)?
        .into_iter()
        .map(|(rel, path)| read_source(rel, path, false))
        .collect()
}

/// The names (relative, as in `Source::rel`) and paths of what `discover` reads.
fn discover_files(sources_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
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
            out.push((rel_string(rel), entry.path().to_path_buf()));
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

/// Paragraphs that recur across the archive's sources (boilerplate), counted per
/// publication: a paragraph two outlets share is more likely a quotation both carried than
/// their page furniture.
#[derive(Default)]
struct ArchiveRepeats {
    groups: HashMap<String, Repeats>,
    group_of: HashMap<String, String>,
    empty: Repeats,
    /// The paragraphs of every source with their keys (computed once, used again by
    /// cleaning).
    paragraphs: HashMap<String, Keyed>,
}

impl ArchiveRepeats {
    fn group_of(&self, rel: &str) -> String {
        self.group_of.get(rel).cloned().unwrap_or_default()
    }

    fn for_group(&self, group: &str) -> &Repeats {
        self.groups.get(group).unwrap_or(&self.empty)
    }

    /// The paragraphs of a source (`paragraphs::paragraphs` of its text). They stay here
    /// to the end: freed one source at a time, memory written long before (no longer in
    /// the cache when there are many sources) would be handed out again for each article's
    /// short-lived values (about 3% more time at 10,000 sources).
    fn paragraphs_of(&self, rel: &str, text: &str) -> Cow<'_, Keyed> {
        match self.paragraphs.get(rel) {
            Some(k) => Cow::Borrowed(k),
            None => Cow::Owned(Keyed::new(paragraphs::paragraphs(text))),
        }
    }
}

/// Which publication a source belongs to, for counting repeats: the metadata's, else one
/// the text names (byline, dateline, appeal), else the letters its file name starts with
/// ("reuters_2016_01.txt" -> "reuters"; numbered files share the group "").
fn repeat_group(rel: &str, paras: &[String], metadata: &metadata::Metadata) -> String {
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    let known = metadata
        .get(rel)
        .or_else(|| metadata.get(file_name))
        .and_then(|m| m.publication.clone());
    if let Some(p) = known.or_else(|| clean::publication_of(paras)) {
        let p = p.to_lowercase();
        return p.strip_prefix("the ").unwrap_or(&p).trim().to_string();
    }
    let prefix: String = file_name
        .chars()
        .take_while(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    format!("file:{prefix}")
}

/// Every source in content/sources/ plus the ones being imported, split in paragraphs and
/// grouped by publication. Runs only when something is imported.
fn archive_repeats(
    sources_dir: &Path,
    todo: &[Source],
    decoded: &[String],
    metadata: &metadata::Metadata,
) -> ArchiveRepeats {
    let mut texts: HashMap<String, Keyed> = HashMap::new();
    for (s, d) in todo.iter().zip(decoded) {
        texts.insert(s.rel.clone(), Keyed::new(paragraphs::paragraphs(d)));
    }
    // The other sources, read only when they are not being imported (and, as when all
    // were read at once, none of them counts when one cannot be read).
    let others: Option<Vec<(String, PathBuf, Vec<u8>)>> =
        discover_files(sources_dir).ok().and_then(|files| {
            files
                .into_iter()
                .filter(|(rel, _)| !texts.contains_key(rel))
                .map(|(rel, path)| std::fs::read(&path).ok().map(|b| (rel, path, b)))
                .collect()
        });
    for (rel, path, bytes) in others.unwrap_or_default() {
        if let Ok(d) = decode::decode(&path, &bytes) {
            texts.insert(rel, Keyed::new(paragraphs::paragraphs(&d.text)));
        }
    }
    let mut out = ArchiveRepeats::default();
    let mut by_group: HashMap<String, Vec<&Keyed>> = HashMap::new();
    for (rel, source) in &texts {
        let g = repeat_group(rel, &source.paras, metadata);
        by_group.entry(g.clone()).or_default().push(source);
        out.group_of.insert(rel.clone(), g);
    }
    for (g, sources) in by_group {
        out.groups.insert(g, Repeats::from_sources(sources));
    }
    out.paragraphs = texts;
    out
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
            check_pipeline(&text, &registry);
        }
        // Inputs that once broke slicing or locating: long all-caps non-ASCII heads, long
        // lines without spaces, a lone quotation mark at every position.
        let caps = "ЗАЯВЛЕНИЕМ ".repeat(30) + ".";
        check_pipeline(&caps, &registry);
        check_pipeline(&("ЗАЯВЛЕНИЕМ".repeat(30) + "."), &registry);
        check_pipeline(&format!("{}. Done.", "x".repeat(5000)), &registry);
        check_pipeline(&format!("MOSCOW {} - said.", "Ж".repeat(200)), &registry);
        let base = "Talks stall\n\n\"We are ready to walk away,\" Trump said on Tuesday. Kremlin spokesman Dmitry Peskov said the *talks* had stalled & [failed]. \"No,\" he said.";
        for (i, _) in base.char_indices() {
            for mark in ["\"", "\u{201c}", "\u{201d}", "\u{2019}", "\u{ab}"] {
                let text = format!("{}{mark}{}", &base[..i], &base[i..]);
                check_pipeline(&text, &registry);
            }
        }
    }

    /// Clean, extract and render `text`; every statement must be a valid span and be found
    /// in the rendered body by the build's own locator.
    fn check_pipeline(text: &str, registry: &Registry) {
        let cleaned = clean::clean(text, &Repeats::default());
        let found = extract::extract(
            &cleaned.body,
            Some(jiff::civil::date(2016, 11, 14)),
            registry,
        );
        let body = render_body(&cleaned.body);
        let mut texts = Vec::new();
        for f in &found.statements {
            let t = cleaned.body[f.para].get(f.start..f.end);
            assert!(t.is_some(), "{text:?}");
            texts.push(t.unwrap_or_default().to_string());
        }
        let marks = marks_of(&texts);
        let missing = crate::markdown::render_body(&body, &marks).missing;
        assert!(
            missing.is_empty(),
            "not located: {:?} in {body:?} (from {text:?})",
            missing.iter().map(|&i| &texts[i]).collect::<Vec<_>>()
        );
        let _ = title_from(&cleaned.body);
    }

    fn marks_of(texts: &[String]) -> Vec<crate::markdown::Mark<'_>> {
        texts
            .iter()
            .map(|t| crate::markdown::Mark {
                id: "x",
                speaker: "s",
                kind: crate::content::StatementKind::Direct,
                text: t,
                annotation_html: None,
            })
            .collect()
    }

    /// The shortcut of `unlocated` gives the locator's answer: random paragraphs of markup
    /// characters, white space and letters, statements cut from them (and across them).
    #[test]
    fn unlocated_shortcut_agrees_with_the_locator() {
        let alphabet: Vec<char> =
            "ab Z9#-+=*_[]<>&`~|\\!.):;\"'\t\u{a0}\u{2003}\u{201c}é1\u{1}^$%{}/@"
                .chars()
                .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut checked = 0;
        for _ in 0..3000 {
            let paras: Vec<String> = (0..1 + next(4))
                .map(|_| {
                    (0..1 + next(14))
                        .map(|_| alphabet[next(alphabet.len())])
                        .collect()
                })
                .collect();
            if !paras.iter().all(|p| renders_as_itself(p)) {
                continue;
            }
            let body = render_body(&paras);
            let joined = paras.join(" ");
            let cs: Vec<char> = joined.chars().collect();
            let owned: Vec<String> = (0..4)
                .map(|_| {
                    let a = next(cs.len());
                    let b = a + 1 + next(cs.len() - a);
                    cs[a..b].iter().collect()
                })
                .collect();
            let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
            assert_eq!(
                crate::markdown::unlocated_in_paragraphs(&paras, &texts),
                crate::markdown::unlocated(&body, &texts),
                "{paras:?} {texts:?}"
            );
            checked += 1;
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn body_escapes_markdown() {
        let paras: Vec<String> = [
            "\"We will *never* agree to this,\" Peskov said on Friday.",
            "\"Russia &amp; China will not be divided,\" Lavrov told reporters.",
            "# 1 is not a heading",
            "2016. A year <b>later</b> `x` ~~y~~ a_b_c \\ [link](http://x) | z &copy;",
            "- not a list",
            "> not a quote",
            "+ not a list either \\",
            "3) not numbered",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let body = render_body(&paras);
        let r = crate::markdown::render_body(&body, &marks_of(&paras));
        assert!(r.missing.is_empty(), "{body}\n{}", r.html);
        assert_eq!(body_paragraphs(&body), paras);
        // A statement may start at the first byte of a paragraph that needed escaping.
        let quote = vec!["- not a list".to_string(), "3) not".to_string()];
        assert!(crate::markdown::render_body(&body, &marks_of(&quote))
            .missing
            .is_empty());
    }
}

#[cfg(test)]
mod bench {
    use super::*;

    /// Import throughput on a realistic corpus: the five seed articles, each copy with its
    /// people renamed (so that nothing is shared between copies), about 10 MB in many
    /// files, run one file at a time through decode, clean, extract and render as `run`
    /// does. Prints MB/s of raw text; measure in release on one core:
    /// `cargo test --release --lib import::bench -- --ignored --nocapture` (prefix
    /// `taskset -c 0` where available). Reads the example archive's sources.
    #[test]
    #[ignore]
    fn throughput() {
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/sources");
        let seeds: Vec<String> = std::fs::read_dir(sources)
            .map(|d| {
                let mut paths: Vec<PathBuf> = d
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                    .collect();
                paths.sort();
                paths
            })
            .unwrap_or_default()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        assert!(!seeds.is_empty(), "the seed articles are needed");
        let letters = |mut i: usize| {
            let mut s = String::new();
            loop {
                s.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
                if i == 0 {
                    return s;
                }
            }
        };
        let mut files: Vec<Vec<u8>> = Vec::new();
        let mut total = 0;
        let mut i = 0;
        while total < 10_000_000 {
            let seed = &seeds[i % seeds.len()];
            let tag = letters(i);
            let text = seed
                .replace("Peskov", &format!("Peskov{tag}"))
                .replace("Ryabkov", &format!("Ryabkov{tag}"))
                .replace("Trump", &format!("Trump{tag}"));
            total += text.len();
            files.push(text.into_bytes());
            i += 1;
        }
        let registry = Registry::default();
        let started = std::time::Instant::now();
        let mut statements = 0;
        let (mut t_clean, mut t_extract) = (0.0, 0.0);
        for bytes in &files {
            let t = std::time::Instant::now();
            let d = decode::decode(Path::new("x.txt"), bytes).expect("decodes");
            let cleaned = clean::clean(&d.text, &Repeats::default());
            t_clean += t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            let found = extract::extract(
                &cleaned.body,
                Some(jiff::civil::date(2016, 11, 14)),
                &registry,
            );
            let _ = render_body(&cleaned.body);
            t_extract += t.elapsed().as_secs_f64();
            statements += found.statements.len();
        }
        let secs = started.elapsed().as_secs_f64();
        println!("decode + clean {t_clean:.2} s, extract + render {t_extract:.2} s");
        let mb = total as f64 / 1e6;
        println!(
            "{mb:.1} MB in {} files: {secs:.2} s = {:.1} MB/s, {statements} statements",
            files.len(),
            mb / secs
        );
        // About eight statements per seed article.
        assert!(statements > files.len() * 5, "{statements} statements");
    }
}
