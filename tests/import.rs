//! Integration tests of `onrecord import` on small fixture archives.

use std::fs;
use std::path::{Path, PathBuf};

use onrecord::content::{parse_document, ArticleMeta};
use onrecord::import::{run, ImportOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A fresh archive with the given source files copied into content/sources/.
fn archive(sources: &[PathBuf]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("content/sources");
    fs::create_dir_all(&src).unwrap();
    for s in sources {
        fs::copy(s, src.join(s.file_name().unwrap())).unwrap();
    }
    fs::write(
        dir.path().join("site.toml"),
        "title = \"t\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    dir
}

fn articles(root: &Path) -> Vec<(PathBuf, ArticleMeta, String)> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(root.join("content/articles")) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        let text = fs::read_to_string(&p).unwrap();
        let doc = parse_document::<ArticleMeta>(&p, &text).unwrap();
        out.push((p, doc.meta, doc.body));
    }
    out
}

/// Imports the seed articles into $ONRECORD_SEED_OUT (for the scorer); ignored by default.
#[test]
#[ignore]
fn seeds_for_scoring() {
    let out = std::env::var("ONRECORD_SEED_OUT").expect("set ONRECORD_SEED_OUT");
    let seeds: Vec<PathBuf> = fs::read_dir("/work/shared/seeds")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let dir = archive(&seeds);
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    assert_eq!(report.created.len(), seeds.len());
    let out = Path::new(&out);
    let _ = fs::remove_dir_all(out);
    fs::create_dir_all(out).unwrap();
    for (p, _, _) in articles(dir.path()) {
        fs::copy(&p, out.join(p.file_name().unwrap())).unwrap();
    }
    for e in fs::read_dir(dir.path().join("content/speakers")).unwrap() {
        let p = e.unwrap().path();
        fs::create_dir_all(out.join("speakers")).unwrap();
        fs::copy(&p, out.join("speakers").join(p.file_name().unwrap())).unwrap();
    }
}

/// Prints what import makes of one fixture (`FIXTURE=name cargo test --test import show -- --ignored --nocapture`).
#[test]
#[ignore]
fn show() {
    let name = std::env::var("FIXTURE").expect("set FIXTURE");
    let dir = archive(&[fixture(&name)]);
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    println!("{report:?}");
    for (p, _, _) in articles(dir.path()) {
        println!("{}", fs::read_to_string(p).unwrap());
    }
}

fn import_one(name: &str, opts: &ImportOptions) -> (tempfile::TempDir, ArticleMeta, String) {
    let dir = archive(&[fixture(name)]);
    run(dir.path(), opts).unwrap();
    let mut all = articles(dir.path());
    assert_eq!(all.len(), 1, "one article for {name}");
    let (_, meta, body) = all.remove(0);
    (dir, meta, body)
}

/// (speaker id, kind, text) of every statement.
fn statements(meta: &ArticleMeta) -> Vec<(String, &'static str, String)> {
    meta.statements
        .iter()
        .map(|s| (s.speaker.clone(), s.kind.as_str(), s.text.clone()))
        .collect()
}

fn has(meta: &ArticleMeta, speaker: &str, kind: &str, text: &str) -> bool {
    statements(meta)
        .iter()
        .any(|(s, k, t)| s == speaker && *k == kind && t == text)
}

fn assert_texts_in_body(meta: &ArticleMeta, body: &str) {
    for s in &meta.statements {
        assert!(body.contains(&s.text), "statement {:?} not in body", s.text);
    }
}

