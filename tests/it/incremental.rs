//! Incremental rebuilds (what `serve` does after an edit): after every kind of change, the
//! site a remembering builder leaves in place must be byte for byte the site a fresh full
//! build makes, and it must have rendered only some pages when only articles changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use onrecord::build::{build_site, BuildOptions, BuildReport, Builder};
use onrecord::write::SiteLock;

use crate::common::{copy_dir, edit, read};

const A: &str = "content/articles/2016-11-10-russia-confirms-contacts-with-trump-team-during.md";
const B: &str = "content/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump.md";
const NEW: &str = "content/articles/2017-01-05-a-new-article.md";

/// The example archive in a temp dir, every file dated an hour ago (so that its stamp is
/// settled and the builder may trust it); share images on when `cards`.
fn example_archive(cards: bool) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).unwrap();
    copy_dir(
        &repo.join("content/articles"),
        &dir.path().join("content/articles"),
    );
    copy_dir(
        &repo.join("content/speakers"),
        &dir.path().join("content/speakers"),
    );
    if cards {
        edit(
            dir.path(),
            "site.toml",
            "share_images = false",
            "share_images = true",
        );
    }
    for entry in walkdir(dir.path()) {
        age(&entry, 0);
    }
    dir
}

/// The example archive with `search = true` (share images off).
fn example_archive_with_search() -> tempfile::TempDir {
    let dir = example_archive(false);
    crate::common::set(dir.path(), "search = true");
    age(&dir.path().join("site.toml"), 1);
    dir
}

/// Date a file an hour ago plus `step` seconds: a distinct, settled modification time.
fn age(path: &Path, step: u64) {
    let when = SystemTime::now() - Duration::from_secs(3600) + Duration::from_secs(step);
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .unwrap();
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn options(root: &Path, output: &str) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join(output)),
        base_url: Some("http://127.0.0.1:1111/".into()),
        import_sources: false,
        changed: None,
        newer_change: None,
    }
}

/// Build with the remembering builder into public/, a fresh full build into full/, and
/// assert the two trees are equal. Returns the remembering build's report.
fn rebuild_and_compare(builder: &Builder, root: &Path, what: &str) -> BuildReport {
    rebuild_with_changes(builder, root, None, what)
}

/// [`rebuild_and_compare`], telling the builder which files changed, as serve's watcher
/// does.
fn rebuild_with_changes(
    builder: &Builder,
    root: &Path,
    changed: Option<Vec<PathBuf>>,
    what: &str,
) -> BuildReport {
    let opts = BuildOptions {
        changed,
        ..options(root, "public")
    };
    let report = builder
        .build(&opts, &SiteLock::default(), &|_| {})
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let full = root.join("full");
    let _ = fs::remove_dir_all(&full);
    build_site(&options(root, "full")).unwrap();
    assert_same_tree(&root.join("public"), &full, what);
    report
}

fn assert_same_tree(got: &Path, want: &Path, what: &str) {
    let rel = |dir: &Path| -> Vec<PathBuf> {
        walkdir(dir)
            .into_iter()
            .map(|p| p.strip_prefix(dir).unwrap().to_path_buf())
            .collect()
    };
    let (files, expected) = (rel(got), rel(want));
    let extra: Vec<_> = files.iter().filter(|f| !expected.contains(f)).collect();
    let missing: Vec<_> = expected.iter().filter(|f| !files.contains(f)).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what}: files left over {extra:?}, files missing {missing:?}"
    );
    for f in &files {
        assert!(
            fs::read(got.join(f)).unwrap() == fs::read(want.join(f)).unwrap(),
            "{what}: {} differs from a full build's",
            f.display()
        );
    }
}

