//! Integration tests of `build` and `check`: real fixture archives built into temp dirs,
//! assertions on the HTML and on the error messages.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{copy_dir, copy_fixture, edit, read, set};

fn onrecord(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("onrecord").unwrap();
    cmd.current_dir(root).arg("--root").arg(".");
    cmd
}

/// `onrecord build --no-import`, which must succeed.
fn build_ok(root: &Path) {
    onrecord(root)
        .args(["build", "--no-import"])
        .assert()
        .success();
}

/// Every value of `attr="..."` in an HTML text.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

mod pages {
    use super::*;

    #[test]
    fn builds_every_page() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        let out = site.path().join("public");
        for page in [
            "index.html",
            "404.html",
            "articles/index.html",
            "articles/peskov-denies/index.html",
            "articles/ryabkov-confirms/index.html",
            "speakers/index.html",
            "speakers/dmitry-peskov/index.html",
            "speakers/anonymous-russian-official/index.html",
            "timeline/index.html",
            "statements/peskov-no-contact/index.html",
            "style.css",
            "onrecord.js",
            ".nojekyll",
        ] {
            assert!(out.join(page).is_file(), "missing {page}");
        }
    }

    #[test]
    fn statements_are_marked_in_place_and_linked_from_speakers() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        let out = site.path().join("public");
        let article = read(out.join("articles/peskov-denies/index.html"));
        // The quote spans a line break in the Markdown: still one mark, with the id.
        assert!(article.contains(
            "<mark class=\"statement statement-direct\" id=\"peskov-no-contact\" data-speaker=\"dmitry-peskov\">There were no contacts with the campaign\nbefore the election"
        ), "{article}");
        assert!(article.contains("id=\"official-view\""));
        // The note is rendered (Markdown) beside the statement, and the relation links to
        // the other article's statement.
        assert!(article.contains("<em>earlier</em>"));
        assert!(article.contains("href=\"../../articles/ryabkov-confirms/#ryabkov-had-contacts\""));
        let speaker = read(out.join("speakers/dmitry-peskov/index.html"));
        assert!(speaker.contains("articles/peskov-denies/#peskov-no-contact"));
        assert!(speaker.contains("Press secretary of the President of Russia."));
    }

    #[test]
    fn anonymous_sources_are_kept_apart() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        let speakers = read(site.path().join("public/speakers/index.html"));
        let named = speakers.find("Dmitry Peskov").unwrap();
        let anon = speakers.find("Russian official (anonymous)").unwrap();
        assert!(
            speakers[named.min(anon)..named.max(anon)].contains("<h2"),
            "a heading separates the two groups"
        );
    }

    #[test]
    fn every_statement_of_the_example_archive_is_anchored_and_linked() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = tempfile::tempdir().unwrap();
        Command::cargo_bin("onrecord")
            .unwrap()
            .args(["build", "--no-import", "--root"])
            .arg(repo)
            .arg("--output")
            .arg(out.path().join("site"))
            .assert()
            .success();
        let out = out.path().join("site");
        let mut count = 0;
        for entry in fs::read_dir(repo.join("content/articles")).unwrap() {
            let path = entry.unwrap().path();
            let doc = onrecord::content::parse_document::<onrecord::content::ArticleMeta>(
                &path,
                &read(&path),
            )
            .unwrap();
            let page = read(out.join(format!("articles/{}/index.html", doc.id)));
            let ids = attr_values(&page, "id");
            for s in &doc.meta.statements {
                count += 1;
                assert!(
                    ids.contains(&s.id.as_str()),
                    "{}: no element with id {}",
                    doc.id,
                    s.id
                );
                let speaker_page = read(out.join(format!("speakers/{}/index.html", s.speaker)));
                assert!(
                    speaker_page.contains(&format!("articles/{}/#{}\"", doc.id, s.id)),
                    "{} page does not link to {}",
                    s.speaker,
                    s.id
                );
            }
        }
        assert!(count >= 40, "found only {count} statements");
    }
}

mod links {
    use super::*;

    #[test]
    fn check_passes_on_fixture_and_example() {
        let site = copy_fixture("basic");
        onrecord(site.path()).arg("check").assert().success();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        Command::cargo_bin("onrecord")
            .unwrap()
            .arg("--root")
            .arg(repo)
            .arg("check")
            .assert()
            .success();
    }

