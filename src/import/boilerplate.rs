//! Is this paragraph part of the article or of the page around it? General signals only:
//! calls to action (imperatives such as support, subscribe, sign up, read), reader appeals
//! (donations, newsletters, ads, addressed to "you"/"us"), photo credits and captions,
//! labelled teasers ("Related article: ..."), wire credit lines, copyright notices, short
//! lines without final punctuation (buttons, share widgets, "Advertisement"), and
//! paragraphs that recur across the archive's sources.

use std::collections::HashSet;
use std::hash::Hasher;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::lexicon as lx;
use super::paragraphs::ends_sentence;

/// Imperatives that open calls to action.
const CTA_VERBS: &[&str] = &[
    "support",
    "subscribe",
    "sign",
    "donate",
    "read",
    "follow",
    "share",
    "click",
    "tap",
    "download",
    "join",
    "watch",
    "listen",
    "register",
    "log",
    "contribute",
    "become",
    "get",
    "try",
    "remind",
    "continue",
    "explore",
    "discover",
    "visit",
    "buy",
    "shop",
    "email",
    "print",
    "save",
    "copy",
    "send",
    "enjoy",
    "upgrade",
    "unlock",
    "install",
    "give",
    "help",
    "reprint",
    "report",
    "tweet",
    "comment",
];

/// Words that, short paragraph and all, mark page furniture on their own.
const STRONG_KEYWORDS: &[&str] = &[
    "ad-free",
    "newsletter",
    "subscribe",
    "subscription",
    "subscribers",
    "donate",
    "donation",
    "privacy policy",
    "terms of use",
    "terms of service",
    "cookie",
    "paywall",
    "sign up",
    "log in",
    "all rights reserved",
    "advertisement",
    "sponsored content",
    "share this",
];

/// Words of reader appeals; they count only together with "you"/"we"/"us"/"our".
const APPEAL_KEYWORDS: &[&str] = &[
    "donat",
    "subscri",
    "newsletter",
    "ad-free",
    "ads",
    "advertis",
    "paywall",
    "premium",
    "membership",
    "inbox",
    "mailbox",
    "privacy policy",
    "cookie",
    "your support",
    "support us",
    "support our",
    "support independent",
    "journalism",
    "journalists",
    "sign up",
    "contribution",
    "your help",
    "readers",
    "reader",
    "independent media",
    "support today",
    "monthly",
    "your reading",
];

const APPEAL_PRONOUNS: &[&str] = &[
    "you", "your", "you're", "we", "us", "our", "we're", "me", "my",
];

/// Labels of teasers and furniture: "Related article: ...", "Photo: ...".
const LABELS: &[&str] = &[
    "related",
    "related article",
    "related articles",
    "related story",
    "related stories",
    "read also",
    "also read",
    "see also",
    "read more",
    "more",
    "watch",
    "listen",
    "recommended",
    "most read",
    "trending",
    "advertisement",
    "sponsored",
    "topics",
    "tags",
    "share",
    "photo",
    "photos",
    "image",
    "images",
    "video",
    "caption",
    "credit",
    "credits",
    "file photo",
    "our standards",
    "more on this story",
    "read next",
    "up next",
    "latest",
    "you may also like",
    "further reading",
    "in pictures",
];

/// Genre kickers that start headlines ("Analysis: ..."), not teasers.
const GENRES: &[&str] = &[
    "analysis",
    "opinion",
    "explainer",
    "exclusive",
    "update",
    "breaking",
    "factbox",
    "insight",
    "interview",
    "editorial",
    "commentary",
    "comment",
    "review",
    "feature",
    "profile",
    "q&a",
];

/// A normalised form of a paragraph for recognising repeats across sources: a hash of its
/// letters and digits, lower-cased; None when it has none (such a paragraph never counts
/// as a repeat). (The normalised text is built first and hashed in one go: hashing it a
/// character at a time cost more than the rest of cleaning.)
pub fn key(paragraph: &str) -> Option<u64> {
    let mut norm: Vec<u8> = Vec::with_capacity(paragraph.len());
    let mut buf = [0u8; 4];
    let b = paragraph.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x.is_ascii() {
            // One table look-up per ASCII byte: most of any text.
            let l = ASCII_KEY[x as usize];
            if l != 0 {
                norm.push(l);
            }
            i += 1;
            continue;
        }
        let c = paragraph[i..].chars().next().unwrap_or(' ');
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                norm.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
            }
        }
        i += c.len_utf8();
    }
    if norm.is_empty() {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(&norm);
    Some(h.finish())
}

