//! Paragraph text as tokens: words, punctuation and quotation marks with byte offsets,
//! quoted spans (straight, curly and angle marks; apostrophes such as `Trump’s` never end a
//! quote), and sentences that never break inside a quotation. One linear scan per paragraph.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Punct(char),
    OpenQuote,
    CloseQuote,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Index into `Para::quotes` of the quotation this token is inside (marks included).
    pub quote: Option<usize>,
}

/// A quotation: byte range of the words between the marks.
#[derive(Debug, Clone, Copy)]
pub struct Quote {
    /// Byte offset of the opening mark.
    pub open: usize,
    pub start: usize,
    pub end: usize,
    /// Byte offset just after the closing mark (or the paragraph's end when unclosed).
    pub after: usize,
    pub closed: bool,
}

/// A tokenised paragraph.
#[derive(Debug)]
pub struct Para<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub quotes: Vec<Quote>,
    /// Sentences as token index ranges.
    pub sentences: Vec<std::ops::Range<usize>>,
    /// Each token in lower case ("" for punctuation), computed once: all of them in one
    /// string, with each token's byte range in it.
    lower_text: String,
    lowers: Vec<(u32, u32)>,
}

/// Which marks open quotations in this article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteStyle {
    /// "..." “...” «...» (the usual case).
    Double,
    /// ‘...’ (British style), used only when an article has no double marks at all.
    Single,
}

impl QuoteStyle {
    pub fn detect(paragraphs: &[String]) -> QuoteStyle {
        let double = paragraphs
            .iter()
            .any(|p| p.contains(['"', '\u{201c}', '\u{201d}', '\u{ab}', '\u{bb}', '\u{201e}']));
        let single_open = paragraphs.iter().any(|p| p.contains('\u{2018}'));
        if !double && single_open {
            QuoteStyle::Single
        } else {
            QuoteStyle::Double
        }
    }
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt", "prof", "jr",
    "sr", "no", "vs", "etc", "inc", "corp", "co", "ltd", "mt", "ft", "ave", "maj", "adm", "gov",
    "rev", "pres", "dept", "approx", "est", "fig", "vol",
];

impl<'a> Para<'a> {
    pub fn new(text: &'a str, style: QuoteStyle) -> Para<'a> {
        let (tokens, quotes) = tokenize(text, style);
        let sentences = split_sentences(text, &tokens);
        let mut lower_text = String::with_capacity(text.len());
        let lowers = tokens
            .iter()
            .map(|t| {
                let start = lower_text.len();
                if t.kind == Kind::Word {
                    let w = &text[t.start..t.end];
                    if w.is_ascii() {
                        lower_text.push_str(w);
                        lower_text[start..].make_ascii_lowercase();
                    } else {
                        lower_text.push_str(&w.to_lowercase());
                    }
                }
                (start as u32, lower_text.len() as u32)
            })
            .collect();
        Para {
            text,
            tokens,
            quotes,
            sentences,
            lower_text,
            lowers,
        }
    }

    pub fn word(&self, i: usize) -> &'a str {
        let t = self.tokens[i];
        &self.text[t.start..t.end]
    }

    pub fn is_word(&self, i: usize) -> bool {
        i < self.tokens.len() && self.tokens[i].kind == Kind::Word
    }

    pub fn is_punct(&self, i: usize, c: char) -> bool {
        i < self.tokens.len() && self.tokens[i].kind == Kind::Punct(c)
    }

    /// Lower-cased word at `i` ("" for punctuation or out of range).
    pub fn lower(&self, i: usize) -> &str {
        self.lowers
            .get(i)
            .map_or("", |&(a, b)| &self.lower_text[a as usize..b as usize])
    }

    #[cfg(test)]
    pub fn quote_text(&self, q: usize) -> &'a str {
        let q = self.quotes[q];
        &self.text[q.start..q.end]
    }

    /// Text from the start of token `a` to the end of token `b - 1`.
    pub fn span(&self, a: usize, b: usize) -> &'a str {
        if a >= b || b > self.tokens.len() {
            return "";
        }
        &self.text[self.tokens[a].start..self.tokens[b - 1].end]
    }
}

fn is_open_context(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => p.is_whitespace() || "([{\u{2014}\u{2013}-/:".contains(p),
    }
}

fn is_close_context(next: Option<char>) -> bool {
    match next {
        None => true,
        Some(n) => !n.is_alphanumeric(),
    }
}

/// Role of a quotation mark at this position, given whether a quotation is open.
#[derive(Debug, PartialEq)]
enum Mark {
    Open,
    Close,
    Ignore,
}

