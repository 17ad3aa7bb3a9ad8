//! content/sources/metadata.toml: what the text of a source does not say about it. One
//! table per source file name:
//!
//! ```toml
//! ["000_a9015e1fb20e6a51.txt"]
//! publication = "The Moscow Times"
//! date = 2016-11-14            # or "2016-11-14"
//! url = "https://..."
//! title = "..."                # the headline, when the text lacks it
//! authors = ["..."]
//! ```
//! Unknown keys and bad dates are errors with line and column.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

use crate::error::Problem;

pub const FILE_NAME: &str = "metadata.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMeta {
    #[serde(default)]
    pub publication: Option<String>,
    #[serde(default, deserialize_with = "date_value")]
    pub date: Option<Date>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
}

/// A TOML date (`2016-11-14`) or a string holding one.
fn date_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let v = toml::Value::deserialize(d)?;
    let text = match &v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a date like 2016-11-14, found {}",
                other.type_str()
            )))
        }
    };
    text.parse::<Date>()
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("\"{text}\" is not a date like 2016-11-14")))
}

pub type Metadata = BTreeMap<String, SourceMeta>;

/// Parse metadata.toml (its text, for error positions).
pub fn parse(path: &Path, text: &str) -> Result<Metadata, Problem> {
    toml::from_str::<Metadata>(text).map_err(|e| {
        let mut p = Problem::new(path, e.message().trim().to_string()).help(
            "each table is a source file name, e.g. [\"article.txt\"], with the keys publication, date, url, title, authors",
        );
        if let Some(span) = e.span() {
            let (line, col) = crate::config::line_col(text, span.start);
            p = p.at(line, col);
        }
        p
    })
}

/// Read content/sources/metadata.toml if there is one.
pub fn load(sources_dir: &Path) -> Result<Metadata, Problem> {
    let path = sources_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Metadata::new()),
        Err(e) => Err(Problem::new(&path, format!("cannot read: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tables_and_dates() {
        let m = parse(
            Path::new("metadata.toml"),
            "[\"a.txt\"]\npublication = \"The Moscow Times\"\ndate = 2016-11-14\n\n[\"b.txt\"]\ndate = \"2016-11-10\"\n",
        )
        .unwrap();
        assert_eq!(m["a.txt"].date, Some(jiff::civil::date(2016, 11, 14)));
        assert_eq!(m["b.txt"].date, Some(jiff::civil::date(2016, 11, 10)));
    }

    #[test]
    fn unknown_key_is_located() {
        let p = parse(
            Path::new("metadata.toml"),
            "[\"a.txt\"]\npublicaton = \"X\"\n",
        )
        .unwrap_err();
        assert!(p.message.contains("publicaton"), "{p}");
        assert_eq!(p.line, Some(2), "{p}");
    }

    #[test]
    fn bad_date_is_an_error() {
        let p = parse(
            Path::new("metadata.toml"),
            "[\"a.txt\"]\ndate = \"14/11/2016\"\n",
        )
        .unwrap_err();
        assert_eq!(p.line, Some(2), "{p}");
    }
}
