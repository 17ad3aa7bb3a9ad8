//! The syntax of attribution inside one sentence: where the speech verbs are ("said",
//! "told", "according to", ", saying", "quoted X as saying", "which he labeled"), which
//! words name the speaker (before the verb, or after it: "said the source"), and which
//! words are the reported clause (after "that", or before ", X said."). No entities here:
//! only token ranges and mentions.

use std::ops::Range;

use super::lexicon::{self as lx, is_in};
use super::mentions::{self, Mention};
use super::text::{Kind, Para};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// "X said", "said X"
    Finite,
    /// ", saying ...": the speaker is the clause's subject.
    Participle,
    /// "according to X"
    AccordingTo,
    /// "quoted X as saying", "X was quoted as saying"
    QuotedAs,
    /// "which he labeled “...”", "X described as “...”": quotes only.
    Label,
}

#[derive(Debug, Clone)]
pub struct Attribution {
    pub verb_tok: usize,
    /// The verb as written, lower case: "said", "told", "according to".
    pub verb: String,
    pub form: Form,
    /// Tokens naming the speaker; None for participles (the sentence's subject speaks).
    pub subject: Option<Range<usize>>,
    pub mention: Option<Mention>,
    /// "said the source": the speaker follows the verb.
    pub inverted: bool,
    /// The reported clause as a byte range of the paragraph.
    pub clause: Option<Range<usize>>,
    /// The clause comes before the attribution ("..., X said.").
    pub trailing: bool,
    /// Last token of the attribution phrase (for finding dates near it).
    pub end_tok: usize,
}

/// Words that make an aside on their own (", however,"), or open a longer one.
const ONE_WORD_ASIDES: &[&str] = &[
    "meanwhile",
    "however",
    "though",
    "too",
    "also",
    "instead",
    "separately",
    "later",
];

const OBJECT_VERBS: &[&str] = &[
    "told", "tells", "assured", "informed", "warned", "reminded", "promised",
];

/// Every attribution in sentence `s` of paragraph `p`.
pub fn attributions(p: &Para, s: Range<usize>) -> Vec<Attribution> {
    let mut out = Vec::new();
    for i in s.clone() {
        if !p.is_word(i) || p.tokens[i].quote.is_some() {
            continue;
        }
        let lw = p.lower(i);
        if !may_attribute(lw) {
            continue;
        }
        let found = if lw == "according" && p.lower(i + 1) == "to" && i + 2 < s.end {
            according_to(p, &s, i)
        } else if lx::has(lx::SPEECH_VERBS, lw) && finite_ok(p, &s, i, lw) {
            finite(p, &s, i, lw.to_string())
        } else if lx::has(lx::SPEECH_PARTICIPLES, lw) {
            participle(p, &s, i, lw.to_string())
        } else if lx::has(lx::LABEL_VERBS, lw)
            || ((lw == "described" || lw == "describes") && p.lower(i + 1) == "as")
        {
            label(p, &s, i, lw.to_string())
        } else {
            None
        };
        out.extend(found);
    }
    out
}

/// Can `lw` start an attribution (be one of the words `attributions` looks for)? A quick
/// answer by first letter and length, no for most words of a text; a yes is checked
/// against the word lists.
fn may_attribute(lw: &str) -> bool {
    static FILTER: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let filter = FILTER.get_or_init(|| {
        let mut t = [0u64; 256];
        let extra: &[&str] = &["according", "described", "describes"];
        for w in lx::SPEECH_VERBS
            .iter()
            .chain(lx::SPEECH_PARTICIPLES)
            .chain(lx::LABEL_VERBS)
            .chain(extra)
        {
            match w.as_bytes().first() {
                Some(&b) => t[b as usize] |= 1 << w.len().min(63),
                None => t = [u64::MAX; 256],
            }
        }
        t
    });
    match lw.as_bytes().first() {
        Some(&b) => (filter[b as usize] >> lw.len().min(63)) & 1 == 1,
        None => true,
    }
}

/// Rules out nouns and infinitives: "the claims", "on claims that", "to say", "is said to".
fn finite_ok(p: &Para, s: &Range<usize>, i: usize, lw: &str) -> bool {
    if i == s.start {
        return false;
    }
    let prev = p.lower(i - 1);
    if lx::has(lx::DETERMINERS, prev)
        || lx::has(lx::PREPOSITIONS, prev)
        || is_in(
            &[
                "be", "is", "was", "were", "been", "being", "are", "not", "never",
            ],
            prev,
        )
    {
        return false;
    }
    if matches!(lw, "say" | "think") {
        return is_in(
            &[
                "they",
                "we",
                "officials",
                "experts",
                "analysts",
                "sources",
                "diplomats",
                "people",
            ],
            prev,
        );
    }
    true
}