/// `key`'s view of each ASCII byte: letters and digits lower-cased, 0 for the rest.
const ASCII_KEY: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            t[i] = b.to_ascii_lowercase();
        }
        i += 1;
    }
    t
};

/// A source's paragraphs with the `key` of each, computed once: counting repeats across
/// the archive and cleaning the source both need them.
#[derive(Debug, Default, Clone)]
pub struct Keyed {
    pub paras: Vec<String>,
    pub keys: Vec<Option<u64>>,
}

impl Keyed {
    pub fn new(paras: Vec<String>) -> Keyed {
        let keys = paras.iter().map(|p| key(p)).collect();
        Keyed { paras, keys }
    }
}

/// The first `chars` characters of `p`, each lower-cased (ASCII ones, the usual case, all
/// at once).
fn lower_head(p: &str, chars: usize) -> String {
    let end = p.char_indices().nth(chars).map_or(p.len(), |(i, _)| i);
    let head = &p[..end];
    if head.is_ascii() {
        head.to_ascii_lowercase()
    } else {
        head.chars().flat_map(char::to_lowercase).collect()
    }
}

/// Lower-case words outside quotation marks.
fn words_outside_quotes(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut word = String::new();
    for c in p.chars() {
        if matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{ab}' | '\u{bb}') {
            inside = !inside;
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        if c.is_alphanumeric() || c == '\'' || c == '\u{2019}' || c == '-' {
            if !inside {
                word.extend(c.to_lowercase());
            }
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
        .map(|w| w.replace('\u{2019}', "'"))
        .collect()
}

/// Words with a letter or digit in them (one pass, no allocation: runs many times on
/// every paragraph).
pub fn word_count(p: &str) -> usize {
    let mut count = 0;
    let mut counted = false;
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of ASCII bytes, read as bytes (most of any text), without branches.
        while i < b.len() && b[i].is_ascii() {
            let class = ASCII_CLASS[b[i] as usize];
            let alnum = class == ALNUM;
            count += usize::from(alnum && !counted);
            counted = (counted || alnum) && class != SPACE;
            i += 1;
        }
        let Some(c) = p.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        if c.is_whitespace() {
            counted = false;
        } else if !counted && c.is_alphanumeric() {
            count += 1;
            counted = true;
        }
        i += c.len_utf8();
    }
    count
}

const SPACE: u8 = 1;
const ALNUM: u8 = 2;

/// `word_count`'s view of each ASCII byte: white space, letter or digit, or other.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_whitespace() {
            SPACE
        } else if b.is_ascii_alphanumeric() {
            ALNUM
        } else {
            0
        };
        i += 1;
    }
    t
};

fn has_quotes(p: &str) -> bool {
    // A byte search (this runs several times on every paragraph): '"' is one byte, the
    // curly marks start with 0xE2 and the angle ones with 0xC2, never a continuation byte,
    // so each hit is the start of a character to check.
    memchr::memchr3_iter(b'"', 0xE2, 0xC2, p.as_bytes())
        .any(|i| p[i..].starts_with(['"', '\u{201c}', '\u{201d}', '\u{ab}', '\u{bb}']))
}

