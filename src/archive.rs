//! Resolve an archive: read every content file, check that they fit together (speakers
//! exist, ids are unique and safe, relations point somewhere, each statement's words are in
//! its body), and index them for the pages. Every problem found is reported at once.
//! The result is immutable and passed forward to rendering.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

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
    /// Sorted by id.
    pub speakers: Vec<Speaker>,
    /// Newest first; undated last.
    pub articles: Vec<ResolvedArticle>,
    /// Every statement, oldest first; undated last.
    pub statements: Vec<StatementRef>,
    /// Statement id or former id (alias) -> index into `statements`.
    pub by_id: HashMap<String, usize>,
    /// Old statement id (from `aliases`) -> current id.
    pub aliases: BTreeMap<String, String>,
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
}

pub const ARTICLES_DIR: &str = "content/articles";
pub const SPEAKERS_DIR: &str = "content/speakers";

/// Read and resolve the archive under `config.root`.
pub fn load(config: SiteConfig) -> Result<Archive> {
    let mut problems = Vec::new();
    let speaker_files = markdown_files(&config.root.join(SPEAKERS_DIR), &mut problems)?;
    let article_files = markdown_files(&config.root.join(ARTICLES_DIR), &mut problems)?;
    let speakers: Vec<Speaker> = parse_all(&speaker_files, &mut problems);
    let articles: Vec<Article> = parse_all(&article_files, &mut problems);
    resolve(config, speakers, articles, problems)
}

/// Check and index documents already parsed (`load` without the files): the same
/// validation, for tests and fuzzing. `problems` are those found while reading.
pub fn resolve(
    config: SiteConfig,
    mut speakers: Vec<Speaker>,
    mut articles: Vec<Article>,
    mut problems: Vec<Problem>,
) -> Result<Archive> {
    speakers.sort_by(|a, b| a.id.cmp(&b.id));
    sort_articles(&mut articles);

    check_speakers(&speakers, &mut problems);
    let known: HashSet<&str> = speakers.iter().map(|s| s.id.as_str()).collect();
    for a in &articles {
        check_article(a, &known, &mut problems);
    }
    let (ids, aliases) = index_ids(&articles, &mut problems);
    check_relations(&articles, &ids, &mut problems);

    let statements = order_statements(&articles);
    // Every id and alias -> the statement's place in `statements`, so a relation or a
    // link to a former id finds the statement.
    let position: HashMap<(usize, usize), usize> = statements
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.article, r.index), i))
        .collect();
    let by_id: HashMap<String, usize> = ids
        .into_iter()
        .map(|(id, place)| (id, position[&place]))
        .collect();
    let names: HashMap<&str, &str> = speakers
        .iter()
        .map(|s| (s.id.as_str(), s.meta.name.as_str()))
        .collect();
    let lookup = Lookup {
        articles: &articles,
        statements: &statements,
        by_id: &by_id,
        names: &names,
    };
    let bodies: Vec<(RenderedBody, Vec<Option<String>>)> = articles
        .par_iter()
        .map(|a| render_article_body(a, &lookup))
        .collect();
    for (a, (body, _)) in articles.iter().zip(&bodies) {
        for &i in &body.missing {
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
    let articles = articles
        .into_iter()
        .zip(bodies)
        .map(|(mut doc, (body, notes_html))| {
            // The whole file was kept to point problems at lines; none are left to report.
            doc.text = String::new();
            ResolvedArticle {
                doc,
                body,
                notes_html,
            }
        })
        .collect();
    Ok(Archive {
        config,
        speakers,
        articles,
        statements,
        by_id,
        aliases,
    })
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
        if name.starts_with('.') || !name.ends_with(".md") {
            continue;
        }
        let file_type = entry.file_type().map_err(|e| Error::io("read", &path, e))?;
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

fn parse_all<M>(files: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<crate::content::Document<M>>
where
    M: for<'de> serde::Deserialize<'de> + Send,
{
    let results: Vec<std::result::Result<crate::content::Document<M>, Problem>> = files
        .par_iter()
        .map(|path| {
            let bytes =
                fs::read(path).map_err(|e| Problem::new(path, format!("cannot read: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let (line, col) = crate::config::line_col(
                    &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                    usize::MAX,
                );
                Problem::new(path, "not valid UTF-8")
                    .at(line, col)
                    .help("save the file as UTF-8")
            })?;
            parse_document::<M>(path, &text)
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

/// Newest first; undated last; then by slug for a stable order.
fn sort_articles(articles: &mut [Article]) {
    articles.sort_by(|a, b| {
        let key =
            |x: &Article| std::cmp::Reverse(x.meta.date.map(|d| (1, d)).unwrap_or((0, Date::MIN)));
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
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

fn unsafe_name(path: &Path, what: &str, value: &str) -> Problem {
    Problem::new(path, format!("{what} `{value}` is not a safe name for an address"))
        .help("use only letters, digits, '-' and '_', starting with a letter or digit (e.g. dmitry-peskov)")
}

fn check_article(a: &Article, known_speakers: &HashSet<&str>, problems: &mut Vec<Problem>) {
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
    let mut in_article = HashSet::new();
    for sp in &m.speakers {
        in_article.insert(sp.id.as_str());
        if !known_speakers.contains(sp.id.as_str()) {
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

type IdIndex = HashMap<String, (usize, usize)>;

/// Every statement id and alias, site-wide; duplicates are problems.
fn index_ids(
    articles: &[Article],
    problems: &mut Vec<Problem>,
) -> (IdIndex, BTreeMap<String, String>) {
    let mut ids: IdIndex = HashMap::new();
    let mut aliases = BTreeMap::new();
    for (ai, a) in articles.iter().enumerate() {
        for (si, s) in a.meta.statements.iter().enumerate() {
            let names = std::iter::once(&s.id).chain(&s.aliases);
            for name in names {
                if let Some(&(pa, _)) = ids.get(name) {
                    problems.push(
                        Problem::new(&a.path, format!("duplicate statement id `{name}`"))
                            .at_line(statement_line(&a.text, name))
                            .help(format!(
                                "statement ids are unique across the archive; `{name}` is also used in {}",
                                articles[pa].path.display()
                            )),
                    );
                    continue;
                }
                ids.insert(name.clone(), (ai, si));
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

fn check_relations(articles: &[Article], ids: &IdIndex, problems: &mut Vec<Problem>) {
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
fn order_statements(articles: &[Article]) -> Vec<StatementRef> {
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
    articles: &'a [Article],
    statements: &'a [StatementRef],
    by_id: &'a HashMap<String, usize>,
    names: &'a HashMap<&'a str, &'a str>,
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
