//! The build pipeline, one stage after another: read the config, import new sources,
//! resolve the archive, plan the pages, render them, write the site into a staging
//! directory and swap it in. A failure at any stage leaves the previous site as it was.
//! In serve, a [`Builder`] remembers its last build and renders only what changed.

use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tera::Tera;

use crate::archive::{self, fingerprint, Archive};
use crate::config::{normalize_base_url, SiteConfig};
use crate::error::{Error, Problem, Result};
use crate::import::{self, ImportOptions};
use crate::render::{self, Page, PlannedPage, Renderer, BUILTIN_STATIC};
use crate::search;
use crate::urls;
use crate::write::{SiteLock, SiteWriter};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The archive's folder (holds site.toml).
    pub root: PathBuf,
    /// Overrides site.toml's output_dir.
    pub output: Option<PathBuf>,
    /// Overrides site.toml's base_url.
    pub base_url: Option<String>,
    /// Import new sources from content/sources/ before rendering.
    pub import_sources: bool,
    /// The files created, changed or removed since the last build, when a watcher knows
    /// (serve); None: look at every file.
    pub changed: Option<Vec<PathBuf>>,
    /// Set (by serve's watcher) when a change arrives while this build runs: an
    /// incremental build then leaves the search index, the one step after the pages that
    /// takes seconds on a large archive, to the next build, which that change starts.
    pub newer_change: Option<Arc<AtomicBool>>,
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    /// Pages of the site (redirects included).
    pub pages: usize,
    /// Pages rendered by this build: all of them, or those whose inputs changed.
    pub rendered: usize,
    pub articles: usize,
    pub speakers: usize,
    pub statements: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Problem>,
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Content files the build's import step wrote (new or updated articles, new
    /// speakers): a watcher should not take them for an editor's change.
    pub imported: Vec<PathBuf>,
    /// The search index was left as it was (see [`BuildOptions::newer_change`]): a build
    /// is owed, even when the change that stopped it turns out to be the build's own.
    pub search_deferred: bool,
}

/// Read the site config with the command line's overrides applied.
pub fn load_config(opts: &BuildOptions) -> Result<SiteConfig> {
    let mut config = SiteConfig::load(&opts.root)?;
    if let Some(url) = &opts.base_url {
        config.base_url =
            normalize_base_url(url).map_err(|m| Error::Other(format!("--base-url: {m}")))?;
    }
    if let Some(out) = &opts.output {
        config.output_dir = out.clone();
    }
    Ok(config)
}

/// Times the stages of a build.
struct Stopwatch {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }
}

/// Build the site from scratch.
pub fn build_site(opts: &BuildOptions) -> Result<BuildReport> {
    let once = Builder {
        last: Mutex::new(None),
        remember: false,
    };
    once.build(opts, &SiteLock::default(), &|_| {})
}

/// Builds a site again and again in one process (serve), remembering the last good build:
/// when only articles changed, unchanged articles are not read again, and only the pages
/// whose inputs changed are rendered and replaced in place. Anything else (config,
/// templates, static files, speakers, a missing site) makes a full build.
pub struct Builder {
    last: Mutex<Option<Memory>>,
    /// Keep what the next build can reuse (false for a one-off build).
    remember: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            last: Mutex::new(None),
            remember: true,
        }
    }
}

/// A page of the last build.
struct PageRecord {
    url: Arc<str>,
    /// None: rendered every time.
    inputs: Option<u64>,
}

/// What a build leaves for the next one.
struct Memory {
    /// Fingerprint of everything but the articles: when it changes, every page may.
    site_inputs: u64,
    output: PathBuf,
    archive: Archive,
    tera: Arc<Tera>,
    /// Every page (by key): its site-relative URL and the fingerprint of its inputs.
    pages: FxHashMap<u64, PageRecord>,
    /// The share images the site holds (site-relative paths).
    cards: FxHashSet<String>,
    /// The files besides pages, static files and share images (feeds, data, search
    /// index): a rebuild removes those it no longer writes.
    files: FxHashSet<String>,
}

impl Builder {
    /// Build, fully or in place. `lock` is held while an existing site is changed in
    /// place (and while a staged one is swapped in), so that a reader holding it never
    /// sees the site half-changed. `pages_ready` is called with the output directory as
    /// soon as every page is current: a rebuild in place then goes on to the files that
    /// sum up the whole archive (feeds, data, search index, share images), each replaced
    /// whole, while a server already reloads the pages.
    pub fn build(
        &self,
        opts: &BuildOptions,
        lock: &SiteLock,
        pages_ready: &dyn Fn(&Path),
    ) -> Result<BuildReport> {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut site_touched = false;
        let result = build_with(
            opts,
            (lock, pages_ready),
            last.as_ref(),
            self.remember,
            &mut site_touched,
        );
        match result {
            Ok((report, memory)) => {
                *last = self.remember.then_some(memory);
                Ok(report)
            }
            Err(e) => {
                if site_touched {
                    // Part of the site may be new: the next build starts over.
                    *last = None;
                }
                Err(e)
            }
        }
    }
}