fn first_word(p: &str) -> String {
    p.split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// A call to action: "Support us", "Sign up for our newsletter", "Read our analysis ...".
pub fn is_call_to_action(p: &str) -> bool {
    is_call_to_action_n(p, word_count(p))
}

/// `is_call_to_action` for a paragraph of `n` words (`word_count`).
pub fn is_call_to_action_n(p: &str, n: usize) -> bool {
    if has_quotes(p) {
        return false;
    }
    let first = first_word(p);
    if CTA_VERBS.contains(&first.as_str()) && n <= 25 {
        // "Read" is also past tense; a full sentence must address the reader to count.
        if ends_sentence(p) && n > 6 {
            let ws = words_outside_quotes(p);
            return ws
                .iter()
                .take(4)
                .any(|w| APPEAL_PRONOUNS.contains(&w.as_str()) || w == "more")
                || ws.iter().any(|w| w == "here");
        }
        return true;
    }
    // A teaser sentence inside: "How will ...? Read our analysis of ..."
    n <= 60
        && sentences(p).iter().skip(1).any(|s| {
            let f = first_word(s);
            let second = s
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_lowercase();
            (f == "read"
                && matches!(
                    second.as_str(),
                    "more" | "our" | "the" | "about" | "more." | "more:"
                ))
                || (f == "sign" && second == "up")
                || (f == "click" && second.starts_with("here"))
                || f == "subscribe"
        })
}

/// Naive sentence split for teaser checks (after ". ", "? ", "! ").
fn sentences(p: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = p.as_bytes();
    for i in 0..b.len().saturating_sub(1) {
        if matches!(b[i], b'.' | b'?' | b'!') && b[i + 1] == b' ' {
            out.push(p[start..=i].trim());
            start = i + 1;
        }
    }
    out.push(p[start..].trim());
    out
}

/// A reader appeal: donations, subscriptions, ads, addressed to the reader.
pub fn is_appeal(p: &str) -> bool {
    is_appeal_n(p, word_count(p))
}

/// `is_appeal` for a paragraph of `n` words (`word_count`).
pub fn is_appeal_n(p: &str, n: usize) -> bool {
    if n > 80 {
        return false;
    }
    let short = n <= 25;
    let addressed = addresses_reader(p);
    if !short && !addressed {
        return false;
    }
    let lower = p.to_lowercase();
    if short && keywords().strong.is_match(&lower) && cta_shape(p, addressed) {
        return true;
    }
    // Every occurrence of every keyword, overlapping ones too: a keyword's own overlapping
    // occurrences follow one of its letters, so never start a word: the answer is that of
    // searching for each keyword in turn (`contains_word_prefix`).
    addressed
        && keywords()
            .appeal
            .find_overlapping_iter(&lower)
            .any(|m| word_starts_at(&lower, m.start()))
}

/// STRONG_KEYWORDS and APPEAL_KEYWORDS, each searched for in one pass.
struct Keywords {
    strong: AhoCorasick,
    appeal: AhoCorasick,
}

fn keywords() -> &'static Keywords {
    static K: OnceLock<Keywords> = OnceLock::new();
    K.get_or_init(|| Keywords {
        strong: AhoCorasick::new(STRONG_KEYWORDS).expect("keywords build an automaton"),
        appeal: AhoCorasick::new(APPEAL_KEYWORDS).expect("keywords build an automaton"),
    })
}

/// No letter or digit just before byte `i` of `lower`.
fn word_starts_at(lower: &str, i: usize) -> bool {
    i == 0
        || !lower[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
}

/// The shape of a call to action or a button: addressed to the reader, an imperative, a
/// question or exclamation, a label without final punctuation, or a link; never a
/// sentence that attributes words to someone.
fn cta_shape(p: &str, addressed: bool) -> bool {
    if has_attribution(p) {
        return false;
    }
    let t = p.trim_end();
    let lower = t.to_lowercase();
    addressed
        || CTA_VERBS.contains(&first_word(p).as_str())
        || t.ends_with(['?', '!'])
        || !ends_sentence(t)
        || lower.contains("http")
        || lower.contains("www.")
        || lower.contains(".com")
        || t.ends_with(['\u{bb}', '\u{2192}', '>'])
}

/// Does the text outside quotation marks say "you", "we", "us", "our"...? (No allocation:
/// this runs on every paragraph.)
fn addresses_reader(p: &str) -> bool {
    let mut inside = false;
    let mut start: Option<usize> = None;
    let is_pronoun = |w: &str| {
        // Every pronoun starts with one of these letters: most words are ruled out at once.
        if !matches!(
            w.as_bytes()[0].to_ascii_lowercase(),
            b'y' | b'w' | b'u' | b'o' | b'm'
        ) {
            return false;
        }
        if w.contains('\u{2019}') {
            let w = w.replace('\u{2019}', "'");
            APPEAL_PRONOUNS.iter().any(|x| x.eq_ignore_ascii_case(&w))
        } else {
            APPEAL_PRONOUNS.iter().any(|x| x.eq_ignore_ascii_case(w))
        }
    };
    // Byte by byte, decoding only non-ASCII characters; a space after the end closes the
    // last word.
    let mut i = 0;
    while i <= p.len() {
        let c = match p.as_bytes().get(i) {
            None => ' ',
            Some(&b) if b.is_ascii() => b as char,
            Some(_) => p[i..].chars().next().unwrap_or(' '),
        };
        let word_char = c.is_alphanumeric() || c == '\'' || c == '\u{2019}';
        if word_char {
            start.get_or_insert(i);
        } else {
            if let Some(s) = start.take() {
                let w = &p[s..i];
                if !inside && w.len() <= 6 && is_pronoun(w) {
                    return true;
                }
            }
            if matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{ab}' | '\u{bb}') {
                inside = !inside;
            }
        }
        i += c.len_utf8();
    }
    false
}

