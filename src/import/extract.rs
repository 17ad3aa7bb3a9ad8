//! Statements of one article: walks its paragraphs and sentences in order, keeps track of
//! who is being talked about, and turns attributions into direct quotes and reported
//! speech with a resolved speaker, a verb and a date. Quote-only paragraphs and quotes
//! broken by their attribution continue the same speaker. When the speaker is unclear the
//! statement is left out: a wrong attribution is worse than a missing one.

use std::collections::HashSet;

use jiff::civil::Date;

use super::clauses::{self, Attribution, Form};
use super::dates;
use super::mentions::Mention;
use super::registry::Registry;
use super::speakers::{Entities, Entity, Focus};
use super::text::{Kind, Para, QuoteStyle};
use crate::content::StatementKind;

/// A statement found in the body, located by paragraph and byte range.
#[derive(Debug, Clone)]
pub struct Found {
    pub para: usize,
    pub start: usize,
    pub end: usize,
    pub kind: StatementKind,
    pub speaker: usize,
    pub verb: String,
    pub said_on: Option<Date>,
}

/// A direct quote waiting for its speaker.
#[derive(Debug, Clone)]
struct Pending {
    start: usize,
    end: usize,
    speaker: Option<usize>,
    verb: String,
    said_on: Option<Date>,
    /// The quote is a sentence of its own (not a fragment inside the reporter's words).
    whole: bool,
    /// The quotation is still open at the end of the paragraph.
    open_at_end: bool,
    /// An attribution of its own was found ("..., Trump said"), even if its speaker could
    /// not be identified: such a quote is never given to a speaker from context.
    explicit: bool,
}

pub struct Extraction {
    pub entities: Vec<Entity>,
    pub statements: Vec<Found>,
}

