//! The bad-input catalogue: every kind of bad input a user can give onrecord, one test
//! each. Each test runs the real binary on a small archive in a temp dir, snapshots what
//! the user is told (file, line:column where it applies, what is wrong, what to do) and
//! checks that nothing was lost: content files unchanged and, where a site was built
//! before, that site untouched. No case may panic or leave a half-written file.
//!
//! Add a case here, and a line to this list, for every new kind of bad input.
//!
//! | case | outcome | test |
//! | --- | --- | --- |
//! | **sources (import)** | | |
//! | empty file | error | `sources::empty_file` |
//! | binary file | error | `sources::binary_file` |
//! | NUL bytes in a text | error at line:col | `sources::nul_bytes` |
//! | invalid UTF-8 | warning at line:col, read as Windows-1252 | `sources::invalid_utf8` |
//! | Windows-1252 | warning, converted | `sources::windows_1252` |
//! | UTF-8 byte-order mark | imported, mark dropped | `sources::utf8_bom` |
//! | CRLF line ends | imported, LF | `sources::crlf_line_ends` |
//! | a 50 MB "article" | error (limit: 2 MB), fast | `sources::fifty_megabytes` |
//! | a single 1 MB line | error (limit: 64 kB a line), fast | `sources::one_megabyte_line` |
//! | unbalanced and nested quote marks | imported, no statement made up | `sources::unbalanced_and_nested_quotes` |
//! | no quotes at all | imported with a warning | `sources::no_quotes` |
//! | **content** | | |
//! | malformed YAML | error at line:col | `content::malformed_yaml` |
//! | unknown field | error at line:col | `content::unknown_field` |
//! | wrong type | error at line:col, names the field | `content::wrong_type` |
//! | not a date | error at line:col | `content::not_a_date` |
//! | missing required field (article) | error at the block | `content::missing_title` |
//! | missing required field (statement) | error at the statement | `content::missing_statement_field` |
//! | duplicate statement id | error | `content::duplicate_statement_id` |
//! | unknown speaker id | error | `content::unknown_speaker` |
//! | two articles with one slug (differing in case) | error | `content::two_articles_one_slug` |
//! | ids and slugs shaped like paths | error | `content::path_shaped_ids` |
//! | articles in a subfolder (slug `a/b`) | error | `content::articles_in_a_subfolder` |
//! | statement text not in the body | error | `content::statement_not_in_body` |
//! | several problems | all listed at once | `content::several_problems_at_once` |
//! | **files** | | |
//! | symbolic link in content/ | error | `files::symlink_in_content` |
//! | symbolic link loop in content/ | error (articles, speakers); not followed (sources) | `files::symlink_loop` |
//! | unreadable file | error (as root: read anyway) | `files::unreadable_file` |
//! | no templates/ folder | built-ins used | `files::missing_templates_dir` |
//! | template syntax error | error naming template, line:col | `files::template_syntax_error` |
//! | template failing at render time | error naming template and page | `files::template_render_error` |
//! | output dir under a regular file | error | `files::output_dir_not_writable` |
//! | output dir = the archive's own folder | error | `files::output_dir_is_content` |
//! | site.toml missing | error | `files::site_toml_missing` |
//! | site.toml bad TOML | error at line:col | `files::site_toml_bad_syntax` |
//! | site.toml unknown key | error at line:col | `files::site_toml_unknown_key` |
//! | site.toml wrong type | error at line:col | `files::site_toml_wrong_type` |
//!
//! Import's handling of editor changes on re-import (body edits, a statement's words gone
//! from a changed source) is tested in `import.rs`
//! (`changed_source_that_loses_an_annotated_statement_is_refused`,
//! `body_edit_then_source_change_is_refused`); a broken link in `build.rs`
//! (`links::check_finds_a_broken_link`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{copy_fixture, edit, fixture, read};

/// What a command did: its exit code and what it printed.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// Exit code and the messages, for a snapshot.
    fn report(&self) -> String {
        format!("exit: {}\n{}", self.code, self.stderr)
    }

    /// Exit code, the messages and what was written (import's output has no timings).
    fn report_all(&self) -> String {
        format!("exit: {}\n{}---\n{}", self.code, self.stderr, self.stdout)
    }
}

/// A file tree as it is on disk: a file's bytes, a link's target, or a folder.
type Tree = BTreeMap<PathBuf, String>;

