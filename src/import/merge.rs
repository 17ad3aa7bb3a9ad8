//! Re-importing a changed source into an existing article without losing an editor's work.
//!
//! The rules:
//! - **Fields.** Title, publication, url, authors and tags are the editor's and are kept;
//!   only empty ones are filled from the new import. The date follows its source: a date
//!   given by `--date` (flag) beats the metadata file (manifest), which beats a date read
//!   from the text; a date an editor set (`date_source: editor`, or a date with no
//!   source) is never replaced.
//! - **Body.** The body is regenerated from the new source: edit the source, not the body.
//!   So that edits are never lost silently, [`body_edits`] first compares the body on disk
//!   with the new one: a paragraph of the old body that is not in the new body, is not
//!   similar to any of its paragraphs (more than 80% of words shared) and is not in the
//!   new source's text either was written or removed by an editor, and the re-import is
//!   refused with the list of such paragraphs.
//! - **Statements.** Each stored statement is matched to a new one by its text first (the
//!   same words, else a similar text of the same kind), whoever the new import thinks the
//!   speaker is: the stored statement wins (id, speaker, kind, verb, date, note,
//!   relations), except that its text is replaced by the new one when the old text no
//!   longer occurs in the new body. Unmatched stored statements are kept while their text
//!   still occurs in the body; otherwise they are dropped, unless an editor annotated them
//!   (note, relations, aliases) or another statement points at them: then the merge stops
//!   with an error naming the statement. A new statement is added only when its text is new
//!   in the source: one whose words were already in the old body and that has no stored
//!   statement is one the editor deleted, and stays deleted.
//! - **Validation.** Before anything is written, every statement must be found in the new
//!   body by the build's own locator; if one is not, the merge stops naming it.

use std::collections::HashSet;
use std::path::Path;

use crate::content::{ArticleMeta, ArticleSpeaker, DateSource, Statement};
use crate::error::Problem;

/// White space folded to single spaces.
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
pub fn similarity(a: &str, b: &str) -> f64 {
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

/// Plain text, white space folded, with a separator no statement contains between
/// paragraphs (so that no match crosses a paragraph break).
pub fn plain_of(paragraphs: &[String]) -> String {
    paragraphs
        .iter()
        .map(|p| normalize(p))
        .collect::<Vec<_>>()
        .join("\u{1}")
}

fn occurs(plain: &str, text: &str) -> bool {
    let t = normalize(text);
    !t.is_empty() && plain.contains(&t)
}

/// Paragraphs of the old body (plain text) that an editor wrote or removed: in neither the
/// new body (nor similar to one of its paragraphs) nor the new source's raw text.
pub fn body_edits(old_paras: &[String], new_paras: &[String], new_raw: &str) -> Vec<String> {
    let new_set: HashSet<String> = new_paras.iter().map(|p| normalize(p)).collect();
    let raw = normalize(new_raw);
    old_paras
        .iter()
        .map(|p| normalize(p))
        .filter(|p| {
            !new_set.contains(p)
                && !raw.contains(p.as_str())
                && !new_paras.iter().any(|n| similarity(p, n) > 0.8)
        })
        .collect()
}

/// Rank of a date's source: a higher one is not replaced by a lower one.
fn date_rank(date: Option<jiff::civil::Date>, source: Option<DateSource>) -> u8 {
    match (date, source) {
        (None, _) => 0,
        (Some(_), Some(DateSource::Text)) => 1,
        (Some(_), Some(DateSource::Manifest)) => 2,
        (Some(_), Some(DateSource::Flag)) => 3,
        // Set by hand: an editor's, never replaced.
        (Some(_), Some(DateSource::Editor) | None) => 4,
    }
}

/// The article's date and its source after a re-import.
pub fn merged_date(
    old: &ArticleMeta,
    new: &ArticleMeta,
) -> (Option<jiff::civil::Date>, Option<DateSource>) {
    let old_rank = date_rank(old.date, old.date_source);
    let new_rank = date_rank(new.date, new.date_source);
    if new_rank > 0 && new_rank >= old_rank && old_rank < 4 {
        (new.date, new.date_source)
    } else {
        (old.date, old.date_source)
    }
}

/// What the merge needs to know about the two bodies.
pub struct Bodies<'a> {
    /// The body on disk (the previous import's output, maybe edited), as plain text.
    pub old_plain: &'a str,
    /// The new body as plain text (see [`plain_of`]).
    pub new_plain: &'a str,
}

