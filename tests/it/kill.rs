//! `onrecord import` killed (SIGKILL) at varying moments of a long run: the archive it
//! leaves holds no half-written file, the editor's work is kept, the sources are untouched,
//! and running import again finishes the job with a site that builds.
//!
//! The archive: the example archive (one article hand-edited, its source changed so that
//! import re-imports it over the edit) plus many copies of its sources with the people
//! renamed (new speakers to write) and a publication of their own (no shared boilerplate).
//! A first, unkilled run measures how long import computes and when it starts writing; the
//! kills are spread over both phases, most of them over the writing one.

use crate::common::{copy_dir, edit, read, set};

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use onrecord::content::{parse_document, ArticleMeta, SpeakerMeta};

/// How many copies of the example sources are added (each a new article).
const COPIES: usize = 40;
/// Kills while import computes (before its first write), and while it writes.
const COMPUTE_KILLS: usize = 3;
const WRITE_KILLS: usize = 7;

const EDITED: &str = "content/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump.md";
const EDITED_SOURCE: &str = "content/sources/001_5b80619e571c45d9.txt";
const OLD_TITLE: &str = "title: Kremlin Spokesman Denies Contact With Trump Before Election";
const NEW_TITLE: &str = "Peskov Denies Contact (edited by hand)";
const NEW_QUOTE: &str = "We have nothing to add to what was said before.";

fn onrecord() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("onrecord"))
}

/// `onrecord ARGS --root ROOT`, to completion; panics with its output if it fails.
fn run_ok(root: &Path, args: &[&str]) {
    let out = onrecord()
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "onrecord {args:?} failed in {}:\n{}{}",
        root.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn letters(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}

/// The archive before import: see the module comment.
fn template(dir: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(repo.join("site.toml"), dir.join("site.toml")).unwrap();
    copy_dir(&repo.join("content"), &dir.join("content"));
    // Keep the builds quick: no statement pages, no search index.
    edit(
        dir,
        "site.toml",
        "statement_pages = true",
        "statement_pages = false",
    );
    set(dir, "search = false");

    // The editor's work: a title and a tag of their own.
    edit(dir, EDITED, OLD_TITLE, &format!("title: {NEW_TITLE}"));
    edit(dir, EDITED, "tags: []", "tags: [edited-by-hand]");
    // A changed source: import re-imports the edited article and adds the new quote.
    let source = dir.join(EDITED_SOURCE);
    let text = read(&source);
    fs::write(
        &source,
        format!("{text}\nAsked again, Peskov said: \"{NEW_QUOTE}\"\n"),
    )
    .unwrap();

    let sources_dir = dir.join("content/sources");
    let mut seeds: Vec<PathBuf> = fs::read_dir(&sources_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();
    let mut metadata = read(sources_dir.join("metadata.toml"));
    let people = [
        "Peskov",
        "Ryabkov",
        "Zakharova",
        "Lavrov",
        "Gabuev",
        "Bondarev",
        "Novikov",
    ];
    for i in 0..COPIES {
        let seed = &seeds[i % seeds.len()];
        let mut text = read(seed);
        for name in people {
            text = text.replace(name, &format!("{name}{}", letters(i)));
        }
        // A quarter sort before the edited article's source, the rest after.
        let prefix = if i % 4 == 0 { "00-copy" } else { "wire" };
        let stem = seed.file_stem().unwrap().to_string_lossy();
        let name = format!("{prefix}-{i:03}-{}.txt", &stem[4..]);
        fs::write(sources_dir.join(&name), text).unwrap();
        metadata.push_str(&format!(
            "\n[\"{name}\"]\npublication = \"Copy Desk {i}\"\ndate = 2017-{:02}-{:02}\n",
            1 + i % 12,
            1 + i % 28
        ));
    }
    fs::write(sources_dir.join("metadata.toml"), metadata).unwrap();
}

/// Every file under content/, by path relative to the archive root.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(root).unwrap();
            files.insert(
                rel.to_string_lossy().into_owned(),
                fs::read(entry.path()).unwrap(),
            );
        }
    }
    files
}

fn is_temp(rel: &str) -> bool {
    rel.rsplit('/').next().is_some_and(|n| n.starts_with('.'))
}

/// How many entries the folders import writes into hold (temp files included).
fn written_entries(root: &Path) -> usize {
    ["content/articles", "content/speakers"]
        .iter()
        .map(|d| fs::read_dir(root.join(d)).map_or(0, |e| e.count()))
        .sum()
}