    #[test]
    fn subpath_base_url_keeps_every_link_inside() {
        let site = copy_fixture("basic");
        let out = site.path().join("x");
        onrecord(site.path())
            .args([
                "build",
                "--no-import",
                "--base-url",
                "https://example.org/sub/",
                "--output",
            ])
            .arg(&out)
            .assert()
            .success();
        let mut checked = 0;
        for file in html_files(&out) {
            let html = read(&file);
            let depth = file.strip_prefix(&out).unwrap().components().count() - 1;
            for link in attr_values(&html, "href")
                .into_iter()
                .chain(attr_values(&html, "src"))
            {
                checked += 1;
                if link.starts_with("https://example.com/") || link.starts_with("data:") {
                    continue; // the original article's address; the inline favicon
                }
                if link.contains("://") {
                    assert!(
                        link.starts_with("https://example.org/sub/"),
                        "{}: {link}",
                        file.display()
                    );
                } else if let Some(abs) = link.strip_prefix('/') {
                    assert!(abs.starts_with("sub/"), "{}: {link}", file.display());
                } else {
                    let ups = link.matches("../").count();
                    assert!(
                        ups <= depth,
                        "{}: {link} climbs above the site",
                        file.display()
                    );
                }
            }
        }
        assert!(checked > 50);
        let not_found = read(out.join("404.html"));
        assert!(
            not_found.contains("href=\"/sub/style.css\""),
            "404 loads assets from any depth"
        );
        let problems = onrecord::check::check_links(&out, "https://example.org/sub/").unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn check_finds_a_broken_link() {
        let site = copy_fixture("basic");
        fs::create_dir_all(site.path().join("templates")).unwrap();
        let base = read(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/404.html"));
        fs::write(
            site.path().join("templates/404.html"),
            base.replace("{% block content %}", "{% block content %}<a href=\"{{ root }}nowhere/\">x</a><a href=\"{{ root }}speakers/#nope\">y</a>"),
        )
        .unwrap();
        let out = onrecord(site.path())
            .arg("check")
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(out).unwrap();
        assert!(err.contains("404.html"), "{err}");
        assert!(err.contains("no such page (nowhere/index.html)"), "{err}");
        assert!(err.contains("no element with id `nope`"), "{err}");
    }
}

// Error messages for bad content, templates and settings: the catalogue in bad_input.rs.

mod output {
    use super::*;

    #[test]
    fn stale_pages_are_removed() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        assert!(site
            .path()
            .join("public/statements/official-view/index.html")
            .exists());
        let p = site.path().join("content/articles/peskov-denies.md");
        let text = read(&p);
        let cut = text.find("  - id: official-view").unwrap();
        let rest = &text[cut..];
        let end = rest.find("---").unwrap();
        fs::write(&p, format!("{}{}", &text[..cut], &rest[end..])).unwrap();
        build_ok(site.path());
        assert!(!site
            .path()
            .join("public/statements/official-view/index.html")
            .exists());
    }

    #[test]
    fn archive_templates_override_builtins_and_missing_ones_fall_back() {
        let site = copy_fixture("basic");
        fs::create_dir_all(site.path().join("templates")).unwrap();
        fs::write(
            site.path().join("templates/timeline.html"),
            "{% extends \"base.html\" %}{% block content %}<h1>Custom timeline</h1>{% endblock content %}",
        )
        .unwrap();
        build_ok(site.path());
        assert!(read(site.path().join("public/timeline/index.html")).contains("Custom timeline"));
        assert!(read(site.path().join("public/speakers/index.html")).contains("Dmitry Peskov"));
    }

    #[test]
    fn third_party_text_is_escaped() {
        let site = copy_fixture("basic");
        let p = site.path().join("content/articles/ryabkov-confirms.md");
        let text = read(&p)
            .replace(
                "title: Ministry Confirms Contacts",
                "title: \"<script>alert('t')</script>\"",
            )
            .replace(
                "Deputy Foreign Minister",
                "<img src=x onerror=alert(1)> Deputy Foreign Minister",
            );
        fs::write(&p, text).unwrap();
        build_ok(site.path());
        for file in html_files(&site.path().join("public")) {
            let html = read(&file);
            assert!(!html.contains("<script>alert"), "{}", file.display());
            assert!(!html.contains("<img src=x onerror"), "{}", file.display());
        }
    }
}

mod code {
    use super::*;