fn is_boundary_punct(p: &Para, i: usize) -> bool {
    match p.tokens[i].kind {
        Kind::Word => false,
        Kind::OpenQuote | Kind::CloseQuote => true,
        Kind::Punct(c) => !matches!(c, '-' | '\u{2019}' | '\'' | '&' | '.'),
    }
}

fn is_time_word(w: &str) -> bool {
    lx::has(lx::WEEKDAYS, w)
        || is_in(
            &[
                "on",
                "last",
                "week",
                "month",
                "year",
                "this",
                "earlier",
                "late",
                "night",
                "morning",
                "evening",
                "afternoon",
                "yesterday",
                "today",
            ],
            w,
        )
}

/// The speaker before a verb at `v`: "Deputy Foreign Minister Sergei Ryabkov told",
/// "Alexander Gabuev, director of ..., told", "one Russian official (has) said".
pub fn subject_before(p: &Para, s: &Range<usize>, v: usize) -> Option<(Range<usize>, Mention)> {
    let mut j = v;
    while j > s.start && p.is_word(j - 1) && p.tokens[j - 1].quote.is_none() {
        let w = p.lower(j - 1);
        if lx::has(lx::VERB_FILLERS, w) || is_time_word(w) {
            j -= 1;
        } else {
            break;
        }
    }
    if j == s.start {
        return None;
    }
    if p.is_punct(j - 1, ',') {
        return apposed_subject(p, s, j - 1);
    }
    let mut start = j;
    while start > s.start && j - start < 25 {
        let k = start - 1;
        if is_boundary_punct(p, k) || p.tokens[k].quote.is_some() {
            break;
        }
        if p.is_word(k)
            && !lx::is_capitalized(p.word(k))
            && lx::has(lx::CLAUSE_BOUNDARIES, p.lower(k))
        {
            break;
        }
        start = k;
    }
    (start..j).find_map(|a| mentions::classify(p, a, j).map(|m| (a..j, m)))
}

/// "NAME, APPOSITION, verb" or "The Kremlin, meanwhile, said": `c2` is the comma before
/// the verb.
fn apposed_subject(p: &Para, s: &Range<usize>, c2: usize) -> Option<(Range<usize>, Mention)> {
    let c1 = (s.start..c2).rev().take(40).find(|&k| {
        p.is_punct(k, ',') || p.tokens[k].kind == Kind::CloseQuote || p.tokens[k].quote.is_some()
    });
    let c1 = c1.filter(|&k| p.is_punct(k, ','))?;
    // An aside between subject and verb: ", speaking in Minsk,", ", in turn,", ", for his
    // part,", ", after the talks,": the subject is the head before it.
    if is_aside(p, c1 + 1, c2) {
        return subject_before(p, s, c1);
    }
    // A one-word aside: "meanwhile", "however", "too".
    if c2 == c1 + 2 {
        let w = p.lower(c1 + 1);
        if w.ends_with("ly") || is_in(ONE_WORD_ASIDES, w) {
            return subject_before(p, s, c1);
        }
    }
    let mut a = c1;
    while a > s.start && c1 - a < 8 {
        let k = a - 1;
        if is_boundary_punct(p, k) || p.tokens[k].quote.is_some() {
            break;
        }
        if !lx::is_capitalized(p.word(k)) && lx::has(lx::CLAUSE_BOUNDARIES, p.lower(k)) {
            break;
        }
        a = k;
    }
    // "A senior Western diplomat, who asked not to be named, said": the head alone.
    if is_in(&["who", "which", "whose"], p.lower(c1 + 1)) {
        return (a..c1).find_map(|a| mentions::classify(p, a, c1).map(|m| (a..c1, m)));
    }
    (a..c1).find_map(|a| match mentions::classify(p, a, c2) {
        Some(m @ Mention::Person { role: Some(_), .. }) => Some((a..c2, m)),
        _ => None,
    })
}

