//! What a published archive offers besides its pages: the Atom feed of the latest
//! statements and articles, the sitemap, robots.txt, and the archive as data for
//! researchers (`data/statements.json`, `data/statements.csv`). All URLs here are
//! absolute, made from base_url by the urls module.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use jiff::civil::Date;
use serde::Serialize;

use crate::archive::{shorten, Archive, StatementRef};
use crate::content::StatementKind;
use crate::error::{Error, Result};
use crate::render::GENERATOR;
use crate::urls;
use crate::write::SiteWriter;
use std::io::Write;

use rayon::prelude::*;
use std::path::Path;

/// A file of the site: site-relative path and contents.
pub type OutputFile = (String, Vec<u8>);

/// Write every publishing file of the archive into the site being built. The data files
/// are streamed: on a large archive they are the biggest files of the site.
pub fn write_files(archive: &Archive, site: &SiteWriter) -> Result<()> {
    site.write("feed.xml", feed(archive)?.as_bytes())?;
    site.write("robots.txt", robots(archive).as_bytes())?;
    for (path, bytes) in sitemaps(archive) {
        site.write(&path, &bytes)?;
    }
    write_data(archive, site)
}

/// One statement as data, serialized: its element of statements.json and its line of
/// statements.csv.
#[derive(Debug)]
pub struct DataRow {
    json: String,
    csv: String,
}

/// statements.json and statements.csv, in statement order. When the archive keeps derived
/// data (serve), each article's rows are kept with it, so that a rebuild serializes only
/// the articles that changed.
fn write_data(archive: &Archive, site: &SiteWriter) -> Result<()> {
    let json_path = "data/statements.json";
    let csv_path = "data/statements.csv";
    let mut json = site.create(json_path)?;
    let mut csv = site.create(csv_path)?;
    let io = |path: &'static str| move |e| Error::io("write", Path::new(path), e);
    json.write_all(b"[").map_err(io(json_path))?;
    write!(csv, "{}\r\n", CSV_COLUMNS.join(",")).map_err(io(csv_path))?;
    if archive.keep_derived {
        // Rows are kept with their articles: make the missing ones in parallel, then
        // copy them out in order.
        archive.articles.par_iter().enumerate().for_each(|(i, _)| {
            kept_rows(archive, i);
        });
        for (n, r) in archive.statements.iter().enumerate() {
            let row = &kept_rows(archive, r.article)[r.index];
            if n > 0 {
                json.write_all(b",").map_err(io(json_path))?;
            }
            json.write_all(row.json.as_bytes()).map_err(io(json_path))?;
            csv.write_all(row.csv.as_bytes()).map_err(io(csv_path))?;
        }
    } else {
        // A window of rows at a time, made in parallel and written in order, so that
        // the files are never held in memory whole.
        const WINDOW: usize = 1 << 15;
        for (w, window) in archive.statements.chunks(WINDOW).enumerate() {
            let pieces: Vec<(Vec<u8>, Vec<u8>)> = window
                .par_chunks(1024)
                .enumerate()
                .map(|(c, chunk)| {
                    let (mut j, mut v) = (Vec::new(), Vec::new());
                    for (k, r) in chunk.iter().enumerate() {
                        if w + c + k > 0 {
                            j.push(b',');
                        }
                        let row = data_row(archive, r);
                        j.extend_from_slice(row.json.as_bytes());
                        v.extend_from_slice(row.csv.as_bytes());
                    }
                    (j, v)
                })
                .collect();
            for (j, v) in pieces {
                json.write_all(&j).map_err(io(json_path))?;
                csv.write_all(&v).map_err(io(csv_path))?;
            }
        }
    }
    json.write_all(b"]").map_err(io(json_path))?;
    json.finish()?;
    csv.finish()
}

/// The data rows of an article's statements, kept with the article.
fn kept_rows(archive: &Archive, article: usize) -> &[DataRow] {
    let a = &archive.articles[article];
    a.data_rows.get_or_init(|| {
        // A row depends on where the statement is, not on the date it is filed under.
        let first = StatementRef {
            article,
            index: 0,
            date: None,
            date_is_estimate: false,
        };
        (0..a.doc.meta.statements.len())
            .map(|index| data_row(archive, &StatementRef { index, ..first }))
            .collect()
    })
}

fn data_row(archive: &Archive, r: &StatementRef) -> DataRow {
    let record = record(archive, r);
    let mut csv = Vec::new();
    write_csv_row(&mut csv, &record).expect("writing to memory does not fail");
    DataRow {
        json: serde_json::to_string(&record).expect("a record is plain data"),
        csv: String::from_utf8(csv).expect("CSV of UTF-8 text is UTF-8"),
    }
}

