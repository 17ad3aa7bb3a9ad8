//! Full-text search: a static index of every statement, speaker and article, made at build
//! time, and searched in the browser by `static/search.js` (the page is
//! `templates/search.html`). The index is plain JSON under `search-index/`, split so that a
//! query fetches only what it needs:
//!
//! - `meta.json`: how many records, how many of them are dated, how many term shards, where
//!   each record chunk starts, which filters there are.
//! - `terms/N.json`: the terms whose first `KEY_CHARS` characters hash (`shard_of`) to N,
//!   each with the ids of the records that hold it and of those whose title holds it.
//! - `records/N.json`: what a result shows (URL, meta, text for an excerpt), for the
//!   consecutive ids from `meta.chunks[N]`.
//! - `filters/NAME.json`: for each value of the filter (`type`, `kind`, `speaker`), its ids.
//!
//! Id lists are ascending and gap-encoded (the first id, then differences). Ids follow the
//! date, oldest first, dated records before undated ones, so that ordering by date needs
//! no data beyond the ids.
//!
//! Terms are words folded the same way here and in search.js (`fold`): decomposed, marks
//! dropped, lower-cased, so that "Zelenskyy", "zelenskyy" and "Zelénskyy" are one term. A
//! query word of `KEY_CHARS` characters or more matches the terms it begins; a shorter one
//! matches itself only (its shard holds no longer terms).
//!
//! This replaced a Pagefind index made with Pagefind's library: at 10,000 articles
//! (68,754 records) that took 106 s and 7.1 GiB within a 117 s build, and even fed a
//! directory of small HTML documents (no per-record quadratic look-up) its index building
//! alone took 42 s and grew to 7.9 GiB, as every word's positions are kept in memory twice.
//!
//! Record URLs are site-relative like every URL of the site (`articles/SLUG/#ID`). The
//! search page links to `root + url`, so results work under any base path (`/repo/`) and
//! on the preview server alike.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pulldown_cmark::{Event, Parser, TagEnd};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::archive::{date_label, shorten, Archive};
use crate::content::StatementKind;
use crate::error::{Error, Result};
use crate::urls;

/// Where the search index lives in the site.
pub const INDEX_DIR: &str = "search-index/";

/// The index's format, for search.js to refuse one it does not know.
const FORMAT: u32 = 1;

/// A term's shard is chosen by its first KEY_CHARS characters: a query word that long
/// finds every term it begins in one shard.
pub const KEY_CHARS: usize = 3;

/// Roughly how many (term, record) pairs a term shard holds: the shard count grows with
/// the archive, so a shard stays some tens of kilobytes.
const SHARD_POSTINGS: usize = 10_000;
const MAX_SHARDS: usize = 4096;

/// A record chunk is closed once it reaches this many bytes.
const CHUNK_BYTES: usize = 32 * 1024;

/// Records are made and tokenised this many at a time (in parallel), so that the whole
/// archive's records are never in memory at once.
const BLOCK: usize = 1024;

/// Meta fields whose words are not searched: URLs, and codes the filters cover.
const UNSEARCHED_META: [&str; 4] = ["speaker_url", "article_url", "type", "kind"];

/// One thing to find: a statement, a speaker or an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Site-relative, no leading slash: `articles/SLUG/#ID`.
    pub url: String,
    /// The indexed text.
    pub content: String,
    /// Shown with a result; `title` is its heading. Its words are searched too.
    pub meta: BTreeMap<String, String>,
    /// Narrow a search: `type`, `kind`, `speaker`.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Order results: `date` (YYYY-MM-DD), when known.
    pub sort: BTreeMap<String, String>,
}

/// Where a record comes from: an index into the archive's statements, speakers or
/// articles.
#[derive(Debug, Clone, Copy)]
enum Source {
    Statement(usize),
    Speaker(usize),
    Article(usize),
}