/// Words `a..b` between two commas that are an aside, not an apposition naming a role:
/// a participial phrase ("speaking in Minsk", "asked about it"), a prepositional or
/// adverbial phrase ("in turn", "for his part", "on Monday").
fn is_aside(p: &Para, a: usize, b: usize) -> bool {
    if a >= b || !p.is_word(a) || b - a > 12 {
        return false;
    }
    let w = p.lower(a);
    let participle = w.len() > 4
        && (w.ends_with("ing") || matches!(w, "asked" | "pressed" | "questioned" | "quoted"));
    let opens_aside = is_in(ONE_WORD_ASIDES, w)
        || is_in(
            &[
                "in", "for", "on", "at", "after", "during", "from", "with", "like", "unlike",
                "earlier", "again", "then", "by",
            ],
            w,
        );
    participle || opens_aside && (a..b).all(|k| p.is_word(k) && p.tokens[k].quote.is_none())
}

/// The speaker after a verb or "according to": "said the source.", "said Peskov, adding".
fn subject_after(p: &Para, s: &Range<usize>, a: usize) -> Option<(Range<usize>, Mention)> {
    let mut end = a;
    while end < s.end && end - a < 30 {
        let t = p.tokens[end];
        let inside = matches!(
            t.kind,
            Kind::Word | Kind::Punct(',' | '-' | '\u{2019}' | '\'')
        );
        if t.quote.is_some() || !inside {
            break;
        }
        end += 1;
    }
    // Longest prefix first, cut at commas or before a time phrase.
    let mut cuts: Vec<usize> = (a + 1..=end)
        .filter(|&k| k == end || p.is_punct(k, ',') || (p.is_word(k) && is_time_word(p.lower(k))))
        .collect();
    cuts.sort_unstable_by(|x, y| y.cmp(x));
    cuts.into_iter()
        .find_map(|b| mentions::classify(p, a, b).map(|m| (a..b, m)))
}

fn according_to(p: &Para, s: &Range<usize>, i: usize) -> Option<Attribution> {
    let (subj, mention) = subject_after(p, s, i + 2)?;
    if is_media(p, subj.clone()) {
        return None;
    }
    let at_start = i == s.start;
    let clause = if at_start {
        let comma = subj.end;
        p.is_punct(comma, ',')
            .then(|| clause_range(p, comma + 1, s.end))
            .flatten()
    } else if i > s.start && p.is_punct(i - 1, ',') {
        clause_range(p, s.start, i - 1)
    } else {
        None
    };
    Some(Attribution {
        verb_tok: i,
        verb: "according to".into(),
        form: Form::AccordingTo,
        end_tok: subj.end,
        subject: Some(subj),
        mention: Some(mention),
        inverted: true,
        trailing: !at_start,
        clause,
    })
}

fn is_media(p: &Para, r: Range<usize>) -> bool {
    r.clone()
        .any(|k| p.is_word(k) && lx::has(lx::MEDIA_WORDS, lx::key_lower(p.lower(k))))
}

fn finite(p: &Para, s: &Range<usize>, i: usize, lw: String) -> Option<Attribution> {
    let after_break =
        i > s.start && (p.is_punct(i - 1, ',') || p.tokens[i - 1].kind == Kind::CloseQuote);
    if after_break {
        if let Some((subj, mention)) = subject_after(p, s, i + 1) {
            let end = subj.end;
            let clause = clause_before(p, s, i);
            return Some(Attribution {
                verb_tok: i,
                verb: lw,
                form: Form::Finite,
                subject: Some(subj),
                mention: Some(mention),
                inverted: true,
                clause,
                trailing: true,
                end_tok: end,
            });
        }
    }
    let Some((subj, mention)) = subject_before(p, s, i) else {
        // "Ryabkov dismissed the remarks and said ...": the sentence's subject speaks.
        if i > s.start && is_in(&["and", "but"], p.lower(i - 1)) && lw != "reported" {
            return Some(subjectless(p, s, i, lw));
        }
        return None;
    };
    if lw == "reported" || is_media(p, subj.clone()) && !matches!(mention, Mention::Person { .. }) {
        return None;
    }
    let complement = complement(p, s, i, &lw);
    let (clause, trailing, end_tok) = match complement {
        Some((c, _)) => (Some(c), false, i),
        None => {
            let before = subj.start > s.start
                && (p.is_punct(subj.start - 1, ',')
                    || p.tokens[subj.start - 1].kind == Kind::CloseQuote);
            let end = rest_end(p, s, i);
            if before {
                (clause_before(p, s, subj.start), true, end)
            } else {
                (None, false, end)
            }
        }
    };
    Some(Attribution {
        verb_tok: i,
        verb: lw,
        form: Form::Finite,
        subject: Some(subj),
        mention: Some(mention),
        inverted: false,
        clause: if lx::has(lx::QUOTE_ONLY_VERBS, p.lower(i)) {
            None
        } else {
            clause
        },
        trailing,
        end_tok,
    })
}