#[cfg(test)]
fn contains_word_prefix(lower: &str, k: &str) -> bool {
    lower.match_indices(k).any(|(i, _)| {
        i == 0
            || !lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    })
}

/// "A Message from The Moscow Times:", "Dear readers,": the start of an appeal block.
pub fn starts_appeal_block(p: &str) -> bool {
    // Only the head is lower-cased (this runs on every paragraph): each character's lower
    // case is at least one character, so the head's covers the longest prefix checked.
    let head = lower_head(p, 16);
    let lower = head.as_str();
    (lower.starts_with("a message from") && word_count(p) <= 10)
        || lower.starts_with("dear reader")
        || lower.starts_with("dear friend")
        || lower.starts_with("dear subscriber")
}

/// Inside an appeal block, the block goes on while paragraphs address the reader or are
/// buttons.
pub fn continues_appeal_block(p: &str) -> bool {
    let ws = words_outside_quotes(p);
    let n = word_count(p);
    ws.iter().any(|w| APPEAL_PRONOUNS.contains(&w.as_str()))
        || (n <= 6)
        || is_call_to_action(p)
        || is_appeal(p)
}

/// A photo credit: "AP/Evan Vucci", "Anatoly Maltsev / EPA / TASS", "(AP Photo/Evan Vucci)",
/// "REUTERS/Maxim Shemetov", "Photo: Reuters", "Getty Images".
pub fn is_credit(s: &str) -> bool {
    let s = s
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    // The cheap test first: most paragraphs end a sentence.
    if ends_sentence(s) && !s.ends_with("Images.") {
        return false;
    }
    let n = word_count(s);
    if n == 0 || n > 14 {
        return false;
    }
    let lower = s.to_lowercase();
    for label in [
        "photo:",
        "photo by",
        "photos:",
        "image:",
        "picture:",
        "credit:",
        "photograph:",
        "foto:",
    ] {
        if lower.starts_with(label) {
            return true;
        }
    }
    if lower.ends_with("getty images")
        || lower.ends_with("via reuters")
        || lower.ends_with("via getty images")
    {
        return true;
    }
    if !s.contains('/') {
        return false;
    }
    s.split('/').all(|seg| {
        let seg = seg.trim();
        let n = word_count(seg);
        (1..=5).contains(&n)
            && seg.split_whitespace().all(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                    || matches!(w, "via" | "for" | "of" | "de" | "van" | "von")
            })
    })
}

/// A caption ending in a credit: "Face masks ... in St. Petersburg. Anatoly Maltsev / EPA".
#[cfg(test)]
pub fn is_captioned_credit(p: &str) -> bool {
    is_captioned_credit_n(p, word_count(p))
}

/// `is_captioned_credit` for a paragraph of `n` words (`word_count`).
pub fn is_captioned_credit_n(p: &str, n: usize) -> bool {
    if n > 70 || has_quotes(p) {
        return false;
    }
    if is_credit(p) {
        return true;
    }
    // The credit is the part after the last sentence end (credits are short: look back
    // only a little way).
    let tail_start = p
        .char_indices()
        .rev()
        .take(160)
        .filter(|&(i, c)| matches!(c, '.' | '?' | '!') && p[i + 1..].starts_with(' '))
        .map(|(i, _)| i + 1)
        .find(|&i| is_credit(&p[i..]));
    tail_start.is_some()
}

/// "Related article: Kremlin Officials Hope ...", "Photo: ...", "Advertisement:".
pub fn is_labelled_teaser(p: &str) -> bool {
    let Some((label, rest)) = p.split_once(':') else {
        return false;
    };
    let label_l = label.trim().to_lowercase();
    if LABELS.contains(&label_l.as_str()) {
        return true;
    }
    !GENRES.contains(&label_l.as_str())
        && word_count(label) <= 3
        && !has_quotes(p)
        && !ends_sentence(rest)
        && is_title_case(rest)
        && word_count(rest) >= 3
}