#[test]
fn reuters_wire_story() {
    let (_dir, meta, body) = import_one("reuters_wire.txt", &ImportOptions::default());
    assert_eq!(
        meta.title,
        "Kremlin says no plans for Putin-Trump call this week"
    );
    assert_eq!(meta.publication.as_deref(), Some("Reuters"));
    assert_eq!(meta.authors, vec!["Andrew Osborn", "Maria Tsvetkova"]);
    assert!(
        body.starts_with("The Kremlin said on Tuesday there were no concrete plans"),
        "{body}"
    );
    assert!(
        body.trim_end()
            .ends_with("\"Nobody expects a breakthrough,\" the diplomat said."),
        "{body}"
    );
    for gone in [
        "Advertisement",
        "Reporting by",
        "Our Standards",
        "MOSCOW (Reuters)",
    ] {
        assert!(!body.contains(gone), "{gone} left in body");
    }
    assert!(has(
        &meta,
        "dmitry-peskov",
        "direct",
        "There are no such plans yet"
    ));
    assert!(has(
        &meta,
        "dmitry-peskov",
        "direct",
        "We are open, but the ball is in Washington's court"
    ));
    assert!(has(
        &meta,
        "dmitry-peskov",
        "reported",
        "Moscow was ready for dialogue but would not make concessions on Ukraine"
    ));
    assert!(has(
        &meta,
        "anonymous-senior-western-diplomat",
        "direct",
        "Nobody expects a breakthrough"
    ));
    let peskov = meta
        .speakers
        .iter()
        .find(|s| s.id == "dmitry-peskov")
        .unwrap();
    assert_eq!(peskov.role.as_deref(), Some("Kremlin spokesman"));
    assert_texts_in_body(&meta, &body);
}

#[test]
fn tass_story_with_widgets() {
    let (_dir, meta, body) = import_one("tass.txt", &ImportOptions::default());
    assert_eq!(meta.publication.as_deref(), Some("TASS"));
    assert!(
        body.starts_with("Russia is ready to work with any US administration"),
        "{body}"
    );
    assert!(
        !body.contains("Share this article") && !body.contains("Read also"),
        "{body}"
    );
    assert!(has(
        &meta,
        "sergei-lavrov",
        "reported",
        "Russia is ready to work with any US administration"
    ));
    // "the minister" is Lavrov, named in the sentence before.
    assert!(has(
        &meta,
        "sergei-lavrov",
        "direct",
        "We will judge the new administration by its deeds"
    ));
    assert!(has(
        &meta,
        "sergei-lavrov",
        "reported",
        "Moscow has not received any proposals on a meeting yet"
    ));
    assert!(has(
        &meta,
        "dmitry-peskov",
        "direct",
        "The president has sent a congratulatory telegram"
    ));
    assert_eq!(meta.date, None, "a dateline without a year gives no date");
}

#[test]
fn hard_wrapped_ap_story() {
    let (_dir, meta, body) = import_one("ap_hardwrapped.txt", &ImportOptions::default());
    assert_eq!(meta.publication.as_deref(), Some("Associated Press"));
    assert_eq!(meta.authors, vec!["John Doe", "Jane Roe"]);
    assert!(
        body.starts_with("Russian drones struck a power plant in western Ukraine overnight,"),
        "{body}"
    );
    assert!(
        !body.contains("Advertisement") && !body.contains("contributed to this report"),
        "{body}"
    );
    assert!(has(
        &meta,
        "herman-halushchenko",
        "direct",
        "Repair crews are already working at the site."
    ));
    // A quotation running over two paragraphs belongs to the speaker named at its end.
    assert!(meta
        .statements
        .iter()
        .any(|s| s.speaker == "maksym-kozytskyi" && s.text.starts_with("We will restore power")));
    assert!(has(
        &meta,
        "maksym-kozytskyi",
        "direct",
        "Please stay in shelters until the all-clear"
    ));
    assert_texts_in_body(&meta, &body);
}

#[test]
fn article_without_quotes_has_no_statements() {
    let (_dir, meta, body) = import_one("no_quotes.txt", &ImportOptions::default());
    assert_eq!(
        meta.title,
        "Explainer: How Russia's gas exports changed in a decade"
    );
    assert!(meta.statements.is_empty() && meta.speakers.is_empty());
    assert!(body
        .trim_end()
        .ends_with("well above their long-term average."));
}

#[test]
fn single_quotation_marks() {
    let (_dir, meta, _) = import_one("single_quotes.txt", &ImportOptions::default());
    assert!(meta
        .statements
        .iter()
        .any(|s| s.text == "These accusations are absolutely groundless"
            && s.kind.as_str() == "direct"));
    // "officials’ comments" is a possessive, not a closing quotation mark.
    assert!(meta
        .statements
        .iter()
        .all(|s| !s.text.contains("comments came")));
}

