//! Raw article text -> headline, byline, dateline, publication, date and the clean body
//! paragraphs. The page around the article (appeals, teasers, captions, credits, buttons)
//! is dropped using the signals in `boilerplate`; what comes before the first body
//! paragraph is read for the headline, byline and date, never kept in the body.

use jiff::civil::Date;

use super::boilerplate::{self as bp, Keyed, Repeats};
use super::dates;
use super::lexicon as lx;
use super::paragraphs::ends_sentence;

#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub publication: Option<String>,
    /// A publication date the text states with its year.
    pub date: Option<Date>,
    pub body: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Keep,
    Drop,
}

/// Clean one article. `repeats` holds paragraphs that recur across the archive's sources.
#[cfg(test)]
pub fn clean(text: &str, repeats: &Repeats) -> Cleaned {
    clean_paragraphs(&Keyed::new(super::paragraphs::paragraphs(text)), repeats)
}

/// Clean one article split in paragraphs (with their repeat keys).
pub fn clean_paragraphs(source: &Keyed, repeats: &Repeats) -> Cleaned {
    let Keyed { paras, keys } = source;
    let mut out = Cleaned::default();
    // Each paragraph's signals, computed once.
    let words: Vec<usize> = paras.iter().map(|p| bp::word_count(p)).collect();
    let furniture: Vec<bool> = paras
        .iter()
        .zip(&words)
        .map(|(p, &n)| is_furniture(p, n))
        .collect();
    let repeated = |i: usize| keys[i].is_some_and(|k| repeats.contains_key(k, &paras[i]));
    let use_repeats = repeats_apply(&words, &furniture, repeated);
    let mut class: Vec<Class> = paras
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if (furniture[i] && date_line(p).is_none()) || (use_repeats && repeated(i)) {
                Class::Drop
            } else {
                Class::Keep
            }
        })
        .collect();
    for (i, p) in paras.iter().enumerate() {
        if out.publication.is_none() {
            out.publication = publication_hint(p);
        }
        if bp::starts_appeal_block(p) {
            class[i] = Class::Drop;
            let mut j = i + 1;
            while j < paras.len() && bp::continues_appeal_block(&paras[j]) {
                class[j] = Class::Drop;
                j += 1;
            }
        }
    }
    let mut kept: Vec<String> = Vec::new();
    let mut in_body = false;
    for (p, c) in paras.iter().zip(class) {
        if c == Class::Drop {
            continue;
        }
        if in_body {
            if let Some(p) = body_paragraph(p) {
                kept.push(p);
            }
            continue;
        }
        // Before the body: headline, byline, date lines, labels, captions.
        if let Some((authors, publication, rest)) = byline(p) {
            out.authors.extend(authors);
            if out.publication.is_none() {
                out.publication = publication;
            }
            if let Some(rest) = rest.filter(|r| is_body_like(r)) {
                in_body = true;
                kept.push(first_paragraph(rest, &mut out));
            }
            continue;
        }
        if let Some(d) = date_line(p) {
            out.date = out.date.or(Some(d));
            continue;
        }
        if is_body_like(p) {
            in_body = true;
            kept.push(first_paragraph(p, &mut out));
            continue;
        }
        if out.title.is_none() && kept.is_empty() && is_headline(p) {
            out.title = Some(p.trim().to_string());
        }
        // Anything else before the body (kickers, captions, section names) is dropped.
    }
    out.body = kept;
    if out.publication.is_none() {
        out.publication = told_publication(&out.body);
    }
    out
}

/// The publication a text names of itself, read cheaply (before any cleaning): an appeal
/// or copyright line, a byline, a wire dateline.
pub fn publication_of(paras: &[String]) -> Option<String> {
    for (i, p) in paras.iter().enumerate() {
        if let Some(name) = publication_hint(p) {
            return Some(name);
        }
        if i < 12 {
            if let Some((_, Some(publication), _)) = byline(p) {
                return Some(publication);
            }
            if let Some(agency) = dateline(p).and_then(|d| d.agency) {
                return Some(expand_agency(&agency));
            }
        }
    }
    None
}

/// When most of an article recurs elsewhere it is a second copy of the same story, not
/// boilerplate: then repeats are not a signal for it.
fn repeats_apply(words: &[usize], furniture: &[bool], repeated: impl Fn(usize) -> bool) -> bool {
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| !furniture[i] && words[i] >= 12)
        .collect();
    let repeated = long.iter().filter(|&&i| repeated(i)).count();
    repeated * 2 <= long.len()
}