fn participle(p: &Para, s: &Range<usize>, i: usize, lw: String) -> Option<Attribution> {
    if i == s.start {
        return None;
    }
    let prev = p.lower(i - 1);
    if prev == "as" {
        // "quoted Russian Deputy Foreign Minister Sergei Ryabkov as saying"
        let q = (s.start..i - 1)
            .rev()
            .take(20)
            .find(|&k| p.lower(k) == "quoted")?;
        let (subj, mention) = if q + 1 == i - 1 {
            // "X was quoted as saying"
            let aux = q
                .checked_sub(1)
                .filter(|&k| matches!(p.lower(k), "was" | "were" | "is" | "been"))?;
            subject_before(p, s, aux)?
        } else {
            let m = mentions::classify(p, q + 1, i - 1)?;
            (q + 1..i - 1, m)
        };
        let clause = complement(p, s, i, "saying").map(|c| c.0);
        return Some(Attribution {
            verb_tok: i,
            verb: "quoted".into(),
            form: Form::QuotedAs,
            subject: Some(subj),
            mention: Some(mention),
            inverted: false,
            clause,
            trailing: false,
            end_tok: i,
        });
    }
    if !p.is_punct(i - 1, ',') && !is_in(&["while", "before", "after", "and"], prev) {
        return None;
    }
    Some(subjectless(p, s, i, lw))
}

/// A speech verb whose speaker is the subject of an earlier clause ("..., saying ...",
/// "... and said ..."): the speaker is resolved from context later.
fn subjectless(p: &Para, s: &Range<usize>, i: usize, lw: String) -> Attribution {
    let clause = complement(p, s, i, &lw).map(|c| c.0);
    Attribution {
        verb_tok: i,
        verb: lw,
        form: Form::Participle,
        subject: None,
        mention: None,
        inverted: false,
        clause,
        trailing: false,
        end_tok: i,
    }
}

fn label(p: &Para, s: &Range<usize>, i: usize, lw: String) -> Option<Attribution> {
    let (subj, mention) = subject_before(p, s, i)?;
    let verb = if lw.starts_with("describ") {
        format!("{lw} as")
    } else {
        lw
    };
    Some(Attribution {
        verb_tok: i,
        verb,
        form: Form::Label,
        subject: Some(subj),
        mention: Some(mention),
        inverted: false,
        clause: None,
        trailing: false,
        end_tok: i,
    })
}

/// Where the words after a verb that belong to the attribution end ("told The Moscow
/// Times on Monday").
fn rest_end(p: &Para, s: &Range<usize>, i: usize) -> usize {
    let mut k = i + 1;
    while k < s.end && p.is_word(k) && p.tokens[k].quote.is_none() {
        k += 1;
    }
    k
}

/// The clause before an attribution that starts at token `b`: from the sentence start to
/// the comma (and closing quote) before `b`.
fn clause_before(p: &Para, s: &Range<usize>, b: usize) -> Option<Range<usize>> {
    let mut end = b;
    while end > s.start && (p.is_punct(end - 1, ',') || p.tokens[end - 1].kind == Kind::CloseQuote)
    {
        end -= 1;
        if p.tokens[end].kind == Kind::CloseQuote {
            // The clause is a quotation as a whole: a direct quote, not reported speech.
            let q = p.tokens[end].quote?;
            if p.quotes[q].open <= p.tokens[s.start].start {
                return None;
            }
            end += 1;
            break;
        }
    }
    let mut start = s.start;
    // Leading conjunctions are not part of what was said.
    while start < end && p.is_word(start) && is_in(&["but", "and", "so", "yet"], p.lower(start)) {
        start += 1;
    }
    // "Asked whether ..., Peskov said": a participial phrase, not what was said.
    if opens_with_participle(p, start) {
        return None;
    }
    clause_range(p, start, end)
}