    #[test]
    fn code_blocks_get_highlighting_classes_and_their_style_sheet() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        let out = site.path().join("public");
        let page = read(out.join("articles/ryabkov-confirms/index.html"));
        assert!(page.contains("<pre class=\"code\">"), "{page}");
        assert!(page.contains("class=\"hl-"), "{page}");
        assert!(page.contains("href=\"../../syntax.css\""));
        assert!(read(out.join("syntax.css")).contains(".hl-"));
        // Pages without code do not load it.
        assert!(!read(out.join("articles/peskov-denies/index.html")).contains("syntax.css"));
    }
}

mod init {
    use super::*;

    #[test]
    fn init_writes_an_archive_that_builds_under_a_subpath() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new");
        Command::cargo_bin("onrecord")
            .unwrap()
            .arg("init")
            .arg(&dir)
            .assert()
            .success();
        for f in [
            "site.toml",
            "templates/article.html",
            "static/style.css",
            ".github/workflows/pages.yml",
        ] {
            assert!(dir.join(f).is_file(), "{f}");
        }
        let workflow = read(dir.join(".github/workflows/pages.yml"));
        // Valid YAML, with the official Pages actions in the right jobs.
        let parsed: serde_json::Value = serde_saphyr::from_str(&workflow).unwrap();
        let uses = |job: &str| -> Vec<String> {
            parsed["jobs"][job]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["uses"].as_str().map(str::to_string))
                .collect()
        };
        assert!(uses("build")
            .iter()
            .any(|u| u.starts_with("actions/upload-pages-artifact@")));
        assert!(uses("deploy")
            .iter()
            .any(|u| u.starts_with("actions/deploy-pages@")));
        assert_eq!(parsed["permissions"]["pages"], "write");
        assert!(
            workflow.contains("actions/upload-pages-artifact@")
                && workflow.contains("actions/deploy-pages@")
        );
        onrecord(&dir)
            .args(["build", "--base-url", "https://u.github.io/x/"])
            .assert()
            .success();
        let problems =
            onrecord::check::check_links(&dir.join("public"), "https://u.github.io/x/").unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        // A second init into the same, now non-empty, folder is refused.
        Command::cargo_bin("onrecord")
            .unwrap()
            .arg("init")
            .arg(&dir)
            .assert()
            .failure();
    }
}

mod example_archive {
    use super::*;

    /// A copy of the repository's own archive (site.toml and content/) in a temp dir.
    fn copy_example() -> tempfile::TempDir {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let tmp = tempfile::tempdir().unwrap();
        fs::copy(repo.join("site.toml"), tmp.path().join("site.toml")).unwrap();
        copy_dir(&repo.join("content"), &tmp.path().join("content"));
        tmp
    }

    fn article_with(root: &Path, needle: &str) -> onrecord::content::Article {
        for entry in fs::read_dir(root.join("content/articles")).unwrap() {
            let path = entry.unwrap().path();
            let text = read(&path);
            if text.contains(needle) {
                return onrecord::content::parse_document(&path, &text).unwrap();
            }
        }
        panic!("no article contains {needle}");
    }

    const DENIAL: &str = "dmitry-peskov-2016-11-14-trump-still-hasnt-taken-office";