pub fn extract(paragraphs: &[String], published: Option<Date>, registry: &Registry) -> Extraction {
    let style = QuoteStyle::detect(paragraphs);
    let mut ents = Entities::new(registry);
    let mut out: Vec<Found> = Vec::new();
    let mut prev_para_speaker: Option<(usize, String, Option<Date>)> = None;
    let mut carried: Vec<(usize, Pending)> = Vec::new(); // open quotes waiting for the next paragraph
    for (pi, text) in paragraphs.iter().enumerate() {
        let p = Para::new(text, style);
        let mut quotes: Vec<Pending> = Vec::new();
        let mut reported: Vec<Found> = Vec::new();
        for s in p.sentences.clone() {
            let found = ents.scan(&p, s.clone());
            let subject = found
                .iter()
                .find(|f| f.subject)
                .and_then(|f| f.entity.map(|e| (e, f.first_token)));
            let attrs = clauses::attributions(&p, s.clone());
            let mut speakers: Vec<Option<usize>> = Vec::with_capacity(attrs.len());
            for a in &attrs {
                let here = subject
                    .filter(|(_, t)| a.subject.as_ref().is_none_or(|r| *t < r.start))
                    .map(|x| x.0);
                let who = match (&a.mention, a.form) {
                    (_, Form::Participle) => subject.filter(|(_, t)| *t < a.verb_tok).map(|x| x.0),
                    (Some(m @ Mention::Person { .. }), Form::Finite | Form::QuotedAs) => {
                        let initial = a
                            .subject
                            .as_ref()
                            .is_some_and(|r| sentence_start(&p, s.start) == r.start);
                        ents.speaker_by_name(m, initial)
                    }
                    (Some(m), _) => ents.resolve(m, here),
                    (None, _) => None,
                };
                speakers.push(who);
            }
            let said_on = |a: &Attribution| said_on(&p, &s, a, published);
            for (a, who) in attrs.iter().zip(&speakers) {
                if let (Some(who), Some(clause)) = (who, &a.clause) {
                    // A clause ends where the next attribution in it begins ("X said A,
                    // and Y said B"): else nested attributions nest their clauses, each
                    // near the whole sentence, and a long sentence of them grows its
                    // statements with the square of its length.
                    let Some(end) = clause_end(&p, clause, a, &attrs) else {
                        continue;
                    };
                    if a.form != Form::Label {
                        reported.push(Found {
                            para: pi,
                            start: clause.start,
                            end,
                            kind: StatementKind::Reported,
                            speaker: *who,
                            verb: a.verb.clone(),
                            said_on: said_on(a),
                        });
                    }
                }
            }
            for (qi, q) in p.quotes.iter().enumerate() {
                let Some(open_tok) = p.tokens[s.clone()]
                    .iter()
                    .position(|t| t.kind == Kind::OpenQuote && t.quote == Some(qi))
                else {
                    continue;
                };
                let open_tok = s.start + open_tok;
                let close_tok = (open_tok + 1..p.tokens.len()).find(|&k| {
                    p.tokens[k].kind == Kind::CloseQuote && p.tokens[k].quote == Some(qi)
                });
                let whole = sentence_start(&p, s.start) == open_tok;
                let pick = attribute_quote(&p, &s, &attrs, open_tok, close_tok, q.start);
                let (speaker, verb, date) = match pick {
                    Some(k) => (speakers[k], attrs[k].verb.clone(), said_on(&attrs[k])),
                    None => (None, String::new(), None),
                };
                let (start, end) = trim_quote(text, q.start, q.end);
                if start >= end {
                    continue;
                }
                let words = text[start..end].split_whitespace().count();
                if !whole && words < 2 {
                    continue; // scare quotes and one-word labels are not statements
                }
                if speaker.is_none() && !whole {
                    continue;
                }
                quotes.push(Pending {
                    start,
                    end,
                    speaker,
                    verb,
                    said_on: date,
                    whole,
                    open_at_end: !q.closed,
                    explicit: pick.is_some(),
                });
            }
            let speaker = speakers
                .iter()
                .flatten()
                .next()
                .copied()
                .or_else(|| quotes.last().and_then(|q| q.speaker));
            ents.end_sentence(Focus {
                subject: subject.map(|x| x.0),
                speaker,
            });
        }
        // A quotation left open at the end of the previous paragraph goes on here.
        if let Some(first) = quotes.first() {
            if p.tokens.first().is_some_and(|t| t.kind == Kind::OpenQuote) {
                if let Some(speaker) = first.speaker {
                    for (_, c) in carried.iter_mut() {
                        if c.speaker.is_none() {
                            c.speaker = Some(speaker);
                            c.verb = first.verb.clone();
                        }
                    }
                }
            }
        }
        for (cpi, c) in carried.drain(..) {
            if let Some(speaker) = c.speaker {
                out.push(found(cpi, &c, speaker));
            }
        }
        fill_within_paragraph(&mut quotes, prev_para_speaker.clone(), &p);
        let mut para_statements: Vec<Found> = reported;
        for q in quotes {
            match q.speaker {
                Some(s) => para_statements.push(found(pi, &q, s)),
                None if q.open_at_end && q.whole && !q.explicit => carried.push((pi, q)),
                None => {}
            }
        }
        para_statements.sort_by_key(|f| (f.start, f.kind == StatementKind::Reported));
        prev_para_speaker = para_statements
            .iter()
            .max_by_key(|f| f.start)
            .map(|f| (f.speaker, f.verb.clone(), f.said_on));
        out.extend(para_statements);
    }
    dedupe(&mut out, paragraphs);
    Extraction {
        entities: ents.list,
        statements: out,
    }
}

fn found(pi: usize, q: &Pending, speaker: usize) -> Found {
    Found {
        para: pi,
        start: q.start,
        end: q.end,
        kind: StatementKind::Direct,
        speaker,
        verb: if q.verb.is_empty() {
            "said".into()
        } else {
            q.verb.clone()
        },
        said_on: q.said_on,
    }
}

/// The first token of a sentence that is not a dash or bracket.
fn sentence_start(p: &Para, mut i: usize) -> usize {
    while i < p.tokens.len()
        && matches!(
            p.tokens[i].kind,
            Kind::Punct('\u{2014}' | '\u{2013}' | '-' | '(' | '[')
        )
    {
        i += 1;
    }
    i
}