/// Page furniture recognisable anywhere in the text (`n`: its `word_count`).
fn is_furniture(p: &str, n: usize) -> bool {
    bp::is_junk(p)
        || bp::is_call_to_action_n(p, n)
        || bp::is_appeal_n(p, n)
        || bp::is_captioned_credit_n(p, n)
        || bp::is_labelled_teaser(p)
        || bp::is_credit_line_n(p, n)
}

/// A body paragraph as kept, or None for short unpunctuated lines and teasers.
fn body_paragraph(p: &str) -> Option<String> {
    let p = match bp::strip_glued_teaser(p) {
        Some(rest) => {
            // What is left of a teaser is a question or a headline: drop all of it.
            if rest.is_empty()
                || rest.ends_with('?')
                || !ends_sentence(rest)
                || bp::word_count(rest) < 8
            {
                return None;
            }
            rest
        }
        None => p,
    };
    let quoted = p.contains(['"', '\u{201c}', '\u{201d}', '\u{ab}']);
    if !ends_sentence(p) && !quoted && !p.trim_end().ends_with(':') {
        let n = bp::word_count(p);
        if n <= 12 || teaser_tail(p) {
            return None;
        }
    }
    Some(p.to_string())
}

/// "Is it over? Experts give their opinions: Russia Curbs Its Enthusiasm": a question or a
/// label, then a headline without final punctuation.
fn teaser_tail(p: &str) -> bool {
    let tail = p.rsplit([':', '?']).next().unwrap_or(p);
    tail.len() < p.len() && bp::word_count(tail) >= 2 && bp::is_title_case(tail)
}

/// A paragraph that reads as article text: a full sentence, or long.
fn is_body_like(p: &str) -> bool {
    let n = bp::word_count(p);
    (ends_sentence(p) && n >= 8) || n >= 25 || (p.contains(['\u{201c}', '"']) && n >= 8)
}

/// Headline shape: short, no final period, most words capitalised (or short and first).
fn is_headline(p: &str) -> bool {
    let n = bp::word_count(p);
    let t = p.trim_end();
    (3..=25).contains(&n)
        && !t.ends_with('.')
        && !t.ends_with(',')
        && !t.ends_with(':')
        && t.chars().count() <= 200
}

/// The first body paragraph loses its dateline ("MOSCOW (Reuters) -"), which may give the
/// publication and a date.
fn first_paragraph(p: &str, out: &mut Cleaned) -> String {
    match dateline(p) {
        Some(d) => {
            if out.publication.is_none() {
                out.publication = d.agency;
            }
            if out.date.is_none() {
                out.date = d.date;
            }
            p[d.rest..].trim().to_string()
        }
        None => p.to_string(),
    }
}

/// A parsed dateline.
#[derive(Debug, PartialEq)]
pub struct Dateline {
    /// Byte offset where the article text starts.
    pub rest: usize,
    pub agency: Option<String>,
    pub date: Option<Date>,
}