    #[test]
    fn articles_are_what_import_makes_of_the_sources() {
        let site = copy_example();
        let before: Vec<(PathBuf, String)> = fs::read_dir(site.path().join("content/articles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.clone(), read(&p)))
            .collect();
        // Every article came from a source, and importing again changes nothing.
        let out = onrecord(site.path())
            .arg("import")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("0 new, 0 updated, 5 unchanged"));
        for (path, text) in &before {
            assert!(text.contains("\nsource:\n  file: "), "{}", path.display());
            assert_eq!(&read(path), text, "{} changed", path.display());
        }
    }

    #[test]
    fn articles_match_a_fresh_import_but_for_the_editors_annotations() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let fresh = tempfile::tempdir().unwrap();
        fs::copy(repo.join("site.toml"), fresh.path().join("site.toml")).unwrap();
        copy_dir(
            &repo.join("content/sources"),
            &fresh.path().join("content/sources"),
        );
        onrecord(fresh.path()).arg("import").assert().success();
        let parse = |path: &Path| {
            onrecord::content::parse_document::<onrecord::content::ArticleMeta>(path, &read(path))
                .unwrap()
        };
        let mut compared = 0;
        for entry in fs::read_dir(repo.join("content/articles")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            let ours = parse(&path);
            let made = parse(&fresh.path().join("content/articles").join(name));
            assert_eq!(ours.body, made.body, "{name:?}: body");
            assert_eq!(ours.meta.title, made.meta.title, "{name:?}: title");
            assert_eq!(ours.meta.date, made.meta.date, "{name:?}: date");
            assert_eq!(ours.meta.speakers, made.meta.speakers, "{name:?}: speakers");
            // Statements are import's, word for word; only note and relations are the editor's.
            let strip = |a: &onrecord::content::Article| -> Vec<_> {
                a.meta
                    .statements
                    .iter()
                    .map(|s| {
                        (
                            s.id.clone(),
                            s.speaker.clone(),
                            s.kind,
                            s.verb.clone(),
                            s.said_on,
                            s.text.clone(),
                        )
                    })
                    .collect()
            };
            assert_eq!(strip(&ours), strip(&made), "{name:?}: statements");
            compared += 1;
        }
        assert_eq!(compared, 5);
    }

    #[test]
    fn annotations_survive_a_reimport_of_a_changed_source() {
        let site = copy_example();
        let before = article_with(site.path(), DENIAL);
        let denial = before
            .meta
            .statements
            .iter()
            .find(|s| s.id == DENIAL)
            .unwrap()
            .clone();
        assert!(denial.note.is_some() && !denial.relations.is_empty());
        // The publisher corrected the article: a new paragraph at the end.
        let source = site
            .path()
            .join("content/sources")
            .join(&before.meta.source.as_ref().unwrap().file);
        let mut text = read(&source);
        text = text.replacen(
            "Now it appears that Peskov has fully backtracked on Ryabkov's earlier statements.",
            "Now it appears that Peskov has fully backtracked on Ryabkov's earlier statements.\n\n\"We have nothing to add,\" Peskov said on Tuesday.",
            1,
        );
        fs::write(&source, text).unwrap();
        let out = onrecord(site.path())
            .arg("import")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert!(String::from_utf8(out).unwrap().contains("1 updated"));
        let after = article_with(site.path(), DENIAL);
        assert_eq!(after.path, before.path, "the slug (file name) is permanent");
        let kept = after
            .meta
            .statements
            .iter()
            .find(|s| s.id == DENIAL)
            .expect("id kept");
        assert_eq!(kept, &denial, "the annotated statement is kept exactly");
        for old in &before.meta.statements {
            assert!(
                after.meta.statements.iter().any(|s| s.id == old.id),
                "lost {}",
                old.id
            );
        }
        assert!(after
            .meta
            .statements
            .iter()
            .any(|s| s.text == "We have nothing to add"));
        onrecord(site.path()).arg("check").assert().success();
    }
}

mod publish {
    use super::*;

    fn built(base_url: &str) -> (tempfile::TempDir, PathBuf) {
        let site = copy_fixture("basic");
        let out = site.path().join("out");
        onrecord(site.path())
            .args(["build", "--no-import", "--base-url", base_url, "--output"])
            .arg(&out)
            .assert()
            .success();
        (site, out)
    }

