//! XSS corpus: an archive seeded with known script-injection vectors in every place a user
//! (or a source article) puts text: site title and description, article titles, bodies
//! (raw HTML blocks, Markdown links and autolinks, comments), publication names, authors,
//! original URLs, speaker names, roles, aliases and biographies, statement texts, verbs
//! and notes. The site is built and EVERY output HTML file is parsed with a real HTML parser
//! (html5ever, through scraper), which sees what a browser would see:
//! - no `<script>` but the site's own (its script files by `src`, JSON-LD whose JSON parses);
//! - no `on*` event-handler attribute anywhere;
//! - no `href`/`src`/`action`/`formaction`/... with a `javascript:`, `vbscript:` or `data:`
//!   scheme, after the parser's entity decoding and with white space and control
//!   characters removed as browsers do;
//! - no `iframe`, `object`, `embed`, `base`, `frame`; no CSS `expression(`;
//! - the vectors are still there as text (escaped, not dropped).
//!
//! Also: the Atom feed parses as XML, `statements.json` as JSON, and no CSV cell starts
//! with `=`, `+`, `-` or `@` (publish.rs prefixes such cells with an apostrophe).

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jiff::civil::date;
use onrecord::content::{
    render_document, ArticleMeta, ArticleSpeaker, SpeakerMeta, Statement, StatementKind,
};

/// Known vectors: markup, URL schemes (plain, mixed case, entity- and white-space-
/// obfuscated), attribute breakouts, script-context breakouts, template-looking text and
/// spreadsheet formulas.
const VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">js</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">js</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">js</a>",
    "<a href=\" &#14; javascript:alert(1)\">js</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">js</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "<form action=\"javascript:alert(1)\"><button formaction=\"javascript:alert(1)\">go</button></form>",
    "</script><script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)' x='",
    "\" onmouseover=\"alert(1)\" x=\"",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<style>body{background:expression(alert(1))}</style>",
    "<div style=\"width:expression(alert(1))\">css</div>",
    "[md](javascript:alert(1))",
    "[md](  JAVASCRIPT:alert(1) )",
    "[md](data:text/html,alert(1))",
    "![img](javascript:alert(1))",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<https://example.org/\" onclick=\"alert(1)>",
    "<!-- a comment --><script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "{{ site.title }} {% if true %}tpl{% endif %} {{ 7*7 }}",
    "=HYPERLINK(\"https://evil.example\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
];

/// One line of a vector (statement texts and names are one line).
fn one_line(v: &str) -> String {
    v.replace('\n', " ")
}