/// Every record's source in the index's order (by date, oldest first, undated last), and
/// how many are dated.
fn sources(archive: &Archive) -> (Vec<Source>, usize) {
    let mut all: Vec<(Option<jiff::civil::Date>, Source)> = Vec::with_capacity(
        archive.statements.len() + archive.speakers.len() + archive.articles.len(),
    );
    let statements = archive.statements.iter().enumerate();
    all.extend(statements.map(|(i, r)| (r.date, Source::Statement(i))));
    all.extend((0..archive.speakers.len()).map(|i| (None, Source::Speaker(i))));
    let articles = archive.articles.iter().enumerate();
    all.extend(articles.map(|(i, a)| (a.doc.meta.date, Source::Article(i))));
    // Stable: on one date, statements before articles, each in the archive's order.
    all.sort_by_key(|(date, _)| (date.is_none(), *date));
    let dated = all.iter().filter(|(date, _)| date.is_some()).count();
    (all.into_iter().map(|(_, s)| s).collect(), dated)
}

/// Every record of the archive, in the index's order: dated ones oldest first, then the
/// undated (speakers among them).
pub fn records(archive: &Archive) -> Vec<Record> {
    let (order, _) = sources(archive);
    order.into_iter().map(|s| record(archive, s)).collect()
}

fn record(archive: &Archive, source: Source) -> Record {
    match source {
        Source::Statement(i) => statement_record(archive, i),
        Source::Speaker(i) => speaker_record(archive, i),
        Source::Article(i) => article_record(archive, i),
    }
}

fn statement_record(archive: &Archive, i: usize) -> Record {
    let r = &archive.statements[i];
    let (a, s) = archive.statement(r);
    let m = &a.doc.meta;
    let speaker = archive.speaker(&s.speaker);
    let name = speaker
        .map(|sp| sp.meta.name.as_str())
        .unwrap_or(&s.speaker);
    let role = m
        .speakers
        .iter()
        .find(|sp| sp.id == s.speaker)
        .and_then(|sp| sp.role.as_deref())
        .or_else(|| speaker.and_then(|sp| sp.meta.role.as_deref()));
    let title = match s.kind {
        StatementKind::Direct => format!("{name}: “{}”", shorten(&s.text, 100)),
        StatementKind::Reported => format!("{name} {}: {}", s.verb, shorten(&s.text, 100)),
    };
    let date = match (r.date, r.date_is_estimate) {
        (Some(_), true) => format!("published {}", date_label(r.date)),
        _ => date_label(r.date),
    };
    let mut content = vec![s.text.as_str(), name, s.verb.as_str()];
    content.extend(role);
    content.push(&m.title);
    content.extend(m.publication.as_deref());
    let mut meta = BTreeMap::from([
        ("title".to_string(), title),
        ("type".to_string(), "statement".to_string()),
        ("speaker".to_string(), name.to_string()),
        ("speaker_url".to_string(), urls::speaker(&s.speaker)),
        ("kind".to_string(), s.kind.as_str().to_string()),
        ("verb".to_string(), s.verb.clone()),
        ("date".to_string(), date),
        ("words".to_string(), shorten(&s.text, 280)),
        ("article".to_string(), m.title.clone()),
        ("article_url".to_string(), urls::article(&a.doc.id)),
    ]);
    if let Some(role) = role {
        meta.insert("role".into(), role.to_string());
    }
    if let Some(p) = &m.publication {
        meta.insert("publication".into(), p.clone());
    }
    Record {
        url: urls::statement_in_article(&a.doc.id, &s.id),
        content: join(&content),
        meta,
        filters: BTreeMap::from([
            ("type".to_string(), vec!["statement".to_string()]),
            ("kind".to_string(), vec![s.kind.as_str().to_string()]),
            ("speaker".to_string(), vec![s.speaker.clone()]),
        ]),
        sort: date_sort(r.date),
    }
}

fn speaker_record(archive: &Archive, i: usize) -> Record {
    let sp = &archive.speakers[i];
    let m = &sp.meta;
    let mut content = vec![m.name.as_str()];
    content.extend(m.aliases.iter().map(String::as_str));
    content.extend(m.role.as_deref());
    let bio = markdown_text(&sp.body);
    content.push(&bio);
    let mut meta = BTreeMap::from([
        ("title".to_string(), m.name.clone()),
        ("type".to_string(), "speaker".to_string()),
    ]);
    if let Some(role) = &m.role {
        meta.insert("role".into(), role.clone());
    }
    Record {
        url: urls::speaker(&sp.id),
        content: join(&content),
        meta,
        filters: BTreeMap::from([("type".to_string(), vec!["speaker".to_string()])]),
        sort: BTreeMap::new(),
    }
}