/// "MOSCOW (Reuters) - ", "MOSCOW, Nov 14 (Reuters) - ", "MOSCOW, November 10. /TASS/. ",
/// "KYIV, Ukraine (AP) — ", "WASHINGTON — ".
pub fn dateline(p: &str) -> Option<Dateline> {
    let head_len = p
        .char_indices()
        .take(120)
        .last()
        .map_or(p.len(), |(i, c)| i + c.len_utf8());
    let head = &p[..head_len];
    // The place: upper-case words at the very start.
    // `place_end`: the byte offset just after the last place word (a char boundary).
    let mut place_end = 0;
    let mut place_words = 0;
    for (k, w) in head.split(' ').enumerate() {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 2
            && w.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
        {
            place_words += 1;
            place_end = if k == 0 {
                w.len()
            } else {
                place_end + 1 + w.len()
            };
            if w.ends_with(',') || w.ends_with(':') {
                break;
            }
        } else {
            break;
        }
    }
    if place_words == 0 {
        return None;
    }
    let after_place = &head[place_end..];
    // Everything up to the separator is dateline; look for a separator close by.
    let seps = [
        " - ",
        " \u{2014} ",
        " \u{2013} ",
        " -- ",
        "/. ",
        ") \u{2014}",
        ") -",
        ") \u{2013}",
        "\u{2014}",
        ": ",
    ];
    let (sep_at, sep) = seps
        .iter()
        .filter_map(|s| after_place.find(s).map(|k| (k, *s)))
        .filter(|&(k, _)| k <= 60)
        .min_by_key(|&(k, _)| k)?;
    let middle = &after_place[..sep_at + sep.trim_end().len()];
    // Between place and separator only a region, a date and an agency may stand.
    if middle.split_whitespace().count() > 8 || middle.contains('"') || middle.contains('\u{201c}')
    {
        return None;
    }
    let agency = middle
        .find('(')
        .and_then(|a| {
            middle[a + 1..]
                .find(')')
                .map(|b| middle[a + 1..a + 1 + b].trim().to_string())
        })
        .or_else(|| {
            middle.find('/').and_then(|a| {
                middle[a + 1..]
                    .find('/')
                    .map(|b| middle[a + 1..a + 1 + b].trim().to_string())
            })
        })
        .filter(|a| !a.is_empty() && a.chars().next().is_some_and(char::is_uppercase));
    let has_date = dates::full_date_in(middle);
    let dash = sep.contains(['-', '\u{2014}', '\u{2013}']);
    if agency.is_none() && !dash {
        return None;
    }
    let rest = place_end + sep_at + sep.len();
    let mut rest = rest.min(p.len());
    if !p.is_char_boundary(rest) {
        return None;
    }
    rest += p[rest..].len() - p[rest..].trim_start().len();
    Some(Dateline {
        rest,
        agency: agency.map(|a| expand_agency(&a)),
        date: has_date,
    })
}

fn expand_agency(a: &str) -> String {
    match a {
        "AP" => "Associated Press".into(),
        "AFP" => "Agence France-Presse".into(),
        "UPI" => "United Press International".into(),
        other => other.to_string(),
    }
}

/// "By Times of Israel Staff, Times of Israel—Russia on Thursday ...": authors, the
/// publication, and any article text glued after it.
fn byline(p: &str) -> Option<(Vec<String>, Option<String>, Option<&str>)> {
    let rest = p.strip_prefix("By ").or_else(|| p.strip_prefix("BY "))?;
    if !rest.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    let ends = ["\u{2014}", "\u{2013}", " - ", " | ", "|"];
    let (line, after) = match ends
        .iter()
        .filter_map(|e| rest.find(e).map(|k| (k, e.len())))
        .min_by_key(|x| x.0)
    {
        Some((k, len)) => (&rest[..k], Some(rest[k + len..].trim())),
        None if bp::word_count(rest) <= 12 && !ends_sentence(rest) => (rest, None),
        None => return None,
    };
    let mut parts = line.split(',').map(str::trim).filter(|s| !s.is_empty());
    let authors: Vec<String> = parts
        .next()?
        .split(" and ")
        .flat_map(|a| a.split(" & "))
        .map(|a| title_case_if_shouting(a.trim()))
        .filter(|a| !a.is_empty())
        .collect();
    if authors.iter().any(|a| {
        !a.split_whitespace()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()) || w == "of")
    }) {
        return None;
    }
    let roles = [
        "staff",
        "writer",
        "correspondent",
        "reporter",
        "editor",
        "contributor",
        "columnist",
    ];
    let publication = parts
        .filter(|s| !roles.iter().any(|r| s.to_lowercase().contains(r)))
        .find(|s| s.chars().next().is_some_and(char::is_uppercase))
        .map(String::from);
    Some((authors, publication, after.filter(|a| !a.is_empty())))
}

/// "JOHN DOE" -> "John Doe"; names in normal case stay as written.
fn title_case_if_shouting(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_string();
    }
    name.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map_or_else(String::new, |c| {
                c.to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line with nothing but a date (and words like "Published", "Updated", a time, a time
/// zone). A caption that mentions a date ("Putin at the Kremlin, March 3, 2019") is not
/// one.
fn date_line(p: &str) -> Option<Date> {
    if bp::word_count(p) > 10 || !date_shaped(p) {
        return None;
    }
    dates::full_date_in(p)
}

fn date_shaped(p: &str) -> bool {
    const WORDS: &[&str] = &[
        "published",
        "updated",
        "posted",
        "modified",
        "last",
        "first",
        "on",
        "at",
        "date",
        "time",
        "and",
        "am",
        "pm",
        "a.m",
        "p.m",
        "a.m.",
        "p.m.",
        "utc",
        "gmt",
        "of",
    ];
    p.split(|c: char| c.is_whitespace() || matches!(c, '|' | '/' | ',' | '(' | ')'))
        .map(|w| w.trim_matches(|c: char| matches!(c, ':' | '.' | ';' | '-' | '\u{2014}' | '\u{2013}' | '\u{b7}')))
        .filter(|w| !w.is_empty())
        .all(|w| {
            let lw = w.to_lowercase();
            let lw = lw.trim_end_matches('.');
            lx::month_number(lw).is_some()
                || lx::has(lx::WEEKDAYS, lw)
                || lx::is_in(WORDS, lw)
                || lw.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '-' | 't' | 'z' | '+'))
                    && lw.chars().next().is_some_and(|c| c.is_ascii_digit())
                || lw
                    .strip_suffix(|c: char| c.is_ascii_alphabetic())
                    .and_then(|x| x.strip_suffix(|c: char| c.is_ascii_alphabetic()))
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                // A time zone: "EST", "MSK", "CET".
                || (2..=5).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase())
        })
}