/// Most words that matter are capitalised.
pub fn is_title_case(s: &str) -> bool {
    let small = [
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
        "from", "as", "vs", "vs.", "is", "its", "it", "over", "into", "than", "via", "up", "out",
    ];
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && !small.contains(&w.to_lowercase().as_str()))
        .collect();
    if words.is_empty() {
        return false;
    }
    let caps = words
        .iter()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .count();
    caps * 4 >= words.len() * 3
}

/// Wire credits and notices: "Reporting by ...; Editing by ...", "© 2016 Reuters",
/// "... contributed to this report."
#[cfg(test)]
pub fn is_credit_line(p: &str) -> bool {
    is_credit_line_n(p, word_count(p))
}

/// `is_credit_line` for a paragraph of `n` words (`word_count`).
pub fn is_credit_line_n(p: &str, n: usize) -> bool {
    if n > 60 {
        return false;
    }
    // Only the head is lower-cased (this runs on every paragraph).
    let head = lower_head(p.trim_start_matches(['(', '[']), 24);
    let lower = head.as_str();
    let starts = [
        "reporting by",
        "additional reporting",
        "writing by",
        "editing by",
        "compiled by",
        "translated by",
        "edited by",
        "produced by",
        "©",
        "copyright",
        "(c)",
        "source:",
        "with reporting by",
        "this story has been",
        "this article was",
        "this report was",
    ];
    // A phrase as written in lower case, capitalised or in capitals.
    let has = |forms: [&str; 3]| forms.iter().any(|f| p.contains(f));
    starts.iter().any(|s| lower.starts_with(s))
        || has([
            "contributed to this report",
            "Contributed to this report",
            "CONTRIBUTED TO THIS REPORT",
        ])
        || has([
            "contributed reporting",
            "Contributed reporting",
            "CONTRIBUTED REPORTING",
        ])
        || has([
            "all rights reserved",
            "All rights reserved",
            "ALL RIGHTS RESERVED",
        ])
        || (has(["editing by", "Editing by", "EDITING BY"]) && n <= 25)
}

/// A paragraph with no letters: "×", "***", "—".
pub fn is_junk(p: &str) -> bool {
    !p.chars().any(char::is_alphabetic)
}

/// Strip a teaser glued to the end: "... Read more." Returns the paragraph without it.
pub fn strip_glued_teaser(p: &str) -> Option<&str> {
    let trimmed = p.trim_end();
    for teaser in [
        "Read more.",
        "Read more",
        "Read More",
        "Read More.",
        "Read more »",
        "Read more…",
        "Continue reading",
        "Continue reading.",
        "READ MORE",
    ] {
        if let Some(rest) = trimmed.strip_suffix(teaser) {
            if rest.is_empty() || rest.ends_with(' ') {
                return Some(rest.trim_end());
            }
        }
    }
    None
}

/// Does the paragraph attribute words to someone: a quotation, or a speech verb after a
/// word ("..., the ministry said.")? Such a paragraph is article text, not furniture, unless
/// a stronger signal than a keyword says otherwise.
pub fn has_attribution(p: &str) -> bool {
    if has_quotes(p) {
        return true;
    }
    let ws = words_outside_quotes(p);
    ws.iter().enumerate().skip(1).any(|(i, w)| {
        lx::is_speech_verb(w) || (w == "according" && ws.get(i + 1).is_some_and(|n| n == "to"))
    })
}

/// Paragraph keys that recur across sources of one publication (a view for one source).
#[derive(Debug, Default, Clone)]
pub struct Repeats {
    /// In two or more sources.
    pub keys: HashSet<u64>,
    /// In three or more sources.
    pub keys3: HashSet<u64>,
}