/// Markdown for text shown as is: every ASCII punctuation character backslash-escaped.
fn md_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The seeded archive: one article and one speaker per vector.
fn seed(root: &Path) {
    fs::write(
        root.join("site.toml"),
        format!(
            "title = {}\nbase_url = \"https://example.org/\"\ndescription = {}\n",
            toml_str(&format!("On the Record {}", VECTORS[13])),
            toml_str(&format!("{} {}", VECTORS[1], VECTORS[15])),
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("content/articles")).unwrap();
    fs::create_dir_all(root.join("content/speakers")).unwrap();
    for (i, v) in VECTORS.iter().enumerate() {
        let line = one_line(v);
        let speaker = format!("speaker-{i}");
        let bio = format!("Biography {i}.\n\n{v}\n");
        let meta = SpeakerMeta {
            name: format!("Name {line}"),
            aliases: vec![line.clone()],
            role: Some(format!("Role {line}")),
            anonymous: i % 7 == 3,
            organization: false,
        };
        fs::write(
            root.join(format!("content/speakers/{speaker}.md")),
            render_document(&meta, &bio).unwrap(),
        )
        .unwrap();
        let statement = Statement {
            id: format!("statement-{i}"),
            speaker: speaker.clone(),
            kind: if i % 2 == 0 {
                StatementKind::Direct
            } else {
                StatementKind::Reported
            },
            verb: format!("said {line}"),
            said_on: (i % 5 != 4).then(|| date(2020, 1, 1 + (i % 28) as i8)),
            text: format!("Words {line}"),
            note: Some(format!("Note {i}: {v}")),
            relations: Vec::new(),
            aliases: Vec::new(),
        };
        let meta = ArticleMeta {
            title: format!("Title {line}"),
            publication: Some(format!("Publication {line}")),
            url: Some(format!(
                "https://example.org/{i}?q=\"><script>alert(1)</script>&x=' onclick='alert(1)"
            )),
            date: (i % 6 != 5).then(|| date(2021, 2, 1 + (i % 28) as i8)),
            date_source: None,
            authors: vec![format!("Author {line}")],
            tags: vec![format!("tag {line}")],
            source: None,
            speakers: vec![ArticleSpeaker {
                id: speaker,
                name: format!("Name {line}"),
                role: Some(format!("Role in article {line}")),
            }],
            statements: vec![statement.clone()],
        };
        let body = format!(
            "Raw paragraph {i}:\n\n{v}\n\nThe statement: {}\n\nInline {v} in a sentence.\n",
            md_escape(&statement.text)
        );
        fs::write(
            root.join(format!("content/articles/article-{i}.md")),
            render_document(&meta, &body).unwrap(),
        )
        .unwrap();
    }
}

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// A URL as a browser reads its scheme: white space and control characters dropped.
fn scheme_of(url: &str) -> String {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match squeezed.find(':') {
        Some(i) if !squeezed[..i].contains(['/', '?', '#']) => squeezed[..i].to_string(),
        _ => String::new(),
    }
}

const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "cite",
    "ping",
];

/// Every problem in one HTML page.
fn html_problems(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").unwrap();
    let mut problems = Vec::new();
    for el in doc.select(&all) {
        let e = el.value();
        let name = e.name();
        match name {
            "script" => {
                let src = e.attr("src").unwrap_or("");
                let own = ["onrecord.js", "search.js"]
                    .iter()
                    .any(|f| src.ends_with(f) && !src.contains(':'));
                let text: String = el.text().collect();
                let json_ld = e.attr("type") == Some("application/ld+json")
                    && src.is_empty()
                    && serde_json::from_str::<serde_json::Value>(&text).is_ok();
                let own_file = own && text.trim().is_empty();
                if !own_file && !json_ld {
                    problems.push(format!("script element: {}", el.html()));
                }
            }
            "iframe" | "object" | "embed" | "base" | "frame" | "frameset" | "applet" => {
                problems.push(format!("{name} element: {}", el.html()))
            }
            "style" => {
                let css: String = el.text().collect::<String>().to_ascii_lowercase();
                if css.contains("expression(") || css.contains("javascript:") {
                    problems.push(format!("style element: {}", el.html()));
                }
            }
            "meta" => {
                let content = e.attr("content").unwrap_or("").to_ascii_lowercase();
                if e.attr("http-equiv")
                    .is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
                    && content.contains("script:")
                {
                    problems.push(format!("meta refresh: {}", el.html()));
                }
            }
            _ => {}
        }
        for (attr, value) in e.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                problems.push(format!("{attr} attribute on <{name}>: {}", el.html()));
            }
            if attr == "style" && value.to_ascii_lowercase().contains("expression(") {
                problems.push(format!("style attribute: {}", el.html()));
            }
            if URL_ATTRS.contains(&attr.as_str()) {
                let scheme = scheme_of(value);
                // The site's own empty favicon (base.html), which spares a request.
                let own_favicon = name == "link" && value == "data:,";
                if ["javascript", "vbscript", "data"].contains(&scheme.as_str()) && !own_favicon {
                    problems.push(format!("{attr}={value:?} on <{name}>"));
                }
            }
        }
    }
    problems
}

/// RFC 4180 fields of a CSV text.
fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => cells.push(std::mem::take(&mut cell)),
            (false, c) => cell.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted CSV field");
    cells
}

