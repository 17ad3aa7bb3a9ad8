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

/// Imports the seed articles (the example archive's sources) into $ONRECORD_SEED_OUT,
/// without their metadata, for a scorer; ignored by default.
#[test]
#[ignore]
fn seeds_for_scoring() {
    let out = std::env::var("ONRECORD_SEED_OUT").expect("set ONRECORD_SEED_OUT");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/sources");
    let seeds: Vec<PathBuf> = fs::read_dir(sources)
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

/// Every statement is found in the body by the build's own locator (the rendered text of
/// the Markdown, not its source).
fn assert_texts_in_body(meta: &ArticleMeta, body: &str) {
    let marks: Vec<onrecord::markdown::Mark> = meta
        .statements
        .iter()
        .map(|s| onrecord::markdown::Mark {
            id: &s.id,
            speaker: &s.speaker,
            kind: s.kind,
            text: &s.text,
            annotation_html: None,
        })
        .collect();
    let missing = onrecord::markdown::render_body(body, &marks).missing;
    assert!(
        missing.is_empty(),
        "statements not in body: {:?}",
        missing
            .iter()
            .map(|&i| &meta.statements[i].text)
            .collect::<Vec<_>>()
    );
}

/// The archive at `root` loads as the build loads it (every statement located, every
/// speaker known, ids unique).
fn assert_archive_loads(root: &Path) {
    let config = onrecord::config::SiteConfig::load(root).unwrap();
    if let Err(e) = onrecord::archive::load(config) {
        panic!("the build rejects the import: {e}");
    }
}

/// An archive with one source `name` holding `text`, imported.
fn import_text(name: &str, text: &str) -> (tempfile::TempDir, PathBuf, ArticleMeta, String) {
    let dir = archive(&[]);
    fs::write(dir.path().join("content/sources").join(name), text).unwrap();
    run(dir.path(), &ImportOptions::default()).unwrap();
    assert_archive_loads(dir.path());
    let (path, meta, body) = articles(dir.path()).remove(0);
    assert_texts_in_body(&meta, &body);
    (dir, path, meta, body)
}

fn speaker_of<'a>(meta: &'a ArticleMeta, text: &str) -> Option<&'a str> {
    meta.statements
        .iter()
        .find(|s| s.text == text)
        .map(|s| s.speaker.as_str())
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

#[test]
fn explicit_attribution_is_never_filled_from_context() {
    let (_dir, _, meta, _) = import_text(
        "wire.txt",
        "Talks stall again\n\nKremlin spokesman Dmitry Peskov said on Monday that the talks had stalled.\n\n\"We are ready to walk away,\" Trump said on Tuesday.\n\n\"Nobody wants that,\" Zelensky told reporters in Kyiv.\n",
    );
    assert_eq!(
        speaker_of(&meta, "the talks had stalled"),
        Some("dmitry-peskov")
    );
    assert_eq!(
        speaker_of(&meta, "We are ready to walk away"),
        Some("trump")
    );
    assert_eq!(speaker_of(&meta, "Nobody wants that"), Some("zelensky"));
    // A full name given earlier names the speaker.
    let (_dir, _, meta, _) = import_text(
        "paper.txt",
        "Trump weighs in\n\nU.S. President Donald Trump met his advisers on Monday in Washington.\n\n\"We are ready to walk away,\" Trump said on Tuesday.\n",
    );
    assert_eq!(
        speaker_of(&meta, "We are ready to walk away"),
        Some("donald-trump")
    );
    let (_dir, _, meta, _) = import_text(
        "kremlin.txt",
        "Kremlin rejects claims\n\nThe Kremlin on Friday rejected the claims outright, officials in Moscow said in a statement.\n\n\"We will never agree to this,\" Peskov said on Friday.\n",
    );
    assert_eq!(
        speaker_of(&meta, "We will never agree to this"),
        Some("peskov")
    );
}