fn article_record(archive: &Archive, i: usize) -> Record {
    let a = &archive.articles[i];
    let m = &a.doc.meta;
    let body = markdown_text(&a.doc.body);
    let mut content = vec![m.title.as_str()];
    content.extend(m.publication.as_deref());
    content.extend(m.authors.iter().map(String::as_str));
    content.push(&body);
    let mut meta = BTreeMap::from([
        ("title".to_string(), m.title.clone()),
        ("type".to_string(), "article".to_string()),
        ("date".to_string(), date_label(m.date)),
    ]);
    if let Some(p) = &m.publication {
        meta.insert("publication".into(), p.clone());
    }
    Record {
        url: urls::article(&a.doc.id),
        content: join(&content),
        meta,
        filters: BTreeMap::from([("type".to_string(), vec!["article".to_string()])]),
        sort: date_sort(m.date),
    }
}

/// Files of the site: `(site-relative path, bytes)`.
pub type Files = Vec<(String, Vec<u8>)>;

/// The search index: every file under `search-index/`. None when `stop()` turns true
/// while it is made (asked between blocks of records).
pub fn index_files(archive: &Archive, stop: &dyn Fn() -> bool) -> Result<Option<Files>> {
    let mut files = Vec::new();
    let whole = write_index(archive, stop, &mut |path, bytes| {
        files.push((path, bytes));
        Ok(())
    })?;
    Ok(whole.then_some(files))
}

/// Make the search index, handing each file to `out` as soon as it is made (the record
/// chunks, most of the index, are not all held until the end). Returns false when
/// `stop()` turned true (asked between blocks of records): then only some files were made.
///
/// When the archive keeps derived data (serve), each article's records are made once and
/// kept with it: the next build makes only those of the articles that changed.
pub fn write_index(
    archive: &Archive,
    stop: &dyn Fn() -> bool,
    out: &mut dyn FnMut(String, Vec<u8>) -> Result<()>,
) -> Result<bool> {
    let (order, dated) = sources(archive);
    let mut index = IndexBuilder::default();
    if archive.keep_derived {
        keep_records(archive)?;
    }
    for block in order.chunks(BLOCK) {
        if stop() {
            return Ok(false);
        }
        for (path, bytes) in index.files.drain(..) {
            out(path, bytes)?;
        }
        if archive.keep_derived {
            for s in block {
                match kept_record(archive, *s) {
                    Some(p) => index.add(p),
                    None => index.add(&Prepared::of(&record(archive, *s))?),
                }
            }
            continue;
        }
        let prepared: Vec<Prepared> = block
            .par_iter()
            .map(|s| Prepared::of(&record(archive, *s)))
            .collect::<Result<_>>()?;
        for p in &prepared {
            index.add(p);
        }
    }
    if stop() {
        return Ok(false);
    }
    index.finish(dated, out)?;
    Ok(true)
}

/// The records made from one article: its statements' (in its order) and its own.
#[derive(Debug)]
pub struct ArticleRecords {
    statements: Vec<Prepared>,
    article: Prepared,
}

/// Make the records of every article that has none kept, in parallel.
fn keep_records(archive: &Archive) -> Result<()> {
    (0..archive.articles.len())
        .into_par_iter()
        .filter(|&i| archive.articles[i].search_records.get().is_none())
        .try_for_each(|i| {
            let statements = archive.by_article[i]
                .iter()
                .map(|&s| Prepared::of(&statement_record(archive, s)))
                .collect::<Result<_>>()?;
            let article = Prepared::of(&article_record(archive, i))?;
            let records = ArticleRecords {
                statements,
                article,
            };
            let _ = archive.articles[i].search_records.set(records);
            Ok(())
        })
}