/// Where a statement is linked from feeds and data.
pub fn statement_url(archive: &Archive, r: &StatementRef) -> String {
    let (a, s) = archive.statement(r);
    urls::statement_link(archive.config.statement_pages, &a.doc.id, &s.id)
}

fn absolute(archive: &Archive, url: &str) -> String {
    urls::absolute(&archive.config.base_url, url)
}

fn instant(date: Date) -> FixedDateTime {
    format!("{date}T00:00:00Z")
        .parse()
        .expect("a calendar date is a valid RFC 3339 midnight")
}

const FEED_STATEMENTS: usize = 50;
const FEED_ARTICLES: usize = 20;

/// The latest dated statements and articles, newest first.
fn feed(archive: &Archive) -> Result<String> {
    let mut entries: Vec<(Date, Entry)> = Vec::new();
    let latest = archive.statements.iter().rev().filter(|r| r.date.is_some());
    for r in latest.take(FEED_STATEMENTS) {
        entries.push((r.date.expect("filtered"), statement_entry(archive, r)));
    }
    let dated_articles = archive
        .articles
        .iter()
        .filter(|a| a.doc.meta.date.is_some());
    for a in dated_articles.take(FEED_ARTICLES) {
        let date = a.doc.meta.date.expect("filtered");
        let url = absolute(archive, &urls::article(&a.doc.id));
        let mut e = Entry::default();
        e.set_title(Text::plain(a.doc.meta.title.clone()));
        e.set_id(url.clone());
        e.set_links(vec![alternate(url)]);
        e.set_updated(instant(date));
        e.set_published(Some(instant(date)));
        e.set_summary(Some(Text::plain(format!(
            "{}: {} statements",
            a.doc.meta.publication.as_deref().unwrap_or("Article"),
            a.doc.meta.statements.len()
        ))));
        entries.push((date, e));
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    let config = &archive.config;
    let mut feed = Feed::default();
    feed.set_title(Text::plain(config.title.clone()));
    feed.set_id(config.base_url.clone());
    feed.set_updated(instant(
        entries
            .first()
            .map(|e| e.0)
            .unwrap_or(Date::constant(1970, 1, 1)),
    ));
    let mut this = Link::default();
    this.set_href(absolute(archive, "feed.xml"));
    this.set_rel("self");
    feed.set_links(vec![alternate(config.base_url.clone()), this]);
    if !config.description.is_empty() {
        feed.set_subtitle(Some(Text::plain(config.description.clone())));
    }
    let mut generator = atom_syndication::Generator::default();
    generator.set_value(GENERATOR);
    feed.set_generator(Some(generator));
    feed.set_lang(Some(config.language.clone()));
    feed.set_entries(entries.into_iter().map(|(_, e)| e).collect::<Vec<_>>());
    let mut out = Vec::new();
    feed.write_to(&mut out)
        .map_err(|e| Error::Other(format!("cannot write the feed: {e}")))?;
    String::from_utf8(out).map_err(|e| Error::Other(format!("feed is not UTF-8: {e}")))
}

fn alternate(href: String) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel("alternate");
    l
}

fn statement_entry(archive: &Archive, r: &StatementRef) -> Entry {
    let (a, s) = archive.statement(r);
    let speaker = archive
        .speaker(&s.speaker)
        .map(|sp| sp.meta.name.as_str())
        .unwrap_or(&s.speaker);
    let url = absolute(archive, &statement_url(archive, r));
    let words = match s.kind {
        StatementKind::Direct => format!("“{}”", s.text),
        StatementKind::Reported => s.text.clone(),
    };
    let mut e = Entry::default();
    e.set_title(Text::plain(format!(
        "{speaker} {}: {}",
        s.verb,
        shorten(&words, 120)
    )));
    e.set_id(url.clone());
    e.set_links(vec![alternate(url)]);
    let date = r.date.expect("only dated statements are in the feed");
    e.set_updated(instant(date));
    let mut author = Person::default();
    author.set_name(speaker);
    e.set_authors(vec![author]);
    let mut content = Content::default();
    content.set_content_type(Some("text".to_string()));
    content.set_value(Some(format!(
        "{speaker} ({}), {}: {words}\n\nIn: {}{}",
        s.kind.as_str(),
        s.verb,
        a.doc.meta.title,
        a.doc
            .meta
            .publication
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default()
    )));
    e.set_content(Some(content));
    e
}

fn robots(archive: &Archive) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute(archive, "sitemap.xml")
    )
}

