//! Resolve an archive: read every content file, check that they fit together (speakers
//! exist, ids are unique and safe, relations point somewhere, each statement's words are in
//! its body), and index them for the pages. Every problem found is reported at once.
//! The result is immutable and passed forward to rendering.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{parse_document, statement_line, Article, ArticleMeta, Speaker, Statement};
use crate::error::{line_of, Error, Problem, Result};
use crate::markdown::{self, attr, Mark, RenderedBody};
use crate::urls;

/// An article with its body rendered (statements marked, notes placed).
#[derive(Debug)]
pub struct ResolvedArticle {
    pub doc: Article,
    pub body: RenderedBody,
    /// Each statement's note as sanitized HTML (same order as `doc.meta.statements`),
    /// rendered once for the article's asides and every list that shows the statement.
    pub notes_html: Vec<Option<String>>,
    /// The file as it was when read, so that the next build in this process can tell
    /// whether it changed without reading it.
    pub stamp: Option<FileStamp>,
    /// A hash of the file's bytes: what pages made from the article depend on.
    pub digest: u64,
    /// Its statements as data (statements.json and .csv), kept between builds in serve.
    pub data_rows: std::sync::OnceLock<Vec<crate::publish::DataRow>>,
    /// Its search records, kept between builds in serve.
    pub search_records: std::sync::OnceLock<crate::search::ArticleRecords>,
    /// What pages show of it, for the plan of every build (see `render::Renderer::plan`);
    /// small, so kept in any build, and reused by the next one in serve.
    pub fingerprints: std::sync::OnceLock<crate::render::ArticleFingerprints>,
}

/// How recent a modification time may be and still be trusted to tell a file's versions
/// apart (coarse file system clocks tick once a second or two).
const RACY: std::time::Duration = std::time::Duration::from_secs(2);

/// A file's size and modification time.
pub type FileStamp = (u64, std::time::SystemTime);

/// The stamp of a file, or None when it cannot be read.
pub fn stamp(path: &Path) -> Option<FileStamp> {
    let m = fs::symlink_metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Where a statement lives, and the date it is filed under.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef {
    pub article: usize,
    pub index: usize,
    /// said_on, else the article's publication date.
    pub date: Option<Date>,
    /// True when `date` is the publication date standing in for an unknown said_on.
    pub date_is_estimate: bool,
}

#[derive(Debug)]
pub struct Archive {
    pub config: SiteConfig,
    /// Sorted by id. Shared, so that a later build with the same speakers keeps them.
    pub speakers: Arc<Vec<Speaker>>,
    /// Newest first; undated last. Shared, so that a later build can keep what did not change.
    pub articles: Vec<Arc<ResolvedArticle>>,
    /// Every statement, oldest first; undated last.
    ///
    /// This and the indexes below change only when an article's date or its statements'
    /// ids, aliases, dates or speakers do: a build after an edit of words or notes shares
    /// them with the build before (at 10k articles, making them again is half of such a
    /// rebuild).
    pub statements: Arc<Vec<StatementRef>>,
    /// Statement id or former id (alias) -> index into `statements`.
    pub by_id: Arc<FxHashMap<String, usize>>,
    /// Old statement id (from `aliases`) -> current id.
    pub aliases: Arc<BTreeMap<String, String>>,
    /// Speaker id -> indices into `statements` of the speaker's statements, by date.
    pub by_speaker: Arc<FxHashMap<String, Vec<usize>>>,
    /// For each article, indices into `statements` of its statements, in its order.
    pub by_article: Arc<Vec<Vec<usize>>>,
    /// Whether to keep data derived from an article with it (`data_rows`,
    /// `search_records`), for the next build in this process to reuse; a one-off build
    /// makes it and lets it go.
    pub keep_derived: bool,
}

impl Archive {
    pub fn speaker(&self, id: &str) -> Option<&Speaker> {
        self.speakers
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.speakers[i])
    }

    pub fn statement(&self, r: &StatementRef) -> (&ResolvedArticle, &Statement) {
        let a = &self.articles[r.article];
        (a, &a.doc.meta.statements[r.index])
    }

    /// The statements an article's pages show besides its own: the targets of its
    /// statements' relations (their words, speaker and date appear in its notes).
    pub fn related_articles(&self, article: usize) -> impl Iterator<Item = usize> + '_ {
        let a = &self.articles[article];
        a.doc.meta.statements.iter().flat_map(move |s| {
            s.relations
                .iter()
                .filter_map(|r| self.by_id.get(r.target()))
                .map(|&i| self.statements[i].article)
        })
    }
}

