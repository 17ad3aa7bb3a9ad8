//! Markdown bodies to HTML, with each statement's words marked in place.
//!
//! The body is parsed once (pulldown-cmark, smart punctuation off so quote marks stay as
//! written). Statements are found in the plain text of the body, white space folded, and
//! wrapped in `<mark id=ID>` elements; where a statement crosses inline markup it is marked
//! in several pieces, the first carrying the id, so the HTML stays well nested. Editors'
//! notes go in an `<aside>` after the block that holds the statement. Raw HTML and links
//! in bodies are third-party text: when present, the output is sanitized with ammonia.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::content::StatementKind;

/// A statement to mark in a body.
#[derive(Debug, Clone)]
pub struct Mark<'a> {
    pub id: &'a str,
    pub speaker: &'a str,
    pub kind: StatementKind,
    pub text: &'a str,
    /// Sanitized HTML shown beside the statement (the note, the relations), if any.
    pub annotation_html: Option<String>,
}

#[derive(Debug, Default)]
pub struct RenderedBody {
    pub html: String,
    /// Indices (into the marks given) of statements whose text is not in the body.
    pub missing: Vec<usize>,
    /// Whether the body has a fenced or indented code block (needs the syntax style sheet).
    pub has_code: bool,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// A separator that no statement text contains: keeps matches inside one block.
const BLOCK_BREAK: char = '\u{1}';

/// Render a body, marking the given statements.
pub fn render_body(markdown: &str, marks: &[Mark]) -> RenderedBody {
    let Parsed {
        events,
        has_code,
        untrusted,
    } = parse_events(markdown);
    let plain = PlainText::of(&events, true);
    let ranges = locate(&plain, marks);
    let missing = (0..marks.len()).filter(|&i| ranges[i].is_none()).collect();
    let events = insert_marks(events, &plain, marks, &ranges);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if untrusted {
        html = sanitize(&html);
    }
    RenderedBody {
        html,
        missing,
        has_code,
    }
}

/// Indices of the statement texts that `render_body` would not find in `markdown` (its
/// `missing`, without rendering: the same parse and the same search).
pub fn unlocated(markdown: &str, texts: &[&str]) -> Vec<usize> {
    let plain = PlainText::of(&parse_events(markdown).events, false);
    find_folded(&plain.folded, texts)
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// `unlocated` for a body whose rendered text is known without parsing it: a sequence of
/// paragraphs, each of which renders as one Markdown paragraph whose text is exactly
/// itself (the caller vouches for that: e.g. every markup character escaped, no line
/// break). The same answer as `unlocated` on such a body, from the same plain text.
pub fn unlocated_in_paragraphs(paragraphs: &[String], texts: &[&str]) -> Vec<usize> {
    let mut text = String::with_capacity(paragraphs.iter().map(|p| p.len() + 2).sum());
    for p in paragraphs {
        // What `PlainText::of` makes of Start(Paragraph), the text, End(Paragraph).
        text.push(BLOCK_BREAK);
        text.push_str(p);
        text.push(BLOCK_BREAK);
    }
    let (folded, _) = fold_plain(&text, false);
    find_folded(&folded, texts)
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// The paragraph of `markdown` that holds a statement, rendered with the statement marked
/// (for the statement's own page). Paragraphs are the blocks between blank lines.
pub fn paragraph_with(markdown: &str, mark: &Mark) -> Option<String> {
    let mut block = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.trim().is_empty() {
            block.push_str(line);
            block.push('\n');
        }
        let block_ends = line.trim().is_empty() || lines.peek().is_none();
        if block_ends && !block.is_empty() {
            let r = render_body(&block, std::slice::from_ref(mark));
            if r.missing.is_empty() {
                return Some(r.html);
            }
            block.clear();
        }
    }
    None
}

/// Render an editor's note or a biography: small Markdown, always sanitized.
pub fn render_note(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, parser_options()));
    sanitize(&html)
}

fn is_untrusted_markup(e: &Event) -> bool {
    matches!(
        e,
        Event::Html(_)
            | Event::InlineHtml(_)
            | Event::Start(Tag::Link { .. })
            | Event::Start(Tag::Image { .. })
    )
}

/// A body parsed into events, with what later steps need to know about it.
struct Parsed<'a> {
    events: Vec<Event<'a>>,
    has_code: bool,
    /// Raw HTML, links or images from the author: the output must be sanitized.
    untrusted: bool,
}