#[test]
fn windows_1252_is_converted_with_a_warning() {
    let dir = archive(&[fixture("windows1252.txt")]);
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].message.contains("Windows-1252"));
    let (_, meta, body) = articles(dir.path()).remove(0);
    assert!(body.contains("Café Pushkin"), "{body}");
    assert!(has(
        &meta,
        "dmitry-peskov",
        "direct",
        "This is a fabrication from start to finish"
    ));
}

#[test]
fn empty_and_binary_files_are_errors_naming_the_file() {
    for name in ["empty.txt", "binary.txt"] {
        let dir = archive(&[fixture(name)]);
        let err = run(dir.path(), &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(name), "{err}");
        assert!(
            !dir.path().join("content/articles").exists(),
            "nothing written"
        );
    }
}

#[test]
fn flags_give_date_and_resolve_weekdays() {
    let opts = ImportOptions {
        paths: vec![PathBuf::from("reuters_wire.txt")],
        date: Some(jiff::civil::date(2025, 3, 5)), // a Wednesday
        url: Some("https://example.org/story".into()),
        ..ImportOptions::default()
    };
    let (dir, meta, _) = import_one("reuters_wire.txt", &opts);
    assert_eq!(meta.date, Some(jiff::civil::date(2025, 3, 5)));
    assert_eq!(meta.date_source, Some(onrecord::content::DateSource::Flag));
    assert_eq!(meta.url.as_deref(), Some("https://example.org/story"));
    let kremlin = meta
        .statements
        .iter()
        .find(|s| s.speaker == "kremlin")
        .unwrap();
    assert_eq!(
        kremlin.said_on,
        Some(jiff::civil::date(2025, 3, 4)),
        "on Tuesday"
    );
    assert!(
        kremlin.id.starts_with("kremlin-2025-03-04-"),
        "{}",
        kremlin.id
    );
    let (path, _, _) = articles(dir.path()).remove(0);
    assert!(path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("2025-03-05-kremlin-says-no-plans"));
}