pub const ARTICLES_DIR: &str = "content/articles";
pub const SPEAKERS_DIR: &str = "content/speakers";

/// Read and resolve the archive under `config.root`.
pub fn load(config: SiteConfig) -> Result<Archive> {
    load_reusing(config, None, None)
}

/// An article file: read now, or kept from the previous build because it did not change.
enum Entry {
    Read(Box<Article>, u64, Option<FileStamp>),
    Kept(Arc<ResolvedArticle>),
}

impl Entry {
    fn doc(&self) -> &Article {
        match self {
            Entry::Read(doc, ..) => doc,
            Entry::Kept(a) => &a.doc,
        }
    }
}

/// Read and resolve the archive, keeping from `previous` (the last good build in this
/// process, with the same config and speakers) the speakers and every article whose file
/// has the same size and modification time: it is not read, parsed or rendered again
/// unless its notes quote statements of an article that changed.
///
/// `changes`, when the caller knows them (a file watcher), are the paths created, changed
/// or removed since `previous`: then only those articles are looked at, not every file.
pub fn load_reusing(
    config: SiteConfig,
    previous: Option<&Archive>,
    changes: Option<&[PathBuf]>,
) -> Result<Archive> {
    match load_with(config.clone(), previous, changes, false) {
        // Articles were kept without their file's text, which locates problems by line:
        // read everything again, texts kept, so that every problem has its line.
        Err(Error::Problems(_)) => load_with(config, None, None, true),
        result => result,
    }
}

/// [`load_reusing`]; `keep_text`: keep each article file's whole text until validation
/// is over (for the lines of problems), else drop it once parsed.
fn load_with(
    config: SiteConfig,
    previous: Option<&Archive>,
    changes: Option<&[PathBuf]>,
    keep_text: bool,
) -> Result<Archive> {
    let mut problems = Vec::new();
    let dir = config.root.join(ARTICLES_DIR);
    let speakers = match previous {
        Some(p) => Arc::clone(&p.speakers),
        None => Arc::new(read_speakers(&config.root, &mut problems)?),
    };
    let known = previous.zip(changes).and_then(|(p, c)| {
        let changed = changed_articles(&dir, c)?;
        Some((p, changed))
    });
    let mut same_shape = None;
    let mut entries = match known {
        Some((previous, changed)) => {
            let mut paths: Vec<PathBuf> = changed.present.iter().cloned().collect();
            paths.sort();
            let read = read_files(&paths, &mut problems);
            match entries_in_place(previous, &changed, read, problems.is_empty()) {
                Ok(entries) => {
                    same_shape = Some(previous);
                    entries
                }
                Err(read) => entries_after(previous, &changed, read, &mut problems),
            }
        }
        None => {
            let files = markdown_files(&dir, &mut problems)?;
            check_case_collisions(&files, "article slug", &mut problems);
            read_articles(&files, previous, &mut problems)
        }
    };
    if !keep_text {
        for entry in &mut entries {
            if let Entry::Read(doc, ..) = entry {
                doc.text = String::new();
            }
        }
    }
    resolve_entries(config, speakers, entries, problems, same_shape)
}

/// The article files a watcher saw change: those now there (created or changed) and
/// those gone. None when a change is not a plain article file (a folder, a link), which
/// the full look at the folder handles.
struct ChangedArticles {
    present: FxHashSet<PathBuf>,
    gone: FxHashSet<PathBuf>,
}

fn changed_articles(dir: &Path, changes: &[PathBuf]) -> Option<ChangedArticles> {
    let mut changed = ChangedArticles {
        present: FxHashSet::default(),
        gone: FxHashSet::default(),
    };
    for path in changes.iter().filter(|p| p.starts_with(dir)) {
        let name = path.file_name()?.to_string_lossy();
        if path.parent() != Some(dir) {
            return None;
        }
        if name.starts_with('.') || !name.ends_with(".md") {
            continue;
        }
        match fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changed.gone.insert(path.clone());
            }
            Ok(m) if m.is_file() => {
                changed.present.insert(path.clone());
            }
            _ => return None,
        }
    }
    Some(changed)
}

