//! Check a built site: every internal link (`href`, `src`) must lead to a file of the site,
//! and every `#fragment` to an element id on that page. Links are read from the HTML that
//! onrecord's templates write (attributes in double quotes); a small scanner is enough for
//! that and keeps the check fast on large sites.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Problem, Result};

/// What one HTML page offers and asks for.
struct PageLinks {
    /// Site-relative URL of the page's file: `articles/x/index.html`.
    file: String,
    ids: HashSet<String>,
    /// (attribute value, line)
    links: Vec<(String, usize)>,
}

/// Check every internal link and fragment of the site in `output`.
/// `base_url` is the site's absolute address: links to it count as internal.
pub fn check_links(output: &Path, base_url: &str) -> Result<Vec<Problem>> {
    let files = site_files(output)?;
    let html: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    let pages: Vec<PageLinks> = html
        .par_iter()
        .map(|f| {
            let path = output.join(f.as_str());
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            Ok(scan(f, &text))
        })
        .collect::<Result<_>>()?;
    let existing: HashSet<&str> = files.iter().map(String::as_str).collect();
    let ids: HashMap<&str, &HashSet<String>> =
        pages.iter().map(|p| (p.file.as_str(), &p.ids)).collect();
    let base_path = crate::config::base_path_of(base_url);
    let mut problems: Vec<Problem> = pages
        .par_iter()
        .flat_map_iter(|page| {
            page.links.iter().filter_map(|(link, line)| {
                let target = resolve(&page.file, link, base_url, base_path)?;
                let message = match target {
                    Err(why) => Some(why),
                    Ok((file, fragment)) => {
                        missing_target(&existing, &ids, &file, fragment.as_deref())
                    }
                };
                message.map(|m| {
                    Problem::new(
                        format!("built page /{}", page.file),
                        format!("link `{link}`: {m}"),
                    )
                    .at(*line, 1)
                })
            })
        })
        .collect();
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(problems)
}

fn missing_target(
    existing: &HashSet<&str>,
    ids: &HashMap<&str, &HashSet<String>>,
    file: &str,
    fragment: Option<&str>,
) -> Option<String> {
    if !existing.contains(file) {
        return Some(format!("no such page ({file})"));
    }
    let fragment = fragment.filter(|f| !f.is_empty())?;
    match ids.get(file) {
        Some(page_ids) if page_ids.contains(fragment) => None,
        Some(_) => Some(format!("no element with id `{fragment}` on {file}")),
        None => None, // not HTML: fragments are not ours to check
    }
}

/// All files under `output`, as '/'-separated relative paths.
fn site_files(output: &Path) -> Result<Vec<String>> {
    if !output.is_dir() {
        return Err(Error::Other(format!(
            "{} is not a built site (build it first)",
            output.display()
        )));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(output) {
        let entry =
            entry.map_err(|e| Error::Other(format!("cannot read {}: {e}", output.display())))?;
        if entry.file_type().is_file() {
            let rel: PathBuf = entry
                .path()
                .strip_prefix(output)
                .expect("inside")
                .to_path_buf();
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(files)
}

/// Collect ids and link targets with their line numbers.
fn scan(file: &str, text: &str) -> PageLinks {
    let mut ids = HashSet::new();
    let mut links = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for (attr, value) in attributes(line) {
            match attr {
                "id" => {
                    ids.insert(decode_entities(value));
                }
                "href" | "src" => links.push((decode_entities(value), n + 1)),
                _ => {}
            }
        }
    }
    PageLinks {
        file: file.to_string(),
        ids,
        links,
    }
}

/// `name="value"` pairs for the attributes we check, from one line of HTML.
fn attributes(line: &str) -> impl Iterator<Item = (&str, &str)> {
    ["id", "href", "src"].into_iter().flat_map(move |name| {
        let pattern = format!(" {name}=\"");
        line.match_indices(&pattern)
            .filter_map(|(at, _)| {
                let start = at + pattern.len();
                let len = line[start..].find('"')?;
                Some((name, &line[start..start + len]))
            })
            .collect::<Vec<_>>()
    })
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

type Target = std::result::Result<(String, Option<String>), String>;

/// Resolve a link found on `page` to a site file and fragment. None: not ours to check
/// (another site, mailto:, data:).
fn resolve(page: &str, link: &str, base_url: &str, base_path: &str) -> Option<Target> {
    let link = link.trim();
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let site_path = if let Some(rest) = link.strip_prefix(base_url) {
        rest.split(['#', '?'])
            .next()
            .unwrap_or_default()
            .to_string()
    } else if link.contains("://") || link.starts_with("//") || has_scheme(link) {
        return None;
    } else if let Some(abs) = path.strip_prefix('/') {
        match format!("/{abs}").strip_prefix(base_path) {
            Some(rest) => rest.to_string(),
            None => {
                return Some(Err(format!(
                    "points outside the site's base path {base_path}"
                )))
            }
        }
    } else if path.is_empty() {
        return Some(Ok((page.to_string(), fragment)));
    } else {
        let dir = page.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        match join(dir, path) {
            Some(p) => p,
            None => return Some(Err("climbs above the site root".into())),
        }
    };
    let file = if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path
    };
    Some(Ok((file, fragment)))
}

fn has_scheme(link: &str) -> bool {
    match link.find(':') {
        Some(i) => {
            link[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && i > 0
        }
        None => false,
    }
}

/// Join a relative path onto a directory, resolving `.` and `..`; None if it leaves the root.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let trailing = rel.ends_with('/');
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_and_absolute_links() {
        let b = "https://u.github.io/x/";
        let r = |page, link| resolve(page, link, b, "/x/");
        assert_eq!(
            r("articles/a/index.html", "../../speakers/p/"),
            Some(Ok(("speakers/p/index.html".into(), None)))
        );
        assert_eq!(r("index.html", "./"), Some(Ok(("index.html".into(), None))));
        assert_eq!(
            r("articles/a/index.html", "#s1"),
            Some(Ok(("articles/a/index.html".into(), Some("s1".into()))))
        );
        assert_eq!(
            r("404.html", "/x/style.css"),
            Some(Ok(("style.css".into(), None)))
        );
        assert!(matches!(r("404.html", "/style.css"), Some(Err(_))));
        assert!(matches!(r("index.html", "../../etc"), Some(Err(_))));
        assert_eq!(r("index.html", "https://example.org/"), None);
        assert_eq!(
            r("index.html", "https://u.github.io/x/timeline/"),
            Some(Ok(("timeline/index.html".into(), None)))
        );
        assert_eq!(r("index.html", "mailto:a@b"), None);
    }

    #[test]
    fn scans_ids_and_links() {
        let p = scan(
            "index.html",
            "<a href=\"a/\" id=\"x\">\n<img src=\"b.png\">",
        );
        assert!(p.ids.contains("x"));
        assert_eq!(
            p.links,
            vec![("a/".to_string(), 1), ("b.png".to_string(), 2)]
        );
    }
}
