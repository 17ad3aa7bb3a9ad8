//! Full-text search: a static Pagefind index of every statement, speaker and article,
//! made at build time with Pagefind's library from custom records (no HTML is parsed),
//! and searched in the browser by `templates/search.html` with `pagefind/pagefind.js`.
//!
//! Record URLs are site-relative like every URL of the site (`articles/SLUG/#ID`). The
//! search page links to `root + url`, so results work under any base path (`/repo/`) and
//! on the preview server alike; Pagefind's own absolute `url` is right too, because it
//! takes its base from where `pagefind.js` was loaded (`/repo/pagefind/` → `/repo/`).

use std::collections::BTreeMap;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use pulldown_cmark::{Event, Parser, TagEnd};

use crate::archive::{date_label, shorten, Archive};
use crate::content::StatementKind;
use crate::error::{Error, Result};
use crate::urls;

/// Where the search bundle lives in the site.
pub const BUNDLE_DIR: &str = "pagefind/";

/// The bundle's files that the search page never loads (Pagefind's ready-made UIs, its
/// highlighting script, and its web worker: static/search.js searches on the main thread)
/// are left out of the site.
const UNUSED_FILES: [&str; 9] = [
    "pagefind-worker.js",
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "playground/",
];

/// One thing to find: a statement, a speaker or an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Site-relative, no leading slash: `articles/SLUG/#ID`.
    pub url: String,
    /// The indexed text.
    pub content: String,
    /// Shown with a result; `title` is its heading.
    pub meta: BTreeMap<String, String>,
    /// Narrow a search: `type`, `kind`, `speaker`.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Order results: `date` (YYYY-MM-DD), when known.
    pub sort: BTreeMap<String, String>,
}

/// The search bundle: `(site-relative path, bytes)` for every file under `pagefind/`.
pub fn index_files(archive: &Archive) -> Result<Vec<(String, Vec<u8>)>> {
    let language = archive.config.language.clone();
    let records = records(archive);
    // Pagefind's API is async. Run it on a runtime of its own, on a thread of its own, so
    // that this works the same when called from inside another runtime (`serve`).
    std::thread::scope(|scope| {
        scope
            .spawn(move || build_bundle(records, language))
            .join()
            .unwrap_or_else(|_| Err(Error::Other("search index: the indexer panicked".into())))
    })
}

fn build_bundle(records: Vec<Record>, language: String) -> Result<Vec<(String, Vec<u8>)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("search index: cannot start the indexer: {e}")))?;
    runtime.block_on(async move {
        let options = PagefindServiceConfig::builder()
            .force_language(language.clone())
            .build();
        let mut index = PagefindIndex::new(Some(options)).map_err(failed)?;
        for r in records {
            index
                .add_custom_record(
                    r.url,
                    r.content,
                    language.clone(),
                    Some(r.meta),
                    Some(r.filters),
                    Some(r.sort),
                )
                .await
                .map_err(failed)?;
        }
        let files = index.get_files().await.map_err(failed)?;
        let mut out: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter_map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                let unused = UNUSED_FILES
                    .iter()
                    .any(|u| name == *u || (u.ends_with('/') && name.starts_with(u)));
                (!unused).then(|| (format!("{BUNDLE_DIR}{name}"), f.contents))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    })
}

/// An error of Pagefind's (anyhow), with its causes (`{:#}`).
fn failed(e: impl std::fmt::Display) -> Error {
    Error::Other(format!("search index: {e:#}"))
}

/// Every record of the archive: statements (by date), then speakers, then articles.
pub fn records(archive: &Archive) -> Vec<Record> {
    let mut out = Vec::with_capacity(
        archive.statements.len() + archive.speakers.len() + archive.articles.len(),
    );
    for r in archive.statements.iter() {
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
        out.push(Record {
            url: urls::statement_in_article(&a.doc.id, &s.id),
            content: join(&content),
            meta,
            filters: BTreeMap::from([
                ("type".to_string(), vec!["statement".to_string()]),
                ("kind".to_string(), vec![s.kind.as_str().to_string()]),
                ("speaker".to_string(), vec![s.speaker.clone()]),
            ]),
            sort: date_sort(r.date),
        });
    }
    for sp in archive.speakers.iter() {
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
        out.push(Record {
            url: urls::speaker(&sp.id),
            content: join(&content),
            meta,
            filters: BTreeMap::from([("type".to_string(), vec!["speaker".to_string()])]),
            sort: BTreeMap::new(),
        });
    }
    for a in &archive.articles {
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
        out.push(Record {
            url: urls::article(&a.doc.id),
            content: join(&content),
            meta,
            filters: BTreeMap::from([("type".to_string(), vec!["article".to_string()])]),
            sort: date_sort(m.date),
        });
    }
    out
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
}