/// What a round found after the kill.
struct AfterKill {
    /// Files new or changed against the archive before import.
    written: usize,
    /// Temporary files left behind (dotfiles).
    temps: usize,
    edited_replaced: bool,
}

/// The archive after a kill: every file is the one before import or the one a complete
/// import writes, never a part of either; nothing is removed; the sources are untouched.
fn check_after_kill(
    root: &Path,
    before: &BTreeMap<String, Vec<u8>>,
    complete: &BTreeMap<String, Vec<u8>>,
) -> AfterKill {
    let now = snapshot(root);
    for rel in before.keys() {
        assert!(now.contains_key(rel), "{rel} was removed");
    }
    let (mut written, mut temps) = (0, 0);
    for (rel, bytes) in &now {
        if is_temp(rel) {
            assert!(
                rel.starts_with("content/articles/") || rel.starts_with("content/speakers/"),
                "a temporary file outside the folders import writes: {rel}"
            );
            temps += 1;
            continue;
        }
        let path = root.join(rel);
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        if rel.ends_with(".md") {
            if rel.starts_with("content/articles/") {
                parse_document::<ArticleMeta>(&path, text)
                    .unwrap_or_else(|p| panic!("{rel} does not parse: {p:?}"));
            } else if rel.starts_with("content/speakers/") {
                parse_document::<SpeakerMeta>(&path, text)
                    .unwrap_or_else(|p| panic!("{rel} does not parse: {p:?}"));
            }
        }
        if rel.starts_with("content/sources/") {
            assert_eq!(before.get(rel), Some(bytes), "source {rel} changed");
        }
        if before.get(rel) == Some(bytes) {
            continue;
        }
        assert_eq!(
            complete.get(rel),
            Some(bytes),
            "{rel} is neither as before import nor as a complete import writes it"
        );
        written += 1;
    }
    AfterKill {
        written,
        temps,
        edited_replaced: now[EDITED] != before[EDITED],
    }
}

/// The edited article as a complete import leaves it: the new quote added, the editor's
/// title and tag kept, and every stored statement as it was (id, text, speaker, note,
/// relations: README "Import", src/import/merge.rs).
fn check_edit_kept(root: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let path = root.join(EDITED);
    let new = parse_document::<ArticleMeta>(&path, &read(&path)).unwrap();
    let old_text = String::from_utf8(before[EDITED].clone()).unwrap();
    let old = parse_document::<ArticleMeta>(&path, &old_text).unwrap();
    assert_eq!(new.meta.title, NEW_TITLE);
    assert_eq!(new.meta.tags, ["edited-by-hand"]);
    for st in &old.meta.statements {
        let kept = new.meta.statements.iter().find(|n| n.id == st.id);
        assert_eq!(kept, Some(st), "statement {}", st.id);
    }
    assert!(new
        .meta
        .statements
        .iter()
        .any(|s| s.text.contains(NEW_QUOTE.trim_end_matches('.'))));
    assert!(new.body.contains(NEW_QUOTE));
}

/// After the import that finishes the job: one article per source, the edit kept.
fn check_finished(root: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let sources: BTreeSet<String> = before
        .keys()
        .filter_map(|rel| rel.strip_prefix("content/sources/"))
        .filter(|n| n.ends_with(".txt"))
        .map(str::to_string)
        .collect();
    let mut imported = BTreeMap::<String, usize>::new();
    for (rel, bytes) in snapshot(root) {
        if rel.starts_with("content/articles/") && !is_temp(&rel) {
            let doc = parse_document::<ArticleMeta>(
                &root.join(&rel),
                std::str::from_utf8(&bytes).unwrap(),
            )
            .unwrap();
            *imported.entry(doc.meta.source.unwrap().file).or_default() += 1;
        }
    }
    assert_eq!(imported.keys().cloned().collect::<BTreeSet<_>>(), sources);
    let twice: Vec<_> = imported.iter().filter(|(_, &n)| n > 1).collect();
    assert!(twice.is_empty(), "sources imported twice: {twice:?}");
    check_edit_kept(root, before);
}

/// When a complete import started writing, wrote the edited article and finished.
struct Timing {
    first_write: Duration,
    edited_write: Duration,
    total: Duration,
}