/// The previous build's articles, less those changed or gone, kept without looking at
/// their files; and the changed ones, `read`.
fn entries_after(
    previous: &Archive,
    changed: &ChangedArticles,
    read: Vec<Entry>,
    problems: &mut Vec<Problem>,
) -> Vec<Entry> {
    let kept = previous
        .articles
        .iter()
        .filter(|a| !changed.present.contains(&a.doc.path) && !changed.gone.contains(&a.doc.path));
    let mut entries: Vec<Entry> = kept.map(|a| Entry::Kept(Arc::clone(a))).collect();
    let new_names = changed
        .present
        .iter()
        .any(|p| !previous.articles.iter().any(|a| a.doc.path == *p));
    if new_names {
        // A new file may clash in case with any other.
        let mut all: Vec<PathBuf> = entries.iter().map(|e| e.doc().path.clone()).collect();
        all.extend(changed.present.iter().cloned());
        all.sort();
        check_case_collisions(&all, "article slug", problems);
    }
    entries.extend(read);
    entries
}

/// The previous build's articles in their order, with those changed (`read` again) in
/// their places: when no article came or went and every changed one was parsed (`parsed`)
/// and keeps its shape (see [`shape`]), so that the order of articles and statements and
/// the statement indexes stay as they were. Otherwise `read` is handed back.
fn entries_in_place(
    previous: &Archive,
    changed: &ChangedArticles,
    read: Vec<Entry>,
    parsed: bool,
) -> std::result::Result<Vec<Entry>, Vec<Entry>> {
    if !parsed || !changed.gone.is_empty() {
        return Err(read);
    }
    let place: FxHashMap<&Path, usize> = previous
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| changed.present.contains(&a.doc.path))
        .map(|(i, a)| (a.doc.path.as_path(), i))
        .collect();
    let same_shape = |e: &Entry| {
        place
            .get(e.doc().path.as_path())
            .is_some_and(|&i| shape(e.doc()) == shape(&previous.articles[i].doc))
    };
    if place.len() != read.len() || !read.iter().all(same_shape) {
        return Err(read);
    }
    let mut entries: Vec<Entry> = previous
        .articles
        .iter()
        .map(|a| Entry::Kept(Arc::clone(a)))
        .collect();
    for entry in read {
        let i = place[entry.doc().path.as_path()];
        entries[i] = entry;
    }
    Ok(entries)
}

/// What places an article and its statements in the archive's order and indexes: its
/// date, and its statements' ids, aliases, dates and speakers.
type Shape<'a> = (
    Option<Date>,
    Vec<(&'a str, &'a [String], Option<Date>, &'a str)>,
);

fn shape(a: &Article) -> Shape<'_> {
    let statements = a.meta.statements.iter();
    let statements = statements.map(|s| (&*s.id, &*s.aliases, s.said_on, &*s.speaker));
    (a.meta.date, statements.collect())
}

/// Check and index documents already parsed (`load` without the files): the same
/// validation, for tests and fuzzing. `problems` are those found while reading.
pub fn resolve(
    config: SiteConfig,
    mut speakers: Vec<Speaker>,
    articles: Vec<Article>,
    problems: Vec<Problem>,
) -> Result<Archive> {
    speakers.sort_by(|a, b| a.id.cmp(&b.id));
    let entries = articles
        .into_iter()
        .map(|a| {
            let digest = digest(a.text.as_bytes());
            Entry::Read(Box::new(a), digest, None)
        })
        .collect();
    resolve_entries(config, Arc::new(speakers), entries, problems, None)
}

