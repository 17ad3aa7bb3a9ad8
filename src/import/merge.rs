//! Re-importing a changed source into an existing article without losing an editor's work.
//!
//! The rule: the article's fields (title, publication, url, date, authors, tags) are the
//! editor's and are kept; only empty ones are filled from the new import. The body is
//! regenerated from the new source (edit the source, not the body, to change it). Each
//! existing statement is matched to a new one by speaker, kind and text similarity; a
//! matched statement is kept as it is (id, text, speaker, kind, verb, date, note,
//! relations), except that its text is replaced by the new one when the old text no
//! longer occurs in the new body. Unmatched existing statements are kept while their text
//! still occurs in the body; otherwise they are dropped, unless an editor annotated them
//! (note, relations, aliases) or another statement points at them: then the merge stops
//! with an error that names the statement. New statements are added with new ids.

use std::collections::HashSet;
use std::path::Path;

use crate::content::{ArticleMeta, ArticleSpeaker, Statement};
use crate::error::Problem;

/// Whitespace-insensitive "occurs in the body".
pub fn occurs_in(body_norm: &str, text: &str) -> bool {
    let t = normalize(text);
    !t.is_empty() && body_norm.contains(&t)
}

pub fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Dice similarity of word multisets, 0..1.
fn similarity(a: &str, b: &str) -> f64 {
    let ta = tokens(a);
    let mut tb = tokens(b);
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let total = ta.len() + tb.len();
    let mut common = 0;
    for w in &ta {
        if let Some(i) = tb.iter().position(|x| x == w) {
            tb.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

/// Merge a fresh import (`new`, whose new statements still need ids) into the existing
/// article `old`. `assign_id` gives an id to a statement that is really new.
pub fn merge(
    path: &Path,
    old: &ArticleMeta,
    mut new: ArticleMeta,
    new_body: &str,
    relation_targets: &HashSet<String>,
    mut assign_id: impl FnMut(&Statement) -> String,
) -> Result<ArticleMeta, Problem> {
    let body = normalize(new_body);
    let mut used = vec![false; new.statements.len()];
    let mut statements: Vec<Statement> = Vec::new();
    for s in &old.statements {
        let best = new
            .statements
            .iter()
            .enumerate()
            .filter(|(i, n)| !used[*i] && n.kind == s.kind && n.speaker == s.speaker)
            .map(|(i, n)| (i, similarity(&s.text, &n.text)))
            .filter(|&(_, sim)| sim >= 0.6)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let mut kept = s.clone();
        if let Some((i, _)) = best {
            used[i] = true;
            if !occurs_in(&body, &kept.text) {
                kept.text = new.statements[i].text.clone();
            }
            statements.push(kept);
        } else if occurs_in(&body, &s.text) {
            statements.push(kept);
        } else if s.note.is_some()
            || !s.relations.is_empty()
            || !s.aliases.is_empty()
            || relation_targets.contains(&s.id)
        {
            return Err(Problem::new(
                path,
                format!(
                    "cannot re-import: statement {} has an editor's note or relations, and its text no longer occurs in the changed source",
                    s.id
                ),
            )
            .help(format!(
                "edit the text of statement {} to words of the new source (or remove its note and relations), then import again",
                s.id
            )));
        }
    }
    for (i, n) in new.statements.iter().enumerate() {
        if !used[i] {
            let mut n = n.clone();
            n.id = assign_id(&n);
            statements.push(n);
        }
    }
    statements.sort_by_key(|s| body.find(&normalize(&s.text)).unwrap_or(usize::MAX));
    let needed: HashSet<&str> = statements.iter().map(|s| s.speaker.as_str()).collect();
    let mut speakers: Vec<ArticleSpeaker> = old
        .speakers
        .iter()
        .filter(|s| needed.contains(s.id.as_str()))
        .cloned()
        .collect();
    for s in std::mem::take(&mut new.speakers) {
        if needed.contains(s.id.as_str()) && !speakers.iter().any(|x| x.id == s.id) {
            speakers.push(s);
        }
    }
    Ok(ArticleMeta {
        title: if old.title.trim().is_empty() {
            new.title
        } else {
            old.title.clone()
        },
        publication: old.publication.clone().or(new.publication),
        url: old.url.clone().or(new.url),
        date_source: if old.date.is_some() {
            old.date_source
        } else {
            new.date_source
        },
        date: old.date.or(new.date),
        authors: if old.authors.is_empty() {
            new.authors
        } else {
            old.authors.clone()
        },
        tags: old.tags.clone(),
        source: new.source,
        speakers,
        statements,
    })
}
