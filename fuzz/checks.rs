//! What the fuzz targets run on one input, shared with the main crate's
//! tests/it/fuzz_regressions.rs, which replays the stored inputs through the same code.
//! Each function panics on a finding: a panic inside onrecord, or a broken invariant.

use std::path::Path;

use onrecord::archive;
use onrecord::config::SiteConfig;
use onrecord::content::{
    parse_document, render_document, split_front_matter, Article, ArticleMeta, Document, Speaker,
    SpeakerMeta,
};
use onrecord::import::import_source;

/// One source file's bytes through import. The invariants: every statement occurs word for
/// word in the body (and the build's locator finds it: none was dropped), the article and
/// speaker files re-parse with the content parser into what was written, and the archive
/// made of them passes the build's validation.
pub fn import(data: &[u8]) {
    let Ok(out) = import_source("fuzz.txt", data) else {
        // Refused (empty or binary): a located message, no panic.
        return;
    };
    let path = Path::new("content/articles").join(format!("{}.md", out.slug));
    let article = parse_document::<ArticleMeta>(&path, &out.article)
        .unwrap_or_else(|p| panic!("the article does not re-parse: {p}\n{}", out.article));
    let plain = unescape(&article.body);
    for st in &article.meta.statements {
        assert!(
            plain.contains(&st.text),
            "statement not verbatim in the body: {:?}\n{}",
            st.text,
            out.article
        );
    }
    assert_eq!(
        out.dropped, 0,
        "statements the build would not find:\n{}",
        out.article
    );
    assert_eq!(
        render_document(&article.meta, &article.body).as_deref(),
        Ok(out.article.as_str()),
        "the article does not round-trip"
    );
    let speakers: Vec<Speaker> = out
        .speakers
        .iter()
        .map(|(id, text)| {
            parse_document::<SpeakerMeta>(
                &Path::new("content/speakers").join(format!("{id}.md")),
                text,
            )
            .unwrap_or_else(|p| panic!("a speaker file does not re-parse: {p}\n{text}"))
        })
        .collect();
    if let Err(e) = archive::resolve(config(), speakers, vec![article], Vec::new()) {
        panic!(
            "import's output fails the build's validation: {e}\n{}",
            out.article
        );
    }
}

/// A content file's bytes (files are read as UTF-8; other bytes are refused before
/// parsing) through the front matter parser as an article and as a speaker. No panic;
/// what parses writes back to the same metadata; a parsed article, with a speaker file for
/// each of its speakers, goes through the archive's validation.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((yaml, body, body_line)) = split_front_matter(text) {
        // The body starts on the line after the closing `---`.
        let before = text.len() - body.len();
        assert!(yaml.len() < before);
        if !body.is_empty() {
            assert_eq!(
                body_line,
                text[..before].matches('\n').count() + 1,
                "body_line"
            );
        }
    }
    let article = parse_document::<ArticleMeta>(Path::new("content/articles/a.md"), text);
    let speaker = parse_document::<SpeakerMeta>(Path::new("content/speakers/s.md"), text);
    let _ = speaker.as_ref().map_err(ToString::to_string);
    if let Ok(s) = &speaker {
        round_trip(&s.meta, &s.body);
    }
    let article = match article {
        Ok(a) => a,
        Err(p) => {
            let _ = p.to_string();
            return;
        }
    };
    round_trip(&article.meta, &article.body);
    let speakers: Vec<Speaker> = article
        .meta
        .speakers
        .iter()
        .map(|sp| Document {
            id: sp.id.clone(),
            path: Path::new("content/speakers").join(format!("{}.md", sp.id)),
            meta: SpeakerMeta {
                name: sp.name.clone(),
                aliases: Vec::new(),
                role: sp.role.clone(),
                anonymous: false,
                organization: false,
            },
            body: String::new(),
            text: String::new(),
            body_line: 1,
        })
        .collect();
    let articles: Vec<Article> = vec![article];
    if let Err(e) = archive::resolve(config(), speakers, articles, Vec::new()) {
        let _ = e.to_string();
    }
}

/// What is read is what is written: metadata rendered back parses to the same metadata.
fn round_trip<M>(meta: &M, body: &str)
where
    M: serde::Serialize + for<'de> serde::Deserialize<'de> + PartialEq + std::fmt::Debug,
{
    let text = render_document(meta, body).expect("renders");
    let again = parse_document::<M>(Path::new("content/x.md"), &text)
        .unwrap_or_else(|p| panic!("written front matter does not parse: {p}\n{text}"));
    assert_eq!(
        &again.meta, meta,
        "round trip changed the metadata:\n{text}"
    );
    assert_eq!(again.body, body);
}

fn config() -> SiteConfig {
    SiteConfig::parse(
        Path::new("."),
        Path::new("site.toml"),
        "title = \"t\"\nbase_url = \"https://example.org/\"\n",
    )
    .expect("a valid config")
}

/// A body as import writes it, as plain text: a backslash before ASCII punctuation is an
/// escape (import escapes every backslash it writes).
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut cs = body.chars().peekable();
    while let Some(c) = cs.next() {
        match cs.peek() {
            Some(&n) if c == '\\' && n.is_ascii_punctuation() => {
                out.push(n);
                cs.next();
            }
            _ => out.push(c),
        }
    }
    out
}