#[test]
fn markdown_characters_in_the_source_survive_the_build() {
    let (_dir, _, meta, body) = import_text(
        "tass.txt",
        "Lavrov on China\n\n\"We will *never* agree to this,\" Peskov said on Friday.\n\n\"Russia &amp; China will not be divided,\" Lavrov told reporters.\n\n- \"Sanctions are_illegal [and] <void>,\" Lavrov said.\n",
    );
    assert!(has(
        &meta,
        "peskov",
        "direct",
        "We will *never* agree to this"
    ));
    assert!(has(
        &meta,
        "lavrov",
        "direct",
        "Russia &amp; China will not be divided"
    ));
    assert!(has(
        &meta,
        "lavrov",
        "direct",
        "Sanctions are_illegal [and] <void>"
    ));
    assert!(body.contains("\\*never\\*"), "{body}");
}

const WIRE: &str = "Kremlin rejects talks\n\nMOSCOW (Reuters) - Kremlin spokesman Dmitry Peskov said on Monday that the talks had stalled.\n\n\"We are ready to walk away,\" Trump said on Tuesday.\n\n\"Nobody wants that,\" Zelensky told reporters in Kyiv.\n";

/// Import WIRE, let `edit` change the article file, then change the source with `change`
/// and import again.
fn reimport(
    edit: impl Fn(String) -> String,
    change: impl Fn(String) -> String,
) -> (
    tempfile::TempDir,
    PathBuf,
    onrecord::error::Result<onrecord::import::ImportReport>,
) {
    let dir = archive(&[]);
    let src = dir.path().join("content/sources/wire.txt");
    fs::write(&src, WIRE).unwrap();
    run(dir.path(), &ImportOptions::default()).unwrap();
    let (path, _, _) = articles(dir.path()).remove(0);
    fs::write(&path, edit(fs::read_to_string(&path).unwrap())).unwrap();
    assert_archive_loads(dir.path());
    fs::write(&src, change(WIRE.to_string())).unwrap();
    let result = run(dir.path(), &ImportOptions::default());
    (dir, path, result)
}

fn add_paragraph(s: String) -> String {
    s + "\n\"The door remains open,\" Lavrov told reporters in Minsk.\n"
}

#[test]
fn speaker_corrected_by_the_editor_survives_a_source_change() {
    // The editor gives the Trump quote to Zelensky (a speaker of the article).
    let (dir, path, result) = reimport(
        |t| {
            t.replacen(
                "  speaker: trump\n  kind: direct",
                "  speaker: zelensky\n  kind: direct",
                1,
            )
        },
        |s| add_paragraph(s.replace("on Tuesday", "on Wednesday")),
    );
    result.unwrap();
    assert_archive_loads(dir.path());
    let meta = parse_document::<ArticleMeta>(&path, &fs::read_to_string(&path).unwrap())
        .unwrap()
        .meta;
    let walk: Vec<_> = meta
        .statements
        .iter()
        .filter(|s| s.text == "We are ready to walk away")
        .collect();
    assert_eq!(walk.len(), 1, "no duplicate: {:?}", meta.statements);
    assert_eq!(walk[0].speaker, "zelensky");
    assert!(walk[0].id.starts_with("trump-"), "the id is permanent");
    assert!(has(&meta, "lavrov", "direct", "The door remains open"));
}

#[test]
fn statement_deleted_by_the_editor_stays_deleted() {
    let (dir, path, result) = reimport(
        |t| {
            let start = t.find("- id: zelensky-").unwrap();
            let end = t[start..].find("\n---").map(|e| start + e + 1).unwrap();
            let rest = &t[start..end];
            let next = rest[1..].find("\n- id:").map_or(rest.len(), |k| k + 2);
            format!("{}{}", &t[..start], &t[start + next..])
        },
        add_paragraph,
    );
    result.unwrap();
    assert_archive_loads(dir.path());
    let meta = parse_document::<ArticleMeta>(&path, &fs::read_to_string(&path).unwrap())
        .unwrap()
        .meta;
    assert_eq!(speaker_of(&meta, "Nobody wants that"), None, "{meta:?}");
    assert_eq!(speaker_of(&meta, "The door remains open"), Some("lavrov"));
    assert_eq!(
        speaker_of(&meta, "We are ready to walk away"),
        Some("trump")
    );
}