/// An outlet named by the page itself: "A Message from X:", "Support X!", "© 2016 X".
fn publication_hint(p: &str) -> Option<String> {
    let t = p.trim();
    let name = if let Some(r) = t
        .strip_prefix("A Message from ")
        .or_else(|| t.strip_prefix("A message from "))
    {
        r.trim_end_matches(':')
    } else if let Some(r) = t.strip_prefix("Support ").filter(|r| r.ends_with('!')) {
        r.trim_end_matches('!')
    } else if let Some(r) = t
        .strip_prefix("\u{a9} ")
        .or_else(|| t.strip_prefix("Copyright "))
    {
        r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '-')
            .split(['.', ','])
            .next()
            .unwrap_or_default()
    } else {
        return None;
    };
    let name = name.trim();
    let ok = (1..=6).contains(&bp::word_count(name))
        && bp::is_title_case(name)
        && name != "us"
        && name != "Us";
    ok.then(|| name.to_string())
}

/// An outlet told things again and again in its own story ("told The Moscow Times").
fn told_publication(body: &[String]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in body {
        for (i, _) in p.match_indices("told ") {
            let rest = &p[i + 5..];
            let name: Vec<&str> = rest
                .split_whitespace()
                .take(5)
                .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
                .collect();
            if name.first().is_none_or(|w| *w != "The") || name.len() < 2 {
                continue;
            }
            let name = name.join(" ").trim_end_matches(['.', ',', ';']).to_string();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, c)| *c >= 3)
        .max_by_key(|(_, c)| *c)
        .map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        let d = dateline("MOSCOW (Reuters) - The Kremlin said on Monday.").unwrap();
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(
            &"MOSCOW (Reuters) - The Kremlin said on Monday."[d.rest..],
            "The Kremlin said on Monday."
        );
        let t = "MOSCOW, November 10. /TASS/. Russia's Foreign Ministry said.";
        let d = dateline(t).unwrap();
        assert_eq!(d.agency.as_deref(), Some("TASS"));
        assert_eq!(&t[d.rest..], "Russia's Foreign Ministry said.");
        assert_eq!(dateline("NATO said on Monday it would act."), None);
        let t = "KYIV, Ukraine (AP) \u{2014} Ukraine's president said.";
        assert_eq!(&t[dateline(t).unwrap().rest..], "Ukraine's president said.");
    }

    #[test]
    fn date_lines_are_date_shaped() {
        let d = Some(jiff::civil::date(2016, 11, 14));
        assert_eq!(date_line("November 14, 2016"), d);
        assert_eq!(
            date_line("Published: Monday, November 14, 2016 10:32 am EST"),
            d
        );
        assert_eq!(date_line("Updated Nov. 14, 2016 | 10:32 GMT"), d);
        assert_eq!(date_line("14 November 2016, 10:32"), d);
        assert_eq!(date_line("2016-11-14T10:32:00Z"), d);
        assert_eq!(
            date_line("Vladimir Putin at the Kremlin, March 3, 2019"),
            None
        );
        assert_eq!(date_line("Putin and Trump met on July 16, 2018"), None);
    }

    #[test]
    fn bylines() {
        let (a, p, rest) = byline("By Times of Israel Staff, Times of Israel\u{2014}").unwrap();
        assert_eq!(a, vec!["Times of Israel Staff"]);
        assert_eq!(p.as_deref(), Some("Times of Israel"));
        assert_eq!(rest, None);
        assert!(byline("By contrast, the talks failed.").is_none());
    }
}