fn build_with(
    opts: &BuildOptions,
    (lock, pages_ready): (&SiteLock, &dyn Fn(&Path)),
    previous: Option<&Memory>,
    remember: bool,
    site_touched: &mut bool,
) -> Result<(BuildReport, Memory)> {
    let started = Instant::now();
    let mut clock = Stopwatch {
        last: started,
        laps: Vec::new(),
    };
    let config = load_config(opts)?;
    let mut warnings = Vec::new();
    let mut imported = Vec::new();
    // A watcher that saw no change under content/sources/ spares the import step.
    let sources = opts.root.join("content").join("sources");
    let sources_changed = opts
        .changed
        .as_ref()
        .is_none_or(|c| c.iter().any(|p| p.starts_with(&sources)));
    if opts.import_sources && sources_changed {
        let report = import::run(&opts.root, &ImportOptions::default())?;
        warnings.extend(report.warnings);
        imported.extend(report.created);
        imported.extend(report.updated);
        imported.extend(report.new_speakers);
        clock.lap("import");
    }
    check_output_dir(&config)?;
    let site_inputs = site_inputs(&config);
    let previous = previous.filter(|m| {
        m.site_inputs == site_inputs
            && m.output == config.output_dir
            && config.output_dir.join("index.html").is_file()
    });
    // What the watcher saw, and what this build's import wrote.
    let changes: Option<Vec<PathBuf>> = opts
        .changed
        .as_ref()
        .map(|c| c.iter().chain(&imported).cloned().collect());
    let mut archive =
        archive::load_reusing(config, previous.map(|m| &m.archive), changes.as_deref())?;
    archive.keep_derived = remember;
    if !remember && !archive.config.statement_pages && !archive.config.search {
        // Only statement pages and the search index read an article's Markdown once its
        // body is rendered: at 100k articles, half a gigabyte not held while rendering.
        for a in &mut archive.articles {
            if let Some(a) = Arc::get_mut(a) {
                a.doc.body = String::new();
            }
        }
    }
    clock.lap("load and resolve");
    let tera = match previous {
        Some(m) => Arc::clone(&m.tera),
        None => Arc::new(render::load_templates(&archive.config.root)?),
    };
    let renderer = Renderer::new(&tera, &archive);
    let plan = renderer.plan();
    let redirects = alias_pages(&archive);
    let cards = card_paths(&archive);
    clock.lap("templates and plan");
    let output = archive.config.output_dir.clone();
    let mut files: FxHashSet<String>;
    let mut search_deferred = false;
    let rendered = match previous {
        None => {
            let site = SiteWriter::staged(&output)?;
            let pages = renderer.render_each(&|page: Page| {
                site.write(&urls::output_file(&page.url), page.html.as_bytes())
            })?;
            clock.lap("render and write pages");
            write_redirects(&site, redirects.iter())?;
            copy_static_files(&site, &archive)?;
            site.take_written();
            write_site(&site, &archive, None, None)?;
            files = site
                .take_written()
                .into_iter()
                .filter(|f| !cards.contains(f))
                .collect();
            clock.lap("feeds, data, static files");
            {
                let _readers_wait = lock.for_writing();
                site.commit()?;
            }
            clock.lap("swap in");
            pages_ready(&output);
            pages
        }
        Some(before) => {
            let changed: Vec<&PlannedPage> = plan
                .iter()
                .filter(|p| {
                    p.inputs.is_none()
                        || before.pages.get(&p.key).map(|r| r.inputs) != Some(p.inputs)
                })
                .collect();
            let keys_now: FxHashSet<u64> = plan
                .iter()
                .map(|p| p.key)
                .chain(redirects.iter().map(|r| r.key))
                .collect();
            let gone: Vec<&PageRecord> = before
                .pages
                .iter()
                .filter(|(key, _)| !keys_now.contains(key))
                .map(|(_, record)| record)
                .collect();
            let new_cards: Vec<usize> = changed.iter().filter_map(|p| p.statement()).collect();
            // Render first, then change the site in one short step under the lock.
            let pages = std::sync::Mutex::new(Vec::new());
            renderer.render_planned(changed.iter().copied(), &|page: Page| {
                pages.lock().unwrap_or_else(|e| e.into_inner()).push(page);
                Ok(())
            })?;
            let pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
            let site = SiteWriter::in_place(&output);
            {
                let _readers_wait = lock.for_writing();
                *site_touched = true;
                for page in &pages {
                    site.write(&urls::output_file(&page.url), page.html.as_bytes())?;
                }
                for page in gone {
                    site.remove(&urls::output_file(&page.url))?;
                }
                for card in before.cards.difference(&cards) {
                    site.remove(card)?;
                }
                let changed_redirects = redirects
                    .iter()
                    .filter(|r| before.pages.get(&r.key).map(|p| p.inputs) != Some(Some(r.inputs)));
                write_redirects(&site, changed_redirects)?;
            }
            clock.lap("render and write changed pages");
            pages_ready(&output);
            site.take_written();
            let newer_change =
                || (opts.newer_change.as_ref()).is_some_and(|flag| flag.load(Ordering::Relaxed));
            let search_current =
                write_site(&site, &archive, Some(&new_cards), Some(&newer_change))?;
            files = site
                .take_written()
                .into_iter()
                .filter(|f| !cards.contains(f))
                .collect();
            search_deferred = !search_current;
            if search_deferred {
                // The last index stays in place (not stale files) until the next build.
                let index = before
                    .files
                    .iter()
                    .filter(|f| f.starts_with(search::INDEX_DIR));
                files.extend(index.cloned());
            }
            for stale in before.files.difference(&files) {
                site.remove(stale)?;
            }
            clock.lap("feeds, data, changed share images");
            changed.len()
        }
    };
    let total = plan.len() + redirects.len();
    // The next build's record of the pages; URLs of pages it had are shared, not made again.
    let url = |key: u64, make: &dyn Fn() -> String| -> Arc<str> {
        previous
            .and_then(|m| m.pages.get(&key))
            .map(|r| Arc::clone(&r.url))
            .unwrap_or_else(|| make().into())
    };
    let mut pages: FxHashMap<u64, PageRecord> = plan
        .iter()
        .map(|p| {
            let record = PageRecord {
                url: url(p.key, &|| renderer.url_of(p)),
                inputs: p.inputs,
            };
            (p.key, record)
        })
        .collect();
    pages.extend(redirects.into_iter().map(|r| {
        let record = PageRecord {
            url: r.url.into(),
            inputs: Some(r.inputs),
        };
        (r.key, record)
    }));
    let report = BuildReport {
        output: output.clone(),
        pages: total,
        rendered,
        articles: archive.articles.len(),
        speakers: archive.speakers.len(),
        statements: archive.statements.len(),
        elapsed: started.elapsed(),
        timings: clock.laps,
        warnings,
        imported,
        search_deferred,
    };
    drop(renderer);
    let memory = Memory {
        site_inputs,
        output,
        archive,
        tera,
        pages,
        cards,
        files,
    };
    Ok((report, memory))
}