/// A statement's or an article's kept record (speakers' are made each time: few, cheap).
fn kept_record(archive: &Archive, source: Source) -> Option<&Prepared> {
    match source {
        Source::Statement(i) => {
            let r = &archive.statements[i];
            let kept = archive.articles[r.article].search_records.get()?;
            kept.statements.get(r.index)
        }
        Source::Article(i) => Some(&archive.articles[i].search_records.get()?.article),
        Source::Speaker(_) => None,
    }
}

/// A record made ready for the index: what the browser is sent, and what it is found by.
#[derive(Debug)]
struct Prepared {
    /// The record as `records/N.json` holds it.
    json: Vec<u8>,
    /// Its terms, sorted, each once, one a line: one allocation, not one a term, as serve
    /// keeps every record between builds.
    terms: String,
    /// The terms of its title, sorted, each once (all among `terms`).
    title_terms: Vec<String>,
    /// (filter, value) pairs.
    filters: Vec<(String, String)>,
}

/// What a result needs in the browser.
#[derive(Serialize)]
struct Shown<'a> {
    url: &'a str,
    meta: &'a BTreeMap<String, String>,
    /// The text an excerpt is taken from; statements show their words (`meta.words`)
    /// instead, so theirs is left out.
    #[serde(skip_serializing_if = "str::is_empty")]
    text: &'a str,
}

impl Prepared {
    fn of(r: &Record) -> Result<Prepared> {
        let searched = r
            .meta
            .iter()
            .filter(|(name, _)| !UNSEARCHED_META.contains(&name.as_str()))
            .map(|(_, value)| value.as_str());
        let terms = distinct_terms(std::iter::once(r.content.as_str()).chain(searched));
        let mut title_terms = terms_of(r.meta.get("title").map_or("", String::as_str));
        title_terms.sort_unstable();
        title_terms.dedup();
        let statement = r.meta.get("type").is_some_and(|t| t == "statement");
        let shown = Shown {
            url: &r.url,
            meta: &r.meta,
            text: if statement { "" } else { &r.content },
        };
        let json =
            serde_json::to_vec(&shown).map_err(|e| Error::Other(format!("search index: {e}")))?;
        let filters = r
            .filters
            .iter()
            .flat_map(|(name, values)| values.iter().map(|v| (name.clone(), v.clone())))
            .collect();
        Ok(Prepared {
            json,
            terms: terms.join("\n"),
            title_terms,
            filters,
        })
    }
}

/// The ids of the records that hold a term, ascending.
#[derive(Default)]
struct Postings {
    all: IdList,
    /// Those whose title holds it.
    title: IdList,
}

/// Ascending ids held as their gaps (see [`gaps`]), seven bits a byte (LEB128): a
/// term's ids then take about a byte each instead of four, which at 100k articles is
/// hundreds of megabytes less while the index is made.
#[derive(Default)]
struct IdList {
    bytes: Vec<u8>,
    last: u32,
    len: usize,
}

impl IdList {
    /// Add an id, larger than (or, as the first, equal to or larger than) those before.
    fn push(&mut self, id: u32) {
        debug_assert!(id > self.last || self.len == 0, "ids must ascend");
        let mut gap = id - self.last;
        self.last = id;
        self.len += 1;
        while gap >= 0x80 {
            self.bytes.push((gap & 0x7f) as u8 | 0x80);
            gap >>= 7;
        }
        self.bytes.push(gap as u8);
    }

    /// The JSON array of the gaps, as [`gaps`] writes it.
    fn json(&self) -> String {
        let mut out = String::with_capacity(self.len * 3 + 2);
        out.push('[');
        let (mut gap, mut shift) = (0u32, 0);
        for &b in &self.bytes {
            gap |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if out.len() > 1 {
                    out.push(',');
                }
                let _ = write!(out, "{gap}");
                (gap, shift) = (0, 0);
            }
        }
        out.push(']');
        out
    }
}

