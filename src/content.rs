//! The content model: articles (content/articles/SLUG.md) and speakers
//! (content/speakers/ID.md), each a YAML front matter block and a Markdown body.
//!
//! Front matter is parsed strictly: unknown fields and wrong types are errors located by
//! file, line and column; dates are calendar dates; strings stay strings. The same types
//! are written back by import, so what is read is what is written.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{line_of, Problem};

/// Where an article's publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// The metadata file beside the sources.
    Manifest,
    /// A command-line flag (`--date`).
    Flag,
    /// The article's own text (a dateline).
    Text,
    /// Set by hand by an editor.
    Editor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Path relative to content/sources/.
    pub file: String,
    pub sha256: String,
}

/// A speaker as quoted in one article: registry id, name and role as the article gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleSpeaker {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// The speaker's own words, in quotation marks.
    Direct,
    /// Indirect speech: what the article says the speaker said.
    Reported,
}

impl StatementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Direct => "direct",
            StatementKind::Reported => "reported",
        }
    }
}

/// An editor's link from one statement to another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Relation {
    Contradicts(String),
    Repeats(String),
    Clarifies(String),
    RespondsTo(String),
}

impl Relation {
    pub fn target(&self) -> &str {
        match self {
            Relation::Contradicts(t)
            | Relation::Repeats(t)
            | Relation::Clarifies(t)
            | Relation::RespondsTo(t) => t,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Relation::Contradicts(_) => "contradicts",
            Relation::Repeats(_) => "repeats",
            Relation::Clarifies(_) => "clarifies",
            Relation::RespondsTo(_) => "responds to",
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Relation::Contradicts(_) => "contradicts",
            Relation::Repeats(_) => "repeats",
            Relation::Clarifies(_) => "clarifies",
            Relation::RespondsTo(_) => "responds_to",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Permanent, unique across the archive.
    pub id: String,
    /// An `ArticleSpeaker::id` of the same article.
    pub speaker: String,
    pub kind: StatementKind,
    /// The attribution verb as written: said, told, denied, confirmed...
    pub verb: String,
    #[serde(default)]
    pub said_on: Option<Date>,
    /// The words; must occur verbatim (up to white space) in the body.
    pub text: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Former ids of this statement; each keeps working as a redirect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The front matter of content/articles/SLUG.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleMeta {
    pub title: String,
    #[serde(default)]
    pub publication: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub date_source: Option<DateSource>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub source: Option<SourceRef>,
    #[serde(default)]
    pub speakers: Vec<ArticleSpeaker>,
    #[serde(default)]
    pub statements: Vec<Statement>,
}

/// The front matter of content/speakers/ID.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerMeta {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub role: Option<String>,
    /// An unnamed source ("a Russian official"): kept apart from named people.
    #[serde(default)]
    pub anonymous: bool,
    /// An institution speaking as such ("the Kremlin said"), not a person.
    #[serde(default)]
    pub organization: bool,
}

/// A parsed content file: front matter, body, and where it came from.
#[derive(Debug, Clone)]
pub struct Document<M> {
    /// The file's stem: the article slug or speaker id.
    pub id: String,
    pub path: PathBuf,
    pub meta: M,
    pub body: String,
    /// The whole file as read, to locate later problems by line.
    pub text: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

pub type Article = Document<ArticleMeta>;
pub type Speaker = Document<SpeakerMeta>;

/// Split `---\nYAML\n---\nBODY`. Returns (yaml, body, 1-based line of the body).
pub fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.matches('\n').count() + 1;
            return Some((yaml, body, body_line));
        }
        offset += line.len();
    }
    None
}

/// Parse a content file of either kind.
pub fn parse_document<M: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
) -> Result<Document<M>, Problem> {
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let Some((yaml, body, body_line)) = split_front_matter(text) else {
        return Err(Problem::new(path, "no front matter")
            .at(1, 1)
            .help("start the file with a line `---`, the YAML fields, and another line `---`"));
    };
    let meta: M = serde_saphyr::from_str(yaml).map_err(|e| yaml_problem(path, yaml, &e))?;
    Ok(Document {
        id,
        path: path.to_path_buf(),
        meta,
        body: body.to_string(),
        text: text.to_string(),
        body_line,
    })
}

/// A YAML error as a Problem: message, and position in the file (the YAML starts on line 2).
/// A wrong value is named by its field; a missing field is located at the start of the
/// block that lacks it (not at that block's last field, where the parser noticed).
fn yaml_problem(path: &Path, yaml: &str, e: &serde_saphyr::Error) -> Problem {
    let mut message = plain_message(&first_line(&e.without_snippet().to_string()));
    let lines: Vec<&str> = yaml.lines().collect();
    let mut at = e
        .location()
        .filter(|loc| loc.line() > 0)
        .map(|loc| (loc.line() as usize, loc.column().max(1) as usize));
    let field = at.and_then(|(line, _)| field_on(lines.get(line - 1)?));
    if let Some((line, col)) = at {
        if message.starts_with("missing field") {
            at = Some(block_start(&lines, line - 1, col - 1));
        } else if let Some(field) = &field {
            // A wrong value, not a syntax error (which may lie on an earlier line).
            let wrong_value = ["expected", "invalid", "unknown variant", "failed to parse"]
                .iter()
                .any(|w| message.starts_with(w));
            if wrong_value && !message.contains(&format!("`{field}`")) {
                message = format!("`{field}`: {message}");
            }
        }
    }
    let mut p = Problem::new(path, message.clone());
    if let Some((line, col)) = at {
        p = p.at(line + 1, col);
    }
    let is_date = matches!(field.as_deref(), Some("date" | "said_on"));
    p.help = yaml_help(&message, is_date);
    p
}