/// Validate, order and index the articles, render the bodies of those read now.
/// `same_shape`: the previous build, when `entries` are its articles in its order and
/// those read again kept their shape: its order and indexes are kept.
fn resolve_entries(
    config: SiteConfig,
    speakers: Arc<Vec<Speaker>>,
    mut entries: Vec<Entry>,
    mut problems: Vec<Problem>,
    same_shape: Option<&Archive>,
) -> Result<Archive> {
    if same_shape.is_none() {
        entries.sort_by(|a, b| article_order(a.doc(), b.doc()));
    }
    let articles: Vec<&Article> = entries.iter().map(Entry::doc).collect();

    check_speakers(&speakers, &mut problems);
    let known: FxHashSet<&str> = speakers.iter().map(|s| s.id.as_str()).collect();
    // A kept article passed these checks against the same speakers last time.
    for entry in &entries {
        if let Entry::Read(a, ..) = entry {
            check_article(a, &known, &mut problems);
        }
    }
    let index = match same_shape {
        Some(previous) => StatementIndex::of(previous),
        None => StatementIndex::make(&articles, &mut problems),
    };
    let StatementIndex {
        statements,
        by_id,
        aliases,
        by_speaker,
        by_article,
    } = index;
    // Relations of a kept article point at ids that are all still there.
    let read_now: Vec<&Article> = match same_shape {
        Some(_) => entries
            .iter()
            .filter(|e| matches!(e, Entry::Read(..)))
            .map(Entry::doc)
            .collect(),
        None => articles.clone(),
    };
    check_relations(&read_now, &by_id, &mut problems);
    let names: FxHashMap<&str, &str> = speakers
        .iter()
        .map(|s| (s.id.as_str(), s.meta.name.as_str()))
        .collect();
    let lookup = Lookup {
        articles: &articles,
        statements: &statements,
        by_id: &by_id,
        names: &names,
    };
    // A kept article's body is kept too, unless its notes quote statements of an article
    // read again (which may have changed).
    let quotes_changed = |a: &Article| {
        a.meta
            .statements
            .iter()
            .flat_map(|s| &s.relations)
            .any(|r| {
                by_id
                    .get(r.target())
                    .is_none_or(|&i| matches!(entries[statements[i].article], Entry::Read(..)))
            })
    };
    let bodies: Vec<Option<(RenderedBody, Vec<Option<String>>)>> = entries
        .par_iter()
        .map(|e| match e {
            Entry::Kept(a) if !quotes_changed(&a.doc) => None,
            _ => Some(render_article_body(e.doc(), &lookup)),
        })
        .collect();
    for (a, body) in articles.iter().zip(&bodies) {
        for &i in body.iter().flat_map(|(b, _)| &b.missing) {
            let s = &a.meta.statements[i];
            problems.push(
                Problem::new(&a.path, format!("statement `{}`: its text is not in the article body", s.id))
                    .at_line(statement_line(&a.text, &s.id))
                    .help(format!(
                        "the text must occur word for word in the body (line breaks and spaces may differ): \"{}\"",
                        shorten(&s.text, 80)
                    )),
            );
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(Error::Problems(problems));
    }
    drop(articles);
    let articles = entries
        .into_iter()
        .zip(bodies)
        .map(|(entry, body)| resolved(entry, body))
        .collect();
    Ok(Archive {
        config,
        speakers,
        articles,
        statements,
        by_id,
        aliases,
        by_speaker,
        by_article,
        keep_derived: false,
    })
}

/// The order of the statements and their indexes (see [`Archive::statements`]).
struct StatementIndex {
    statements: Arc<Vec<StatementRef>>,
    by_id: Arc<FxHashMap<String, usize>>,
    aliases: Arc<BTreeMap<String, String>>,
    by_speaker: Arc<FxHashMap<String, Vec<usize>>>,
    by_article: Arc<Vec<Vec<usize>>>,
}

impl StatementIndex {
    /// The previous build's, shared.
    fn of(previous: &Archive) -> Self {
        StatementIndex {
            statements: Arc::clone(&previous.statements),
            by_id: Arc::clone(&previous.by_id),
            aliases: Arc::clone(&previous.aliases),
            by_speaker: Arc::clone(&previous.by_speaker),
            by_article: Arc::clone(&previous.by_article),
        }
    }

    /// Made from the articles (in archive order); duplicate or unsafe ids are problems.
    fn make(articles: &[&Article], problems: &mut Vec<Problem>) -> Self {
        let statements = order_statements(articles);
        // Every id and alias -> the statement's place in `statements`, so a relation or a
        // link to a former id finds the statement.
        let mut by_article: Vec<Vec<usize>> = articles
            .iter()
            .map(|a| vec![0; a.meta.statements.len()])
            .collect();
        let mut by_speaker: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, r) in statements.iter().enumerate() {
            by_article[r.article][r.index] = i;
            let speaker = &articles[r.article].meta.statements[r.index].speaker;
            match by_speaker.get_mut(speaker.as_str()) {
                Some(list) => list.push(i),
                None => {
                    by_speaker.insert(speaker.clone(), vec![i]);
                }
            }
        }
        let (by_id, aliases) = index_ids(articles, &by_article, &statements, problems);
        StatementIndex {
            statements: Arc::new(statements),
            by_id: Arc::new(by_id),
            aliases: Arc::new(aliases),
            by_speaker: Arc::new(by_speaker),
            by_article: Arc::new(by_article),
        }
    }
}