#[test]
fn body_edit_then_source_change_is_refused() {
    let (_dir, path, result) = reimport(
        |t| t.replace("in Kyiv.", "in Kyiv on Thursday, according to his office."),
        add_paragraph,
    );
    let before = fs::read_to_string(&path).unwrap();
    let err = result.unwrap_err().to_string();
    assert!(err.contains("according to his office"), "{err}");
    assert!(
        err.contains("edit the source instead, or remove the article file"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn flags_apply_to_an_unchanged_source() {
    let dir = archive(&[fixture("tass.txt")]);
    run(dir.path(), &ImportOptions::default()).unwrap();
    let opts = ImportOptions {
        paths: vec![PathBuf::from("tass.txt")],
        date: Some(jiff::civil::date(2016, 11, 10)),
        url: Some("https://tass.com/x".into()),
        ..ImportOptions::default()
    };
    let report = run(dir.path(), &opts).unwrap();
    assert_eq!((report.updated.len(), report.unchanged), (1, 0));
    let (_, meta, _) = articles(dir.path()).remove(0);
    assert_eq!(meta.date, Some(jiff::civil::date(2016, 11, 10)));
    assert_eq!(meta.date_source, Some(onrecord::content::DateSource::Flag));
    assert_eq!(meta.url.as_deref(), Some("https://tass.com/x"));
    // The same flags again: nothing to do.
    let report = run(dir.path(), &opts).unwrap();
    assert_eq!((report.updated.len(), report.unchanged), (0, 1));
}

#[test]
fn photo_caption_date_is_not_the_publication_date() {
    let (_dir, path, meta, _) = import_text(
        "caption.txt",
        "Putin Hosts Talks\n\nVladimir Putin at the Kremlin, March 3, 2019\n\nPresident Vladimir Putin told reporters on Monday that the talks would continue next week.\n",
    );
    assert_eq!(meta.date, None);
    assert!(!path.to_string_lossy().contains("2019"), "{path:?}");
    let (_dir, _, meta, _) = import_text(
        "dated.txt",
        "Putin Hosts Talks\n\nPublished: Monday, November 14, 2016 10:32 am EST\n\nPresident Vladimir Putin told reporters on Monday that the talks would continue next week.\n",
    );
    assert_eq!(meta.date, Some(jiff::civil::date(2016, 11, 14)));
}

#[test]
fn said_on_only_from_dates_that_modify_the_verb() {
    let dir = archive(&[]);
    fs::write(
        dir.path().join("content/sources/a.txt"),
        "Talks Useful\n\nAfter the Jan. 5 meeting with Witkoff, Kremlin spokesman Dmitry Peskov said the talks were useful.\n\nPeskov on Monday said the talks would go on for weeks.\n\nPeskov told reporters on Jan. 8 that the talks were over now.\n",
    )
    .unwrap();
    let opts = ImportOptions {
        paths: vec![PathBuf::from("a.txt")],
        date: Some(jiff::civil::date(2025, 1, 10)),
        ..ImportOptions::default()
    };
    run(dir.path(), &opts).unwrap();
    let (_, meta, _) = articles(dir.path()).remove(0);
    let on = |t: &str| {
        meta.statements
            .iter()
            .find(|s| s.text == t)
            .unwrap()
            .said_on
    };
    assert_eq!(on("the talks were useful"), None);
    assert_eq!(
        on("the talks would go on for weeks"),
        Some(jiff::civil::date(2025, 1, 6))
    );
    assert_eq!(
        on("the talks were over now"),
        Some(jiff::civil::date(2025, 1, 8))
    );
}

#[test]
fn keyword_sentences_with_attribution_are_kept_and_shared_quotes_too() {
    let (_dir, _, meta, body) = import_text(
        "gazette.txt",
        "Ministry Confirms Gift\n\nThe ministry confirmed on Tuesday that it had received money from the foundation.\n\nThe donation was made in 2016, the ministry said.\n\nSubscribe to our newsletter\n",
    );
    assert!(body.contains("The donation was made in 2016"), "{body}");
    assert!(!body.contains("Subscribe"), "{body}");
    assert!(meta
        .statements
        .iter()
        .all(|s| !s.text.contains("Subscribe")));
    // Two outlets carry the same quotation: both keep it.
    let dir = archive(&[]);
    let quote = "\"We will never agree to this,\" Peskov told reporters on Friday.";
    fs::write(
        dir.path().join("content/sources/reuters_1.txt"),
        format!("Kremlin Says No\n\nMOSCOW (Reuters) - The Kremlin rejected the plan on Friday, saying it was unacceptable.\n\n{quote}\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("content/sources/ap_1.txt"),
        format!("Russia Rejects Plan\n\nMOSCOW (AP) - Russia on Friday rejected a peace plan put forward by European leaders.\n\n{quote}\n"),
    )
    .unwrap();
    run(dir.path(), &ImportOptions::default()).unwrap();
    for (_, _, body) in articles(dir.path()) {
        assert!(body.contains("We will never agree to this"), "{body}");
    }
}

#[test]
fn generalisation_gaps() {
    let (_dir, _, meta, _) = import_text(
        "mixed.txt",
        "Russia Responds\n\nAsked whether Russia would welcome such a call, Peskov said: \"Of course.\"\n\nForeign Minister Sergey Lavrov, speaking in Minsk, said relations were at \"their lowest point in decades.\"\n\nDeputy Foreign Minister Sergey Ryabkov, in turn, noted that Russia was ready to restore dialogue \"on the basis of mutual respect.\"\n\nRyabkov dismissed the remarks as \"unserious\" and said Moscow would \"not beg\" for relief.\n\nDowning Street said the prime minister had spoken to Zelensky twice this week.\n\nThe Pentagon said it had no plans to send more troops to the region.\n\n\"We are watching closely,\" said a spokesperson for the European Commission.\n\nLavrov said the talks were constructive, according to a transcript released by the State Department.\n\n\"We want peace,\" Mr Starmer said in London.\n",
    );
    assert!(meta.statements.iter().all(|s| !s.text.starts_with("Asked")));
    assert!(has(&meta, "peskov", "direct", "Of course."));
    assert!(has(
        &meta,
        "sergey-lavrov",
        "reported",
        "relations were at \"their lowest point in decades.\""
    ));
    assert!(has(
        &meta,
        "sergey-ryabkov",
        "reported",
        "Russia was ready to restore dialogue \"on the basis of mutual respect.\""
    ));
    assert!(has(&meta, "sergey-ryabkov", "direct", "not beg"));
    assert!(has(
        &meta,
        "downing-street",
        "reported",
        "the prime minister had spoken to Zelensky twice this week"
    ));
    assert!(has(
        &meta,
        "pentagon",
        "reported",
        "it had no plans to send more troops to the region"
    ));
    assert!(has(
        &meta,
        "anonymous-spokesperson-for-the-european-commission",
        "direct",
        "We are watching closely"
    ));
    assert!(has(
        &meta,
        "sergey-lavrov",
        "reported",
        "the talks were constructive"
    ));
    assert!(has(&meta, "starmer", "direct", "We want peace"));
}

#[test]
fn hard_wrapped_paragraph_break_without_blank_line() {
    let text = "Kremlin Weighs Offer\n\nThe Kremlin said on Tuesday it was studying the American offer carefully and\nwould respond in due course, while officials in Kyiv said they had not been\nconsulted about the details of the plan before it was made public by the\nWhite House on Monday evening in Washington.\n\"We have received the text,\" Kremlin spokesman Dmitry Peskov told reporters.\nU.S. officials said they expected an answer before the end of the month, and\nthat the president was ready to meet his Russian counterpart in the Gulf if\nthe answer was positive.\n";
    let (_dir, _, meta, body) = import_text("wrapped.txt", text);
    assert!(body.contains("\n\nU.S. officials said"), "{body}");
    assert!(has(
        &meta,
        "dmitry-peskov",
        "direct",
        "We have received the text"
    ));
}

#[test]
fn two_attributions_in_one_sentence_give_two_statements() {
    let (_dir, _, meta, _) = import_text(
        "two.txt",
        "Talks go on\n\nKremlin spokesman Dmitry Peskov said on Monday that the talks were useful, and Foreign Minister Sergei Lavrov said that they would continue next month.\n",
    );
    assert_eq!(
        speaker_of(&meta, "the talks were useful"),
        Some("dmitry-peskov"),
        "Peskov's clause ends where Lavrov's attribution begins: {:#?}",
        meta.statements
    );
    assert_eq!(
        speaker_of(&meta, "they would continue next month"),
        Some("sergei-lavrov")
    );
}
