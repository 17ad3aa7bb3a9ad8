//! Noun phrases that can name a speaker, read from a span of words: pronouns, people with
//! their roles ("Deputy Foreign Minister Sergei Ryabkov", "Alexander Gabuev, director of
//! ..."), unnamed sources ("one Russian official", "a source in the Foreign Ministry"),
//! definite descriptions ("the diplomat") and organisations ("the Kremlin"). Strict on
//! purpose: a span that is not clearly one of these is no mention at all.

use super::lexicon::{self as lx, is_capitalized, is_in, key};
use super::text::{Kind, Para};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    /// he, she, they, it (lower case).
    Pronoun(String),
    /// A person by name; `name` may be a surname alone.
    Person { name: String, role: Option<String> },
    /// An unnamed source; `name` is its description ("Russian official").
    Anonymous {
        name: String,
        head: String,
        mods: Vec<String>,
        plural: bool,
    },
    /// "the diplomat", "the Kremlin spokesman": someone mentioned before.
    Definite {
        head: String,
        mods: Vec<String>,
        plural: bool,
        /// The description as an anonymous name, when it is specific enough to stand alone.
        anon_name: Option<String>,
    },
    /// An institution; a lower-case name ("ministry") refers back to one named before.
    Org { name: String },
}

/// Classify the words of tokens `a..b` of a paragraph.
pub fn classify(p: &Para, a: usize, b: usize) -> Option<Mention> {
    let (a, b) = trim_punct(p, a, b)?;
    if (a..b).any(|i| {
        p.tokens[i].quote.is_some()
            || matches!(p.tokens[i].kind, Kind::OpenQuote | Kind::CloseQuote)
    }) {
        return None;
    }
    if let Some(c) = (a..b).find(|&i| p.is_punct(i, ',')) {
        let head = classify_span(p, a, c)?;
        let app_end = (c + 1..b).find(|&i| p.is_punct(i, ',')).unwrap_or(b);
        // Nothing but the apposition may follow it.
        if app_end < b && trim_punct(p, app_end, b).is_some() {
            return None;
        }
        // Only a role may stand in apposition: "Peskov, Kremlin spokesman".
        return match head {
            Mention::Person { name, role: None } => Some(Mention::Person {
                name,
                role: Some(appositive_role(&words(p, c + 1, app_end))?),
            }),
            _ => None,
        };
    }
    classify_span(p, a, b)
}

/// `classify_words` of tokens `a..b`, with the lower-case forms the paragraph has already.
fn classify_span(p: &Para, a: usize, b: usize) -> Option<Mention> {
    let lower = span_words(p, a, b, |i| p.lower(i));
    classify_lowered(&words(p, a, b), &lower)
}

fn trim_punct(p: &Para, mut a: usize, mut b: usize) -> Option<(usize, usize)> {
    while a < b && !p.is_word(a) {
        a += 1;
    }
    while b > a && !p.is_word(b - 1) {
        b -= 1;
    }
    (a < b).then_some((a, b))
}

/// The words of a span; any punctuation other than commas makes it no noun phrase.
fn words<'a>(p: &Para<'a>, a: usize, b: usize) -> Vec<&'a str> {
    span_words(p, a, b, |i| p.word(i))
}

/// What `get` gives for each word of a span, as `words` takes them.
fn span_words<'s>(p: &Para, a: usize, b: usize, get: impl Fn(usize) -> &'s str) -> Vec<&'s str> {
    let mut out = Vec::with_capacity(b.saturating_sub(a));
    for i in a..b {
        match p.tokens[i].kind {
            Kind::Word => out.push(get(i)),
            Kind::Punct(',') => {}
            _ => return Vec::new(),
        }
    }
    out
}

/// Words that end the core of a noun phrase and start a modifier after it.
fn starts_postmodifier(w: &str) -> bool {
    lx::has(lx::PREPOSITIONS, w)
        || is_in(
            &[
                "involved",
                "familiar",
                "close",
                "who",
                "which",
                "based",
                "working",
                "speaking",
                "knowledgeable",
                "briefed",
                "aware",
                "that",
                "whose",
            ],
            w,
        )
}