#[test]
fn every_kind_of_edit_leaves_the_site_a_full_build_makes() {
    let dir = example_archive(true);
    let root = dir.path();
    let builder = Builder::default();
    let first = rebuild_and_compare(&builder, root, "first build");
    assert_eq!(
        first.rendered, first.pages,
        "the first build renders everything"
    );

    // The words of a statement that another article's note quotes: both articles' pages
    // change, the other pages do not.
    let text = read(root.join(A)).replace("this work is continuing", "this work goes on");
    fs::write(root.join(A), text).unwrap();
    age(&root.join(A), 1);
    let report = rebuild_and_compare(&builder, root, "quoted words changed");
    assert!(
        report.rendered < report.pages / 2,
        "only the pages showing the two articles: {} of {}",
        report.rendered,
        report.pages
    );
    let b_page =
        read(root.join(
            "public/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/index.html",
        ));
    assert!(
        b_page.contains("this work goes on"),
        "the note quoting it is new"
    );

    edit(root, A, "date: \"2016-11-10\"", "date: \"2016-11-20\"");
    age(&root.join(A), 2);
    rebuild_and_compare(&builder, root, "article date changed (new order)");

    fs::write(
        root.join(NEW),
        "---\ntitle: A new article\npublication: The Test\ndate: 2017-01-05\nspeakers:\n- id: dmitry-peskov\n  name: Dmitry Peskov\n  role: Kremlin spokesman\nstatements:\n- id: new-statement\n  speaker: dmitry-peskov\n  kind: direct\n  verb: said\n  text: Nothing new here.\n---\nPeskov said: \"Nothing new here.\"\n",
    )
    .unwrap();
    age(&root.join(NEW), 3);
    rebuild_and_compare(&builder, root, "article added");
    assert!(root
        .join("public/statements/new-statement/share.png")
        .is_file());

    edit(
        root,
        NEW,
        "  text: Nothing new here.\n",
        "  text: Nothing new here.\n  aliases: [old-statement]\n",
    );
    age(&root.join(NEW), 4);
    rebuild_and_compare(&builder, root, "alias added");
    assert!(root
        .join("public/statements/old-statement/index.html")
        .is_file());

    fs::remove_file(root.join(NEW)).unwrap();
    rebuild_and_compare(&builder, root, "article removed");
    assert!(!root.join("public/statements/new-statement").exists());
    assert!(!root.join("public/statements/old-statement").exists());

    edit(
        root,
        "content/speakers/dmitry-peskov.md",
        "Kremlin spokesman",
        "Press secretary",
    );
    age(&root.join("content/speakers/dmitry-peskov.md"), 5);
    let report = rebuild_and_compare(&builder, root, "speaker changed (full build)");
    assert_eq!(report.rendered, report.pages);

    let unchanged = rebuild_and_compare(&builder, root, "nothing changed");
    assert!(
        unchanged.rendered <= 4,
        "only the archive-wide pages: {}",
        unchanged.rendered
    );
}

#[test]
fn a_failed_rebuild_leaves_the_site_and_the_next_one_catches_up() {
    let dir = example_archive(false);
    let root = dir.path();
    let builder = Builder::default();
    rebuild_and_compare(&builder, root, "first build");
    let before = root.join("before");
    copy_dir(&root.join("public"), &before);

    let good = read(root.join(B));
    fs::write(root.join(B), good.replace("speakers:\n", "speakers: [\n")).unwrap();
    age(&root.join(B), 1);
    let failed = builder.build(&options(root, "public"), &SiteLock::default(), &|_| {});
    assert!(failed.is_err(), "bad YAML must fail the build");
    assert_same_tree(&root.join("public"), &before, "after a failed build");

    fs::write(
        root.join(B),
        good.replace("campaigns denied this.", "campaigns denied it."),
    )
    .unwrap();
    age(&root.join(B), 2);
    rebuild_and_compare(&builder, root, "fixed after a failure");
}