/// Parse into events, merging adjacent text (pulldown-cmark splits text at punctuation and
/// line ends; statements must be found across those splits) and highlighting code blocks.
fn parse_events(markdown: &str) -> Parsed<'_> {
    let mut out = Parsed {
        events: Vec::new(),
        has_code: false,
        untrusted: false,
    };
    let mut text = String::new();
    let mut code: Option<(String, String)> = None; // (language, text)
    for event in Parser::new_ext(markdown, parser_options()) {
        if let Some((lang, code_text)) = code.as_mut() {
            match event {
                Event::Text(t) => code_text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    out.events
                        .push(Event::Html(highlight(lang, code_text).into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak => text.push('\n'),
            other => {
                if !text.is_empty() {
                    out.events
                        .push(Event::Text(std::mem::take(&mut text).into()));
                }
                out.untrusted |= is_untrusted_markup(&other);
                match other {
                    Event::Start(Tag::CodeBlock(kind)) => {
                        out.has_code = true;
                        let lang = match kind {
                            CodeBlockKind::Fenced(l) => {
                                l.split_whitespace().next().unwrap_or("").to_string()
                            }
                            CodeBlockKind::Indented => String::new(),
                        };
                        code = Some((lang, String::new()));
                    }
                    other => out.events.push(other),
                }
            }
        }
    }
    if !text.is_empty() {
        out.events.push(Event::Text(text.into()));
    }
    out
}

/// The body's text, one string, with where each text event sits in it and a white-space
/// folded copy for matching.
struct PlainText {
    /// (event index, byte offset of the event's text in `text`)
    runs: Vec<(usize, usize)>,
    folded: String,
    /// For each byte of `folded`: the byte range in the unfolded text it came from.
    origin: Vec<(usize, usize)>,
}

impl PlainText {
    /// `with_origin`: also map each folded byte back to the text (for marking).
    fn of(events: &[Event], with_origin: bool) -> PlainText {
        let mut text = String::new();
        let mut runs = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match e {
                Event::Text(t) | Event::Code(t) => {
                    runs.push((i, text.len()));
                    text.push_str(t);
                }
                Event::Start(t) if is_inline(t) => {}
                Event::End(t) if is_inline_end(t) => {}
                Event::Start(_) | Event::End(_) | Event::Html(_) => text.push(BLOCK_BREAK),
                _ => {}
            }
        }
        let (folded, origin) = fold_plain(&text, with_origin);
        PlainText {
            runs,
            folded,
            origin,
        }
    }
}

/// `text` with each run of white space folded to one space; `with_origin`: also, for each
/// byte of the result, the byte range of `text` it came from.
fn fold_plain(text: &str, with_origin: bool) -> (String, Vec<(usize, usize)>) {
    if !with_origin {
        return (fold_plain_only(text), Vec::new());
    }
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<(usize, usize)> =
        Vec::with_capacity(if with_origin { text.len() } else { 0 });
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        if c.is_whitespace() {
            if folded.ends_with(' ') {
                if let Some(last) = origin.last_mut() {
                    last.1 = end;
                }
                continue;
            }
            folded.push(' ');
            if with_origin {
                origin.push((at, end));
            }
        } else {
            folded.push(c);
            if with_origin {
                origin.extend(std::iter::repeat_n((at, end), c.len_utf8()));
            }
        }
    }
    (folded, origin)
}

/// `fold_plain` without the origins: runs of text without white space copied whole.
fn fold_plain_only(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let (space, len) = if b[i].is_ascii() {
            // `char::is_whitespace` for ASCII: tab, line feed, vertical tab, form feed,
            // carriage return, space.
            (matches!(b[i], b'\t'..=b'\r' | b' '), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_whitespace(), c.len_utf8())
        };
        if space {
            folded.push_str(&text[run..i]);
            if !folded.ends_with(' ') {
                folded.push(' ');
            }
            run = i + len;
        }
        i += len;
    }
    folded.push_str(&text[run..]);
    folded
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

fn fold_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte ranges (in the unfolded plain text) of each statement; the n-th statement with a
/// given text takes the n-th occurrence of that text.
fn locate(plain: &PlainText, marks: &[Mark]) -> Vec<Option<(usize, usize)>> {
    let texts: Vec<&str> = marks.iter().map(|m| m.text).collect();
    find_folded(&plain.folded, &texts)
        .into_iter()
        .map(|f| {
            let (found, len) = f?;
            let start = plain.origin[found].0;
            let end = plain.origin[found + len - 1].1;
            Some((start, end))
        })
        .collect()
}

