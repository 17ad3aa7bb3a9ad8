//! Every URL of the site is made here. Inside the site, URLs are site-relative paths with
//! no leading slash (`articles/SLUG/`); a page turns them into links with its `root`, the
//! relative way back to the site root (`../../`), so the same output works under any base
//! path (`/repo/`), on the preview server and from disk. Only the 404 page, which GitHub
//! Pages serves at any depth, uses the absolute base path as its root.

/// The home page.
pub fn home() -> String {
    String::new()
}

pub fn articles() -> String {
    "articles/".into()
}

/// Page `n` (from 1) of the article list: `articles/`, `articles/page/2/`...
pub fn articles_page(n: usize) -> String {
    paged(&articles(), n)
}

fn paged(first: &str, n: usize) -> String {
    if n <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{n}/")
    }
}

pub fn article(slug: &str) -> String {
    format!("articles/{slug}/")
}

/// A statement's words in place, in its article.
pub fn statement_in_article(slug: &str, statement_id: &str) -> String {
    format!("articles/{slug}/#{statement_id}")
}

pub fn speakers() -> String {
    "speakers/".into()
}

pub fn speaker(id: &str) -> String {
    format!("speakers/{id}/")
}

/// The page of one statement, for sharing.
pub fn statement(id: &str) -> String {
    format!("statements/{id}/")
}

/// Where lists, feeds and data link a statement: its own page, or its place in the
/// article when the archive has no statement pages.
pub fn statement_link(statement_pages: bool, slug: &str, id: &str) -> String {
    if statement_pages {
        statement(id)
    } else {
        statement_in_article(slug, id)
    }
}

/// The share card (og:image) of a statement.
pub fn share_image(id: &str) -> String {
    format!("statements/{id}/share.png")
}

/// The search page.
pub fn search() -> String {
    "search/".into()
}

pub fn timeline() -> String {
    "timeline/".into()
}

/// Page `n` (from 1) of the timeline: `timeline/`, `timeline/page/2/`...
pub fn timeline_page(n: usize) -> String {
    paged(&timeline(), n)
}

pub fn not_found() -> String {
    "404.html".into()
}

/// The file in the output directory that serves a site-relative URL.
pub fn output_file(url: &str) -> String {
    let path = url.split('#').next().unwrap_or_default();
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// The relative path from the page at `url` back to the site root: `./`, `../`, `../../`.
pub fn root_from(url: &str) -> String {
    let path = url.split('#').next().unwrap_or_default();
    let depth = path.matches('/').count();
    if depth == 0 {
        "./".into()
    } else {
        "../".repeat(depth)
    }
}

/// The absolute URL of a site-relative URL, for canonical links and feeds.
pub fn absolute(base_url: &str, url: &str) -> String {
    format!("{base_url}{url}")
}

/// Ids and slugs become path segments and fragments: keep them to a safe alphabet.
pub fn is_safe_segment(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.len() <= 200
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_by_depth() {
        assert_eq!(root_from(&home()), "./");
        assert_eq!(root_from(&articles()), "../");
        assert_eq!(root_from(&article("a")), "../../");
        assert_eq!(root_from(&not_found()), "./");
    }

    #[test]
    fn output_files() {
        assert_eq!(output_file(&home()), "index.html");
        assert_eq!(
            output_file(&statement_in_article("a", "b")),
            "articles/a/index.html"
        );
        assert_eq!(output_file(&not_found()), "404.html");
    }

    #[test]
    fn pages_of_lists() {
        assert_eq!(timeline_page(1), "timeline/");
        assert_eq!(timeline_page(3), "timeline/page/3/");
        assert_eq!(root_from(&articles_page(2)), "../../../");
    }

    #[test]
    fn safe_segments() {
        assert!(is_safe_segment("dmitry-peskov-2016-11-14"));
        for bad in ["", "../x", "a/b", "/abs", ".hidden", "a b", "a\\b", "é"] {
            assert!(!is_safe_segment(bad), "{bad}");
        }
    }
}