/// The speaker registry, sorted by id.
fn read_speakers(root: &Path, problems: &mut Vec<Problem>) -> Result<Vec<Speaker>> {
    let files = markdown_files(&root.join(SPEAKERS_DIR), problems)?;
    check_case_collisions(&files, "speaker id", problems);
    let mut speakers: Vec<Speaker> = parse_all(&files, problems)
        .into_iter()
        .map(|(doc, _)| doc)
        .collect();
    speakers.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(speakers)
}

/// Read the article files that changed since `previous`, keep the others.
fn read_articles(
    files: &[PathBuf],
    previous: Option<&Archive>,
    problems: &mut Vec<Problem>,
) -> Vec<Entry> {
    let before: FxHashMap<&Path, &Arc<ResolvedArticle>> = previous
        .map(|p| {
            p.articles
                .iter()
                .map(|a| (a.doc.path.as_path(), a))
                .collect()
        })
        .unwrap_or_default();
    let stamps: Vec<Option<FileStamp>> = files.par_iter().map(|f| settled_stamp(f)).collect();
    let mut entries = Vec::with_capacity(files.len());
    let mut to_read = Vec::new();
    for (file, stamp) in files.iter().zip(stamps) {
        match before.get(file.as_path()) {
            Some(a) if stamp.is_some() && a.stamp == stamp => {
                entries.push(Entry::Kept(Arc::clone(a)))
            }
            _ => to_read.push(file.clone()),
        }
    }
    entries.extend(read_files(&to_read, problems));
    entries
}

/// A file's stamp, when it is old enough to vouch for the file. A file changed twice
/// within the file system's clock tick keeps its stamp: only a stamp older than that may
/// vouch for it (git calls the others "racily clean").
fn settled_stamp(path: &Path) -> Option<FileStamp> {
    let now = std::time::SystemTime::now();
    stamp(path).filter(|(_, modified)| now.duration_since(*modified).is_ok_and(|age| age > RACY))
}