    /// Every element and attribute of an XML file parses; returns the text of every <loc>/<id>.
    fn xml_texts(path: &Path, tag: &[u8]) -> Vec<String> {
        let text = read(path);
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut found = Vec::new();
        let mut inside = false;
        loop {
            match reader
                .read_event()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            {
                quick_xml::events::Event::Start(e) => inside = e.name().as_ref() == tag,
                quick_xml::events::Event::Text(t) if inside => {
                    found.push(t.decode().unwrap().into_owned())
                }
                quick_xml::events::Event::End(_) => inside = false,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        found
    }

    #[test]
    fn feed_and_sitemap_are_xml_with_absolute_urls_under_the_base_path() {
        let (_site, out) = built("https://u.github.io/x/");
        let feed = atom_syndication::Feed::read_from(std::io::BufReader::new(
            fs::File::open(out.join("feed.xml")).unwrap(),
        ))
        .unwrap();
        assert!(feed.entries().len() >= 4, "statements and articles");
        for e in feed.entries() {
            assert!(
                e.links()[0].href().starts_with("https://u.github.io/x/"),
                "{}",
                e.links()[0].href()
            );
        }
        let locs = xml_texts(&out.join("sitemap.xml"), b"loc");
        assert!(
            locs.contains(&"https://u.github.io/x/statements/peskov-no-contact/".to_string()),
            "{locs:?}"
        );
        assert!(locs.iter().all(|l| l.starts_with("https://u.github.io/x/")));
        assert!(read(out.join("robots.txt")).contains("Sitemap: https://u.github.io/x/sitemap.xml"));
    }

    #[test]
    fn statement_page_metadata_shows_speaker_and_words() {
        let (_site, out) = built("https://u.github.io/x/");
        let page = read(out.join("statements/peskov-no-contact/index.html"));
        assert!(page.contains("<meta property=\"og:title\" content=\"Dmitry Peskov: “There were no contacts with the campaign before the election”\">"), "{page}");
        assert!(page.contains(
            "<link rel=\"canonical\" href=\"https://u.github.io/x/statements/peskov-no-contact/\">"
        ));
        let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
        let end = start + page[start..].find("</script>").unwrap();
        let ld: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(ld["@type"], "Quotation");
        assert_eq!(ld["creator"]["name"], "Dmitry Peskov");
        assert_eq!(
            ld["text"],
            "There were no contacts with the campaign before the election"
        );
        assert_eq!(ld["dateCreated"], "2016-11-14");
        assert_eq!(ld["isPartOf"]["@type"], "NewsArticle");
        assert_eq!(ld["citation"], "https://example.com/news/peskov-denies");
        // The paragraph the words come from, with the words marked.
        assert!(page.contains("before the election<a class=\"statement-link\""));
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let site = copy_fixture("basic");
        edit(
            site.path(),
            "content/articles/ryabkov-confirms.md",
            "title: Ministry Confirms Contacts",
            "title: \"</script><script>alert(1)</script>\"",
        );
        build_ok(site.path());
        let page = read(
            site.path()
                .join("public/statements/ryabkov-had-contacts/index.html"),
        );
        assert!(!page.contains("</script><script>alert(1)"), "{page}");
        assert!(page.contains("\\u003c/script\\u003e"));
    }

    #[test]
    fn statements_as_data() {
        let (_site, out) = built("https://example.org/");
        let json: serde_json::Value =
            serde_json::from_str(&read(out.join("data/statements.json"))).unwrap();
        let rows = json.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        let peskov = rows
            .iter()
            .find(|r| r["id"] == "peskov-no-contact")
            .unwrap();
        assert_eq!(peskov["speaker"], "Dmitry Peskov");
        assert_eq!(peskov["role"], "Kremlin spokesman");
        assert_eq!(
            peskov["article_url"],
            "https://example.org/articles/peskov-denies/#peskov-no-contact"
        );
        let csv = read(out.join("data/statements.csv"));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("id,speaker,speaker_id,role,said_on,kind,verb,text,"));
        assert!(csv.contains("\"peskov-no-contact\",\"Dmitry Peskov\""));
    }

    #[test]
    fn an_old_statement_id_redirects_to_the_new_one() {
        let site = copy_fixture("basic");
        edit(
            site.path(),
            "content/articles/ryabkov-confirms.md",
            "    text: Russia had contacts",
            "    aliases: [ryabkov-old-id]\n    text: Russia had contacts",
        );
        build_ok(site.path());
        let page = read(
            site.path()
                .join("public/statements/ryabkov-old-id/index.html"),
        );
        assert!(
            page.contains("url=../../statements/ryabkov-had-contacts/"),
            "{page}"
        );
        onrecord(site.path()).arg("check").assert().success();
    }
}

mod settings {
    use super::*;