/// Quotes without an attribution of their own: a quote that is a sentence of its own
/// continues the speaker of the quote before it in the paragraph, or, at the paragraph's
/// start, the last speaker of the previous paragraph.
fn fill_within_paragraph(
    quotes: &mut [Pending],
    prev: Option<(usize, String, Option<Date>)>,
    p: &Para,
) {
    let starts_with_quote = p.tokens.first().is_some_and(|t| t.kind == Kind::OpenQuote);
    let mut last: Option<(usize, String, Option<Date>)> = None;
    for (i, q) in quotes.iter_mut().enumerate() {
        if let Some(s) = q.speaker {
            last = Some((s, q.verb.clone(), q.said_on));
            continue;
        }
        if !q.whole || q.explicit {
            continue;
        }
        let from = if i == 0 && starts_with_quote {
            prev.clone()
        } else {
            last.clone()
        };
        if let Some((s, verb, date)) = from {
            q.speaker = Some(s);
            q.verb = verb;
            q.said_on = date;
        }
    }
    // A quote before its attributed continuation: "“A.” “B,” he said." (same paragraph).
    let mut next: Option<(usize, String, Option<Date>)> = None;
    for q in quotes.iter_mut().rev() {
        match q.speaker {
            Some(s) => next = Some((s, q.verb.clone(), q.said_on)),
            None if q.whole && !q.open_at_end && !q.explicit => {
                if let Some((s, verb, date)) = next.clone() {
                    q.speaker = Some(s);
                    q.verb = verb;
                    q.said_on = date;
                }
            }
            None => {}
        }
    }
}

/// Which attribution speaks a quote: one right after it ("...,” he said"), the nearest
/// verb before it in the sentence ("X said: “...”", "which he labeled “...”"), or a
/// trailing attribution whose reported clause contains it.
fn attribute_quote(
    p: &Para,
    s: &std::ops::Range<usize>,
    attrs: &[Attribution],
    open_tok: usize,
    close_tok: Option<usize>,
    quote_start: usize,
) -> Option<usize> {
    if let Some(c) = close_tok {
        let mut k = c + 1;
        while k < s.end && p.is_punct(k, ',') {
            k += 1;
        }
        let after = attrs.iter().position(|a| {
            if a.inverted {
                a.verb_tok == k
            } else {
                a.subject.as_ref().is_some_and(|r| r.start == k) && a.form == Form::Finite
            }
        });
        if after.is_some() {
            return after;
        }
    }
    let before = attrs
        .iter()
        .enumerate()
        .filter(|(_, a)| a.verb_tok < open_tok)
        .filter(|(_, a)| match a.form {
            Form::Label => open_tok - a.end_tok <= 3,
            _ => true,
        })
        .max_by_key(|(_, a)| a.verb_tok)
        .map(|(i, _)| i);
    if before.is_some() {
        return before;
    }
    attrs.iter().position(|a| {
        a.trailing
            && a.verb_tok > open_tok
            && a.clause
                .as_ref()
                .is_some_and(|c| c.start <= quote_start && quote_start < c.end)
    })
}

/// Quote text without surrounding white space and without the comma (or dash, colon)
/// that ends a quote broken by its attribution; a final period or question mark stays.
fn trim_quote(text: &str, start: usize, end: usize) -> (usize, usize) {
    let inner = &text[start..end];
    let lead = inner.len() - inner.trim_start().len();
    let trimmed = inner
        .trim_end()
        .trim_end_matches([',', ';', ':', '\u{2014}', '\u{2013}', '-', ' ']);
    let trimmed_end = start + trimmed.len();
    (start + lead, trimmed_end.max(start + lead))
}

/// The date of the speech act: a date phrase that modifies the speech verb, outside the
/// reported clause and outside quotations: right after the verb and its object ("said on
/// Monday", "told reporters on Jan. 5"), between the subject and the verb ("Peskov on
/// Monday said"), or opening the sentence ("On Nov. 10, Peskov told"). A date attached to
/// a noun ("the Jan. 5 meeting") or after "after", "before", "since" is not when it was
/// said.
fn said_on(
    p: &Para,
    s: &std::ops::Range<usize>,
    a: &Attribution,
    published: Option<Date>,
) -> Option<Date> {
    // Word tokens of the sentence outside the clause and quotations.
    let toks: Vec<usize> = s
        .clone()
        .filter(|&k| p.is_word(k) && p.tokens[k].quote.is_none())
        .filter(|&k| {
            let b = p.tokens[k].start;
            a.clause.as_ref().is_none_or(|c| b < c.start || b >= c.end)
        })
        .collect();
    let words: Vec<&str> = toks.iter().map(|&k| p.word(k)).collect();
    let first = sentence_start(p, s.start);
    for (j, &k) in toks.iter().enumerate() {
        let Some(rel) = dates::at(&words, j) else {
            continue;
        };
        // The word before the date phrase, and before "on".
        let on = k > s.start && p.lower(k - 1) == "on";
        let head = if on { k - 1 } else { k };
        let prev = if head > s.start && p.is_word(head - 1) {
            p.lower(head - 1)
        } else {
            ""
        };
        if matches!(
            prev,
            "after"
                | "before"
                | "since"
                | "the"
                | "until"
                | "till"
                | "by"
                | "from"
                | "of"
                | "following"
                | "ahead"
                | "during"
                | "a"
                | "an"
                | "this"
                | "that"
                | "next"
        ) || lx_possessive(prev)
        {
            continue;
        }
        let opens_sentence = head == first && {
            // "On Nov. 10, Peskov told": the phrase ends at a comma.
            (k + 1..s.end).take(4).any(|t| p.is_punct(t, ','))
        };
        let subject_end = a.subject.as_ref().map_or(a.verb_tok, |r| r.end);
        // "Peskov on Monday said" (but not "Volk, who met him on Jan. 5, said").
        let before_verb = !a.inverted
            && head >= subject_end
            && k < a.verb_tok
            && (k..a.verb_tok).all(|t| p.is_word(t) && p.tokens[t].quote.is_none());
        let after_verb = head > a.verb_tok
            && head <= a.end_tok.max(a.verb_tok) + 8
            && (a.verb_tok + 1..head).all(|t| {
                p.tokens[t].quote.is_none()
                    && (p.is_punct(t, ',')
                        || p.is_word(t)
                            && !matches!(p.lower(t), "that" | "after" | "before" | "since"))
            });
        if opens_sentence || before_verb || after_verb {
            return dates::resolve(rel, published);
        }
    }
    None
}