/// Read and parse article files, in parallel.
fn read_files(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<Entry> {
    // The stamp is taken before the file is read: a change in between makes the next
    // build read it again.
    let stamps: FxHashMap<&Path, Option<FileStamp>> = paths
        .iter()
        .map(|p| (p.as_path(), settled_stamp(p)))
        .collect();
    parse_all::<ArticleMeta>(paths, problems)
        .into_iter()
        .map(|(doc, digest)| {
            let stamp = stamps.get(doc.path.as_path()).copied().flatten();
            Entry::Read(Box::new(doc), digest, stamp)
        })
        .collect()
}

/// The archive's article made from an entry and, when it was rendered again, its body.
fn resolved(
    entry: Entry,
    body: Option<(RenderedBody, Vec<Option<String>>)>,
) -> Arc<ResolvedArticle> {
    match (entry, body) {
        (Entry::Kept(a), None) => a,
        (Entry::Kept(a), Some((body, notes_html))) => Arc::new(ResolvedArticle {
            doc: a.doc.clone(),
            body,
            notes_html,
            stamp: a.stamp,
            digest: a.digest,
            data_rows: Default::default(),
            search_records: Default::default(),
            fingerprints: Default::default(),
        }),
        (Entry::Read(mut doc, digest, stamp), body) => {
            let (body, notes_html) = body.expect("articles read now are rendered");
            // The whole file was kept to point problems at lines; none are left to report.
            doc.text = String::new();
            Arc::new(ResolvedArticle {
                doc: *doc,
                body,
                notes_html,
                stamp,
                digest,
                data_rows: Default::default(),
                search_records: Default::default(),
                fingerprints: Default::default(),
            })
        }
    }
}

/// The `.md` files directly in `dir`, sorted; a missing dir is empty. Symbolic links are
/// skipped with a problem: content must live inside the archive.
fn markdown_files(dir: &Path, problems: &mut Vec<Problem>) -> Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read directory", dir, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(|e| Error::io("read", &path, e))?;
        if file_type.is_dir() && holds_markdown(&path) {
            problems.push(Problem::new(&path, "a folder of content files here would not be read").help(
                "put each file directly in the folder above it (its file name is its address), or move the folder out of content/",
            ));
            continue;
        }
        if !name.ends_with(".md") {
            continue;
        }
        if file_type.is_symlink() {
            problems.push(Problem::new(&path, "symbolic link in content").help(
                "content files must be real files inside the archive; copy the file here instead",
            ));
        } else if file_type.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a folder holds `.md` files at any depth (symbolic links not followed).
fn holds_markdown(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
}

/// Parse the files in parallel; each document comes with a hash of its bytes.
fn parse_all<M>(
    files: &[PathBuf],
    problems: &mut Vec<Problem>,
) -> Vec<(crate::content::Document<M>, u64)>
where
    M: for<'de> serde::Deserialize<'de> + Send,
{
    let results: Vec<std::result::Result<(crate::content::Document<M>, u64), Problem>> = files
        .par_iter()
        .map(|path| {
            let bytes = fs::read(path).map_err(|e| {
                Problem::new(path, format!("cannot read: {e}")).help(
                    "make the file readable (check its permissions), or move it out of content/",
                )
            })?;
            let digest = digest(&bytes);
            let text = String::from_utf8(bytes).map_err(|e| {
                let (line, col) = crate::config::line_col(
                    &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                    usize::MAX,
                );
                Problem::new(path, "not valid UTF-8")
                    .at(line, col)
                    .help("save the file as UTF-8")
            })?;
            parse_document::<M>(path, &text).map(|doc| (doc, digest))
        })
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(d) => docs.push(d),
            Err(p) => problems.push(p),
        }
    }
    docs
}

/// A hash of a file's bytes, the same in every build of this process.
pub fn digest(bytes: &[u8]) -> u64 {
    fingerprint(bytes)
}

/// A 64-bit fingerprint of anything hashable, the same in every build and process: what
/// rebuilds compare to tell whether a file or a page's inputs changed. foldhash's
/// quality hasher: fast on bulk bytes, and well mixed, so that different inputs collide
/// only by chance (about one in 2^64).
pub fn fingerprint(what: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6f6e_7265_636f_7264).hash_one(what)
}

/// Newest first; undated last; then by slug for a stable order.
fn article_order(a: &Article, b: &Article) -> std::cmp::Ordering {
    let key =
        |x: &Article| std::cmp::Reverse(x.meta.date.map(|d| (1, d)).unwrap_or((0, Date::MIN)));
    key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
}

fn check_speakers(speakers: &[Speaker], problems: &mut Vec<Problem>) {
    for s in speakers {
        if !urls::is_safe_segment(&s.id) {
            problems.push(unsafe_name(&s.path, "speaker id (the file name)", &s.id));
        }
        if s.meta.name.trim().is_empty() {
            problems.push(
                Problem::new(&s.path, "speaker has an empty name")
                    .at_line(line_of(&s.text, "name:")),
            );
        }
    }
}

/// Names (file stems) that differ only in case would be one page folder on a
/// case-insensitive file system (macOS, Windows): one page would silently replace the other.
fn check_case_collisions(files: &[PathBuf], what: &str, problems: &mut Vec<Problem>) {
    let mut seen: FxHashMap<String, &Path> = FxHashMap::default();
    for path in files {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        match seen.get(&stem.to_lowercase()) {
            Some(other) => problems.push(
                Problem::new(
                    path,
                    format!(
                        "{what} `{stem}` differs from `{}` ({}) only in case: both would be one address on a case-insensitive file system",
                        other.file_stem().unwrap_or_default().to_string_lossy(),
                        other.display()
                    ),
                )
                .help("rename one of the two files (lower case, e.g. peskov-denies.md), or merge them"),
            ),
            None => {
                seen.insert(stem.to_lowercase(), path);
            }
        }
    }
}