/// An archive in a temp dir, and what its files were before the command under test.
struct Case {
    dir: tempfile::TempDir,
    before: Tree,
}

impl Case {
    /// A copy of the `basic` fixture archive.
    fn basic() -> Case {
        Case {
            dir: copy_fixture("basic"),
            before: Tree::new(),
        }
    }

    /// An archive with only site.toml and these files in content/sources/.
    fn sources(files: &[(&str, &[u8])]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("content/sources");
        fs::create_dir_all(&src).unwrap();
        for (name, bytes) in files {
            fs::write(src.join(name), bytes).unwrap();
        }
        fs::write(
            dir.path().join("site.toml"),
            "title = \"t\"\nbase_url = \"https://example.org/\"\n",
        )
        .unwrap();
        Case {
            dir,
            before: Tree::new(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        edit(self.root(), rel, from, to);
    }

    /// Build the site as it is (it must succeed): the previous site a failed build keeps.
    fn with_site(self) -> Case {
        let out = self.run(&["build", "--no-import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(self.root().join("public/index.html").is_file());
        self
    }

    /// Remember every file, link and folder, to compare after the command.
    fn freeze(&mut self) {
        self.before = tree(self.root());
    }

    /// Run `onrecord ARGS` in the archive (`--root .`), with temp paths redacted.
    fn run(&self, args: &[&str]) -> Outcome {
        let out = Command::cargo_bin("onrecord")
            .unwrap()
            .current_dir(self.root())
            .arg("--root")
            .arg(".")
            .args(args)
            .output()
            .unwrap();
        let redact = |b: &[u8]| {
            let mut s = String::from_utf8_lossy(b).into_owned();
            for root in [
                self.root().to_path_buf(),
                fs::canonicalize(self.root()).unwrap(),
            ] {
                s = s.replace(&root.display().to_string(), "[ARCHIVE]");
            }
            s
        };
        let stderr = redact(&out.stderr);
        assert!(!stderr.contains("panicked"), "onrecord panicked:\n{stderr}");
        Outcome {
            code: out.status.code().expect("exited, not killed"),
            stdout: redact(&out.stdout),
            stderr,
        }
    }

    /// Freeze, run, and require failure (exit 1) with the archive exactly as it was: no
    /// content file changed, the previous site (if any) untouched, nothing left behind.
    fn fails(&mut self, args: &[&str]) -> Outcome {
        self.freeze();
        let out = self.run(args);
        assert_eq!(out.code, 1, "expected failure:\n{}", out.stderr);
        self.assert_untouched();
        out
    }

    /// Content problems: `build` and `check` both fail with the same message.
    fn content_fails(&mut self) -> Outcome {
        let out = self.fails(&["build", "--no-import"]);
        let check = self.fails(&["check"]);
        assert_eq!(out.stderr, check.stderr, "check says what build says");
        out
    }

    fn assert_untouched(&self) {
        let after = tree(self.root());
        if after != self.before {
            let changed: Vec<&PathBuf> = self
                .before
                .keys()
                .chain(after.keys())
                .filter(|k| self.before.get(*k) != after.get(*k))
                .collect();
            panic!("the archive changed: {changed:?}");
        }
    }

    /// Every file there before is unchanged (new files may have been added).
    fn assert_kept(&self) {
        let after = tree(self.root());
        for (path, was) in &self.before {
            assert_eq!(after.get(path), Some(was), "{} changed", path.display());
        }
    }

    /// The articles import wrote: (file name, text).
    fn articles(&self) -> Vec<(String, String)> {
        let dir = self.root().join("content/articles");
        let mut out: Vec<(String, String)> = fs::read_dir(dir)
            .map(|d| {
                d.map(|e| {
                    let p = e.unwrap().path();
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        read(&p),
                    )
                })
                .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

fn tree(root: &Path) -> Tree {
    let mut t = Tree::new();
    for e in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
        let what = if e.path_is_symlink() {
            format!("link to {}", fs::read_link(e.path()).unwrap().display())
        } else if e.file_type().is_dir() {
            "folder".into()
        } else {
            match fs::read(e.path()) {
                Ok(bytes) => format!("{:x?}", sha(&bytes)),
                Err(err) => format!("unreadable: {err}"),
            }
        };
        t.insert(rel, what);
    }
    t
}

/// A cheap fingerprint of a file's bytes (length and a simple hash).
fn sha(bytes: &[u8]) -> (usize, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    (bytes.len(), h.finish())
}

const PESKOV: &str = "content/articles/peskov-denies.md";
const RYABKOV: &str = "content/articles/ryabkov-confirms.md";

fn import_fixture(name: &str) -> Vec<u8> {
    fs::read(fixture("import").join(name)).unwrap()
}

mod sources {
    use super::*;

    const QUOTE: &str =
        "Kremlin denies report\n\n\"We deny it,\" Kremlin spokesman Dmitry Peskov said on Monday.\n";

    #[test]
    fn empty_file() {
        let mut c = Case::sources(&[("empty.txt", &import_fixture("empty.txt"))]);
        let out = c.fails(&["import"]);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn binary_file() {
        let mut c = Case::sources(&[("binary.txt", &import_fixture("binary.txt"))]);
        let out = c.fails(&["import"]);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn nul_bytes() {
        let text = QUOTE.replace("Dmitry", "Dmi\0try");
        let mut c = Case::sources(&[("a.txt", text.as_bytes())]);
        let out = c.fails(&["import"]);
        assert!(out.stderr.contains("a.txt:3:36:"), "{}", out.stderr);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn invalid_utf8() {
        let mut bytes = QUOTE.as_bytes().to_vec();
        bytes.splice(40..40, [0xff, 0xfe]);
        let mut c = Case::sources(&[("a.txt", &bytes)]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        c.assert_kept();
        insta::assert_snapshot!(out.report_all());
    }

    /// Moved here from import.rs (`windows_1252_is_converted_with_a_warning`).
    #[test]
    fn windows_1252() {
        let mut c = Case::sources(&[("windows1252.txt", &import_fixture("windows1252.txt"))]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        c.assert_kept();
        let (_, article) = c.articles().remove(0);
        assert!(article.contains("Café Pushkin"), "{article}");
        assert!(
            article.contains("text: This is a fabrication from start to finish"),
            "{article}"
        );
        insta::assert_snapshot!(out.report_all());
    }

    #[test]
    fn utf8_bom() {
        let mut c = Case::sources(&[("a.txt", format!("\u{feff}{QUOTE}").as_bytes())]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stderr, "", "no warning");
        c.assert_kept();
        let (_, article) = c.articles().remove(0);
        assert!(!article.contains('\u{feff}'), "{article}");
        assert!(article.contains("text: We deny it"), "{article}");
    }

    #[test]
    fn crlf_line_ends() {
        let mut c = Case::sources(&[("a.txt", QUOTE.replace('\n', "\r\n").as_bytes())]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stderr, "", "no warning");
        c.assert_kept();
        let (_, article) = c.articles().remove(0);
        assert!(!article.contains('\r'), "{article:?}");
        assert!(article.contains("text: We deny it"), "{article}");
        assert_eq!(c.run(&["build", "--no-import"]).code, 0);
    }

    /// Import's time grows faster than linearly with an article's length (a 4 MB text took
    /// 40 s in a debug build), so sources past 2 MB are refused at once, with a message,
    /// instead of hanging: a real article is tens of kB.
    #[test]
    fn fifty_megabytes() {
        let para = "\"We deny it,\" Kremlin spokesman Dmitry Peskov said on Monday. Officials in Moscow denied any contact with the campaign before the election.\n\n";
        let text = format!(
            "Kremlin denies report\n\n{}",
            para.repeat(50_000_000 / para.len())
        );
        assert!(text.len() > 49_000_000);
        let mut c = Case::sources(&[("big.txt", text.as_bytes())]);
        let started = std::time::Instant::now();
        let out = c.fails(&["import"]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
        insta::assert_snapshot!(out.report());
        // A build imports first: it fails the same way and writes no site.
        let out = c.fails(&["build"]);
        assert!(out.stderr.contains("up to 2 MB"), "{}", out.stderr);
    }

    /// Finding statements in a paragraph takes time and memory that grow with the square of
    /// its length when it is full of speech verbs (a 40 kB line of "officials said that..."
    /// took 8 s and 200 MB in a debug build; 1 MB would take hours), so a line past 64 kB is
    /// refused at once with a message. The same text as paragraphs is the 50 MB case.
    #[test]
    fn one_megabyte_line() {
        let words = "and officials said that talks would continue ".repeat(1_000_000 / 45);
        let text = format!("Kremlin denies report\n\n\"We deny it,\" Kremlin spokesman Dmitry Peskov said on Monday, {words}\n");
        assert!(text.len() > 1_000_000);
        let mut c = Case::sources(&[("a.txt", text.as_bytes())]);
        let started = std::time::Instant::now();
        let out = c.fails(&["build"]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
        insta::assert_snapshot!(out.report());
    }

    /// An opening mark never closed, and quotes inside quotes (curly in straight, straight
    /// in single): import must not make up a statement from an unclosed quote, and the
    /// article it writes must build.
    #[test]
    fn unbalanced_and_nested_quotes() {
        let text = "Kremlin denies report\n\n\
            \"We deny it, Kremlin spokesman Dmitry Peskov said on Monday.\n\n\
            Lavrov later said: \"There were no “secret” talks, and 'no \"back channel\" either',\" Foreign Minister Sergei Lavrov told reporters.\n\n\
            The ministry's statement ended there.\n";
        let mut c = Case::sources(&[("a.txt", text.as_bytes())]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        c.assert_kept();
        let (_, article) = c.articles().remove(0);
        assert!(
            !article.contains("text: We deny it, Kremlin"),
            "an unclosed quote is not a statement: {article}"
        );
        assert_eq!(c.run(&["build", "--no-import"]).code, 0);
        insta::assert_snapshot!(out.report_all());
    }

    /// Moved here from import.rs (`article_without_quotes_has_no_statements`): imported,
    /// with a warning that no statement was found.
    #[test]
    fn no_quotes() {
        let mut c = Case::sources(&[("no_quotes.txt", &import_fixture("no_quotes.txt"))]);
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        c.assert_kept();
        let (_, article) = c.articles().remove(0);
        assert!(
            article.contains("title: 'Explainer: How Russia''s gas exports changed in a decade'")
                || article
                    .contains("title: \"Explainer: How Russia's gas exports changed in a decade\""),
            "{article}"
        );
        assert!(
            article.contains("speakers: []\nstatements: []\n"),
            "{article}"
        );
        assert!(article
            .trim_end()
            .ends_with("well above their long-term average."));
        insta::assert_snapshot!(out.report_all());
    }
}

mod content {
    use super::*;

    fn broken(edit: impl FnOnce(&Case)) -> Case {
        let c = Case::basic().with_site();
        edit(&c);
        c
    }

    /// Break the archive with `edit`: build and check must fail, naming `at` (the file,
    /// line and column, and what is wrong).
    fn content_error_at(edit: impl FnOnce(&Case), at: &str) -> Outcome {
        let out = broken(edit).content_fails();
        assert!(out.stderr.contains(at), "{}", out.stderr);
        out
    }

    /// Moved here from build.rs (`errors::bad_yaml`).
    #[test]
    fn malformed_yaml() {
        let out = content_error_at(
            |c| c.edit(PESKOV, "tags: [contacts]", "tags: [contacts"),
            "peskov-denies.md:9:9:",
        );
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::unknown_field`).
    #[test]
    fn unknown_field() {
        let out = content_error_at(
            |c| c.edit(PESKOV, "    speaker: anonymous", "    speakr: anonymous"),
            "peskov-denies.md:26:5:",
        );
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn wrong_type() {
        let out = content_error_at(
            |c| c.edit(PESKOV, "authors: [Jane Doe]", "authors: Jane Doe"),
            "peskov-denies.md:7:10: `authors`",
        );
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn not_a_date() {
        let out = content_error_at(
            |c| c.edit(PESKOV, "said_on: 2016-11-14", "said_on: yesterday"),
            "peskov-denies.md:20:14: `said_on`",
        );
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn missing_title() {
        let mut c = broken(|c| c.edit(RYABKOV, "title: Ministry Confirms Contacts\n", ""));
        let out = c.content_fails();
        assert!(
            out.stderr
                .contains("ryabkov-confirms.md:2:1: missing field `title`"),
            "{}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn missing_statement_field() {
        let mut c = broken(|c| c.edit(PESKOV, "    verb: denied\n", ""));
        let out = c.content_fails();
        // Located at the statement that lacks it, not at its last field.
        assert!(
            out.stderr
                .contains("peskov-denies.md:16:3: missing field `verb`"),
            "{}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::duplicate_id`).
    #[test]
    fn duplicate_statement_id() {
        let mut c =
            broken(|c| c.edit(RYABKOV, "id: ryabkov-had-contacts", "id: peskov-no-contact"));
        let out = c.content_fails();
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::unknown_speaker`).
    #[test]
    fn unknown_speaker() {
        let mut c = broken(|c| {
            fs::remove_file(c.root().join("content/speakers/sergei-ryabkov.md")).unwrap()
        });
        let out = c.content_fails();
        assert!(
            out.stderr
                .contains("ryabkov-confirms.md:6:1: unknown speaker `sergei-ryabkov`"),
            "{}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    /// A slug is a file name, so two articles can share one only by differing in case:
    /// one address on macOS or Windows, where one page would overwrite the other.
    #[test]
    fn two_articles_one_slug() {
        let mut c = broken(|c| {
            c.write(
                "content/articles/Peskov-Denies.md",
                "---\ntitle: Another Article\n---\nSome text.\n",
            )
        });
        let out = c.content_fails();
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn path_shaped_ids() {
        let mut c = broken(|c| {
            c.edit(PESKOV, "id: peskov-no-contact", "id: ../x");
            c.edit(PESKOV, "id: official-view", "id: a/b");
            c.edit(RYABKOV, "id: ryabkov-had-contacts", "id: /abs");
            c.edit(
                RYABKOV,
                "  - id: sergei-ryabkov",
                "  - id: ../sergei-ryabkov",
            );
            c.edit(
                RYABKOV,
                "speaker: sergei-ryabkov",
                "speaker: ../sergei-ryabkov",
            );
            // A slug with characters that are not safe in an address.
            fs::rename(
                c.root().join(PESKOV),
                c.root().join("content/articles/peskov denies.md"),
            )
            .unwrap();
        });
        let out = c.content_fails();
        insta::assert_snapshot!(out.report());
    }

    /// A slug `a/b`: an article in a folder under content/articles/ would not be read;
    /// that is an error, not a page silently missing.
    #[test]
    fn articles_in_a_subfolder() {
        let mut c = broken(|c| {
            fs::create_dir_all(c.root().join("content/articles/2016")).unwrap();
            fs::rename(
                c.root().join(RYABKOV),
                c.root().join("content/articles/2016/ryabkov-confirms.md"),
            )
            .unwrap();
        });
        let out = c.content_fails();
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::statement_not_in_body`).
    #[test]
    fn statement_not_in_body() {
        let mut c = broken(|c| {
            c.edit(
                PESKOV,
                "text: the Kremlin was pleased",
                "text: the Kremlin was delighted",
            )
        });
        let out = c.content_fails();
        assert!(
            out.stderr.contains("peskov-denies.md:25:1:"),
            "{}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::all_problems_at_once`).
    #[test]
    fn several_problems_at_once() {
        let mut c = broken(|c| {
            c.edit(
                PESKOV,
                "text: the Kremlin was pleased",
                "text: the Kremlin was delighted",
            );
            fs::remove_file(c.root().join("content/speakers/sergei-ryabkov.md")).unwrap();
        });
        let out = c.content_fails();
        for e in [
            "unknown speaker",
            "not in the article body",
            "2 problems found",
        ] {
            assert!(out.stderr.contains(e), "{e:?} in {}", out.stderr);
        }
    }
}

mod files {
    use super::*;

    #[cfg(unix)]
    use std::os::unix::fs::{symlink, PermissionsExt};

    #[cfg(unix)]
    #[test]
    fn symlink_in_content() {
        let mut c = Case::basic().with_site();
        let outside = tempfile::tempdir().unwrap();
        fs::write(
            outside.path().join("x.md"),
            "---\ntitle: Outside\n---\nText.\n",
        )
        .unwrap();
        symlink(
            outside.path().join("x.md"),
            c.root().join("content/articles/x.md"),
        )
        .unwrap();
        let out = c.content_fails();
        insta::assert_snapshot!(out.report());
    }

    /// A link to itself in content/speakers/ is an error like any link; one in
    /// content/sources/ is not followed, so import neither hangs nor reads outside.
    #[cfg(unix)]
    #[test]
    fn symlink_loop() {
        let mut c = Case::basic().with_site();
        symlink("loop.md", c.root().join("content/speakers/loop.md")).unwrap();
        fs::create_dir_all(c.root().join("content/sources")).unwrap();
        symlink("b.txt", c.root().join("content/sources/a.txt")).unwrap();
        symlink("a.txt", c.root().join("content/sources/b.txt")).unwrap();
        symlink(".", c.root().join("content/sources/again")).unwrap();
        let out = c.fails(&["build"]);
        insta::assert_snapshot!(out.report());
        fs::remove_file(c.root().join("content/speakers/loop.md")).unwrap();
        c.freeze();
        let out = c.run(&["import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            out.stdout,
            "0 new, 0 updated, 0 unchanged, 0 new speakers\n"
        );
        c.assert_untouched();
    }

    /// As root (as in CI containers) a chmod 000 file can still be read: then the build
    /// simply succeeds. Otherwise it is an error naming the file.
    #[cfg(unix)]
    #[test]
    fn unreadable_file() {
        let mut c = Case::basic().with_site();
        let file = c.root().join("content/speakers/dmitry-peskov.md");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
        let readable_anyway = fs::read(&file).is_ok();
        if readable_anyway {
            c.freeze();
            let out = c.run(&["build", "--no-import"]);
            assert_eq!(out.code, 0, "{}", out.stderr);
        } else {
            let out = c.fails(&["build", "--no-import"]);
            assert!(
                out.stderr.contains(
                    "error: ./content/speakers/dmitry-peskov.md: cannot read: Permission denied"
                ) && out.stderr.contains("help: make the file readable"),
                "{}",
                out.stderr
            );
        }
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    }

    #[test]
    fn missing_templates_dir() {
        let mut c = Case::basic();
        assert!(!c.root().join("templates").exists());
        c.freeze();
        let out = c.run(&["build", "--no-import"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stderr, "");
        c.assert_kept();
        assert!(
            read(c.root().join("public/speakers/dmitry-peskov/index.html"))
                .contains("Dmitry Peskov")
        );
    }

    #[test]
    fn template_syntax_error() {
        let mut c = Case::basic().with_site();
        c.write(
            "templates/speaker.html",
            "{% extends \"base.html\" %}{% block content %}\n<h1>{{ speaker.name }</h1>\n{% endblock content %}",
        );
        let out = c.fails(&["build", "--no-import"]);
        assert!(
            out.stderr.contains("templates/speaker.html"),
            "{}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`errors::template_error_names_the_template`).
    #[test]
    fn template_render_error() {
        let mut c = Case::basic().with_site();
        c.write(
            "templates/speaker.html",
            "{% extends \"base.html\" %}{% block content %}{{ speaker.nosuchfield }}{% endblock content %}",
        );
        let out = c.fails(&["build", "--no-import"]);
        assert!(
            out.stderr.contains("templates/speaker.html"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("/speakers/"),
            "names the page: {}",
            out.stderr
        );
        insta::assert_snapshot!(out.report());
    }

    /// A path under a regular file cannot be made even by root.
    #[test]
    fn output_dir_not_writable() {
        let mut c = Case::basic();
        crate::common::set(c.root(), "output_dir = \"site.toml/public\"");
        let out = c.fails(&["build", "--no-import"]);
        insta::assert_snapshot!(out.report());
    }

    /// Moved here from build.rs (`output::output_dir_must_not_be_the_archive`).
    #[test]
    fn output_dir_is_content() {
        let mut c = Case::basic().with_site();
        let out = c.fails(&["build", "--no-import", "--output", "content"]);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn site_toml_missing() {
        let mut c = Case::basic().with_site();
        fs::remove_file(c.root().join("site.toml")).unwrap();
        let out = c.fails(&["build"]);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn site_toml_bad_syntax() {
        let mut c = Case::basic().with_site();
        c.edit(
            "site.toml",
            "title = \"Fixture Archive\"",
            "title = Fixture Archive",
        );
        let out = c.fails(&["build"]);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn site_toml_unknown_key() {
        let mut c = Case::basic().with_site();
        crate::common::set(c.root(), "titel = \"Typo\"");
        let out = c.fails(&["build"]);
        assert!(out.stderr.contains("site.toml:4:1:"), "{}", out.stderr);
        insta::assert_snapshot!(out.report());
    }

    #[test]
    fn site_toml_wrong_type() {
        let mut c = Case::basic().with_site();
        crate::common::set(c.root(), "search = \"yes\"");
        let out = c.fails(&["build"]);
        insta::assert_snapshot!(out.report());
    }
}