pub fn classify_words(ws: &[&str]) -> Option<Mention> {
    if ws.is_empty() || ws.len() > 20 {
        return None;
    }
    let lower: Vec<String> = ws.iter().map(|w| w.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    classify_lowered(ws, &lower)
}

/// `classify_words` given the words in lower case too (`lower[i]` is `ws[i]` lower-cased).
fn classify_lowered(ws: &[&str], lower: &[&str]) -> Option<Mention> {
    if ws.is_empty() || ws.len() > 20 {
        return None;
    }
    if ws.len() == 1 && lx::has(lx::PERSONAL_PRONOUNS, lower[0]) {
        return match lower[0] {
            "he" | "she" | "they" | "it" => Some(Mention::Pronoun(lower[0].to_string())),
            _ => None,
        };
    }
    if let Some(m) = issued_by(ws, lower) {
        return Some(m);
    }
    // Split a trailing modifier off: "source | in the Foreign Ministry".
    let split = (1..ws.len())
        .find(|&k| {
            starts_postmodifier(lower[k])
                && !(lower[k] == "of"
                    && ws.get(k + 1).is_some_and(|w| is_capitalized(w))
                    && is_capitalized(ws[k - 1]))
        })
        .unwrap_or(ws.len());
    let (core, post) = ws.split_at(split);
    if post.is_empty() {
        if let Some(m) = institution(core) {
            return Some(m);
        }
        if let Some(m) = person(core) {
            return Some(m);
        }
    }
    let head = core[core.len() - 1];
    let hk = lx::key_lower(lower[core.len() - 1]).to_string();
    let (det_len, definite) = determiner(core);
    if det_len >= core.len() {
        return None;
    }
    let mods = &core[det_len..core.len() - 1];
    let mod_lowers = &lower[det_len..core.len() - 1];
    let mods_ok = mods.iter().zip(mod_lowers).all(|(w, l)| {
        let k = lx::key_lower(l);
        is_capitalized(w)
            || lx::is_modifier_key(k)
            || lx::has(lx::TITLE_NOUNS, k)
            || lx::has(lx::ANON_HEADS, k)
    });
    if !mods_ok {
        return None;
    }
    if lx::has(lx::ORG_HEADS, &hk) && !lx::has(lx::ANON_HEADS, &hk) {
        return org(core, det_len, post);
    }
    if !lx::has(lx::ANON_HEADS, &hk) && !lx::has(lx::TITLE_NOUNS, &hk) {
        return None;
    }
    let mod_keys: Vec<String> = mod_lowers
        .iter()
        .map(|l| lx::key_lower(l).to_string())
        .collect();
    let plural = is_plural(&hk);
    let anon_name = anonymous_name(mods, head, post);
    let first = lower[0];
    let indefinite =
        !definite && (lx::has(lx::QUANTIFIERS, first) || first.chars().all(|c| c.is_ascii_digit()));
    if indefinite || (det_len == 0 && plural && lx::has(lx::ANON_HEADS, &hk)) {
        if !lx::has(lx::ANON_HEADS, &hk) {
            return None;
        }
        return Some(Mention::Anonymous {
            name: anon_name,
            head: hk,
            mods: mod_keys,
            plural,
        });
    }
    let specific = !post.is_empty() || !mods.is_empty();
    Some(Mention::Definite {
        head: hk,
        mods: mod_keys,
        plural,
        anon_name: (specific && lx::has(lx::ANON_HEADS, &key(head))).then_some(anon_name),
    })
}

/// "a statement issued by the Kremlin", "a statement from the ministry": the issuer.
fn issued_by(ws: &[&str], lower: &[&str]) -> Option<Mention> {
    let s = lower.iter().position(|w| {
        matches!(
            *w,
            "statement" | "announcement" | "communique" | "readout" | "statements"
        )
    })?;
    let by = (s + 1..ws.len()).find(|&k| lower[k] == "by" || lower[k] == "from")?;
    if by > s + 2 {
        return None;
    }
    match classify_words(&ws[by + 1..])? {
        m @ (Mention::Org { .. } | Mention::Person { .. }) => Some(m),
        _ => None,
    }
}

/// How many leading words are a determiner ("the", "one", "The Moscow Times’"), and
/// whether it is definite.
fn determiner(core: &[&str]) -> (usize, bool) {
    // A possessive chain: "The Moscow Times’ source", "Russia’s Foreign Ministry" (the
    // latter keeps its possessive as part of an organisation's name, see `org`).
    if let Some(k) = core[..core.len() - 1]
        .iter()
        .rposition(|w| lx::is_possessive(w))
    {
        let first = core[0].to_lowercase();
        if first == "the" || core[..=k].iter().all(|w| is_capitalized(w)) {
            return (k + 1, true);
        }
    }
    let first = core[0].to_lowercase();
    if is_in(
        &[
            "the", "this", "that", "these", "those", "his", "her", "its", "their",
        ],
        &first,
    ) {
        return (1, true);
    }
    if lx::has(lx::QUANTIFIERS, &first) || first.chars().all(|c| c.is_ascii_digit()) {
        // "two other officials": quantifier words in a row.
        let n = core
            .iter()
            .take_while(|w| {
                let l = w.to_lowercase();
                lx::has(lx::QUANTIFIERS, &l) || l.chars().all(|c| c.is_ascii_digit())
            })
            .count();
        return (n.min(core.len() - 1), false);
    }
    (0, false)
}

fn org(core: &[&str], det_len: usize, post: &[&str]) -> Option<Mention> {
    if !post.is_empty() {
        return None;
    }
    // "Russia’s Foreign Ministry" keeps its owner; "the Kremlin" drops the article.
    let start = if det_len > 0 && core[0].eq_ignore_ascii_case("the") && det_len == 1 {
        1
    } else if det_len > 0 && !lx::is_possessive(core[det_len - 1]) {
        det_len
    } else {
        usize::from(core[0].eq_ignore_ascii_case("the"))
    };
    let rest = &core[start..];
    if rest.is_empty() {
        return None;
    }
    if rest
        .iter()
        .any(|w| lx::has(lx::MEDIA_WORDS, &key(w)) && !is_capitalized(w))
    {
        return None;
    }
    let head = rest[rest.len() - 1];
    // A bare lower-case org noun ("the ministry") must refer back to a named one; plain
    // capital-less phrases otherwise are not names.
    if !is_capitalized(head) && rest.len() > 1 {
        return None;
    }
    Some(Mention::Org {
        name: rest.join(" "),
    })
}

/// "The Pentagon", "the White House": a capitalised name after "the" with no role word
/// is an institution, not a person (people are not "the Smith").
fn institution(core: &[&str]) -> Option<Mention> {
    if core.len() < 2 || !core[0].eq_ignore_ascii_case("the") {
        return None;
    }
    let rest = &core[1..];
    let ok = rest.iter().enumerate().all(|(i, w)| {
        let k = key(w);
        (is_capitalized(w) || (i > 0 && i + 1 < rest.len() && is_in(&["of", "for", "and"], &k)))
            && !lx::has(lx::TITLE_NOUNS, &k)
            && !lx::has(lx::MEDIA_WORDS, &k)
            && !lx::has(lx::ANON_HEADS, &k)
            && !k.contains('.')
    }) && !rest.iter().any(|w| lx::is_possessive(w));
    ok.then(|| Mention::Org {
        name: rest.join(" "),
    })
}

fn is_plural(head_key: &str) -> bool {
    matches!(head_key, "people" | "spokespeople" | "spokesmen")
        || (head_key.ends_with('s') && !head_key.ends_with("ss") && head_key != "sources'")
}

/// "Russian official", "Foreign Ministry source", "people familiar with the matter".
fn anonymous_name(mods: &[&str], head: &str, post: &[&str]) -> String {
    let head = head.to_lowercase();
    let head = head.trim_end_matches(['\u{2019}', '\'']);
    if head.starts_with("source")
        && post.len() > 1
        && is_in(&["in", "at", "within", "inside"], &post[0].to_lowercase())
    {
        let mut place: Vec<&str> = post[1..]
            .iter()
            .take_while(|w| {
                is_capitalized(w) || lx::is_possessive(w) || w.eq_ignore_ascii_case("the")
            })
            .copied()
            .collect();
        if place.first().is_some_and(|w| w.eq_ignore_ascii_case("the")) {
            place.remove(0);
        }
        if place.len() > 1 && lx::is_possessive(place[0]) {
            place.remove(0);
        }
        if !place.is_empty() {
            return format!("{} {head}", place.join(" "));
        }
    }
    let mods: Vec<&str> = mods
        .iter()
        .filter(|w| !is_in(&["other", "unnamed", "anonymous"], &w.to_lowercase()))
        .copied()
        .collect();
    if mods.is_empty() && !post.is_empty() {
        let tail: Vec<&str> = post
            .iter()
            .take_while(|w| !is_in(&["who", "which", "that", "whose"], &w.to_lowercase()))
            .copied()
            .collect();
        if !tail.is_empty()
            && is_in(
                &[
                    "familiar",
                    "close",
                    "knowledgeable",
                    "in",
                    "at",
                    "with",
                    "for",
                ],
                &post[0].to_lowercase(),
            )
        {
            return format!("{head} {}", tail.join(" "));
        }
    }
    if mods.is_empty() {
        head.to_string()
    } else {
        format!("{} {head}", mods.join(" "))
    }
}

/// A word that can be part of a person's name.
pub fn is_name_word(w: &str) -> bool {
    if !is_capitalized(w) {
        return false;
    }
    let k = key(w);
    !lx::has(lx::NOT_NAME_WORDS, &k)
        && !lx::has(lx::TITLE_NOUNS, &k)
        && !lx::has(lx::SENTENCE_OPENERS, &k)
        && lx::month_number(&k).is_none()
        && !w.chars().any(|c| c.is_ascii_digit())
        && !(w.len() > 1
            && w.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
            && w.chars().filter(|c| c.is_alphabetic()).count() <= 4)
}

/// A person: name words at the end, role words before ("Kremlin spokesman Dmitry Peskov").
fn person(core: &[&str]) -> Option<Mention> {
    let n = core.iter().rev().take_while(|w| is_name_word(w)).count();
    if n == 0 || n > 4 {
        return None;
    }
    // Only the last name word may be possessive ("Donald Trump’s team").
    let name_words = &core[core.len() - n..];
    if name_words[..n - 1].iter().any(|w| lx::is_possessive(w)) {
        return None;
    }
    let before = &core[..core.len() - n];
    let valid = before.iter().rev().take_while(|w| role_word(w)).count();
    if valid < before.len() {
        // Something that is neither a role nor a determiner precedes the name.
        let rest = &before[..before.len() - valid];
        if !(rest.len() == 1 && is_in(&["the", "a", "an"], &rest[0].to_lowercase())) {
            return None;
        }
    }
    let mut role_words = &before[before.len() - valid..];
    // "Mr Peskov": the honorific stays with the name; it marks a person.
    let honorific = role_words.last().filter(|w| is_honorific(w)).copied();
    if honorific.is_some() {
        role_words = &role_words[..role_words.len() - 1];
    }
    let prefix = honorific.map(|h| format!("{h} ")).unwrap_or_default();
    let name = prefix
        + &name_words
            .iter()
            .enumerate()
            .map(|(i, w)| if i + 1 == n { strip_possessive(w) } else { w })
            .collect::<Vec<_>>()
            .join(" ");
    Some(Mention::Person {
        name,
        role: role_from(role_words),
    })
}

pub fn is_honorific(w: &str) -> bool {
    is_in(
        &[
            "mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr.", "sir", "dame", "lord", "lady",
        ],
        &w.to_lowercase(),
    )
}

fn role_word(w: &str) -> bool {
    let k = key(w);
    (lx::has(lx::TITLE_NOUNS, &k)
        || is_capitalized(w)
        || lx::is_modifier_key(&k)
        || is_in(&["of", "for", "and"], &k))
        && !is_in(&["the", "a", "an"], &k)
}

/// A role is only a role with a title noun in it; an honorific alone is none.
fn role_from(words: &[&str]) -> Option<String> {
    let mut words = words;
    while let Some(first) = words.first() {
        if is_in(&["of", "for", "and"], &first.to_lowercase()) {
            words = &words[1..];
        } else {
            break;
        }
    }
    let has_title = words.iter().any(|w| {
        let k = key(w);
        lx::has(lx::TITLE_NOUNS, &k)
            && !is_in(&["mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr"], &k)
    });
    has_title.then(|| words.join(" "))
}

pub fn strip_possessive(w: &str) -> &str {
    for suffix in ["\u{2019}s", "'s", "\u{2019}", "'"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    w
}

/// The role in an apposition: ", director of the Center in Berlin," -> that text; ", who
/// ..." or a phrase with no role noun -> none.
pub fn appositive_role(ws: &[&str]) -> Option<String> {
    let mut ws: Vec<&str> = ws
        .iter()
        .take_while(|w| {
            !is_in(
                &["who", "which", "whose", "that", "whom"],
                &w.to_lowercase(),
            )
        })
        .copied()
        .collect();
    if ws
        .first()
        .is_some_and(|w| is_in(&["a", "an"], &w.to_lowercase()))
    {
        ws.remove(0);
    }
    if ws.is_empty() || ws.len() > 16 {
        return None;
    }
    let first = ws[0].to_lowercase();
    if first.chars().all(|c| c.is_ascii_digit()) || lx::has(lx::PERSONAL_PRONOUNS, &first) {
        return None;
    }
    let has_role = ws.iter().take(6).any(|w| {
        let k = key(w);
        lx::has(lx::TITLE_NOUNS, &k) || lx::has(lx::ANON_HEADS, &k)
    });
    has_role.then(|| ws.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Option<Mention> {
        classify_words(&s.split(' ').collect::<Vec<_>>())
    }

    fn person(name: &str, role: Option<&str>) -> Option<Mention> {
        Some(Mention::Person {
            name: name.into(),
            role: role.map(Into::into),
        })
    }

    #[test]
    fn people_with_roles() {
        assert_eq!(
            c("Deputy Foreign Minister Sergei Ryabkov"),
            person("Sergei Ryabkov", Some("Deputy Foreign Minister"))
        );
        assert_eq!(
            c("presidential spokesperson Dmitry Peskov"),
            person("Dmitry Peskov", Some("presidential spokesperson"))
        );
        assert_eq!(c("Peskov"), person("Peskov", None));
        assert_eq!(
            c("U.S. President-elect Donald Trump’s"),
            person("Donald Trump", Some("U.S. President-elect"))
        );
        assert_eq!(c("Moscow"), None);
    }

    #[test]
    fn anonymous_sources() {
        match c("two Russian government officials involved in Kremlin foreign policy") {
            Some(Mention::Anonymous { name, plural, .. }) => {
                assert_eq!(name, "Russian government officials");
                assert!(plural);
            }
            other => panic!("{other:?}"),
        }
        match c("A source in Russia’s Foreign Ministry") {
            Some(Mention::Anonymous { name, .. }) => assert_eq!(name, "Foreign Ministry source"),
            other => panic!("{other:?}"),
        }
        match c("one Russian official") {
            Some(Mention::Anonymous { name, plural, .. }) => {
                assert_eq!(name, "Russian official");
                assert!(!plural);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn definites_and_orgs() {
        assert!(matches!(c("the diplomat"), Some(Mention::Definite { .. })));
        match c("The Moscow Times’ source in the Foreign Ministry") {
            Some(Mention::Definite { anon_name, .. }) => {
                assert_eq!(anon_name.as_deref(), Some("Foreign Ministry source"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            c("the Kremlin"),
            Some(Mention::Org {
                name: "Kremlin".into()
            })
        );
        assert_eq!(
            c("Russia's Foreign Ministry"),
            Some(Mention::Org {
                name: "Russia's Foreign Ministry".into()
            })
        );
        assert_eq!(
            c("a statement issued by the Kremlin"),
            Some(Mention::Org {
                name: "Kremlin".into()
            })
        );
        assert_eq!(c("the privately-owned Interfax Russian news agency"), None);
        assert_eq!(c("Peskov said Russia’s"), None);
    }

    #[test]
    fn appositions() {
        assert_eq!(
            appositive_role(
                &"a former Russian diplomat in Geneva who resigned"
                    .split(' ')
                    .collect::<Vec<_>>()
            ),
            Some("former Russian diplomat in Geneva".into())
        );
        assert_eq!(appositive_role(&["who", "resigned"]), None);
    }
}