fn unsafe_name(path: &Path, what: &str, value: &str) -> Problem {
    Problem::new(path, format!("{what} `{value}` is not a safe name for an address"))
        .help("use only letters, digits, '-' and '_', starting with a letter or digit (e.g. dmitry-peskov)")
}

fn check_article(a: &Article, known_speakers: &FxHashSet<&str>, problems: &mut Vec<Problem>) {
    let m: &ArticleMeta = &a.meta;
    if !urls::is_safe_segment(&a.id) {
        problems.push(unsafe_name(&a.path, "article slug (the file name)", &a.id));
    }
    if m.title.trim().is_empty() {
        problems.push(Problem::new(&a.path, "empty title").at_line(line_of(&a.text, "title:")));
    }
    if let Some(url) = &m.url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            problems.push(
                Problem::new(&a.path, format!("url `{url}` is not an http(s) address"))
                    .at_line(line_of(&a.text, "url:"))
                    .help("write the original article's full address, or null"),
            );
        }
    }
    let mut in_article = FxHashSet::default();
    for sp in &m.speakers {
        in_article.insert(sp.id.as_str());
        if !urls::is_safe_segment(&sp.id) {
            problems.push(
                unsafe_name(&a.path, "speaker id", &sp.id)
                    .at_line(line_of(&a.text, &format!("id: {}", sp.id))),
            );
        } else if !known_speakers.contains(sp.id.as_str()) {
            problems.push(
                Problem::new(&a.path, format!("unknown speaker `{}`", sp.id))
                    .at_line(line_of(&a.text, &format!("id: {}", sp.id)))
                    .help(format!(
                        "add content/speakers/{}.md (front matter with at least `name: {}`), or fix the id",
                        sp.id, sp.name
                    )),
            );
        }
    }
    for s in &m.statements {
        // Found only when there is something to report: a scan of the file per statement.
        let line = || statement_line(&a.text, &s.id);
        if !urls::is_safe_segment(&s.id) {
            problems.push(unsafe_name(&a.path, "statement id", &s.id).at_line(line()));
        }
        if !in_article.contains(s.speaker.as_str()) {
            problems.push(
                Problem::new(&a.path, format!("statement `{}` names speaker `{}`, who is not in this article's `speakers`", s.id, s.speaker))
                    .at_line(line())
                    .help("add the speaker to `speakers:` in this file, or fix the statement's `speaker`"),
            );
        }
        if s.text.trim().is_empty() {
            problems.push(
                Problem::new(&a.path, format!("statement `{}` has no text", s.id)).at_line(line()),
            );
        }
    }
}

/// Every statement id and alias, site-wide, with the statement's place in `statements`
/// (`position[article][index]`); duplicates are problems. Made in one pass: on a large
/// archive, every rebuild indexes tens of thousands of ids.
fn index_ids(
    articles: &[&Article],
    position: &[Vec<usize>],
    statements: &[StatementRef],
    problems: &mut Vec<Problem>,
) -> (FxHashMap<String, usize>, BTreeMap<String, String>) {
    let count = statements.len();
    let mut ids: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(count, Default::default());
    let mut aliases = BTreeMap::new();
    for (ai, a) in articles.iter().enumerate() {
        for (si, s) in a.meta.statements.iter().enumerate() {
            let names = std::iter::once(&s.id).chain(&s.aliases);
            for name in names {
                if let Some(&other) = ids.get(name.as_str()) {
                    let first = articles[statements[other].article];
                    problems.push(
                        Problem::new(&a.path, format!("duplicate statement id `{name}`"))
                            .at_line(statement_line(&a.text, name))
                            .help(format!(
                                "statement ids are unique across the archive; `{name}` is also used in {}",
                                first.path.display()
                            )),
                    );
                    continue;
                }
                ids.insert(name.clone(), position[ai][si]);
                if name != &s.id {
                    if !urls::is_safe_segment(name) {
                        problems.push(
                            unsafe_name(&a.path, "statement alias", name)
                                .at_line(line_of(&a.text, name)),
                        );
                    }
                    aliases.insert(name.clone(), s.id.clone());
                }
            }
        }
    }
    (ids, aliases)
}