/// "Asked whether", "Speaking to reporters", "Responding to", "Commenting on": an -ing or
/// -ed word followed by a preposition, a wh-word or the people addressed (so that
/// "Everything that ..." and "Beijing is ..." stay clauses).
fn opens_with_participle(p: &Para, k: usize) -> bool {
    if !p.is_word(k) {
        return false;
    }
    let w = p.lower(k);
    let shaped = w.len() > 4
        && (w.ends_with("ing") && !w.ends_with("thing") || w.ends_with("ed") && w != "indeed");
    shaped
        && is_in(
            &[
                "to",
                "at",
                "on",
                "in",
                "with",
                "about",
                "after",
                "during",
                "whether",
                "if",
                "why",
                "how",
                "what",
                "when",
                "where",
                "who",
                "by",
                "from",
                "for",
                "before",
                "reporters",
                "journalists",
                "questions",
                "lawmakers",
                "a",
                "an",
            ],
            p.lower(k + 1),
        )
}

/// Reported clause after a verb at `i`: after "that", or a bare clause for say-like verbs.
/// Returns the byte range and the token where it starts.
fn complement(p: &Para, s: &Range<usize>, i: usize, verb: &str) -> Option<(Range<usize>, usize)> {
    // "that" within reach, before any quotation, colon or other speech verb.
    let mut k = i + 1;
    while k < s.end && k < i + 14 {
        if p.tokens[k].quote.is_some() || p.is_punct(k, ':') || p.is_punct(k, ';') {
            break;
        }
        if p.is_word(k) {
            let w = p.lower(k);
            if w == "that" {
                if is_in(
                    &[
                        "was", "is", "were", "are", "has", "had", "will", "would", "could", "can",
                        "may", "might", "should",
                    ],
                    p.lower(k + 1),
                ) {
                    return None;
                }
                return clause_range(p, k + 1, s.end).map(|r| (r, k + 1));
            }
            if k > i + 1 && lx::has(lx::SPEECH_VERBS, w) {
                break;
            }
        }
        k += 1;
    }
    if !lx::has(lx::BARE_CLAUSE_VERBS, verb) && !lx::has(lx::SPEECH_PARTICIPLES, verb) {
        return None;
    }
    let mut k = i + 1;
    if is_in(OBJECT_VERBS, verb) {
        k = skip_object(p, s, k)?;
    }
    k = skip_time(p, s, k);
    if k >= s.end || !p.is_word(k) {
        return None;
    }
    let w = p.word(k);
    let lw = w.to_lowercase();
    let clause_start = is_in(
        &[
            "he", "she", "it", "they", "we", "i", "there", "the", "a", "an", "this", "these",
            "those", "his", "her", "its", "their", "our", "no", "some", "all", "any",
        ],
        &lw,
    ) || (p.is_word(k + 1)
        && !lx::has(lx::PREPOSITIONS, &lw)
        && !lx::has(lx::DETERMINERS, &lw)
        && is_in(
            &[
                "is", "are", "was", "were", "has", "had", "have", "would", "will", "could", "can",
                "should", "might", "may", "must",
            ],
            p.lower(k + 1),
        ))
        || (lx::is_capitalized(w)
            && !lx::has(lx::PREPOSITIONS, &lw)
            && lx::month_number(&lw).is_none()
            && !lx::has(lx::WEEKDAYS, &lw));
    if !clause_start {
        return None;
    }
    clause_range(p, k, s.end).map(|r| (r, k))
}

fn skip_object(p: &Para, s: &Range<usize>, mut k: usize) -> Option<usize> {
    if k >= s.end || !p.is_word(k) {
        return None;
    }
    if lx::is_capitalized(p.word(k)) {
        while k < s.end && p.is_word(k) && lx::is_capitalized(p.word(k)) {
            k += 1;
        }
        return Some(k);
    }
    let w = p.lower(k);
    if is_in(
        &[
            "reporters",
            "journalists",
            "lawmakers",
            "parliament",
            "students",
            "supporters",
            "me",
            "us",
            "him",
            "her",
            "them",
            "viewers",
            "listeners",
            "delegates",
            "officials",
            "colleagues",
        ],
        w,
    ) {
        return Some(k + 1);
    }
    None
}

fn skip_time(p: &Para, s: &Range<usize>, mut k: usize) -> usize {
    loop {
        if k >= s.end || !p.is_word(k) {
            return k;
        }
        let w = p.lower(k);
        if lx::has(lx::WEEKDAYS, w)
            || is_in(
                &[
                    "yesterday",
                    "today",
                    "earlier",
                    "later",
                    "again",
                    "also",
                    "recently",
                    "previously",
                ],
                w,
            )
        {
            k += 1;
        } else if (w == "on" && lx::has(lx::WEEKDAYS, p.lower(k + 1)))
            || (w == "last"
                && is_in(
                    &[
                        "week",
                        "month",
                        "year",
                        "monday",
                        "tuesday",
                        "wednesday",
                        "thursday",
                        "friday",
                        "saturday",
                        "sunday",
                    ],
                    p.lower(k + 1),
                ))
        {
            k += 2;
        } else if w == "on"
            && lx::month_number(p.lower(k + 1)).is_some()
            && p.is_word(k + 2)
            && p.word(k + 2).chars().all(|c| c.is_ascii_digit())
        {
            k += 3;
        } else {
            return k;
        }
    }
}

