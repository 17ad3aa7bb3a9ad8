//! Bytes -> text. Owns everything about encodings: byte-order marks (UTF-8, UTF-16),
//! line endings (CRLF, lone CR), invalid UTF-8 read as Windows-1252 (with a warning, never
//! silently), and refusing empty or binary input with a message naming the file.

use std::path::Path;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::Problem;

/// Decoded text and, when the bytes were not UTF-8, a warning saying what was assumed.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub warning: Option<Problem>,
}

/// The largest source file import takes. A news article is tens of kB and a full
/// transcript of a long press conference well under 1 MB; anything much larger is not one
/// article (a concatenated dump, a database export) and would take import minutes.
pub const MAX_SOURCE_BYTES: usize = 2 * 1024 * 1024;

/// The longest line import takes. A paragraph is a few kB, a whole article pasted on one
/// line tens of kB; finding statements takes time and memory that grow with the square of
/// a paragraph's length, so a longer line is refused rather than left to run for hours.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Decode a raw source file. `path` is only used to name the file in messages.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Decoded, Problem> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(Problem::new(
            path,
            format!(
                "the source file is {:.1} MB; import takes one article per file, up to {} MB",
                bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        )
        .help("split it into one file per article, or remove it from content/sources/"));
    }
    let (text, warning) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        utf8_or_1252(path, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            None,
        )
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            None,
        )
    } else if let Some(at) = memchr::memchr(0, bytes) {
        return Err(binary(path, &String::from_utf8_lossy(&bytes[..at])));
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), None),
            Err(e) => {
                let text = WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned();
                let (line, col) = position_of(bytes, e.valid_up_to());
                let warning = Problem::new(path, "not UTF-8 (first invalid byte at this line:column): read as Windows-1252 (Latin-1)")
                    .at(line, col)
                    .help("check accented letters and quotation marks in the imported article; save the source as UTF-8 to silence this warning");
                (text, Some(warning))
            }
        }
    };
    if let Some(at) = text.find('\0') {
        return Err(binary(path, &text[..at]));
    }
    let text = normalize(&text);
    if let Some((i, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LINE_BYTES)
    {
        return Err(Problem::new(
            path,
            format!(
                "line {} is {} kB long, with no paragraph break; import takes lines (paragraphs) up to {} kB",
                i + 1,
                line.len() / 1024,
                MAX_LINE_BYTES / 1024
            ),
        )
        .at(i + 1, 1)
        .help("break the text into paragraphs: one per line, or a blank line between them"));
    }
    if text.trim().is_empty() {
        return Err(Problem::new(path, "the source file is empty")
            .help("put the article's text in the file, or remove it from content/sources/"));
    }
    Ok(Decoded { text, warning })
}

/// A UTF-8 BOM promises UTF-8; if the rest is not, fall back like an unmarked file would,
/// with a warning that says the mark was wrong.
fn utf8_or_1252(path: &Path, bytes: &[u8]) -> (String, Option<Problem>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(e) => {
            let text = WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned();
            let (line, col) = position_of(bytes, e.valid_up_to());
            let warning = Problem::new(
                path,
                "starts with a UTF-8 byte-order mark but is not valid UTF-8 (first invalid byte at this line:column): read as Windows-1252 (Latin-1)",
            )
            .at(line, col)
            .help("check accented letters and quotation marks in the imported article; save the source as UTF-8 to silence this warning");
            (text, Some(warning))
        }
    }
}

/// `before` is the text up to the first NUL byte, to say where it is.
fn binary(path: &Path, before: &str) -> Problem {
    let (line, col) = crate::config::line_col(before, before.len());
    Problem::new(
        path,
        "this looks like a binary file (it contains NUL bytes, the first at this line:column), not a text article",
    )
    .at(line, col)
    .help("import plain text: copy the article's text into a .txt file saved as UTF-8")
}

/// 1-based line and column of byte `at` of `bytes`, valid UTF-8 up to there.
fn position_of(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    crate::config::line_col(before, before.len())
}

/// LF line ends; no-break and zero-width spaces as plain spaces (or nothing), so that later
/// stages see one kind of white space and statement texts match the body exactly.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // Plain ASCII (all but CR and tab) is copied in runs: most of any text.
        let plain = rest
            .bytes()
            .position(|b| !b.is_ascii() || b == b'\r' || b == b'\t')
            .unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        rest = &rest[c.len_utf8()..];
        match c {
            '\r' => {
                if !rest.starts_with('\n') {
                    out.push('\n');
                }
            }
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{2009}' | '\u{200a}' | '\t' => out.push(' '),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(b: &[u8]) -> Result<Decoded, Problem> {
        decode(Path::new("s.txt"), b)
    }

    #[test]
    fn bom_and_crlf() {
        let d = dec(b"\xEF\xBB\xBFa\r\nb\rc").unwrap();
        assert_eq!(d.text, "a\nb\nc");
        assert!(d.warning.is_none());
    }

    #[test]
    fn windows_1252_with_warning() {
        let d = dec(b"\x93Hello,\x94 he said. Caf\xe9").unwrap();
        assert_eq!(d.text, "\u{201c}Hello,\u{201d} he said. Caf\u{e9}");
        assert!(d.warning.is_some());
    }

    #[test]
    fn empty_and_binary_are_errors() {
        assert!(dec(b"").unwrap_err().message.contains("empty"));
        assert!(dec(b" \n\r\n").unwrap_err().message.contains("empty"));
        assert!(dec(b"PK\x03\x04\0\0x")
            .unwrap_err()
            .message
            .contains("binary"));
    }

    #[test]
    fn bom_with_invalid_utf8_warns() {
        let d = dec(b"\xEF\xBB\xBF\x93Hello,\x94 he said.").unwrap();
        assert_eq!(d.text, "\u{201c}Hello,\u{201d} he said.");
        let w = d.warning.expect("a warning");
        assert!(w.message.contains("byte-order mark") && w.message.contains("Windows-1252"));
    }

    #[test]
    fn utf16_with_bom() {
        let d = dec(b"\xFF\xFEh\0i\0").unwrap();
        assert_eq!(d.text, "hi");
    }
}