impl Repeats {
    /// From each source's paragraph keys: keys seen in two (three) or more sources.
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = &'a Keyed>) -> Repeats {
        let mut count: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for source in sources {
            let unique: HashSet<u64> = source.keys.iter().flatten().copied().collect();
            for k in unique {
                *count.entry(k).or_default() += 1;
            }
        }
        Repeats {
            keys: count
                .iter()
                .filter(|&(_, &n)| n >= 2)
                .map(|(&k, _)| k)
                .collect(),
            keys3: count
                .iter()
                .filter(|&(_, &n)| n >= 3)
                .map(|(&k, _)| k)
                .collect(),
        }
    }

    /// A paragraph repeated across sources: page furniture. One that attributes words to
    /// someone may be a real quotation carried by two stories: only three or more count.
    #[cfg(test)]
    pub fn contains(&self, p: &str) -> bool {
        key(p).is_some_and(|k| self.contains_key(k, p))
    }

    /// `contains` for a paragraph whose `key` is known.
    pub fn contains_key(&self, k: u64, p: &str) -> bool {
        self.keys.contains(&k) && (self.keys3.contains(&k) || !has_attribution(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_pass_agrees_with_each_keyword_search() {
        for t in [
            "support us support us",
            "readeReader readers unreader",
            "subscribers, donate, ad-free ads, the reader's inbox",
            "roads loads newsletters premiumreaders kreader",
            "\u{212a}ookie cookie",
            "",
        ] {
            let lower = t.to_lowercase();
            let each = APPEAL_KEYWORDS
                .iter()
                .any(|k| contains_word_prefix(&lower, k));
            let one = keywords()
                .appeal
                .find_overlapping_iter(&lower)
                .any(|m| word_starts_at(&lower, m.start()));
            assert_eq!(each, one, "{t}");
            assert_eq!(
                STRONG_KEYWORDS.iter().any(|k| lower.contains(k)),
                keywords().strong.is_match(&lower),
                "{t}"
            );
        }
    }

    #[test]
    fn calls_to_action() {
        assert!(is_call_to_action("Support us"));
        assert!(is_call_to_action("Sign up for our free weekly newsletter"));
        assert!(is_call_to_action(
            "Read about how Russians greeted Trump's victory"
        ));
        assert!(is_call_to_action(
            "How will it affect oil prices? Read our analysis of what it means."
        ));
        assert!(!is_call_to_action(
            "Read by millions, the paper said the talks had failed in Moscow last week."
        ));
    }

    #[test]
    fn appeals() {
        assert!(is_appeal("Enjoying ad-free content?"));
        assert!(is_appeal(
            "This commitment costs us $10,000 a month. Your support can help us fill the gap."
        ));
        assert!(!is_appeal(
            "The minister said the country would support Ukraine."
        ));
        // A keyword alone does not make furniture of a reported sentence.
        assert!(!is_appeal(
            "The donation was made in 2016, the ministry said."
        ));
        assert!(!is_appeal(
            "The newsletter was sent to every official, a spokesman told Reuters."
        ));
        assert!(is_appeal("Sign up for the newsletter"));
        assert!(is_appeal("Advertisement"));
    }

    #[test]
    fn repeats_spare_quotations_carried_by_two_stories() {
        let a = vec![
            "\"We will never agree,\" Peskov said.".to_string(),
            "Subscribe now".into(),
        ];
        let a = Keyed::new(a);
        let b = a.clone();
        let r = Repeats::from_sources([&a, &b]);
        assert!(r.contains("Subscribe now"));
        assert!(!r.contains("\"We will never agree,\" Peskov said."));
        let c = a.clone();
        let r = Repeats::from_sources([&a, &b, &c]);
        assert!(r.contains("\"We will never agree,\" Peskov said."));
    }

    #[test]
    fn credits_and_captions() {
        assert!(is_credit("AP/Evan Vucci"));
        assert!(is_credit("(AP Photo/Evan Vucci)"));
        assert!(is_captioned_credit(
            "Face masks are displayed for sale in St. Petersburg. Anatoly Maltsev / EPA / TASS"
        ));
        assert!(!is_credit("The U.S./Russia talks failed."));
        assert!(is_labelled_teaser(
            "Related article: Kremlin Officials Hope Trump Will Hand Putin an Advantage"
        ));
        assert!(!is_labelled_teaser("He said: the talks will go on."));
        assert!(is_credit_line(
            "Reporting by Maria Tsvetkova; Editing by Alison Williams"
        ));
    }

    #[test]
    fn glued_teaser() {
        assert_eq!(
            strip_glued_teaser("Has Russia changed? Read more."),
            Some("Has Russia changed?")
        );
        assert_eq!(strip_glued_teaser("Nothing to read more"), None);
    }
}