fn classify_mark(
    c: char,
    prev: Option<char>,
    next: Option<char>,
    open_with: Option<char>,
    style: QuoteStyle,
) -> Mark {
    let between_letters =
        prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
    if between_letters {
        return Mark::Ignore; // Trump’s, isn”t: an apostrophe whatever the glyph
    }
    let opens = is_open_context(prev) && next.is_some_and(|n| !n.is_whitespace());
    let closes = prev.is_some_and(|p| !p.is_whitespace()) && is_close_context(next);
    match style {
        QuoteStyle::Single => match (c, open_with) {
            ('\u{2018}', None) if opens => Mark::Open,
            ('\u{2019}', Some(_)) if closes => Mark::Close,
            _ => Mark::Ignore,
        },
        QuoteStyle::Double => match open_with {
            None => {
                let opener = matches!(c, '\u{201c}' | '\u{201e}' | '\u{ab}' | '"')
                    || (c == '\u{201d}' && prev.is_none_or(char::is_whitespace));
                if opener && opens {
                    Mark::Open
                } else {
                    Mark::Ignore
                }
            }
            Some(o) => {
                // Mixed marks happen in copied text ("...,” he said): any double mark
                // closes a double quotation; angle quotes close only with their pair.
                let pairs = match o {
                    '\u{ab}' => c == '\u{bb}',
                    _ => matches!(c, '"' | '\u{201d}' | '\u{201c}'),
                };
                if pairs && closes {
                    Mark::Close
                } else {
                    Mark::Ignore
                }
            }
        },
    }
}

fn is_quote_char(c: char, style: QuoteStyle) -> bool {
    match style {
        QuoteStyle::Double => matches!(
            c,
            '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}'
        ),
        QuoteStyle::Single => matches!(c, '\u{2018}' | '\u{2019}'),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Characters that may join two word characters into one token: U.S, Trump’s, long-range.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '-' | '.' | '&' | ',' | '/')
}

/// The character at byte `i` of `text` (a character boundary), if any.
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// The character just before byte `i` of `text`, if any.
fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

// Positions are byte offsets and neighbouring characters are decoded where they are
// needed: a vector of all the characters cost an allocation of 16 bytes a character for
// each paragraph.
fn tokenize(text: &str, style: QuoteStyle) -> (Vec<Token>, Vec<Quote>) {
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut quotes: Vec<Quote> = Vec::new();
    let mut open: Option<(usize, char)> = None; // (quote index, opening char)
    let mut i = 0;
    while let Some(c) = char_at(text, i) {
        let pos = i;
        let prev = char_before(text, i);
        let next = char_at(text, i + c.len_utf8());
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if is_quote_char(c, style) {
            let end = pos + c.len_utf8();
            match classify_mark(c, prev, next, open.map(|o| o.1), style) {
                Mark::Open => {
                    quotes.push(Quote {
                        open: pos,
                        start: end,
                        end: text.len(),
                        after: text.len(),
                        closed: false,
                    });
                    open = Some((quotes.len() - 1, c));
                    tokens.push(Token {
                        start: pos,
                        end,
                        kind: Kind::OpenQuote,
                        quote: Some(quotes.len() - 1),
                    });
                    i = end;
                    continue;
                }
                Mark::Close => {
                    let (q, _) = open.take().expect("close only when open");
                    quotes[q].end = pos;
                    quotes[q].after = end;
                    quotes[q].closed = true;
                    tokens.push(Token {
                        start: pos,
                        end,
                        kind: Kind::CloseQuote,
                        quote: Some(q),
                    });
                    i = end;
                    continue;
                }
                Mark::Ignore if !is_word_char(prev.unwrap_or(' ')) => {
                    tokens.push(Token {
                        start: pos,
                        end,
                        kind: Kind::Punct(c),
                        quote: open.map(|o| o.0),
                    });
                    i = end;
                    continue;
                }
                Mark::Ignore => {}
            }
        }
        if is_word_char(c) {
            let mut j = i + c.len_utf8();
            while let Some(cj) = char_at(text, j) {
                if is_word_char(cj) {
                    j += cj.len_utf8();
                    continue;
                }
                match char_at(text, j + cj.len_utf8()) {
                    Some(after) if is_word_char(after) && is_joiner(cj) && joins(cj, text, j) => {
                        j += cj.len_utf8() + after.len_utf8();
                    }
                    _ => break,
                }
            }
            let mut end = j;
            // Keep the period of an abbreviation (U.S., Nov., Mr.) in the word.
            if char_at(text, j) == Some('.') && is_abbreviation(&text[pos..end]) {
                end += 1;
                j += 1;
            }
            // A possessive apostrophe after a plural ("Times’ source") stays in the word.
            if let Some(mark) = char_at(text, j).filter(|&x| x == '\u{2019}' || x == '\'') {
                if style == QuoteStyle::Double
                    && text[pos..end].ends_with('s')
                    && char_at(text, j + mark.len_utf8()).is_none_or(|x| x == ' ')
                {
                    end += mark.len_utf8();
                    j += mark.len_utf8();
                }
            }
            tokens.push(Token {
                start: pos,
                end,
                kind: Kind::Word,
                quote: open.map(|o| o.0),
            });
            i = j;
            continue;
        }
        tokens.push(Token {
            start: pos,
            end: pos + c.len_utf8(),
            kind: Kind::Punct(c),
            quote: open.map(|o| o.0),
        });
        i += c.len_utf8();
    }
    (tokens, quotes)
}