/// Where (byte offset, folded length) each text, white space folded, occurs in `folded`;
/// the n-th text with a given folded form takes the n-th occurrence.
fn find_folded(folded: &str, texts: &[&str]) -> Vec<Option<(usize, usize)>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    texts
        .iter()
        .map(|t| {
            let needle = fold_ws(t);
            if needle.is_empty() {
                return None;
            }
            let nth = seen.entry(needle.clone()).or_insert(0);
            // Non-overlapping occurrences, leftmost first (as `str::match_indices`).
            let found =
                memchr::memmem::find_iter(folded.as_bytes(), needle.as_bytes()).nth(*nth)?;
            *nth += 1;
            Some((found, needle.len()))
        })
        .collect()
}

/// Replace the text events that statements cover with marked pieces, and add annotations
/// after the top-level block of each annotated statement.
fn insert_marks<'a>(
    events: Vec<Event<'a>>,
    plain: &PlainText,
    marks: &[Mark],
    ranges: &[Option<(usize, usize)>],
) -> Vec<Event<'a>> {
    let placed: Vec<(usize, (usize, usize))> = ranges
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (i, r)))
        .collect();
    if placed.is_empty() {
        return events;
    }
    let run_start: HashMap<usize, usize> = plain.runs.iter().copied().collect();
    let mut out = Vec::with_capacity(events.len() + placed.len() * 4);
    let mut depth = 0usize;
    let mut pending_notes: Vec<usize> = Vec::new();
    let mut noted = vec![false; marks.len()];
    for (i, event) in events.into_iter().enumerate() {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let Some(&at) = run_start.get(&i) else {
            let closes_top_block = matches!(event, Event::End(_)) && depth == 0;
            out.push(event);
            if closes_top_block {
                for m in pending_notes.drain(..) {
                    if let Some(html) = &marks[m].annotation_html {
                        out.push(Event::Html(html.clone().into()));
                    }
                }
            }
            continue;
        };
        let text = match &event {
            Event::Text(t) | Event::Code(t) => t.to_string(),
            _ => unreachable!("runs index only text and code events"),
        };
        let is_code = matches!(event, Event::Code(_));
        let span = (at, at + text.len());
        let covering: Vec<&(usize, (usize, usize))> = placed
            .iter()
            .filter(|(_, (s, e))| *s < span.1 && *e > span.0)
            .collect();
        if covering.is_empty() {
            out.push(event);
            continue;
        }
        for (m, _) in &covering {
            if marks[*m].annotation_html.is_some() && !noted[*m] {
                noted[*m] = true;
                pending_notes.push(*m);
            }
        }
        split_marked(&mut out, &text, span.0, &covering, marks, is_code);
    }
    out
}

/// Emit one text run cut at statement boundaries, each piece wrapped in the marks covering it.
fn split_marked<'a>(
    out: &mut Vec<Event<'a>>,
    text: &str,
    offset: usize,
    covering: &[&(usize, (usize, usize))],
    marks: &[Mark],
    is_code: bool,
) {
    let end = offset + text.len();
    let mut cuts: Vec<usize> = vec![offset, end];
    for (_, (s, e)) in covering {
        cuts.extend([*s, *e].into_iter().filter(|c| *c > offset && *c < end));
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let piece = &text[a - offset..b - offset];
        // Outer (longer) statements open first so nesting is proper.
        let mut here: Vec<&(usize, (usize, usize))> = covering
            .iter()
            .copied()
            .filter(|(_, (s, e))| *s <= a && *e >= b)
            .collect();
        here.sort_by_key(|(_, (s, e))| (*s, std::cmp::Reverse(*e)));
        for (m, (s, _)) in &here {
            out.push(Event::InlineHtml(open_mark(&marks[*m], *s == a).into()));
        }
        let piece = CowStr::from(piece.to_string());
        out.push(if is_code {
            Event::Code(piece)
        } else {
            Event::Text(piece)
        });
        for (m, (_, e)) in here.iter().rev() {
            let mut close = String::new();
            if *e == b {
                let _ = write!(
                    close,
                    "<a class=\"statement-link\" href=\"#{0}\" aria-label=\"Link to this statement\">#</a>",
                    attr(marks[*m].id)
                );
            }
            close.push_str("</mark>");
            out.push(Event::InlineHtml(close.into()));
        }
    }
}

fn open_mark(m: &Mark, first_piece: bool) -> String {
    let kind = m.kind.as_str();
    if first_piece {
        format!(
            "<mark class=\"statement statement-{kind}\" id=\"{}\" data-speaker=\"{}\">",
            attr(m.id),
            attr(m.speaker)
        )
    } else {
        format!(
            "<mark class=\"statement statement-{kind} statement-cont\" data-statement=\"{}\">",
            attr(m.id)
        )
    }
}