/// Byte range of tokens `a..b`, minus trailing commas and an unquoted final period; none
/// when shorter than three words.
fn clause_range(p: &Para, a: usize, b: usize) -> Option<Range<usize>> {
    // A trailing source: "..., according to a transcript", "..., citing officials".
    let mut b = (a + 1..b)
        .find(|&k| {
            p.is_punct(k, ',')
                && p.tokens[k].quote.is_none()
                && ((p.lower(k + 1) == "according" && p.lower(k + 2) == "to")
                    || p.lower(k + 1) == "citing")
        })
        .unwrap_or(b);
    while b > a
        && matches!(
            p.tokens[b - 1].kind,
            Kind::Punct(',' | '.' | ';' | ':' | '-' | '\u{2014}' | '\u{2013}')
        )
        && p.tokens[b - 1].quote.is_none()
    {
        b -= 1;
    }
    let words = (a..b).filter(|&k| p.is_word(k)).count();
    if words < 3 || a >= b {
        return None;
    }
    // An opening quotation mark left without its closing mark is left out.
    let mut start = p.tokens[a].start;
    if p.tokens[a].kind == Kind::OpenQuote {
        let q = p.tokens[a].quote?;
        if p.quotes[q].after >= p.tokens[b - 1].end {
            return None; // the whole clause is one quotation: direct speech
        }
        start = p.tokens[a].start;
    }
    Some(start..p.tokens[b - 1].end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text::QuoteStyle;

    fn first(text: &str) -> (String, Option<String>, Option<Mention>, bool) {
        let p = Para::new(text, QuoteStyle::Double);
        let s = p.sentences[0].clone();
        let a = attributions(&p, s)
            .into_iter()
            .next()
            .expect("an attribution");
        (
            a.verb,
            a.clause.map(|r| text[r].to_string()),
            a.mention,
            a.trailing,
        )
    }

    #[test]
    fn forward_with_that() {
        let (verb, clause, m, trailing) = first("Deputy Foreign Minister Sergei Ryabkov told journalists on Thursday that his ministry would continue to work.");
        assert_eq!(verb, "told");
        assert_eq!(
            clause.as_deref(),
            Some("his ministry would continue to work")
        );
        assert!(matches!(m, Some(Mention::Person { .. })));
        assert!(!trailing);
    }

    #[test]
    fn trailing_attribution() {
        let (verb, clause, m, trailing) = first("The Kremlin has been in contact with the team, Russian government officials told The Moscow Times.");
        assert_eq!(verb, "told");
        assert_eq!(
            clause.as_deref(),
            Some("The Kremlin has been in contact with the team")
        );
        assert!(matches!(m, Some(Mention::Anonymous { .. })), "{m:?}");
        assert!(trailing);
    }

    #[test]
    fn inverted_after_quote() {
        let (verb, clause, m, _) = first("“The principle is clear,” said the source.");
        assert_eq!(verb, "said");
        assert_eq!(clause, None);
        assert!(matches!(m, Some(Mention::Definite { .. })), "{m:?}");
    }

    #[test]
    fn apposition_subject() {
        let (verb, _, m, _) = first("“Putin enjoys this,” Alexander Gabuev, director of the Carnegie Russia Eurasia Center in Berlin, told The Moscow Times.");
        assert_eq!(verb, "told");
        assert_eq!(
            m,
            Some(Mention::Person {
                name: "Alexander Gabuev".into(),
                role: Some("director of the Carnegie Russia Eurasia Center in Berlin".into())
            })
        );
    }

    #[test]
    fn bare_clause_and_nouns() {
        let (_, clause, _, _) = first("She said the campaign refused requests for meetings.");
        assert_eq!(
            clause.as_deref(),
            Some("the campaign refused requests for meetings")
        );
        let p = Para::new(
            "Peskov backtracked on claims that the Kremlin was in contact.",
            QuoteStyle::Double,
        );
        assert!(attributions(&p, p.sentences[0].clone()).is_empty());
    }
}