/// The most URLs one sitemap file may list (the sitemaps protocol's limit).
const SITEMAP_LIMIT: usize = 50_000;

/// sitemap.xml, split into numbered files under a sitemap index when it would be too long.
fn sitemaps(archive: &Archive) -> Vec<OutputFile> {
    let mut pages = vec![
        urls::home(),
        urls::articles(),
        urls::speakers(),
        urls::timeline(),
    ];
    pages.extend(archive.articles.iter().map(|a| urls::article(&a.doc.id)));
    pages.extend(archive.speakers.iter().map(|s| urls::speaker(&s.id)));
    if archive.config.statement_pages {
        pages.extend(
            archive
                .statements
                .iter()
                .map(|r| urls::statement(&archive.statement(r).1.id)),
        );
    }
    // Tens of thousands of lines: written into one buffer, the base URL escaped once.
    let base = xml_escape(&archive.config.base_url);
    let urlset = |chunk: &[String]| {
        let mut xml = String::with_capacity(chunk.len() * (base.len() + 40) + 200);
        xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for url in chunk {
            xml.push_str("  <url><loc>");
            xml.push_str(&base);
            if url.contains(['&', '<', '>', '"']) {
                xml.push_str(&xml_escape(url));
            } else {
                xml.push_str(url);
            }
            xml.push_str("</loc></url>\n");
        }
        xml.push_str("</urlset>\n");
        xml.into_bytes()
    };
    if pages.len() <= SITEMAP_LIMIT {
        return vec![("sitemap.xml".into(), urlset(&pages))];
    }
    let mut files = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (i, chunk) in pages.chunks(SITEMAP_LIMIT).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            xml_escape(&absolute(archive, &name))
        ));
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".into(), index.into_bytes()));
    files
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One statement as data: the columns of statements.csv, the fields of statements.json.
#[derive(Serialize)]
struct StatementRecord<'a> {
    id: &'a str,
    speaker: &'a str,
    speaker_id: &'a str,
    role: Option<&'a str>,
    said_on: Option<String>,
    kind: &'static str,
    verb: &'a str,
    text: &'a str,
    article_title: &'a str,
    article_url: String,
    statement_url: String,
    publication: Option<&'a str>,
    published_on: Option<String>,
    original_url: Option<&'a str>,
}

const CSV_COLUMNS: [&str; 14] = [
    "id",
    "speaker",
    "speaker_id",
    "role",
    "said_on",
    "kind",
    "verb",
    "text",
    "article_title",
    "article_url",
    "statement_url",
    "publication",
    "published_on",
    "original_url",
];

fn record<'a>(archive: &'a Archive, r: &StatementRef) -> StatementRecord<'a> {
    let (a, s) = archive.statement(r);
    let m = &a.doc.meta;
    StatementRecord {
        id: &s.id,
        speaker: archive
            .speaker(&s.speaker)
            .map(|sp| sp.meta.name.as_str())
            .unwrap_or(&s.speaker),
        speaker_id: &s.speaker,
        role: m
            .speakers
            .iter()
            .find(|sp| sp.id == s.speaker)
            .and_then(|sp| sp.role.as_deref()),
        said_on: s.said_on.map(|d| d.to_string()),
        kind: s.kind.as_str(),
        verb: &s.verb,
        text: &s.text,
        article_title: &m.title,
        article_url: absolute(archive, &urls::statement_in_article(&a.doc.id, &s.id)),
        statement_url: absolute(archive, &statement_url(archive, r)),
        publication: m.publication.as_deref(),
        published_on: m.date.map(|d| d.to_string()),
        original_url: m.url.as_deref(),
    }
}

/// One RFC 4180 CSV line, every field quoted. A field that a spreadsheet would run as a
/// formula (starting with = + - @ or a control character) gets a leading apostrophe.
fn write_csv_row(out: &mut impl Write, r: &StatementRecord) -> std::io::Result<()> {
    let fields = [
        Some(r.id),
        Some(r.speaker),
        Some(r.speaker_id),
        r.role,
        r.said_on.as_deref(),
        Some(r.kind),
        Some(r.verb),
        Some(r.text),
        Some(r.article_title),
        Some(r.article_url.as_str()),
        Some(r.statement_url.as_str()),
        r.publication,
        r.published_on.as_deref(),
        r.original_url,
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f.unwrap_or(""))).collect();
    write!(out, "{}\r\n", line.join(","))
}

fn csv_field(value: &str) -> String {
    let neutral = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    format!("\"{}\"", neutral.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"no\""), "\"say \"\"no\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "\"'-1\"");
        assert_eq!(csv_field(""), "\"\"");
    }
}