#[test]
fn xss_corpus_is_inert_in_every_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    seed(root);
    let out = Command::cargo_bin("onrecord")
        .unwrap()
        .current_dir(root)
        .args(["--root", ".", "build", "--no-import"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = root.join("public");

    let pages = files_with(&public, "html");
    assert!(pages.len() > 3 * VECTORS.len(), "{} pages", pages.len());
    let mut problems = Vec::new();
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        for p in html_problems(&html) {
            problems.push(format!(
                "{}: {p}",
                page.strip_prefix(&public).unwrap().display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // The vectors are shown as text, not dropped: each article's heading and its statement.
    let mut unmarked = Vec::new();
    for (i, v) in VECTORS.iter().enumerate() {
        let html =
            fs::read_to_string(public.join(format!("articles/article-{i}/index.html"))).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let h1: String = doc
            .select(&scraper::Selector::parse("h1").unwrap())
            .next()
            .expect("a heading")
            .text()
            .collect();
        assert_eq!(h1.trim(), format!("Title {}", one_line(v)), "article-{i}");
        let mark = scraper::Selector::parse(&format!("mark#statement-{i}")).unwrap();
        let marked: String = doc.select(&mark).flat_map(|m| m.text()).collect();
        if !marked.contains(&format!("Words {}", one_line(v))) {
            unmarked.push(i);
        }
    }
    // Known limit: an unclosed `<style>` in a hand-written body makes the rest of the body
    // style text, which the sanitizer drops with it: the statement after it is not shown
    // (import escapes markup, so only hand edits can do this). Nothing runs.
    assert_eq!(unmarked, [31], "statements not shown in their article");

    // The feed is well-formed XML.
    let feed = fs::read_to_string(public.join("feed.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&feed);
    let mut entries = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"entry" => entries += 1,
            Ok(_) => {}
            Err(e) => panic!("feed.xml is not XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(entries > 0);
    for sitemap in files_with(&public, "xml") {
        let text = fs::read_to_string(&sitemap).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        while !matches!(
            reader
                .read_event()
                .unwrap_or_else(|e| panic!("{}: {e}", sitemap.display())),
            quick_xml::events::Event::Eof
        ) {}
    }

    // Data files: JSON parses; no CSV cell can run as a spreadsheet formula.
    let json = fs::read_to_string(public.join("data/statements.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&json).expect("statements.json parses");
    let csv = fs::read_to_string(public.join("data/statements.csv")).unwrap();
    let cells = csv_cells(&csv);
    assert!(cells.len() > VECTORS.len() * 10);
    let formulas: Vec<&String> = cells
        .iter()
        .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
        .collect();
    assert!(formulas.is_empty(), "formula cells: {formulas:?}");
    assert!(
        cells
            .iter()
            .any(|c| c == "'=HYPERLINK(\"https://evil.example\")")
            || cells.iter().any(|c| c.contains("=HYPERLINK(")),
        "the formula vector is in the CSV, neutralised"
    );
}

/// The checker itself finds what it must (so a pass above means something).
#[test]
fn the_checker_catches_each_kind() {
    for bad in [
        "<script>alert(1)</script>",
        "<script src=\"https://evil.example/onrecord.js\"></script>",
        "<script type=\"application/ld+json\">{</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\" jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"DATA:text/html,x\">x</a>",
        "<form action=\"vbscript:x\"></form>",
        "<iframe></iframe>",
        "<div style=\"width:expression(1)\"></div>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    ] {
        let page = format!("<!DOCTYPE html><html><head></head><body>{bad}</body></html>");
        assert!(!html_problems(&page).is_empty(), "not caught: {bad}");
    }
    let good = "<!DOCTYPE html><html><head><script src=\"../onrecord.js\" defer></script>\
        <script type=\"application/ld+json\">{\"a\": \"<\\/script>\"}</script></head>\
        <body><a href=\"../x/#y\">x</a><a href=\"https://example.org/a:b\">y</a></body></html>";
    assert_eq!(html_problems(good), Vec::<String>::new());
}