/// Serde-saphyr's words for a value of the wrong shape, in the user's terms.
fn plain_message(message: &str) -> String {
    match message {
        "expected string scalar" => "expected text, not a list or a block of fields".into(),
        "expected sequence start" => "expected a list, e.g. [a, b] or one `- item` per line".into(),
        "expected mapping start" => "expected fields (`name: value` lines)".into(),
        _ => message.to_string(),
    }
}

/// The field a YAML line sets (`  - id: x` -> `id`), if any.
fn field_on(line: &str) -> Option<String> {
    let l = line.trim_start();
    let l = l.strip_prefix("- ").unwrap_or(l).trim_start();
    let key = &l[..l.find(':')?];
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| key.to_string())
}

/// 1-based (line, column) of the start of the block whose field sits at 0-based `line`,
/// indented `indent`: the front matter's first line at indent 0, else the `- ` line of its
/// list item. Anything else (flow style) keeps the parser's position.
fn block_start(lines: &[&str], line: usize, indent: usize) -> (usize, usize) {
    if indent == 0 {
        return (1, 1);
    }
    for i in (0..=line.min(lines.len().saturating_sub(1))).rev() {
        let l = lines[i];
        let ind = l.len() - l.trim_start_matches(' ').len();
        if l.trim().is_empty() || ind > indent {
            continue;
        }
        if ind + 2 == indent && l[ind..].starts_with("- ") {
            return (i + 1, ind + 1);
        }
        if ind < indent {
            break;
        }
    }
    (line + 1, indent + 1)
}

fn first_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or(s).trim();
    // The location is reported separately; drop serde-saphyr's own " at line X column Y".
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn yaml_help(message: &str, is_date: bool) -> Option<String> {
    if message.contains("unknown field") {
        Some(
            "check the spelling; the fields are listed in the README under \"Content format\""
                .into(),
        )
    } else if message.contains("missing field") {
        Some(
            "add the field; the required fields are listed in the README under \"Content format\""
                .into(),
        )
    } else if is_date || message.contains("date") || message.contains("Date") {
        Some("write dates as YYYY-MM-DD, e.g. 2016-11-14, or null".into())
    } else if message.contains("expected") || message.contains("invalid type") {
        Some("the value has the wrong type here; the README's \"Content format\" says what each field takes".into())
    } else {
        Some("YAML syntax error at or just before this spot: look for an unclosed bracket or quote, and quote values that contain `: ` or start with [ { * & # or '".into())
    }
}

/// Write a document back as text: front matter, then body.
pub fn render_document<M: Serialize>(meta: &M, body: &str) -> Result<String, String> {
    let yaml = serde_saphyr::to_string(meta).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(yaml.len() + body.len() + 16);
    out.push_str("---\n");
    out.push_str(&yaml);
    if !yaml.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(body);
    Ok(out)
}

/// Line of a statement's `id:` entry, to locate problems with that statement.
pub fn statement_line(doc_text: &str, statement_id: &str) -> Option<usize> {
    line_of(doc_text, &format!("id: {statement_id}")).or_else(|| line_of(doc_text, statement_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article, Problem> {
        parse_document(Path::new("content/articles/a.md"), text)
    }

    const GOOD: &str = "---\ntitle: NO\npublication: The Moscow Times\ndate: 2016-11-14\nspeakers:\n  - id: dmitry-peskov\n    name: Dmitry Peskov\n    role: Kremlin spokesman\nstatements:\n  - id: s1\n    speaker: dmitry-peskov\n    kind: direct\n    verb: told\n    said_on: 2016-11-14\n    text: Trump still hasn't taken office\n    relations:\n      - contradicts: s0\n---\nBody \"Trump still hasn't taken office\".\n";

    #[test]
    fn parses_and_keeps_strings_as_strings() {
        let a = parse(GOOD).unwrap();
        assert_eq!(a.meta.title, "NO");
        assert_eq!(a.meta.date, Some(jiff::civil::date(2016, 11, 14)));
        assert_eq!(
            a.meta.statements[0].relations,
            vec![Relation::Contradicts("s0".into())]
        );
        assert_eq!(a.body_line, 19);
        assert!(a.body.starts_with("Body"));
    }

    #[test]
    fn unknown_field_is_located() {
        let text = GOOD.replace("    speaker: dmitry", "    speakr: dmitry");
        let p = parse(&text).unwrap_err();
        assert!(p.message.contains("speakr"), "{p}");
        assert_eq!(p.line, Some(11), "{p}");
    }

    #[test]
    fn bad_date_is_an_error() {
        let text = GOOD.replace("date: 2016-11-14", "date: 2016-13-40");
        let p = parse(&text).unwrap_err();
        assert_eq!(p.line, Some(4), "{p}");
    }

    #[test]
    fn round_trips() {
        let a = parse(GOOD).unwrap();
        let text = render_document(&a.meta, &a.body).unwrap();
        let b = parse(&text).unwrap();
        assert_eq!(a.meta, b.meta);
        assert_eq!(a.body, b.body);
    }
}