/// Import a copy of the template to completion, watching its folders; then build it if
/// asked.
fn complete_run(
    template: &Path,
    before: &BTreeMap<String, Vec<u8>>,
    build: bool,
) -> (Timing, BTreeMap<String, Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(template, dir.path());
    let entries_before = written_entries(dir.path());
    let t0 = Instant::now();
    let mut child = spawn_import(dir.path());
    let (mut first_write, mut edited_write) = (None, None);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if first_write.is_none() && written_entries(dir.path()) != entries_before {
            first_write = Some(t0.elapsed());
        }
        if edited_write.is_none()
            && fs::read(dir.path().join(EDITED)).ok().as_ref() != Some(&before[EDITED])
        {
            edited_write = Some(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let total = t0.elapsed();
    assert!(status.success(), "the complete import fails");
    check_edit_kept(dir.path(), before);
    if build {
        run_ok(dir.path(), &["build", "--no-import"]);
    }
    let timing = Timing {
        first_write: first_write.unwrap_or(total.mul_f64(0.8)),
        edited_write: edited_write.unwrap_or(total),
        total,
    };
    (timing, snapshot(dir.path()))
}

fn spawn_import(root: &Path) -> std::process::Child {
    onrecord()
        .arg("import")
        .arg("--root")
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn import_killed_at_any_moment_leaves_no_half_written_file() {
    let started = Instant::now();
    let template_dir = tempfile::tempdir().unwrap();
    template(template_dir.path());
    let before = snapshot(template_dir.path());

    // Two complete runs: how long import computes and writes (the faster run: the first
    // one also loads the binary), and what it writes (the same both times).
    let (first, complete) = complete_run(template_dir.path(), &before, true);
    let (second, again) = complete_run(template_dir.path(), &before, false);
    assert!(complete == again, "import writes the same files every time");
    let writing = |t: &Timing| t.total.saturating_sub(t.first_write);
    // The shorter writing time, so that most writing kills land before the end.
    let writing = writing(&first).min(writing(&second));
    let timing = if second.total < first.total {
        second
    } else {
        first
    };
    let (total, first_write) = (timing.total, timing.first_write);
    let written = complete
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .count();
    println!(
        "import of {} sources: {} ms, writing {written} files from {} ms, the edited article at {} ms",
        COPIES + 5,
        total.as_millis(),
        first_write.as_millis(),
        timing.edited_write.as_millis(),
    );

    // The compute kills come after fixed delays. The machine's load changes from one run
    // to the next (other tests run beside this one), so each writing kill waits for its own
    // run's first write, then for a part of the measured writing time.
    let kills = (0..COMPUTE_KILLS)
        .map(|k| {
            let delay = first_write.mul_f64((k + 1) as f64 / (COMPUTE_KILLS + 1) as f64);
            (false, delay)
        })
        .chain((0..WRITE_KILLS).map(|k| {
            let delay = writing.mul_f64((k as f64 + 0.5) / WRITE_KILLS as f64);
            (true, delay)
        }));
    let mut partial = 0;
    for (after_first_write, delay) in kills {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(template_dir.path(), dir.path());
        let entries_before = written_entries(dir.path());
        let t0 = Instant::now();
        let mut child = spawn_import(dir.path());
        if after_first_write {
            while written_entries(dir.path()) == entries_before
                && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; nothing happens when import has finished
        let delay = t0.elapsed();
        let status = child.wait().unwrap();
        let killed = status.signal() == Some(9);
        assert!(killed || status.success(), "import failed: {status}");
        let after = check_after_kill(dir.path(), &before, &complete);
        let mut line = format!(
            "kill at {:>4} ms: {}, {:>3}/{written} files written, {} temporary file(s) left, edited article {}",
            delay.as_millis(),
            if killed { "killed" } else { "had finished" },
            after.written,
            after.temps,
            if after.edited_replaced { "replaced" } else { "as before" },
        );
        if killed && (after.written > 0 || after.temps > 0) {
            // Finish the job; the temporary files left behind must not be in the way.
            partial += 1;
            run_ok(dir.path(), &["import"]);
            check_finished(dir.path(), &before);
            run_ok(dir.path(), &["build", "--no-import"]);
            line.push_str("; import again and build: ok");
        }
        // Otherwise the archive is the one the complete runs started from or ended with.
        println!("{line}");
    }
    println!(
        "{partial} of {} rounds killed import while it wrote; {} ms in all",
        COMPUTE_KILLS + WRITE_KILLS,
        started.elapsed().as_millis()
    );
}