/// Merge a fresh import (`new`, whose new statements still need ids) into the existing
/// article `old`. `assign_id` gives an id to a statement that is really new, given the
/// article's date.
pub fn merge(
    path: &Path,
    old: &ArticleMeta,
    mut new: ArticleMeta,
    bodies: &Bodies,
    relation_targets: &HashSet<String>,
    mut assign_id: impl FnMut(&Statement, Option<jiff::civil::Date>) -> String,
) -> Result<ArticleMeta, Problem> {
    let body = bodies.new_plain;
    let (date, date_source) = merged_date(old, &new);
    // Which new statement each stored one is: the same words first, then similar words.
    let mut used = vec![false; new.statements.len()];
    let mut matched: Vec<Option<usize>> = vec![None; old.statements.len()];
    for (oi, s) in old.statements.iter().enumerate() {
        let t = normalize(&s.text);
        let same = new
            .statements
            .iter()
            .enumerate()
            .filter(|(i, n)| !used[*i] && normalize(&n.text) == t)
            .max_by_key(|(_, n)| (n.kind == s.kind, n.speaker == s.speaker))
            .map(|(i, _)| i);
        if let Some(i) = same {
            used[i] = true;
            matched[oi] = Some(i);
        }
    }
    for (oi, s) in old.statements.iter().enumerate() {
        if matched[oi].is_some() {
            continue;
        }
        let best = new
            .statements
            .iter()
            .enumerate()
            .filter(|(i, n)| !used[*i] && n.kind == s.kind)
            .map(|(i, n)| {
                let sim = similarity(&s.text, &n.text);
                let bonus = if n.speaker == s.speaker { 0.01 } else { 0.0 };
                (i, sim, sim + bonus)
            })
            .filter(|&(_, sim, _)| sim >= 0.6)
            .max_by(|a, b| a.2.total_cmp(&b.2))
            .map(|x| x.0);
        if let Some(i) = best {
            used[i] = true;
            matched[oi] = Some(i);
        }
    }
    let mut statements: Vec<Statement> = Vec::new();
    for (s, m) in old.statements.iter().zip(&matched) {
        let mut kept = s.clone();
        if let Some(i) = m {
            if !occurs(body, &kept.text) {
                kept.text = new.statements[*i].text.clone();
            }
            statements.push(kept);
        } else if occurs(body, &s.text) {
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
        // Words the old body already had and no stored statement covers: the editor
        // deleted that statement.
        if used[i] || occurs(bodies.old_plain, &n.text) {
            continue;
        }
        let mut n = n.clone();
        n.id = assign_id(&n, date);
        statements.push(n);
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
        date,
        date_source,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::StatementKind;
    use jiff::civil::date;

    fn st(id: &str, speaker: &str, text: &str) -> Statement {
        Statement {
            id: id.into(),
            speaker: speaker.into(),
            kind: StatementKind::Direct,
            verb: "said".into(),
            said_on: None,
            text: text.into(),
            note: None,
            relations: Vec::new(),
            aliases: Vec::new(),
        }
    }

    fn meta(statements: Vec<Statement>) -> ArticleMeta {
        ArticleMeta {
            title: "T".into(),
            publication: None,
            url: None,
            date: None,
            date_source: None,
            authors: Vec::new(),
            tags: Vec::new(),
            source: None,
            speakers: Vec::new(),
            statements,
        }
    }

    #[test]
    fn stored_statement_wins_whatever_the_new_speaker() {
        let old = meta(vec![st("a", "zelensky", "Nobody wants that")]);
        let new = meta(vec![st("", "dmitry-peskov", "Nobody wants that")]);
        let plain = "\"Nobody wants that,\" Zelensky said.";
        let bodies = Bodies {
            old_plain: plain,
            new_plain: plain,
        };
        let m = merge(
            Path::new("x.md"),
            &old,
            new,
            &bodies,
            &HashSet::new(),
            |_, _| "new".into(),
        )
        .unwrap();
        assert_eq!(m.statements, vec![st("a", "zelensky", "Nobody wants that")]);
    }

    #[test]
    fn deleted_statements_stay_deleted_new_text_is_added() {
        let old = meta(vec![]);
        let new = meta(vec![
            st("", "p", "We are ready"),
            st("", "p", "We are not ready"),
        ]);
        let bodies = Bodies {
            old_plain: "\"We are ready,\" he said.",
            new_plain: "\"We are ready,\" he said.\u{1}\"We are not ready,\" he said.",
        };
        let m = merge(
            Path::new("x.md"),
            &old,
            new,
            &bodies,
            &HashSet::new(),
            |_, _| "new".into(),
        )
        .unwrap();
        assert_eq!(m.statements.len(), 1);
        assert_eq!(m.statements[0].text, "We are not ready");
    }

    #[test]
    fn dates_follow_their_source() {
        let mut old = meta(vec![]);
        old.date = Some(date(2019, 3, 3));
        old.date_source = Some(DateSource::Text);
        let mut new = meta(vec![]);
        new.date = Some(date(2016, 11, 14));
        new.date_source = Some(DateSource::Manifest);
        assert_eq!(
            merged_date(&old, &new),
            (Some(date(2016, 11, 14)), Some(DateSource::Manifest))
        );
        old.date_source = Some(DateSource::Editor);
        assert_eq!(merged_date(&old, &new).1, Some(DateSource::Editor));
        old.date_source = Some(DateSource::Flag);
        assert_eq!(merged_date(&old, &new).1, Some(DateSource::Flag));
    }

    #[test]
    fn body_edits_are_found() {
        let old = vec![
            "Kept paragraph here.".to_string(),
            "An editor wrote this.".into(),
        ];
        let new = vec!["Kept paragraph here.".to_string()];
        assert_eq!(
            body_edits(&old, &new, "Kept paragraph\nhere."),
            vec!["An editor wrote this."]
        );
        assert!(body_edits(&old, &new, "Kept paragraph here. An editor wrote this.").is_empty());
    }
}
