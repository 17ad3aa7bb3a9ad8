//! Names that must be unique and stay put: statement ids
//! (`{speaker}-{YYYY-MM-DD or "undated"}-{first five words}`, with -2, -3 on collision
//! anywhere in the archive) and article slugs (`{date}-{title}`, at most about 60
//! characters, cut at a word boundary).

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;

/// Slug of a text with apostrophes dropped first ("hasn't" -> "hasnt").
fn slug_words(text: &str) -> String {
    slug::slugify(text.replace(['\'', '\u{2019}', '\u{2018}'], ""))
}

/// A new statement id, not in `taken`; it is added to `taken`.
pub fn statement_id(speaker: &str, date: Option<Date>, text: &str, taken: &mut Taken) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(5)
        .collect();
    let mut words = slug_words(&words.join(" "));
    if words.is_empty() {
        words = "statement".into();
    }
    let date = date.map_or_else(|| "undated".to_string(), |d| d.to_string());
    unique(format!("{speaker}-{date}-{words}"), taken)
}

/// Ids (or slugs) in use, and for each base already made unique the next suffix worth
/// trying: ids are only ever added, so every one below it is still taken, and a base that
/// recurs k times costs k lookups instead of k * k / 2.
#[derive(Debug, Default, Clone)]
pub struct Taken {
    set: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Taken {
    pub fn insert(&mut self, id: String) -> bool {
        self.set.insert(id)
    }
}

impl Extend<String> for Taken {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        self.set.extend(iter);
    }
}

/// `base`, else `base-2`, `base-3`, ...: the first not in `taken`; it is added to `taken`.
fn unique(base: String, taken: &mut Taken) -> String {
    // 1 stands for `base` itself.
    let mut n = taken.next.get(&base).copied().unwrap_or(1);
    loop {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if !taken.set.contains(&id) {
            taken.set.insert(id.clone());
            taken.next.insert(base, n + 1);
            return id;
        }
        n += 1;
    }
}

/// An article slug from date and title, not in `taken`; it is added to `taken`.
pub fn article_slug(date: Option<Date>, title: &str, taken: &mut Taken) -> String {
    const MAX: usize = 60;
    let prefix = date.map(|d| format!("{d}-")).unwrap_or_default();
    let mut slug = prefix.clone();
    for word in slug_words(title).split('-').filter(|w| !w.is_empty()) {
        let extra = if slug.len() == prefix.len() {
            word.len()
        } else {
            word.len() + 1
        };
        if slug.len() + extra > MAX && slug.len() > prefix.len() {
            break;
        }
        if slug.len() > prefix.len() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.len() == prefix.len() {
        slug.push_str("article");
    }
    let slug = slug.trim_end_matches('-').to_string();
    unique(slug, taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn statement_ids() {
        let mut taken = Taken::default();
        let a = statement_id(
            "dmitry-peskov",
            Some(date(2016, 11, 14)),
            "Trump still hasn't taken office as U.S. president",
            &mut taken,
        );
        assert_eq!(a, "dmitry-peskov-2016-11-14-trump-still-hasnt-taken-office");
        let b = statement_id(
            "dmitry-peskov",
            Some(date(2016, 11, 14)),
            "Trump still hasn't taken office, again",
            &mut taken,
        );
        assert_eq!(
            b,
            "dmitry-peskov-2016-11-14-trump-still-hasnt-taken-office-2"
        );
        assert_eq!(
            statement_id("x", None, "“Yes.”", &mut taken),
            "x-undated-yes"
        );
    }

    #[test]
    fn article_slugs() {
        let mut taken = Taken::default();
        let s = article_slug(
            Some(date(2016, 11, 14)),
            "Kremlin Spokesman Denies Contact With Trump Before Election",
            &mut taken,
        );
        assert_eq!(s, "2016-11-14-kremlin-spokesman-denies-contact-with-trump");
        assert!(s.len() <= 60);
        let t = article_slug(
            Some(date(2016, 11, 14)),
            "Kremlin Spokesman Denies Contact With Trump Before Election",
            &mut taken,
        );
        assert!(t.ends_with("-2"));
        assert_eq!(article_slug(None, "", &mut taken), "article");
    }
}