fn lx_possessive(w: &str) -> bool {
    super::lexicon::is_possessive(w)
}

/// The same words by the same speaker once; a reported clause that is exactly a quote is
/// the quote.
fn dedupe(out: &mut Vec<Found>, paragraphs: &[String]) {
    let text = |f: &Found| &paragraphs[f.para][f.start..f.end];
    let direct: HashSet<(usize, &str)> = out
        .iter()
        .filter(|f| f.kind == StatementKind::Direct)
        .map(|f| (f.speaker, text(f)))
        .collect();
    let mut seen: HashSet<(usize, &str, bool)> = HashSet::new();
    out.retain(|f| {
        let reported = f.kind == StatementKind::Reported;
        if reported && direct.contains(&(f.speaker, text(f))) {
            return false;
        }
        seen.insert((f.speaker, text(f), reported))
    });
}

/// Where the reported clause of `a` ends. At the first other attribution with a reported
/// clause of its own that begins inside it after a clause boundary ("X said A, and Y said
/// B": a comma, semicolon, "and" or "but" before it), with the joining words left out. A
/// nested attribution without a boundary ("A after Y claimed that B") stays in, up to
/// [`MAX_NESTED`] of them: beyond that the clause ends at the next one, so that a long
/// sentence of attributions cannot grow its statements with the square of its length.
/// None when nothing of the clause is left.
fn clause_end(
    p: &Para,
    clause: &std::ops::Range<usize>,
    a: &Attribution,
    all: &[Attribution],
) -> Option<usize> {
    let mut inside: Vec<usize> = all
        .iter()
        // Another reported clause of its own: not a label ("which he called ...").
        .filter(|b| !std::ptr::eq(*b, a) && !b.trailing && b.clause.is_some())
        .filter(|b| !matches!(b.form, Form::Label | Form::QuotedAs))
        .map(|b| p.tokens[b.subject.as_ref().map_or(b.verb_tok, |r| r.start)].start)
        .filter(|&at| at > clause.start && at < clause.end)
        .collect();
    inside.sort_unstable();
    let after_boundary = |at: usize| {
        let before = p.text[clause.start..at].trim_end();
        before.ends_with([',', ';']) || before.ends_with(", and") || before.ends_with(", but")
    };
    let cut = inside
        .iter()
        .copied()
        .find(|&at| after_boundary(at))
        .into_iter()
        .chain(inside.get(MAX_NESTED).copied())
        .min();
    let Some(cut) = cut else {
        return Some(clause.end);
    };
    let kept = p.text[clause.start..cut].trim_end();
    let kept = kept
        .strip_suffix(" and")
        .or_else(|| kept.strip_suffix(" but"))
        .unwrap_or(kept)
        .trim_end_matches([',', ';', ':', ' ']);
    (kept.split_whitespace().count() >= 2).then_some(clause.start + kept.len())
}

/// How many attributions a reported clause may hold without a clause boundary.
const MAX_NESTED: usize = 3;
