//! Dates in article text: a publication date stated with its year ("November 14, 2016",
//! "14 Nov 2016", "2016-11-14"), and the day a statement was made, relative to the
//! publication date ("on Thursday" = that weekday on or before publication, "On Nov. 10" =
//! that day in the publication year or the year before). Never guesses: anything vaguer
//! ("last week", "in October") or without a publication date is no date.

use jiff::civil::{Date, Weekday};

use super::lexicon::{self as lx, is_in};

/// A date expression found in text, before it is anchored to a publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    Weekday(Weekday),
    MonthDay(i8, i8),
    Full(Date),
    Yesterday,
    Today,
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn day_number(w: &str) -> Option<i8> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ',' || c == '.');
    if digits.is_empty() || digits.len() > 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i8 = digits.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

fn year_number(w: &str) -> Option<i16> {
    let w = w.trim_end_matches([',', '.']);
    if w.len() != 4 || !w.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i16 = w.parse().ok()?;
    (1900..=2200).contains(&y).then_some(y)
}

fn month(w: &str) -> Option<i8> {
    lx::month_number(w.trim_end_matches(','))
}

/// The first date expression among `words` (as written).
#[cfg(test)]
pub fn find(words: &[&str]) -> Option<Relative> {
    (0..words.len()).find_map(|i| at(words, i))
}

/// The date expression that starts at `words[i]`, if any.
pub fn at(words: &[&str], i: usize) -> Option<Relative> {
    let w = words[i];
    let lw = w.to_lowercase();
    let prev = i
        .checked_sub(1)
        .map(|j| words[j].to_lowercase())
        .unwrap_or_default();
    if let Some(d) = weekday(lw.trim_end_matches(',')) {
        if !is_in(&["next", "every", "coming", "until", "by", "since"], &prev) {
            return Some(Relative::Weekday(d));
        }
    }
    if lw == "yesterday" {
        return Some(Relative::Yesterday);
    }
    if lw == "today" || lw == "tonight" {
        return Some(Relative::Today);
    }
    // "May" is a month only when capitalised and followed by a day.
    if let Some(m) = month(&lw).filter(|_| lx::is_capitalized(w)) {
        if let Some(d) = words.get(i + 1).and_then(|x| day_number(x)) {
            if let Some(y) = words.get(i + 2).and_then(|x| year_number(x)) {
                if let Ok(date) = Date::new(y, m, d) {
                    return Some(Relative::Full(date));
                }
            }
            return Some(Relative::MonthDay(m, d));
        }
    }
    if let Some(d) =
        day_number(&lw).filter(|_| lw.chars().next().is_some_and(|c| c.is_ascii_digit()))
    {
        if let Some(m) = words
            .get(i + 1)
            .and_then(|x| month(x))
            .filter(|_| lx::is_capitalized(words[i + 1]))
        {
            if let Some(y) = words.get(i + 2).and_then(|x| year_number(x)) {
                if let Ok(date) = Date::new(y, m, d) {
                    return Some(Relative::Full(date));
                }
            }
            return Some(Relative::MonthDay(m, d));
        }
    }
    None
}

/// Anchor a relative date to the publication date.
pub fn resolve(rel: Relative, published: Option<Date>) -> Option<Date> {
    if let Relative::Full(d) = rel {
        return Some(d);
    }
    let published = published?;
    match rel {
        Relative::Weekday(w) => {
            let back = (published.weekday().to_monday_zero_offset() - w.to_monday_zero_offset())
                .rem_euclid(7);
            published
                .checked_sub(jiff::Span::new().days(i64::from(back)))
                .ok()
        }
        Relative::MonthDay(m, d) => {
            let this_year = Date::new(published.year(), m, d).ok()?;
            if this_year <= published {
                Some(this_year)
            } else {
                Date::new(published.year() - 1, m, d).ok()
            }
        }
        Relative::Yesterday => published.yesterday().ok(),
        Relative::Today => Some(published),
        Relative::Full(d) => Some(d),
    }
}

/// A publication date written in full on a line of its own or in a dateline:
/// "November 14, 2016", "Nov. 14, 2016 10:32 am", "14 November 2016", "2016-11-14",
/// "Published: Monday, November 14, 2016".
pub fn full_date_in(text: &str) -> Option<Date> {
    if let Some(d) = iso_date_in(text) {
        return Some(d);
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '|' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    (0..words.len()).find_map(|i| match at(&words, i)? {
        Relative::Full(d) => Some(d),
        _ => None,
    })
}

fn iso_date_in(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        let shape = w.iter().enumerate().all(|(k, c)| {
            if k == 4 || k == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        if shape && bounded {
            let s = std::str::from_utf8(w).ok()?;
            if let Ok(d) = s.parse::<Date>() {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rel(s: &str) -> Option<Relative> {
        find(&s.split(' ').collect::<Vec<_>>())
    }

    #[test]
    fn weekdays_on_or_before() {
        let pubd = date(2016, 11, 14); // a Monday
        assert_eq!(
            resolve(rel("on Thursday").unwrap(), Some(pubd)),
            Some(date(2016, 11, 10))
        );
        assert_eq!(resolve(rel("on Monday").unwrap(), Some(pubd)), Some(pubd));
        assert_eq!(resolve(rel("on Monday").unwrap(), None), None);
    }

    #[test]
    fn month_days() {
        let pubd = date(2017, 1, 5);
        assert_eq!(
            resolve(rel("On Nov. 10,").unwrap(), Some(pubd)),
            Some(date(2016, 11, 10))
        );
        assert_eq!(
            resolve(rel("on Jan. 3").unwrap(), Some(pubd)),
            Some(date(2017, 1, 3))
        );
        assert_eq!(rel("in October"), None);
        assert_eq!(rel("last week"), None);
        assert_eq!(rel("it may 5"), None);
    }

    #[test]
    fn full_dates() {
        assert_eq!(full_date_in("November 14, 2016"), Some(date(2016, 11, 14)));
        assert_eq!(
            full_date_in("Published: Mon 14 Nov 2016 10:32"),
            Some(date(2016, 11, 14))
        );
        assert_eq!(full_date_in("2016-11-14T10:00"), Some(date(2016, 11, 14)));
        assert_eq!(full_date_in("MOSCOW, November 10. /TASS/."), None);
    }
}