    #[test]
    fn without_statement_pages_every_link_still_resolves() {
        let site = copy_fixture("basic");
        set(site.path(), "statement_pages = false");
        build_ok(site.path());
        assert!(!site.path().join("public/statements").exists());
        let speaker = read(site.path().join("public/speakers/dmitry-peskov/index.html"));
        assert!(
            !speaker.contains("statements/"),
            "no links to statement pages"
        );
        onrecord(site.path()).arg("check").assert().success();
        let csv = read(site.path().join("public/data/statements.csv"));
        assert!(csv.contains("\"https://example.org/articles/peskov-denies/#peskov-no-contact\",\"https://example.org/articles/peskov-denies/#peskov-no-contact\""));
    }

    #[test]
    fn a_relation_to_a_former_id_still_links() {
        let site = copy_fixture("basic");
        edit(
            site.path(),
            "content/articles/ryabkov-confirms.md",
            "    text: Russia had contacts",
            "    aliases: [ryabkov-old-id]\n    text: Russia had contacts",
        );
        edit(
            site.path(),
            "content/articles/peskov-denies.md",
            "contradicts: ryabkov-had-contacts",
            "contradicts: ryabkov-old-id",
        );
        build_ok(site.path());
        let article = read(site.path().join("public/articles/peskov-denies/index.html"));
        assert!(
            article.contains(
                "Contradicts <a href=\"../../articles/ryabkov-confirms/#ryabkov-had-contacts\""
            ),
            "{article}"
        );
        let speaker = read(site.path().join("public/speakers/dmitry-peskov/index.html"));
        assert!(speaker.contains("statements/ryabkov-had-contacts/"));
    }
}

mod pagination {
    use super::*;

    #[test]
    fn long_timeline_is_split_into_linked_pages() {
        let site = copy_fixture("basic");
        let n = onrecord::render::PAGE_SIZE + 20;
        let mut text = String::from("---\ntitle: Many\ndate: 2020-01-01\nspeakers:\n  - id: dmitry-peskov\n    name: Dmitry Peskov\nstatements:\n");
        let mut body = String::new();
        for i in 0..n {
            text.push_str(&format!("  - id: many-{i}\n    speaker: dmitry-peskov\n    kind: direct\n    verb: said\n    text: Statement number {i} here\n"));
            body.push_str(&format!("\"Statement number {i} here,\" he said.\n\n"));
        }
        fs::write(
            site.path().join("content/articles/many.md"),
            format!("{text}---\n{body}"),
        )
        .unwrap();
        // Statement pages are not what this test is about; they only cost time.
        set(site.path(), "statement_pages = false");
        build_ok(site.path());
        let out = site.path().join("public");
        let first = read(out.join("timeline/index.html"));
        let second = read(out.join("timeline/page/2/index.html"));
        assert!(
            first.contains("href=\"../timeline/page/2/\""),
            "link to page 2"
        );
        assert!(
            second.contains("href=\"../../../timeline/\""),
            "link back to page 1"
        );
        let total =
            first.matches("class=\"entry ").count() + second.matches("class=\"entry ").count();
        assert_eq!(total, n + 3, "every statement on exactly one page");
        onrecord(site.path()).arg("check").assert().success();
    }
}

mod share_and_search {
    use super::*;

    #[test]
    fn share_cards_are_written_and_referenced_when_turned_on() {
        let site = copy_fixture("basic");
        set(site.path(), "share_images = true");
        build_ok(site.path());
        let png = fs::read(
            site.path()
                .join("public/statements/peskov-no-contact/share.png"),
        )
        .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let page = read(
            site.path()
                .join("public/statements/peskov-no-contact/index.html"),
        );
        assert!(page.contains("<meta property=\"og:image\" content=\"https://example.org/statements/peskov-no-contact/share.png\">"));
        assert!(
            site.path().join(".onrecord-cache/share").is_dir(),
            "cards are cached between builds"
        );
    }

    #[test]
    fn search_can_be_turned_off() {
        let site = copy_fixture("basic");
        build_ok(site.path());
        assert!(site.path().join("public/search-index").is_dir());
        assert!(read(site.path().join("public/index.html")).contains("role=\"search\""));
        set(site.path(), "search = false");
        build_ok(site.path());
        assert!(!site.path().join("public/search-index").exists());
        assert!(!site.path().join("public/search").exists());
        assert!(!read(site.path().join("public/index.html")).contains("role=\"search\""));
        onrecord(site.path()).arg("check").assert().success();
    }
}
