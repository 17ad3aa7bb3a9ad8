//! Lines -> paragraphs. Owns line unwrapping: texts hard-wrapped at a fixed width are
//! rejoined (a line break mid-sentence is not a paragraph break), while real paragraph
//! breaks are kept, whether they are blank lines or, in one-paragraph-per-line texts,
//! single line breaks.

/// Split a decoded text into paragraphs, each one line with single spaces.
pub fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    let width = wrap_width(&lines);
    let wrapped = is_hard_wrapped(&lines, width);
    let mut out = Vec::new();
    for block in lines.split(|l| l.is_empty()) {
        if block.is_empty() {
            continue;
        }
        let mut current = String::new();
        for (i, line) in block.iter().enumerate() {
            current = append_line(current, line);
            let next = block.get(i + 1);
            let ends_paragraph = match next {
                None => true,
                Some(next) if wrapped => wrapped_break(&current, line, next, width),
                Some(next) => !continues(line, next),
            };
            if ends_paragraph {
                out.push(collapse_spaces(&current));
                current = String::new();
            }
        }
    }
    out
}

fn append_line(mut current: String, line: &str) -> String {
    if current.is_empty() {
        return line.to_string();
    }
    // "long-" + "range": a hyphen at the break belongs to the word.
    let hyphen = current.ends_with('-')
        && current[..current.len() - 1]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
        && line.chars().next().is_some_and(char::is_alphabetic);
    if !hyphen {
        current.push(' ');
    }
    current.push_str(line);
    current
}

/// In a hard-wrapped text: does the paragraph end after `line`?
fn wrapped_break(current: &str, line: &str, next: &str, width: usize) -> bool {
    let len = line.chars().count();
    if starts_lowercase(next) {
        return false;
    }
    // A quotation paragraph ends with its attribution ("“...,” Peskov told reporters."),
    // or a line ends with the closing mark of a quoted sentence: the next sentence starts
    // a paragraph of its own.
    if ends_sentence(line) && (quote_closed_paragraph(current) || ends_with_closing_quote(line)) {
        return true;
    }
    if ends_sentence(line) && (len * 10) < width * 8 {
        return true;
    }
    // The wrapper would have put the next word on this line had the paragraph gone on:
    // the sentence ended the paragraph ("... he said." / "U.S. officials said ...").
    let next_word = next.split(' ').next().map_or(0, |w| w.chars().count());
    if ends_sentence(line) && len + 1 + next_word <= width {
        return true;
    }
    // A short line without final punctuation before a capitalised one: a heading or a
    // list item ("Once", "Monthly"), not a wrapped sentence.
    !ends_sentence(line) && len * 2 < width && !line.ends_with(',')
}

/// The paragraph opens with a quotation mark and all its quotations are closed.
fn quote_closed_paragraph(p: &str) -> bool {
    let opens = |c: char| matches!(c, '"' | '\u{201c}' | '\u{ab}');
    if !p.starts_with(opens) {
        return false;
    }
    let curly_open = p.matches('\u{201c}').count() + p.matches('\u{ab}').count();
    let curly_close = p.matches('\u{201d}').count() + p.matches('\u{bb}').count();
    let straight = p.matches('"').count();
    curly_open == curly_close && straight % 2 == 0
}

fn ends_with_closing_quote(line: &str) -> bool {
    let t = line.trim_end();
    [".\u{201d}", ".\"", "?\u{201d}", "?\"", "!\u{201d}", "!\""]
        .iter()
        .any(|e| t.ends_with(e))
}

/// In a text that is not hard-wrapped, a line still continues when it is cut mid-sentence
/// and the next line starts in lower case (a stray break from copying).
fn continues(line: &str, next: &str) -> bool {
    !ends_sentence(line) && !line.ends_with(':') && starts_lowercase(next)
}

fn starts_lowercase(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_lowercase)
}

/// Ends with sentence-final punctuation, possibly followed by closing quotes or brackets.
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\u{201d}', '\u{2019}', '\'', ')', ']', '*', ' ']);
    t.ends_with(['.', '?', '!', '\u{2026}'])
}

/// The typical full-line width: the 90th percentile of line lengths.
fn wrap_width(lines: &[&str]) -> usize {
    let mut lens: Vec<usize> = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().count())
        .collect();
    if lens.is_empty() {
        return 0;
    }
    lens.sort_unstable();
    lens[(lens.len() * 9 / 10).min(lens.len() - 1)]
}

/// A text is hard-wrapped when its long lines, which are followed by more text, mostly
/// stop mid-sentence, and no line is much longer than a screen.
/// (`width`: `wrap_width(lines)`.)
fn is_hard_wrapped(lines: &[&str], width: usize) -> bool {
    if width == 0 || width > 150 {
        return false;
    }
    let mut candidates = 0;
    let mut mid_sentence = 0;
    for pair in lines.windows(2) {
        let (line, next) = (pair[0], pair[1]);
        if line.is_empty() || next.is_empty() || line.chars().count() * 2 < width {
            continue;
        }
        candidates += 1;
        if !ends_sentence(line) {
            mid_sentence += 1;
        }
    }
    candidates >= 3 && mid_sentence * 2 >= candidates
}

/// `s` trimmed, each run of spaces made one space.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s.trim();
    // Text between runs is copied whole.
    while let Some(at) = rest.find("  ") {
        out.push_str(&rest[..=at]);
        rest = rest[at..].trim_start_matches(' ');
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_paragraph_per_line() {
        let p = paragraphs("First line here.\nSecond one.\nThird");
        assert_eq!(p, vec!["First line here.", "Second one.", "Third"]);
    }

    #[test]
    fn hard_wrapped_with_blank_lines() {
        let text = "The Kremlin has been in direct contact with the team in the lead-up to\n\
                    his inauguration, officials told reporters on a call with the\n\
                    press.\n\nThe previously unreported communication between the two sides\n\
                    raises questions about national security and loyalty to its allies,\n\
                    experts said.\n";
        let p = paragraphs(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].ends_with("on a call with the press."));
    }

    #[test]
    fn hard_wrapped_without_blank_lines() {
        let text = "The Kremlin has been in direct contact with the team in the lead-up\n\
                    to the inauguration, officials told reporters on Monday in Moscow.\n\
                    Short end.\n\
                    The previously unreported communication between the two sides\n\
                    raises questions about national security and loyalty to its long-\n\
                    standing allies, experts said on Tuesday in a statement to us.\n";
        let p = paragraphs(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[1].contains("long-standing"));
    }

    #[test]
    fn stray_break_is_joined() {
        let p = paragraphs("He said the talks were\ngoing well.\nNext paragraph.");
        assert_eq!(
            p,
            vec!["He said the talks were going well.", "Next paragraph."]
        );
    }
}