/// A fingerprint of everything a page may show besides the articles: the config (with the
/// command line's overrides), and the files under templates/, static/ and content/speakers/
/// (names, sizes, modification times).
fn site_inputs(config: &SiteConfig) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0).build_hasher();
    format!("{config:?}").hash(&mut h);
    for dir in ["templates", "static", archive::SPEAKERS_DIR] {
        for entry in walkdir::WalkDir::new(config.root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            entry.path().hash(&mut h);
            archive::stamp(entry.path()).hash(&mut h);
        }
    }
    h.finish()
}

/// The output directory is replaced whole: refuse one that holds anything else.
fn check_output_dir(config: &SiteConfig) -> Result<()> {
    let out = absolute(&config.output_dir);
    let root = absolute(&config.root);
    let protected = ["content", "templates", "static", "src"].map(|d| root.join(d));
    if root.starts_with(&out) || protected.iter().any(|p| out.starts_with(p)) {
        return Err(Error::Other(format!(
            "output directory {} would replace the archive's own files; choose another, e.g. public",
            config.output_dir.display()
        )));
    }
    let looks_like_site = out.join("index.html").exists();
    let is_empty = std::fs::read_dir(&out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if !looks_like_site && !is_empty {
        return Err(Error::Other(format!(
            "output directory {} is not empty and holds no site (no index.html); building would replace it. Empty it or choose another",
            config.output_dir.display()
        )));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    // Resolve `..` without requiring the path to exist.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Everything of the site besides the pages, the redirects and the static files. `cards`:
/// the statements whose share images are needed (all when None).
/// `stop`, in an incremental build (which changes the site in place): the search index is
/// written once whole, and left as it was when `stop()` turns true while it is made; then
/// this returns false. A full build writes the index's files as they are made.
fn write_site(
    site: &SiteWriter,
    archive: &Archive,
    cards: Option<&[usize]>,
    stop: Option<&dyn Fn() -> bool>,
) -> Result<bool> {
    if archive.articles.iter().any(|a| a.body.has_code) {
        site.write("syntax.css", crate::markdown::syntax_css().as_bytes())?;
    }
    crate::publish::write_files(archive, site)?;
    let mut search_current = true;
    match stop {
        _ if !archive.config.search => {}
        // Held whole in memory before any file is written (at 100k articles, about a
        // gigabyte for a moment): a stopped index must leave the last one untouched.
        Some(stop) => match search::index_files(archive, stop)? {
            Some(files) => {
                for (path, bytes) in files {
                    site.write(&path, &bytes)?;
                }
            }
            None => search_current = false,
        },
        None => {
            search::write_index(archive, &|| false, &mut |path, bytes| {
                site.write(&path, &bytes)
            })?;
        }
    }
    if archive.config.share_images && archive.config.statement_pages {
        let cache = crate::share::cache_dir(&archive.config.root);
        let all: Vec<usize>;
        let which = match cards {
            Some(which) => which,
            None => {
                all = (0..archive.statements.len()).collect();
                &all
            }
        };
        crate::share::write_statement_cards(archive, &cache, which, |path, png| {
            site.write(path, png)
        })?;
    }
    // GitHub Pages: serve files as they are (no Jekyll), and the custom domain if any.
    site.write(".nojekyll", b"")?;
    if !archive.config.cname.is_empty() {
        site.write("CNAME", format!("{}\n", archive.config.cname).as_bytes())?;
    }
    Ok(search_current)
}

/// The built-in static files the archive does not override, and the archive's static/.
fn copy_static_files(site: &SiteWriter, archive: &Archive) -> Result<()> {
    let root = &archive.config.root;
    for (name, bytes) in BUILTIN_STATIC {
        if !root.join("static").join(name).exists() {
            site.write(name, bytes)?;
        }
    }
    copy_static(&root.join("static"), site)
}

/// The share images a build of this archive writes (site-relative paths).
fn card_paths(archive: &Archive) -> FxHashSet<String> {
    if !(archive.config.share_images && archive.config.statement_pages) {
        return FxHashSet::default();
    }
    archive
        .statements
        .iter()
        .map(|r| urls::share_image(&archive.statement(r).1.id))
        .collect()
}

/// A page sending an old statement address on to the new one.
struct Redirect {
    key: u64,
    url: String,
    html: String,
    /// Fingerprint of the HTML.
    inputs: u64,
}

/// A redirect page for every old statement id.
fn alias_pages(archive: &Archive) -> Vec<Redirect> {
    archive
        .aliases
        .iter()
        .map(|(old, new)| {
            let target = format!("../../{}", alias_target(archive, new));
            let html = redirect_page(&target);
            Redirect {
                key: fingerprint(("redirect", old)),
                url: urls::statement(old),
                inputs: fingerprint(&html),
                html,
            }
        })
        .collect()
}

fn write_redirects<'r>(site: &SiteWriter, pages: impl Iterator<Item = &'r Redirect>) -> Result<()> {
    for r in pages {
        site.write(&urls::output_file(&r.url), r.html.as_bytes())?;
    }
    Ok(())
}

/// Where an old statement id now leads.
fn alias_target(archive: &Archive, id: &str) -> String {
    crate::publish::statement_url(archive, &archive.statements[archive.by_id[id]])
}

/// A page that sends the reader on to `target` (an old statement address).
fn redirect_page(target: &str) -> String {
    let t = crate::markdown::attr(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Moved</title>\
         <meta http-equiv=\"refresh\" content=\"0; url={t}\"><link rel=\"canonical\" href=\"{t}\">\
         <meta name=\"robots\" content=\"noindex\"></head>\
         <body><p>This statement has a new address: <a href=\"{t}\">{t}</a></p></body></html>\n"
    )
}

/// Copy the archive's static/ folder as is. Symbolic links are not followed: nothing
/// from outside the archive ends up in the site.
fn copy_static(dir: &Path, site: &SiteWriter) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry =
            entry.map_err(|e| Error::Other(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("walkdir stays inside dir");
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        site.write(&rel.to_string_lossy(), &bytes)?;
    }
    Ok(())
}