#[test]
fn a_file_edited_within_the_clock_tick_is_read_again() {
    let dir = example_archive(false);
    let root = dir.path();
    let builder = Builder::default();
    rebuild_and_compare(&builder, root, "first build");
    // Same size, same (recent) modification time, as on a file system whose clock ticks
    // slower than the edits: the stamp cannot tell the versions apart, so the builder
    // must not trust it.
    edit(root, B, "campaigns denied this.", "campaigns denied that.");
    let tick = fs::metadata(root.join(B)).unwrap().modified().unwrap();
    rebuild_and_compare(&builder, root, "first edit");
    edit(root, B, "campaigns denied that.", "campaigns denied thus.");
    fs::File::options()
        .write(true)
        .open(root.join(B))
        .and_then(|f| f.set_modified(tick))
        .unwrap();
    rebuild_and_compare(&builder, root, "second edit, same size, same tick");
}

#[test]
fn the_watchers_list_of_changes_is_enough() {
    let dir = example_archive(false);
    let root = dir.path();
    let builder = Builder::default();
    rebuild_and_compare(&builder, root, "first build");
    let changed = |rel: &str| Some(vec![root.join(rel)]);

    // Words of the body outside any statement: the article and its statement pages
    // change, the lists of statements (speaker pages, timeline) are not rewritten.
    let speaker_page = root.join("public/speakers/dmitry-peskov/index.html");
    let written = || fs::metadata(&speaker_page).unwrap().modified().unwrap();
    let before = written();
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit(root, B, "campaigns denied this.", "campaigns denied it.");
    let report = rebuild_with_changes(&builder, root, changed(B), "edited, named");
    assert!(report.rendered < report.pages / 2);
    assert_eq!(written(), before, "the speaker page was rendered again");

    fs::write(
        root.join(NEW),
        "---\ntitle: A new article\npublication: The Test\ndate: 2017-01-05\nspeakers:\n- id: dmitry-peskov\n  name: Dmitry Peskov\n  role: Kremlin spokesman\nstatements:\n- id: new-statement\n  speaker: dmitry-peskov\n  kind: direct\n  verb: said\n  text: Nothing new here.\n---\nPeskov said: \"Nothing new here.\"\n",
    )
    .unwrap();
    rebuild_with_changes(&builder, root, changed(NEW), "added, named");
    assert!(root
        .join("public/statements/new-statement/index.html")
        .is_file());

    fs::remove_file(root.join(NEW)).unwrap();
    rebuild_with_changes(&builder, root, changed(NEW), "removed, named");
    assert!(!root.join("public/statements/new-statement").exists());

    // A folder among the changes: the builder looks at every file.
    fs::create_dir(root.join("content/articles/drafts")).unwrap();
    rebuild_with_changes(
        &builder,
        root,
        changed("content/articles/drafts"),
        "a folder, named",
    );
}

/// Edits named by the watcher, which keep the order and indexes of the statements (words,
/// notes, roles) or change them (dates, ids, speakers): each rebuild must leave the site a
/// full build makes, and a relation to a missing statement must still be found.
#[test]
fn named_edits_that_keep_or_change_the_order_of_statements() {
    // With the search index: its records are kept with each article between builds.
    let dir = example_archive_with_search();
    let root = dir.path();
    let builder = Builder::default();
    rebuild_and_compare(&builder, root, "first build");
    let changed = |rel: &str| Some(vec![root.join(rel)]);
    let step = |rel: &str, from: &str, to: &str, what: &str| {
        edit(root, rel, from, to);
        rebuild_with_changes(&builder, root, changed(rel), what)
    };

    // In the statement and in the body.
    let text = read(root.join(A)).replace("this work is continuing", "this work goes on");
    fs::write(root.join(A), text).unwrap();
    let report = rebuild_with_changes(&builder, root, changed(A), "quoted words changed");
    assert!(report.rendered < report.pages / 2, "only some pages");
    let b_page = root
        .join("public/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/index.html");
    assert!(
        read(&b_page).contains("this work goes on"),
        "B's note quotes A"
    );
    step(B, "steers away from", "avoids", "note changed");
    step(
        B,
        "  role: Russian Deputy Foreign Minister",
        "  role: Deputy Foreign Minister",
        "role in the article changed",
    );
    step(
        B,
        "  verb: told\n  said_on: \"2016-11-10\"",
        "  verb: told\n  said_on: \"2016-11-09\"",
        "statement date changed (new order)",
    );
    step(
        B,
        "  speaker: sergei-ryabkov\n  kind: reported",
        "  speaker: dmitry-peskov\n  kind: reported",
        "statement speaker changed",
    );
    step(
        B,
        "id: dmitry-peskov-2016-11-14-quite-natural-quite-normal",
        "id: dmitry-peskov-2016-11-14-quite-normal",
        "statement id changed",
    );
    step(
        B,
        "date: \"2016-11-14\"",
        "date: \"2016-11-15\"",
        "article date changed",
    );

    edit(
        root,
        B,
        "  text: quite natural, quite normal.\n",
        "  text: quite natural, quite normal.\n  relations:\n  - contradicts: no-such-statement\n",
    );
    let opts = BuildOptions {
        changed: changed(B),
        ..options(root, "public")
    };
    let failed = builder.build(&opts, &SiteLock::default(), &|_| {});
    let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("problem") || message.contains("does not exist"),
        "a relation to a missing statement fails the build: {message:?}"
    );
    step(
        B,
        "  - contradicts: no-such-statement\n",
        "  - contradicts: sergei-ryabkov-2016-11-10-russia-had-contacts-with-trump\n",
        "relation fixed",
    );
}

