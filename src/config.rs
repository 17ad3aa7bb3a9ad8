//! site.toml: the archive's settings. Parsed strictly (unknown keys are errors) into
//! `SiteConfig`, with the base URL split into origin and base path for the urls module.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Problem, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_output_dir")]
    output_dir: PathBuf,
    #[serde(default = "yes")]
    statement_pages: bool,
    #[serde(default)]
    share_images: bool,
    #[serde(default = "yes")]
    search: bool,
    #[serde(default)]
    cname: String,
}

fn default_language() -> String {
    "en".into()
}
fn default_output_dir() -> PathBuf {
    "public".into()
}
fn yes() -> bool {
    true
}

/// The resolved configuration of one archive.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub language: String,
    /// Absolute base URL, always ending in '/': `https://user.github.io/repo/`.
    pub base_url: String,
    pub output_dir: PathBuf,
    pub statement_pages: bool,
    pub share_images: bool,
    /// A static full-text search index and the /search/ page.
    pub search: bool,
    pub cname: String,
}

pub const CONFIG_FILE: &str = "site.toml";

impl SiteConfig {
    /// Read `ROOT/site.toml`.
    pub fn load(root: &Path) -> Result<SiteConfig> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::problem(Problem::new(&path, "no site.toml here").help(
                    "run onrecord in an archive's folder, pass --root DIR, or create one with `onrecord init DIR`",
                ))
            } else {
                Error::io("read", &path, e)
            }
        })?;
        Self::parse(root, &path, &text)
    }

    pub fn parse(root: &Path, path: &Path, text: &str) -> Result<SiteConfig> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            let mut p = Problem::new(path, &message).help(toml_help(&message));
            if let Some(span) = e.span() {
                let (line, col) = line_col(text, span.start);
                p = p.at(line, col);
            }
            Error::problem(p)
        })?;
        let base_url = normalize_base_url(&raw.base_url).map_err(|msg| {
            Problem::new(path, msg)
                .at_line(crate::error::line_of(text, "base_url"))
                .help("write the full address of the published site, e.g. https://user.github.io/repo/")
        })?;
        Ok(SiteConfig {
            root: root.to_path_buf(),
            title: raw.title,
            description: raw.description,
            language: raw.language,
            base_url,
            output_dir: root.join(raw.output_dir),
            statement_pages: raw.statement_pages,
            share_images: raw.share_images,
            search: raw.search,
            cname: raw.cname.trim().to_string(),
        })
    }

    /// The path part of base_url, always starting and ending with '/': `/repo/`.
    pub fn base_path(&self) -> &str {
        base_path_of(&self.base_url)
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }
}

/// What to do about a site.toml error.
fn toml_help(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "check the spelling; the settings are listed in the README under \"site.toml\""
    } else if message.contains("missing field") {
        "add the setting; `title` and `base_url` are required, e.g. title = \"On the Record\""
    } else if message.contains("invalid type") {
        "the value has the wrong type: text in quotes (\"...\"), true or false for switches"
    } else {
        "TOML syntax error at or just before this spot: write `key = value`, with text in double quotes"
    }
}

/// The path part of an absolute URL, starting with '/': `/repo/` of `https://u.github.io/repo/`.
pub fn base_path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => &url[after_scheme + i..],
        None => "/",
    }
}

/// Check that a base URL is absolute http(s) and make it end in '/'.
pub fn normalize_base_url(url: &str) -> std::result::Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{url}` must start with http:// or https://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("base_url `{url}` has no host"));
    }
    if url.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "base_url `{url}` must not contain a query, fragment, spaces or quotes"
        ));
    }
    let mut s = url.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    Ok(s)
}

/// 1-based line and column of a byte offset (inside a character: of that character).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_inside_a_character() {
        assert_eq!(line_col("ab\nцд", 6), (2, 2));
        assert_eq!(line_col("ab", 99), (1, 3));
    }

    #[test]
    fn base_path_of_project_site() {
        let c = SiteConfig::parse(
            Path::new("."),
            Path::new("site.toml"),
            "title='t'\nbase_url='https://u.github.io/repo'\n",
        )
        .unwrap();
        assert_eq!(c.base_url, "https://u.github.io/repo/");
        assert_eq!(c.base_path(), "/repo/");
    }

    #[test]
    fn unknown_key_is_located() {
        let err = SiteConfig::parse(
            Path::new("."),
            Path::new("site.toml"),
            "title='t'\nbase_url='https://x.org/'\ntitel='oops'\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("site.toml:3:1"), "{msg}");
        assert!(msg.contains("titel"), "{msg}");
    }
}
