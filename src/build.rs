//! The build pipeline, one stage after another: read the config, import new sources,
//! resolve the archive, render every page, write the site into a staging directory and
//! swap it in. A failure at any stage leaves the previous site as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::archive::{self, Archive};
use crate::config::{normalize_base_url, SiteConfig};
use crate::error::{Error, Problem, Result};
use crate::import::{self, ImportOptions};
use crate::render::{self, Page, Renderer, BUILTIN_STATIC};
use crate::urls;
use crate::write::Staging;

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
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
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

/// Build the site.
pub fn build_site(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut clock = Stopwatch {
        last: started,
        laps: Vec::new(),
    };
    let config = load_config(opts)?;
    let mut warnings = Vec::new();
    let mut imported = Vec::new();
    if opts.import_sources {
        let report = import::run(&opts.root, &ImportOptions::default())?;
        warnings.extend(report.warnings);
        imported.extend(report.created);
        imported.extend(report.updated);
        imported.extend(report.new_speakers);
        clock.lap("import");
    }
    check_output_dir(&config)?;
    let archive = archive::load(config)?;
    clock.lap("load and resolve");
    let tera = render::load_templates(&archive.config.root)?;
    let renderer = Renderer::new(&tera, &archive);
    clock.lap("templates and views");
    let output = archive.config.output_dir.clone();
    let staging = Staging::new(&output)?;
    let pages = renderer.render_each(&|page: Page| {
        staging.write(&urls::output_file(&page.url), page.html.as_bytes())
    })?;
    clock.lap("render and write pages");
    write_site(&staging, &archive)?;
    clock.lap("feeds, data, static files");
    staging.commit()?;
    clock.lap("swap in");
    Ok(BuildReport {
        output,
        pages,
        articles: archive.articles.len(),
        speakers: archive.speakers.len(),
        statements: archive.statements.len(),
        elapsed: started.elapsed(),
        timings: clock.laps,
        warnings,
        imported,
    })
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

/// Everything of the site besides the pages.
fn write_site(staging: &Staging, archive: &Archive) -> Result<()> {
    let root = &archive.config.root;
    for (name, bytes) in BUILTIN_STATIC {
        if !root.join("static").join(name).exists() {
            staging.write(name, bytes)?;
        }
    }
    copy_static(&root.join("static"), staging)?;
    if archive.articles.iter().any(|a| a.body.has_code) {
        staging.write("syntax.css", crate::markdown::syntax_css().as_bytes())?;
    }
    for (old, new) in &archive.aliases {
        let target = format!("../../{}", alias_target(archive, new));
        staging.write(
            &urls::output_file(&urls::statement(old)),
            redirect_page(&target).as_bytes(),
        )?;
    }
    crate::publish::write_files(archive, staging)?;
    if archive.config.search {
        for (path, bytes) in crate::search::index_files(archive)? {
            staging.write(&path, &bytes)?;
        }
    }
    if archive.config.share_images && archive.config.statement_pages {
        let cache = crate::share::cache_dir(&archive.config.root);
        crate::share::write_statement_cards(archive, &cache, |path, png| staging.write(path, png))?;
    }
    // GitHub Pages: serve files as they are (no Jekyll), and the custom domain if any.
    staging.write(".nojekyll", b"")?;
    if !archive.config.cname.is_empty() {
        staging.write("CNAME", format!("{}\n", archive.config.cname).as_bytes())?;
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
fn copy_static(dir: &Path, staging: &Staging) -> Result<()> {
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
        staging.write(&rel.to_string_lossy(), &bytes)?;
    }
    Ok(())
}