fn check_relations(
    articles: &[&Article],
    ids: &FxHashMap<String, usize>,
    problems: &mut Vec<Problem>,
) {
    for a in articles {
        for s in &a.meta.statements {
            for r in &s.relations {
                if !ids.contains_key(r.target()) {
                    problems.push(
                        Problem::new(
                            &a.path,
                            format!(
                                "statement `{}` {} `{}`, which does not exist",
                                s.id,
                                r.label(),
                                r.target()
                            ),
                        )
                        .at_line(line_of(&a.text, r.target()))
                        .help("use the id of a statement in any article of the archive"),
                    );
                }
            }
        }
    }
}

/// All statements by date (said_on, else publication date), undated last; ties keep
/// article order (oldest article first) and position in the article.
fn order_statements(articles: &[&Article]) -> Vec<StatementRef> {
    let mut all: Vec<StatementRef> = Vec::new();
    for (ai, a) in articles.iter().enumerate() {
        for (si, s) in a.meta.statements.iter().enumerate() {
            all.push(StatementRef {
                article: ai,
                index: si,
                date: s.said_on.or(a.meta.date),
                date_is_estimate: s.said_on.is_none() && a.meta.date.is_some(),
            });
        }
    }
    all.sort_by(|x, y| {
        let key = |r: &StatementRef| {
            (
                r.date.is_none(),
                r.date,
                std::cmp::Reverse(r.article),
                r.index,
            )
        };
        key(x).cmp(&key(y))
    });
    all
}

/// What the body renderer needs to know about the rest of the archive.
struct Lookup<'a> {
    articles: &'a [&'a Article],
    statements: &'a [StatementRef],
    by_id: &'a FxHashMap<String, usize>,
    names: &'a FxHashMap<&'a str, &'a str>,
}

/// The article's body with its statements marked, and each statement's note as HTML.
fn render_article_body(a: &Article, lookup: &Lookup) -> (RenderedBody, Vec<Option<String>>) {
    let notes: Vec<Option<String>> = a
        .meta
        .statements
        .iter()
        .map(|s| s.note.as_deref().map(markdown::render_note))
        .collect();
    let marks: Vec<Mark> = a
        .meta
        .statements
        .iter()
        .zip(&notes)
        .map(|(s, note)| Mark {
            id: &s.id,
            speaker: &s.speaker,
            kind: s.kind,
            text: &s.text,
            annotation_html: annotation(a, s, note.as_deref(), lookup),
        })
        .collect();
    (markdown::render_body(&a.body, &marks), notes)
}

/// The editor's note and relations of one statement, as an aside for the article page.
fn annotation(
    a: &Article,
    s: &Statement,
    note_html: Option<&str>,
    lookup: &Lookup,
) -> Option<String> {
    if note_html.is_none() && s.relations.is_empty() {
        return None;
    }
    let root = urls::root_from(&urls::article(&a.id));
    let who = lookup
        .names
        .get(s.speaker.as_str())
        .copied()
        .unwrap_or(&s.speaker);
    let mut html = format!(
        "<aside class=\"annotation\" aria-label=\"Editor's note\"><p class=\"annotation-who\">Note on <a href=\"#{}\">{}</a></p>",
        attr(&s.id),
        attr(who)
    );
    if let Some(note) = note_html {
        html.push_str(note);
    }
    for r in &s.relations {
        let Some(&i) = lookup.by_id.get(r.target()) else {
            continue;
        };
        let t = lookup.statements[i];
        let ta = &lookup.articles[t.article];
        let ts = &ta.meta.statements[t.index];
        let target_who = lookup
            .names
            .get(ts.speaker.as_str())
            .copied()
            .unwrap_or(&ts.speaker);
        html.push_str(&format!(
            "<p class=\"annotation-relations\">{} <a href=\"{root}{}\">{}, {}: “{}”</a></p>",
            capitalize(r.label()),
            attr(&urls::statement_in_article(&ta.id, &ts.id)),
            attr(target_who),
            date_label(t.date),
            attr(&shorten(&ts.text, 90)),
        ));
    }
    html.push_str("</aside>");
    Some(html)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Cut a text to at most `max` characters at a word boundary, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "14 Nov 2016", or "date unknown".
pub fn date_label(date: Option<Date>) -> String {
    match date {
        Some(d) => format!(
            "{} {} {}",
            d.day(),
            MONTHS[d.month() as usize - 1],
            d.year()
        ),
        None => "date unknown".into(),
    }
}