/// The index as records are added to it, in id order.
#[derive(Default)]
struct IndexBuilder {
    records: u32,
    terms: FxHashMap<String, Postings>,
    filters: BTreeMap<String, BTreeMap<String, Vec<u32>>>,
    /// The record chunk being filled: `[` and the records so far, comma-separated.
    chunk: Vec<u8>,
    chunk_starts: Vec<u32>,
    files: Vec<(String, Vec<u8>)>,
}

impl IndexBuilder {
    fn add(&mut self, p: &Prepared) {
        let id = self.records;
        self.records += 1;
        for term in p.terms.split('\n').filter(|t| !t.is_empty()) {
            let titled = (p.title_terms)
                .binary_search_by(|t| t.as_str().cmp(term))
                .is_ok();
            let postings = match self.terms.get_mut(term) {
                Some(postings) => postings,
                None => self.terms.entry(term.to_string()).or_default(),
            };
            postings.all.push(id);
            if titled {
                postings.title.push(id);
            }
        }
        for (name, value) in &p.filters {
            let values = self.filters.entry(name.clone()).or_default();
            values.entry(value.clone()).or_default().push(id);
        }
        if self.chunk.is_empty() {
            self.chunk_starts.push(id);
            self.chunk.push(b'[');
        } else {
            self.chunk.push(b',');
        }
        self.chunk.extend_from_slice(&p.json);
        if self.chunk.len() >= CHUNK_BYTES {
            self.close_chunk();
        }
    }

    fn close_chunk(&mut self) {
        if self.chunk.is_empty() {
            return;
        }
        self.chunk.push(b']');
        let n = self.chunk_starts.len() - 1;
        let chunk = std::mem::take(&mut self.chunk);
        self.files
            .push((format!("{INDEX_DIR}records/{n}.json"), chunk));
    }

    /// Hand the remaining files to `out`: the last record chunk, the term shards (one at
    /// a time, each term's postings dropped once written), the filters and meta.json.
    fn finish(
        mut self,
        dated: usize,
        out: &mut dyn FnMut(String, Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        self.close_chunk();
        for (path, bytes) in self.files.drain(..) {
            out(path, bytes)?;
        }
        let terms = std::mem::take(&mut self.terms);
        let shards = shard_count(&terms);
        write_term_shards(terms, shards, out)?;
        for (name, values) in &self.filters {
            let path = format!("{INDEX_DIR}filters/{name}.json");
            out(path, filter_json(values).into_bytes())?;
        }
        let meta = serde_json::json!({
            "format": FORMAT,
            "records": self.records,
            "dated": dated,
            "shards": shards,
            "key_chars": KEY_CHARS,
            "chunks": self.chunk_starts,
            "filters": self.filters.keys().collect::<Vec<_>>(),
        });
        out(
            format!("{INDEX_DIR}meta.json"),
            meta.to_string().into_bytes(),
        )
    }
}

/// Enough shards that each holds about SHARD_POSTINGS (term, record) pairs.
fn shard_count(terms: &FxHashMap<String, Postings>) -> usize {
    let postings: usize = terms.values().map(|p| p.all.len).sum();
    postings.div_ceil(SHARD_POSTINGS).clamp(1, MAX_SHARDS)
}

/// Each shard's JSON, `{"term":[[ids],[title ids]],…}` with its terms in order, handed
/// to `out` as it is made: at 100k articles the postings are hundreds of megabytes, and
/// their JSON is not held all at once beside them.
fn write_term_shards(
    terms: FxHashMap<String, Postings>,
    shards: usize,
    out: &mut dyn FnMut(String, Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut terms: Vec<(usize, String, Postings)> = terms
        .into_iter()
        .map(|(term, p)| (shard_of(&term, shards), term, p))
        .collect();
    terms.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut terms = terms.into_iter().peekable();
    for n in 0..shards {
        let mut json = String::from("{");
        while let Some((_, term, p)) = terms.next_if(|t| t.0 == n) {
            if json.len() > 1 {
                json.push(',');
            }
            let _ = write!(
                json,
                "{}:[{},{}]",
                json_string(&term),
                p.all.json(),
                p.title.json()
            );
        }
        json.push('}');
        out(format!("{INDEX_DIR}terms/{n}.json"), json.into_bytes())?;
    }
    Ok(())
}

/// A filter's JSON: `{"value":[ids],…}`.
fn filter_json(values: &BTreeMap<String, Vec<u32>>) -> String {
    let mut json = String::from("{");
    for (i, (value, ids)) in values.iter().enumerate() {
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(json, "{comma}{}:{}", json_string(value), gaps(ids));
    }
    json.push('}');
    json
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Ascending ids as a JSON array of gaps: the first id, then each one's distance from
/// the one before (small numbers, short to send).
fn gaps(ids: &[u32]) -> String {
    let mut out = String::with_capacity(ids.len() * 3 + 2);
    out.push('[');
    let mut last = 0;
    for (i, &id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", id - last);
        last = id;
    }
    out.push(']');
    out
}

/// The shard of a term: FNV-1a (32 bits) of the UTF-8 of its first KEY_CHARS characters,
/// modulo the shard count. search.js computes the same.
pub fn shard_of(term: &str, shards: usize) -> usize {
    let key = term
        .char_indices()
        .nth(KEY_CHARS)
        .map_or(term, |(at, _)| &term[..at]);
    let mut hash: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shards
}

/// The words of `text`, in order. A word is a run of letters, digits and marks
/// (search.js: `/[\p{Alphabetic}\p{N}\p{M}]+/gu`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// Calls `f` with each term of `text`, in order.
fn for_each_term(text: &str, mut f: impl FnMut(String)) {
    for term in words(text).map(fold).filter(|t| !t.is_empty()) {
        f(term);
    }
}

/// The terms of all the texts, sorted, each once. Each distinct word is folded once: an
/// article repeats most of its words.
fn distinct_terms<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = FxHashSet::default();
    let mut terms: Vec<String> = texts
        .flat_map(words)
        .filter(|w| seen.insert(*w))
        .map(fold)
        .filter(|t| !t.is_empty())
        .collect();
    terms.sort_unstable();
    terms.dedup();
    terms
}

fn is_word_char(c: char) -> bool {
    // ASCII has no marks: skip their table for the common case.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// The terms of `text`, in order, repeats kept: what the index and search.js find it by.
pub fn terms_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t));
    out
}