/// Escape for an HTML attribute value (ids are validated, but never trust).
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Remove anything executable from HTML made from third-party text, keeping the markup
/// onrecord itself produces (marks with ids, annotations, highlighted code).
pub fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_tags(["mark", "aside"])
                .add_tag_attributes("mark", ["id", "class", "data-speaker", "data-statement"])
                .add_tag_attributes("aside", ["class", "aria-label"])
                .add_tag_attributes("a", ["class", "aria-label"])
                .add_tag_attributes("span", ["class"])
                .add_tag_attributes("pre", ["class"])
                .add_tag_attributes("code", ["class"])
                .add_tag_attributes("p", ["class"]);
            b
        })
        .clean(html)
        .to_string()
}

/// Highlight a code block with syntect CSS classes (`hl-` prefix). The syntax set is
/// loaded on first use only: most archives have no code at all.
fn highlight(lang: &str, code: &str) -> String {
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::parsing::SyntaxSet;
    use syntect::util::LinesWithEndings;
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    let set = SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines);
    let syntax = set
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut gen = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        if gen
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!("<pre class=\"code\"><code>{}</code></pre>\n", attr(code));
        }
    }
    format!(
        "<pre class=\"code\"><code>{}</code></pre>\n",
        gen.finalize()
    )
}

/// The style sheet for highlighted code, light and dark.
pub fn syntax_css() -> String {
    use syntect::highlighting::ThemeSet;
    use syntect::html::{css_for_theme_with_class_style, ClassStyle};
    let themes = ThemeSet::load_defaults();
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light =
        css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], style).unwrap_or_default();
    let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], style)
        .unwrap_or_default();
    format!("{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark<'a>(id: &'a str, text: &'a str, note: Option<&str>) -> Mark<'a> {
        Mark {
            id,
            speaker: "p",
            kind: StatementKind::Direct,
            text,
            annotation_html: note.map(|n| format!("<aside class=\"annotation\">{n}</aside>")),
        }
    }

    #[test]
    fn marks_statement_in_place() {
        let r = render_body(
            "He said \"we  will\nsee\" today.\n\nNext.\n",
            &[mark("s1", "we will see", None)],
        );
        assert!(r.missing.is_empty());
        assert!(
            r.html.contains("<mark class=\"statement statement-direct\" id=\"s1\" data-speaker=\"p\">we  will\nsee<a class=\"statement-link\" href=\"#s1\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn reports_missing_statement() {
        let r = render_body("Nothing here.", &[mark("s1", "absent words", None)]);
        assert_eq!(r.missing, vec![0]);
    }

    #[test]
    fn nested_and_crossing_statements_stay_well_formed() {
        let r = render_body(
            "He said *the experts* were right all along.",
            &[
                mark("outer", "the experts were right", None),
                mark("inner", "experts", None),
            ],
        );
        assert!(r.missing.is_empty(), "{:?}", r.missing);
        assert_eq!(
            r.html.matches("<mark").count(),
            r.html.matches("</mark>").count()
        );
        assert!(r.html.contains("id=\"outer\""));
        assert!(r.html.contains("id=\"inner\""));
        assert!(r.html.contains("statement-cont"));
    }

    #[test]
    fn annotation_follows_the_paragraph() {
        let r = render_body("One two three.\n\nNext.", &[mark("s", "two", Some("note"))]);
        let aside = r.html.find("<aside").unwrap();
        assert!(aside > r.html.find("</p>").unwrap());
        assert!(aside < r.html.find("Next").unwrap());
    }

    #[test]
    fn raw_html_and_script_urls_are_sanitized() {
        let r = render_body(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
            &[],
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
    }

    #[test]
    fn finds_the_paragraph_of_a_statement() {
        let m = mark("s", "two three", None);
        let html = paragraph_with("One.\n\nZero one two\nthree four.\n\nFive.", &m).unwrap();
        assert!(html.starts_with("<p>Zero one"), "{html}");
        assert!(html.contains("id=\"s\""));
        assert!(!html.contains("Five"));
        assert_eq!(paragraph_with("Nothing.", &m), None);
    }

    #[test]
    fn plain_text_is_escaped() {
        let r = render_body("a < b & \"c\"", &[]);
        assert!(r.html.contains("a &lt; b &amp;"), "{}", r.html);
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let r = render_body("```rust\nfn main() {}\n```\n", &[]);
        assert!(r.has_code);
        assert!(r.html.contains("hl-"), "{}", r.html);
    }
}