#[test]
fn metadata_file_describes_many_sources() {
    let dir = archive(&[fixture("tass.txt"), fixture("no_quotes.txt")]);
    fs::write(
        dir.path().join("content/sources/metadata.toml"),
        "[\"tass.txt\"]\npublication = \"TASS\"\ndate = 2016-11-10\nurl = \"https://tass.com/x\"\n",
    )
    .unwrap();
    run(dir.path(), &ImportOptions::default()).unwrap();
    let all = articles(dir.path());
    let tass = all
        .iter()
        .find(|(_, m, _)| m.publication.as_deref() == Some("TASS"))
        .unwrap();
    assert_eq!(tass.1.date, Some(jiff::civil::date(2016, 11, 10)));
    assert_eq!(
        tass.1.date_source,
        Some(onrecord::content::DateSource::Manifest)
    );
    let lavrov = tass
        .1
        .statements
        .iter()
        .find(|s| s.speaker == "sergei-lavrov")
        .unwrap();
    assert_eq!(
        lavrov.said_on,
        Some(jiff::civil::date(2016, 11, 10)),
        "on Thursday, the day of publication"
    );
    fs::write(
        dir.path().join("content/sources/metadata.toml"),
        "[\"tass.txt\"]\npublished = 2016-11-10\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("content/sources/new.txt"),
        "Headline Here\n\nSome text of the article that is long enough.\n",
    )
    .unwrap();
    let err = run(dir.path(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("metadata.toml:2:1") && err.contains("published"),
        "{err}"
    );
}

#[test]
fn unchanged_source_is_not_imported_again() {
    let dir = archive(&[fixture("tass.txt")]);
    run(dir.path(), &ImportOptions::default()).unwrap();
    let (path, _, _) = articles(dir.path()).remove(0);
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    assert_eq!(
        (report.created.len(), report.updated.len(), report.unchanged),
        (0, 0, 1)
    );
    let named = ImportOptions {
        paths: vec![PathBuf::from("content/sources/tass.txt")],
        ..ImportOptions::default()
    };
    assert_eq!(run(dir.path(), &named).unwrap().unchanged, 1);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
}

#[test]
fn dry_run_writes_nothing() {
    let dir = archive(&[fixture("tass.txt")]);
    let opts = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = run(dir.path(), &opts).unwrap();
    assert_eq!(report.created.len(), 1);
    assert!(report
        .planned
        .iter()
        .any(|f| f.text.contains("sergei-lavrov")));
    assert!(!dir.path().join("content/articles").exists());
    assert!(!dir.path().join("content/speakers").exists());
}

#[test]
fn speakers_are_shared_through_the_registry() {
    let dir = archive(&[fixture("tass.txt"), fixture("reuters_wire.txt")]);
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    let peskov: Vec<_> = report
        .new_speakers
        .iter()
        .filter(|p| p.ends_with("dmitry-peskov.md"))
        .collect();
    assert_eq!(peskov.len(), 1);
    let text = fs::read_to_string(dir.path().join("content/speakers/dmitry-peskov.md")).unwrap();
    let doc =
        parse_document::<onrecord::content::SpeakerMeta>(Path::new("dmitry-peskov.md"), &text)
            .unwrap();
    assert_eq!(doc.meta.aliases, vec!["Peskov"]);
    // A later article naming only "Peskov" finds him in the registry.
    fs::write(
        dir.path().join("content/sources/later.txt"),
        "Kremlin Comments Again\n\n\"We have nothing to add,\" Peskov said on a call with reporters.\n",
    )
    .unwrap();
    run(dir.path(), &ImportOptions::default()).unwrap();
    let later = articles(dir.path())
        .into_iter()
        .find(|(_, m, _)| m.title == "Kremlin Comments Again")
        .unwrap();
    assert_eq!(later.1.speakers[0].id, "dmitry-peskov");
    assert_eq!(later.1.speakers[0].name, "Dmitry Peskov");
}

#[test]
fn changed_source_keeps_ids_notes_and_edits() {
    let dir = archive(&[fixture("reuters_wire.txt")]);
    run(dir.path(), &ImportOptions::default()).unwrap();
    let (path, _, _) = articles(dir.path()).remove(0);
    // An editor annotates a statement and retitles the article.
    let text = fs::read_to_string(&path).unwrap();
    let text = text
        .replacen("title: Kremlin says no plans for Putin-Trump call this week", "title: Edited title", 1)
        .replacen(
            "  text: There are no such plans yet\n  note: null",
            "  text: There are no such plans yet\n  note: Repeated the next day.\n  relations:\n  - repeats: dmitry-peskov-undated-we-are-open-but-the",
            1,
        );
    fs::write(&path, &text).unwrap();
    let old = articles(dir.path()).remove(0).1;
    // The source changes: one paragraph more.
    let src = dir.path().join("content/sources/reuters_wire.txt");
    let changed = fs::read_to_string(&src).unwrap().replace(
        "Advertisement\n",
        "Advertisement\n\nUkraine's Foreign Ministry said it expected no results from any call.\n",
    );
    fs::write(&src, changed).unwrap();
    let report = run(dir.path(), &ImportOptions::default()).unwrap();
    assert_eq!(report.updated, vec![path.clone()]);
    let new = articles(dir.path()).remove(0).1;
    assert_eq!(new.title, "Edited title");
    for s in &old.statements {
        let kept = new
            .statements
            .iter()
            .find(|n| n.id == s.id)
            .unwrap_or_else(|| panic!("lost {}", s.id));
        assert_eq!(kept, s);
    }
    assert!(new.statements.len() > old.statements.len());
    assert!(new
        .statements
        .iter()
        .any(|s| s.text.contains("expected no results")));
}

#[test]
fn changed_source_that_loses_an_annotated_statement_is_refused() {
    let dir = archive(&[fixture("tass.txt")]);
    run(dir.path(), &ImportOptions::default()).unwrap();
    let (path, _, _) = articles(dir.path()).remove(0);
    let text = fs::read_to_string(&path).unwrap().replacen(
        "  text: We will judge the new administration by its deeds\n  note: null",
        "  text: We will judge the new administration by its deeds\n  note: Important.",
        1,
    );
    fs::write(&path, &text).unwrap();
    let src = dir.path().join("content/sources/tass.txt");
    let changed = fs::read_to_string(&src).unwrap().replace(
        "\"We will judge the new administration by its deeds,\" the minister",
        "The minister",
    );
    fs::write(&src, changed).unwrap();
    let err = run(dir.path(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sergei-lavrov-undated-we-will-judge-the-new"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text,
        "article untouched"
    );
}