/// A word as a term: canonically decomposed, marks dropped, lower-cased (search.js:
/// `normalize("NFD")`, `replace(/\p{M}/gu, "")`, `toLowerCase()`).
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let bare: String = word.nfd().filter(|c| !is_combining_mark(*c)).collect();
    bare.to_lowercase()
}

fn date_sort(date: Option<jiff::civil::Date>) -> BTreeMap<String, String> {
    date.map(|d| BTreeMap::from([("date".to_string(), d.to_string())]))
        .unwrap_or_default()
}

/// Pieces of text as one, each ending a sentence, so that no phrase runs across two.
fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p);
        if !p.ends_with(['.', '!', '?', '…', '"', '”', '’', '\'']) {
            out.push('.');
        }
    }
    out
}

/// The readable text of a Markdown body: words, code and link texts; no markup, no URLs.
pub fn markdown_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_write_the_gaps_plain_lists_do() {
        for ids in [
            vec![],
            vec![0],
            vec![0, 1, 2, 130, 131, 20_000, 3_000_000, u32::MAX],
            vec![127, 128, 16_383, 16_384, 16_385],
        ] {
            let mut list = IdList::default();
            for &id in &ids {
                list.push(id);
            }
            assert_eq!(list.json(), gaps(&ids), "{ids:?}");
            assert_eq!(list.len, ids.len());
        }
    }

    #[test]
    fn markdown_to_text() {
        let md = "# Title\n\nSome *emphasis* and a [link](https://x.example/).\n\n```\ncode <b>\n```\n\n- one\n- two\n";
        assert_eq!(
            markdown_text(md),
            "Title\nSome emphasis and a link.\ncode <b>\n\none\ntwo"
        );
    }

    #[test]
    fn joined_pieces_end_sentences() {
        assert_eq!(
            join(&["Words", " ", "Dmitry Peskov", "said."]),
            "Words. Dmitry Peskov. said."
        );
    }

    /// Terms and shards as static/search.js makes them (`termsOf`, `shardOf` with 97
    /// shards), worked out by running its functions: both sides must agree, or a word the
    /// index holds is looked for in the wrong shard or under another spelling.
    #[test]
    fn terms_and_shards_agree_with_search_js() {
        let cases: [(&str, &[&str], &[usize]); 5] = [
        (
            "Zel\u{e9}nskyy's \"quote\" </script> \u{c9}T\u{c9} 2016 na\u{ef}ve caf\u{e9}",
            &["zelenskyy", "s", "quote", "script", "ete", "2016", "naive", "cafe"],
            &[68, 44, 37, 44, 57, 66, 76, 10],
        ),
        (
            "\u{39f}\u{394}\u{39f}\u{3a3} \u{3a3}\u{3af}\u{3c3}\u{3c5}\u{3c6}\u{3bf}\u{3c2} \u{130}stanbul \u{1c5}emal \u{fb01}nance Stra\u{df}e",
            &["\u{3bf}\u{3b4}\u{3bf}\u{3c2}", "\u{3c3}\u{3b9}\u{3c3}\u{3c5}\u{3c6}\u{3bf}\u{3c2}", "istanbul", "\u{1c6}emal", "\u{fb01}nance", "stra\u{df}e"],
            &[53, 21, 81, 39, 63, 23],
        ),
        (
            "\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430} \u{401}\u{43b}\u{43a}\u{430} \u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8} \u{d55c}\u{ad6d}\u{c5b4} \u{928}\u{92e}\u{938}\u{94d}\u{924}\u{947} \u{939}\u{93f}\u{928}\u{94d}\u{926}\u{940}",
            &["\u{43c}\u{43e}\u{441}\u{43a}\u{432}\u{430}", "\u{435}\u{43b}\u{43a}\u{430}", "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8}", "\u{1112}\u{1161}\u{11ab}\u{1100}\u{116e}\u{11a8}\u{110b}\u{1165}", "\u{928}\u{92e}\u{938}\u{924}", "\u{939}\u{928}\u{926}"],
            &[75, 47, 59, 74, 71, 31],
        ),
        (
            "x\u{b2}\u{b3} \u{216b} \u{2460} \u{bd} \u{2014} don't \u{2018}smart\u{2019} it\u{2019}s __proto__ constructor",
            &["x\u{b2}\u{b3}", "\u{217b}", "\u{2460}", "\u{bd}", "don", "t", "smart", "it", "s", "proto", "constructor"],
            &[70, 84, 26, 30, 91, 71, 17, 2, 44, 16, 54],
        ),
        (
            "r\u{e9}sum\u{e9} R\u{c9}SUM\u{c9} re\\u0301sume\\u0301 \u{c5}ngstr\u{f6}m \u{c5}NGSTR\u{d6}M \u{fb00}",
            &["resume", "re", "u0301sume", "u0301", "angstrom", "\u{fb00}"],
            &[40, 51, 81, 81, 19, 47],
        ),
        ];
        for (text, terms, shards) in cases {
            // Each once, in order, as termsOf gives them.
            let mut got: Vec<String> = Vec::new();
            for term in terms_of(text) {
                if !got.contains(&term) {
                    got.push(term);
                }
            }
            assert_eq!(got, terms, "{text}");
            let got: Vec<usize> = got.iter().map(|t| shard_of(t, 97)).collect();
            assert_eq!(got, shards, "{text}");
        }
    }

    #[test]
    fn ids_are_gap_encoded_and_keys_are_three_characters() {
        assert_eq!(gaps(&[]), "[]");
        assert_eq!(gaps(&[3, 4, 10]), "[3,1,6]");
        // FNV-1a of "a" is 0xe40c292c.
        assert_eq!(shard_of("a", 1 << 31), 0xe40c_292c % (1 << 31));
        assert_eq!(shard_of("pleased", 1000), shard_of("ple", 1000));
        assert_eq!(shard_of("пол", 1000), shard_of("польза", 1000));
        assert_ne!(shard_of("pl", 1 << 31), shard_of("ple", 1 << 31));
    }
}