/// A change waiting when the search index is due (serve's watcher sets the flag): the
/// rebuild makes the pages current and leaves the last index in place, whole; the next
/// rebuild makes the index, and the site is again what a full build makes.
#[test]
fn a_newer_change_leaves_the_search_index_to_the_next_build() {
    let dir = example_archive_with_search();
    let root = dir.path();
    let builder = Builder::default();
    rebuild_and_compare(&builder, root, "first build");
    let index = |dir: &str| -> Vec<(PathBuf, Vec<u8>)> {
        let base = root.join(dir).join("search-index");
        let files = walkdir(&base).into_iter().filter(|p| p.is_file());
        files
            .map(|p| {
                (
                    p.strip_prefix(&base).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let before = index("public");
    assert!(before.len() > 3, "an index was written: {before:?}");

    edit(
        root,
        B,
        "campaigns denied this.",
        "campaigns denied zyzzyva.",
    );
    let opts = BuildOptions {
        changed: Some(vec![root.join(B)]),
        newer_change: Some(std::sync::Arc::new(true.into())),
        ..options(root, "public")
    };
    builder.build(&opts, &SiteLock::default(), &|_| {}).unwrap();
    let page = root
        .join("public/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/index.html");
    assert!(read(&page).contains("zyzzyva"), "the page is current");
    assert_eq!(
        index("public"),
        before,
        "the last index, whole and untouched"
    );

    let report = rebuild_with_changes(&builder, root, Some(vec![]), "the next build");
    assert!(report.rendered < report.pages, "still incremental");
    let after = index("public");
    assert_ne!(after, before, "the next build made the index");
}

/// An edit of words shares the statement order and indexes of the build before (not made
/// again); an edit of a statement's date makes them anew.
#[test]
fn an_edit_of_words_shares_the_statement_indexes() {
    let dir = example_archive(false);
    let root = dir.path();
    let config = || onrecord::build::load_config(&options(root, "public")).unwrap();
    let first = onrecord::archive::load(config()).unwrap();
    let changed = [root.join(B)];
    edit(root, B, "campaigns denied this.", "campaigns denied it.");
    let words = onrecord::archive::load_reusing(config(), Some(&first), Some(&changed)).unwrap();
    assert!(Arc::ptr_eq(&first.statements, &words.statements));
    assert!(Arc::ptr_eq(&first.by_id, &words.by_id));
    assert!(Arc::ptr_eq(&first.by_speaker, &words.by_speaker));
    edit(
        root,
        B,
        "  verb: told\n  said_on: \"2016-11-10\"",
        "  verb: told\n  said_on: \"2016-11-09\"",
    );
    let dated = onrecord::archive::load_reusing(config(), Some(&words), Some(&changed)).unwrap();
    assert!(!Arc::ptr_eq(&words.statements, &dated.statements));
}