/// Whether a joiner character at `j` keeps the word going. Commas only inside numbers
/// (10,000), slashes only between letters of one short unit (U.S./AP stays split).
/// (`j`: the joiner's byte offset in `text`, between two word characters.)
fn joins(c: char, text: &str, j: usize) -> bool {
    let mut back = text[..j].chars().rev();
    let before = back.next().unwrap_or(' ');
    let after = char_at(text, j + c.len_utf8()).unwrap_or(' ');
    match c {
        ',' => before.is_ascii_digit() && after.is_ascii_digit(),
        '/' => false,
        '.' => {
            // U.S, 3.5, a.m but not "end.Next" glued sentences in lower/upper mix.
            before.is_ascii_digit() && after.is_ascii_digit()
                || (before.is_uppercase() && after.is_uppercase())
                || (before.is_lowercase()
                    && after.is_lowercase()
                    && back.next().is_some_and(|b| !b.is_alphanumeric()))
        }
        _ => true,
    }
}

pub fn is_abbreviation(word: &str) -> bool {
    if word.contains('.') {
        return true; // U.S, a.m
    }
    let mut cs = word.chars();
    if let (Some(c), None) = (cs.next(), cs.next()) {
        return c.is_uppercase(); // an initial: "John F. Kennedy"
    }
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

fn is_terminal(kind: Kind) -> bool {
    matches!(kind, Kind::Punct('.' | '?' | '!' | '\u{2026}'))
}

fn starts_sentence(text: &str, t: &Token) -> bool {
    match t.kind {
        Kind::OpenQuote => true,
        Kind::Word => text[t.start..]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
        Kind::Punct(c) => matches!(c, '(' | '[' | '\u{2014}' | '\u{2013}' | '-' | '\''),
        Kind::CloseQuote => false,
    }
}

fn split_sentences(text: &str, tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let mut end = None;
        if is_terminal(t.kind) {
            if t.quote.is_none() {
                // Trailing closing brackets belong to this sentence.
                let mut j = i + 1;
                while j < tokens.len() && matches!(tokens[j].kind, Kind::Punct(')' | ']')) {
                    j += 1;
                }
                if j >= tokens.len() || starts_sentence(text, &tokens[j]) {
                    end = Some(j);
                }
            } else {
                // Inside a quotation only ".” Next" ends the sentence.
                let mut j = i + 1;
                while j < tokens.len() && is_terminal(tokens[j].kind) {
                    j += 1;
                }
                if j < tokens.len() && tokens[j].kind == Kind::CloseQuote {
                    let k = j + 1;
                    if k >= tokens.len() || starts_sentence(text, &tokens[k]) {
                        end = Some(k);
                    }
                }
            }
        } else if t.kind == Kind::Word && i + 1 == tokens.len() {
            end = Some(i + 1);
        }
        match end {
            Some(e) => {
                if e > start {
                    out.push(start..e);
                }
                start = e;
                i = e;
            }
            None => i += 1,
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(s: &str) -> Vec<String> {
        let p = Para::new(s, QuoteStyle::Double);
        (0..p.quotes.len())
            .map(|q| p.quote_text(q).to_string())
            .collect()
    }

    #[test]
    fn curly_and_straight_quotes() {
        assert_eq!(
            quotes("“I do not know,” he said. “But we sent it.”"),
            vec!["I do not know,", "But we sent it."]
        );
        assert_eq!(quotes("\"Yes,\" she said."), vec!["Yes,"]);
    }

    #[test]
    fn apostrophes_do_not_close() {
        assert_eq!(
            quotes("“Trump’s team isn’t willing,” a diplomat said."),
            vec!["Trump’s team isn’t willing,"]
        );
        assert_eq!(quotes("“Trump”s team,” he said."), vec!["Trump”s team,"]);
    }

    #[test]
    fn sentences_keep_quotes_whole() {
        let p = Para::new(
            "“The principle is clear. The list is long,” said the source. Most importantly, he must be loyal.",
            QuoteStyle::Double,
        );
        assert_eq!(p.sentences.len(), 2);
        let p = Para::new(
            "He met the U.S. envoy in St. Petersburg on Nov. 10. Then he left.",
            QuoteStyle::Double,
        );
        assert_eq!(p.sentences.len(), 2);
    }

    #[test]
    fn unclosed_quote_runs_to_end() {
        let p = Para::new("“This goes on and on.", QuoteStyle::Double);
        assert_eq!(p.quotes.len(), 1);
        assert!(!p.quotes[0].closed);
        assert_eq!(p.quote_text(0), "This goes on and on.");
    }
}
