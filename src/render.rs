//! Render pages: Tera templates (the built-in ones compiled into the binary, overridden
//! file by file from the archive's templates/) fed with view structs made from the
//! resolved archive. Views borrow from the archive; every statement's view is made once
//! and shared by every page that lists it.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::archive::{date_label, fingerprint, shorten, Archive, ResolvedArticle, StatementRef};
use crate::content::StatementKind;
use crate::error::{Error, Result};
use crate::markdown;
use crate::urls;

/// The built-in templates: the repository's templates/ folder, compiled in.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("articles.html", include_str!("../templates/articles.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("speakers.html", include_str!("../templates/speakers.html")),
    ("speaker.html", include_str!("../templates/speaker.html")),
    ("timeline.html", include_str!("../templates/timeline.html")),
    (
        "statement.html",
        include_str!("../templates/statement.html"),
    ),
    ("404.html", include_str!("../templates/404.html")),
    ("search.html", include_str!("../templates/search.html")),
    (
        "_statement.html",
        include_str!("../templates/_statement.html"),
    ),
    (
        "_speaker_table.html",
        include_str!("../templates/_speaker_table.html"),
    ),
    ("_years.html", include_str!("../templates/_years.html")),
    ("_pager.html", include_str!("../templates/_pager.html")),
];

/// The built-in static files: the repository's static/ folder, compiled in.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("onrecord.js", include_bytes!("../static/onrecord.js")),
    ("search.js", include_bytes!("../static/search.js")),
];

pub const GENERATOR: &str = concat!("onrecord ", env!("CARGO_PKG_VERSION"));

/// One output page: its site-relative URL and its HTML.
pub struct Page {
    pub url: String,
    pub html: String,
}

/// Load templates: every built-in one, replaced by `templates/NAME` when that file
/// exists, plus any other `.html` file there (partials of the archive's own).
pub fn load_templates(root: &Path) -> Result<Tera> {
    let dir = root.join("templates");
    let mut sources: BTreeMap<String, String> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".html") || name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            sources.insert(name, text);
        }
    }
    let mut tera = Tera::new();
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| {
            let file = match e.kind() {
                tera::ErrorKind::SyntaxError(r) => format!("templates/{}", r.filename()),
                _ => "templates/".to_string(),
            };
            Error::Template {
                page: None,
                message: format!("in {file}: {}", tera_message(&e)),
            }
        })?;
    Ok(tera)
}

/// Tera's own report (with the template name and the spot), and its causes.
fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    msg
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    /// Whether the site has a search page.
    search: bool,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
}

#[derive(Serialize)]
struct PageView<'a> {
    /// For <title>: "TITLE — SITE" (the site title alone on the home page).
    title: String,
    /// The page's own title, for sharing (og:title).
    share_title: String,
    url: &'a str,
    canonical: String,
    kind: &'a str,
}

#[derive(Serialize, Clone)]
struct SpeakerLink<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    anonymous: bool,
}

#[derive(Serialize, Clone)]
struct ArticleLink<'a> {
    title: &'a str,
    url: String,
    publication: Option<&'a str>,
    date_label: String,
}

#[derive(Serialize, Clone)]
struct RelationTarget<'a> {
    id: &'a str,
    url: String,
    anchor_url: String,
    text: &'a str,
    speaker_name: &'a str,
    date_label: String,
}

#[derive(Serialize, Clone)]
struct RelationView<'a> {
    kind: &'static str,
    label: &'static str,
    target: RelationTarget<'a>,
}

#[derive(Serialize, Clone)]
struct StatementView<'a> {
    id: &'a str,
    url: String,
    anchor_url: String,
    speaker: SpeakerLink<'a>,
    role: Option<&'a str>,
    kind: &'static str,
    verb: &'a str,
    said_on: Option<String>,
    date: Option<String>,
    date_label: String,
    date_is_estimate: bool,
    text: &'a str,
    note_html: Option<String>,
    relations: Vec<RelationView<'a>>,
    article: ArticleLink<'a>,
    #[serde(skip)]
    year: Option<i16>,
}

#[derive(Serialize)]
struct ArticleSummary<'a> {
    slug: &'a str,
    title: &'a str,
    url: String,
    publication: Option<&'a str>,
    date: Option<String>,
    date_label: String,
    authors: &'a [String],
    speakers: Vec<SpeakerLink<'a>>,
    statement_count: usize,
}

#[derive(Serialize)]
struct ArticleSpeakerView<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    role: Option<&'a str>,
    anonymous: bool,
    statement_count: usize,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    summary: ArticleSummary<'a>,
    original_url: Option<&'a str>,
    tags: &'a [String],
    body_html: &'a str,
    has_code: bool,
    speakers: Vec<ArticleSpeakerView<'a>>,
    statements: Vec<&'a StatementView<'a>>,
}

#[derive(Serialize)]
struct SpeakerSummary<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    role: Option<&'a str>,
    anonymous: bool,
    organization: bool,
    statement_count: usize,
    article_count: usize,
    first_label: Option<String>,
    last_label: Option<String>,
}

#[derive(Serialize)]
struct RoleView<'a> {
    role: &'a str,
    first_label: String,
    last_label: String,
}

#[derive(Serialize)]
struct YearView<'a> {
    year: String,
    statements: Vec<&'a StatementView<'a>>,
}

#[derive(Serialize)]
struct SpeakerView<'a> {
    #[serde(flatten)]
    summary: SpeakerSummary<'a>,
    aliases: &'a [String],
    bio_html: Option<String>,
    roles: Vec<RoleView<'a>>,
    years: Vec<YearView<'a>>,
}

/// Where a page is in a list split into pages.
#[derive(Serialize)]
struct Pager {
    number: usize,
    count: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    pages: Vec<PagerLink>,
}

#[derive(Serialize)]
struct PagerLink {
    number: usize,
    url: String,
    current: bool,
}

/// How many entries one page of the timeline or the article list shows.
pub const PAGE_SIZE: usize = 500;

fn pager(number: usize, count: usize, url: fn(usize) -> String) -> Pager {
    Pager {
        number,
        count,
        prev_url: (number > 1).then(|| url(number - 1)),
        next_url: (number < count).then(|| url(number + 1)),
        pages: (1..=count)
            .map(|n| PagerLink {
                number: n,
                url: url(n),
                current: n == number,
            })
            .collect(),
    }
}

/// Pages needed for `len` entries (one, even when empty).
fn page_count(len: usize) -> usize {
    len.div_ceil(PAGE_SIZE).max(1)
}

#[derive(Serialize)]
struct Counts {
    articles: usize,
    speakers: usize,
    statements: usize,
}

/// Everything the pages share, each part made once, when a page first needs it (a build
/// that renders a few pages makes only their views).
struct Views<'a> {
    archive: &'a Archive,
    /// In `archive.statements` order (by date). Boxed: a slot costs 16 bytes until its
    /// view is made, and a rebuild after an edit makes a handful of tens of thousands.
    statements: Vec<OnceLock<Box<StatementView<'a>>>>,
    /// Statement indices (into `statements`) of each speaker, by date.
    by_speaker: &'a FxHashMap<String, Vec<usize>>,
    /// Statement indices (into `statements`) of each article, in the article's order.
    by_article: &'a [Vec<usize>],
}

fn speaker_link<'a>(archive: &'a Archive, id: &'a str) -> SpeakerLink<'a> {
    let s = archive.speaker(id);
    SpeakerLink {
        id,
        name: s.map(|s| s.meta.name.as_str()).unwrap_or(id),
        url: urls::speaker(id),
        anonymous: s.is_some_and(|s| s.meta.anonymous),
    }
}

fn date_string(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn statement_view<'a>(archive: &'a Archive, r: &StatementRef) -> StatementView<'a> {
    let (a, s) = archive.statement(r);
    let slug = a.doc.id.as_str();
    let role = a
        .doc
        .meta
        .speakers
        .iter()
        .find(|sp| sp.id == s.speaker)
        .and_then(|sp| sp.role.as_deref());
    let relations = s
        .relations
        .iter()
        .filter_map(|rel| {
            let t = archive.statements[*archive.by_id.get(rel.target())?];
            let (ta, ts) = archive.statement(&t);
            Some(RelationView {
                kind: rel.kind(),
                label: rel.label(),
                target: RelationTarget {
                    id: &ts.id,
                    url: urls::statement_link(archive.config.statement_pages, &ta.doc.id, &ts.id),
                    anchor_url: urls::statement_in_article(&ta.doc.id, &ts.id),
                    text: &ts.text,
                    speaker_name: archive
                        .speaker(&ts.speaker)
                        .map(|sp| sp.meta.name.as_str())
                        .unwrap_or(&ts.speaker),
                    date_label: date_label(t.date),
                },
            })
        })
        .collect();
    StatementView {
        id: &s.id,
        url: urls::statement_link(archive.config.statement_pages, slug, &s.id),
        anchor_url: urls::statement_in_article(slug, &s.id),
        speaker: speaker_link(archive, &s.speaker),
        role,
        kind: s.kind.as_str(),
        verb: &s.verb,
        said_on: date_string(s.said_on),
        date: date_string(r.date),
        date_label: date_label(r.date),
        date_is_estimate: r.date_is_estimate,
        text: &s.text,
        note_html: a.notes_html[r.index].clone(),
        relations,
        article: ArticleLink {
            title: &a.doc.meta.title,
            url: urls::article(slug),
            publication: a.doc.meta.publication.as_deref(),
            date_label: date_label(a.doc.meta.date),
        },
        year: r.date.map(|d| d.year()),
    }
}

impl<'a> Views<'a> {
    /// The view of statement `i` (an index into `archive.statements`).
    fn statement(&self, i: usize) -> &StatementView<'a> {
        self.statements[i]
            .get_or_init(|| Box::new(statement_view(self.archive, &self.archive.statements[i])))
    }
}

fn make_views(archive: &Archive) -> Views<'_> {
    let statements = (0..archive.statements.len())
        .map(|_| OnceLock::new())
        .collect();
    Views {
        archive,
        statements,
        by_speaker: &archive.by_speaker,
        by_article: &archive.by_article,
    }
}

fn article_summary<'a>(archive: &'a Archive, index: usize) -> ArticleSummary<'a> {
    let a = &archive.articles[index].doc;
    ArticleSummary {
        slug: &a.id,
        title: &a.meta.title,
        url: urls::article(&a.id),
        publication: a.meta.publication.as_deref(),
        date: date_string(a.meta.date),
        date_label: date_label(a.meta.date),
        authors: &a.meta.authors,
        speakers: a
            .meta
            .speakers
            .iter()
            .map(|sp| speaker_link(archive, &sp.id))
            .collect(),
        statement_count: a.meta.statements.len(),
    }
}

fn speaker_summary<'a>(archive: &'a Archive, views: &Views<'a>, id: &'a str) -> SpeakerSummary<'a> {
    let s = archive
        .speaker(id)
        .expect("speaker ids come from the registry");
    let mine = views.by_speaker.get(id).map(Vec::as_slice).unwrap_or(&[]);
    let dated: Vec<&StatementRef> = mine
        .iter()
        .map(|&i| &archive.statements[i])
        .filter(|r| r.date.is_some())
        .collect();
    let mut articles: Vec<usize> = mine
        .iter()
        .map(|&i| archive.statements[i].article)
        .collect();
    articles.sort_unstable();
    articles.dedup();
    SpeakerSummary {
        id,
        name: &s.meta.name,
        url: urls::speaker(id),
        role: s.meta.role.as_deref(),
        anonymous: s.meta.anonymous,
        organization: s.meta.organization,
        statement_count: mine.len(),
        article_count: articles.len(),
        first_label: dated.first().map(|r| date_label(r.date)),
        last_label: dated.last().map(|r| date_label(r.date)),
    }
}

/// Group statement views by year, in the given order; undated ones last.
fn by_year<'v>(views: &'v Views<'_>, indices: impl Iterator<Item = usize>) -> Vec<YearView<'v>> {
    let mut years: Vec<YearView> = Vec::new();
    for i in indices {
        let v = views.statement(i);
        let year = v
            .year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "Undated".into());
        match years.last_mut() {
            Some(y) if y.year == year => y.statements.push(v),
            _ => years.push(YearView {
                year,
                statements: vec![v],
            }),
        }
    }
    years
}

/// The roles a speaker was given across articles, oldest first.
fn roles_over_time<'a>(archive: &'a Archive, views: &Views<'a>, id: &str) -> Vec<RoleView<'a>> {
    let mut roles: Vec<(&str, Option<jiff::civil::Date>, Option<jiff::civil::Date>)> = Vec::new();
    for &i in views.by_speaker.get(id).map(Vec::as_slice).unwrap_or(&[]) {
        let r = &archive.statements[i];
        let Some(role) = views.statement(i).role else {
            continue;
        };
        match roles
            .iter_mut()
            .find(|(x, _, _)| x.eq_ignore_ascii_case(role))
        {
            Some(entry) => entry.2 = r.date.or(entry.2),
            None => roles.push((role, r.date, r.date)),
        }
    }
    roles
        .into_iter()
        .map(|(role, first, last)| RoleView {
            role,
            first_label: date_label(first),
            last_label: date_label(last),
        })
        .collect()
}

/// Renders pages with one Tera instance and the shared views.
pub struct Renderer<'a> {
    tera: &'a Tera,
    archive: &'a Archive,
    views: Views<'a>,
}

impl<'a> Renderer<'a> {
    pub fn new(tera: &'a Tera, archive: &'a Archive) -> Self {
        Renderer {
            tera,
            archive,
            views: make_views(archive),
        }
    }

    /// Render every page of the site, in parallel, handing each to `write` as soon as it
    /// is made (the site is never held in memory whole). Returns the number of pages.
    pub fn render_each(&self, write: &(dyn Fn(Page) -> Result<()> + Sync)) -> Result<usize> {
        let plan = self.plan();
        self.render_planned(plan.iter(), write)?;
        Ok(plan.len())
    }

    /// The site-relative URL of a planned page.
    pub fn url_of(&self, page: &PlannedPage) -> String {
        let a = self.archive;
        match page.job {
            Job::Home => urls::home(),
            Job::Speakers => urls::speakers(),
            Job::NotFound => urls::not_found(),
            Job::Search => urls::search(),
            Job::Articles(n) => urls::articles_page(n),
            Job::Timeline(n) => urls::timeline_page(n),
            Job::Article(i) => urls::article(&a.articles[i].doc.id),
            Job::Speaker(i) => urls::speaker(&a.speakers[i].id),
            Job::Statement(i) => {
                let (x, s) = a.statement(&a.statements[i]);
                urls::statement_link(true, &x.doc.id, &s.id)
            }
        }
    }

    /// Render the given pages of the plan, in parallel, handing each to `write`.
    pub fn render_planned<'p>(
        &self,
        pages: impl Iterator<Item = &'p PlannedPage>,
        write: &(dyn Fn(Page) -> Result<()> + Sync),
    ) -> Result<()> {
        let jobs: Vec<Job> = pages.map(|p| p.job).collect();
        let results: Vec<Result<()>> = jobs
            .par_iter()
            .map(|job| self.render_job(job).and_then(write))
            .collect();
        // The first failure in page order, not the first in time: the same error for the
        // same site on every run.
        results.into_iter().collect()
    }

    /// Every page of the site, with a key naming it and a fingerprint of what it shows,
    /// made from the articles' digests (no page is rendered, no URL made).
    pub fn plan(&self) -> Vec<PlannedPage> {
        let a = self.archive;
        let fps: Vec<&ArticleFingerprints> = a
            .articles
            .iter()
            .map(|x| x.fingerprints.get_or_init(|| article_fingerprints(x)))
            .collect();
        // What an article's pages show: its own file, and the files of the statements
        // its notes quote.
        let article_inputs: Vec<u64> = fps
            .iter()
            .enumerate()
            .map(|(i, fp)| match fp.relations.is_empty() {
                true => fp.alone,
                false => {
                    let related: Vec<u64> = a
                        .related_articles(i)
                        .map(|j| a.articles[j].digest)
                        .collect();
                    fingerprint((fp.alone, related))
                }
            })
            .collect();
        let listed_inputs = self.listed_inputs(&fps);
        let always = |job: Job, name: &str| PlannedPage {
            job,
            key: fingerprint(name),
            inputs: None,
        };
        let mut plan = vec![
            always(Job::Home, "home"),
            always(Job::Speakers, "speakers"),
            always(Job::NotFound, "404"),
        ];
        if a.config.search {
            plan.push(always(Job::Search, "search"));
        }
        let article_pages = page_count(a.articles.len());
        plan.extend((1..=article_pages).map(|n| {
            let range = page_range(n, a.articles.len());
            let summaries: Vec<u64> = fps[range].iter().map(|fp| fp.summary).collect();
            PlannedPage {
                job: Job::Articles(n),
                key: fingerprint(("articles", n)),
                inputs: Some(fingerprint((n, article_pages, a.articles.len(), summaries))),
            }
        }));
        let timeline_pages = page_count(a.statements.len());
        plan.extend((1..=timeline_pages).map(|n| {
            let range = page_range(n, a.statements.len());
            PlannedPage {
                job: Job::Timeline(n),
                key: fingerprint(("timeline", n)),
                inputs: Some(fingerprint((
                    n,
                    timeline_pages,
                    a.statements.len(),
                    &listed_inputs[range],
                ))),
            }
        }));
        plan.extend(fps.iter().enumerate().map(|(i, fp)| PlannedPage {
            job: Job::Article(i),
            key: fp.page_key,
            inputs: Some(article_inputs[i]),
        }));
        plan.extend(a.speakers.iter().enumerate().map(|(i, s)| {
            let mine = self
                .views
                .by_speaker
                .get(s.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let inputs: Vec<u64> = mine.iter().map(|&j| listed_inputs[j]).collect();
            PlannedPage {
                job: Job::Speaker(i),
                key: fingerprint(("speaker", &s.id)),
                inputs: Some(fingerprint(inputs)),
            }
        }));
        if a.config.statement_pages {
            // What a statement page shows: its article (the paragraph around the words).
            plan.extend(a.statements.iter().enumerate().map(|(i, r)| PlannedPage {
                job: Job::Statement(i),
                key: fps[r.article].statement_keys[r.index],
                inputs: Some(fingerprint((article_inputs[r.article], r.index))),
            }));
        }
        plan
    }

    /// For each statement (in `archive.statements` order), a fingerprint of what lists of
    /// statements (speaker pages, the timeline) show of it: the statement, its article's
    /// title, date and place, its speaker's role (all from its own article), and the
    /// statements its relations point to; not the article's body.
    fn listed_inputs(&self, fps: &[&ArticleFingerprints]) -> Vec<u64> {
        let a = self.archive;
        let mut listed: Vec<u64> = a
            .statements
            .iter()
            .map(|r| fps[r.article].listed[r.index])
            .collect();
        for (i, fp) in fps.iter().enumerate() {
            for &si in &fp.relations {
                let s = &a.articles[i].doc.meta.statements[si];
                let targets: Vec<(&str, &str, &str, Option<jiff::civil::Date>)> = s
                    .relations
                    .iter()
                    .filter_map(|rel| a.by_id.get(rel.target()))
                    .map(|&t| {
                        let t = &a.statements[t];
                        let (tx, ts) = a.statement(t);
                        (tx.doc.id.as_str(), ts.id.as_str(), ts.text.as_str(), t.date)
                    })
                    .collect();
                let at = self.views.by_article[i][si];
                listed[at] = fingerprint((fp.listed[si], targets));
            }
        }
        listed
    }

    fn render_job(&self, job: &Job) -> Result<Page> {
        match *job {
            Job::Home => self.home(),
            Job::Articles(n) => self.articles(n),
            Job::Speakers => self.speakers(),
            Job::Timeline(n) => self.timeline(n),
            Job::NotFound => self.not_found(),
            Job::Search => self.render(
                "search.html",
                urls::search(),
                "Search".to_string(),
                "search",
                Context::new(),
            ),
            Job::Article(i) => self.article(i),
            Job::Speaker(i) => self.speaker(i),
            Job::Statement(i) => self.statement(i),
        }
    }

    fn render(
        &self,
        template: &str,
        url: String,
        title: String,
        kind: &str,
        mut ctx: Context,
    ) -> Result<Page> {
        let config = &self.archive.config;
        let root = if kind == "404" {
            config.base_path().to_string()
        } else {
            urls::root_from(&url)
        };
        ctx.insert(
            "site",
            &SiteView {
                title: &config.title,
                search: config.search,
                description: &config.description,
                language: &config.language,
                base_url: &config.base_url,
            },
        );
        ctx.insert("generator", GENERATOR);
        ctx.insert("root", &root);
        let full_title = if kind == "home" {
            title.clone()
        } else {
            format!("{title} — {}", config.title)
        };
        ctx.insert(
            "page",
            &PageView {
                title: full_title,
                share_title: title,
                url: &url,
                canonical: urls::absolute(&config.base_url, &url),
                kind,
            },
        );
        let html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| Error::Template {
                page: Some(format!("/{url} with templates/{template}")),
                message: tera_message(&e),
            })?;
        Ok(Page { url, html })
    }

    fn home(&self) -> Result<Page> {
        let a = self.archive;
        let v = &self.views;
        let mut ctx = Context::new();
        let latest: Vec<&StatementView> = dated_newest_first(v).take(20).collect();
        let mut top: Vec<SpeakerSummary> = a
            .speakers
            .iter()
            .map(|s| speaker_summary(a, v, &s.id))
            .filter(|s| s.statement_count > 0 && !s.anonymous)
            .collect();
        top.sort_by(|x, y| {
            y.statement_count
                .cmp(&x.statement_count)
                .then(x.name.cmp(y.name))
        });
        top.truncate(10);
        let recent: Vec<ArticleSummary> = (0..a.articles.len().min(5))
            .map(|i| article_summary(a, i))
            .collect();
        ctx.insert("latest", &latest);
        ctx.insert("top_speakers", &top);
        ctx.insert("recent_articles", &recent);
        ctx.insert(
            "counts",
            &Counts {
                articles: a.articles.len(),
                speakers: a.speakers.len(),
                statements: a.statements.len(),
            },
        );
        self.render(
            "index.html",
            urls::home(),
            a.config.title.clone(),
            "home",
            ctx,
        )
    }

    fn articles(&self, number: usize) -> Result<Page> {
        let a = self.archive;
        let list: Vec<ArticleSummary> = page_range(number, a.articles.len())
            .map(|i| article_summary(a, i))
            .collect();
        let mut ctx = Context::new();
        ctx.insert("articles", &list);
        ctx.insert("total", &a.articles.len());
        ctx.insert(
            "pager",
            &pager(number, page_count(a.articles.len()), urls::articles_page),
        );
        let title = match number {
            1 => "Articles".to_string(),
            n => format!("Articles, page {n}"),
        };
        self.render(
            "articles.html",
            urls::articles_page(number),
            title,
            "articles",
            ctx,
        )
    }

    fn article(&self, index: usize) -> Result<Page> {
        let a = self.archive;
        let art = &a.articles[index];
        let slug = art.doc.id.as_str();
        let statements = self.views.by_article[index]
            .iter()
            .map(|&i| self.views.statement(i));
        let speakers = art
            .doc
            .meta
            .speakers
            .iter()
            .map(|sp| {
                let link = speaker_link(a, &sp.id);
                ArticleSpeakerView {
                    id: &sp.id,
                    name: link.name,
                    url: link.url,
                    role: sp.role.as_deref(),
                    anonymous: link.anonymous,
                    statement_count: art
                        .doc
                        .meta
                        .statements
                        .iter()
                        .filter(|s| s.speaker == sp.id)
                        .count(),
                }
            })
            .collect();
        let view = ArticleView {
            summary: article_summary(a, index),
            original_url: art.doc.meta.url.as_deref(),
            tags: &art.doc.meta.tags,
            body_html: &art.body.html,
            has_code: art.body.has_code,
            speakers,
            statements: statements.collect(),
        };
        let mut ctx = Context::new();
        ctx.insert("article", &view);
        self.render(
            "article.html",
            urls::article(slug),
            art.doc.meta.title.to_string(),
            "article",
            ctx,
        )
    }

    fn speakers(&self) -> Result<Page> {
        let a = self.archive;
        let (anonymous, people): (Vec<SpeakerSummary>, Vec<SpeakerSummary>) = a
            .speakers
            .iter()
            .map(|s| speaker_summary(a, &self.views, &s.id))
            .partition(|s| s.anonymous);
        let mut ctx = Context::new();
        ctx.insert("people", &people);
        ctx.insert("anonymous", &anonymous);
        self.render(
            "speakers.html",
            urls::speakers(),
            "Speakers".to_string(),
            "speakers",
            ctx,
        )
    }

    fn speaker(&self, index: usize) -> Result<Page> {
        let a = self.archive;
        let s = &a.speakers[index];
        let mine = self
            .views
            .by_speaker
            .get(s.id.as_str())
            .cloned()
            .unwrap_or_default();
        let bio = s.body.trim();
        let view = SpeakerView {
            summary: speaker_summary(a, &self.views, &s.id),
            aliases: &s.meta.aliases,
            bio_html: (!bio.is_empty()).then(|| markdown::render_note(bio)),
            roles: roles_over_time(a, &self.views, &s.id),
            years: by_year(&self.views, mine.into_iter()),
        };
        let mut ctx = Context::new();
        ctx.insert("speaker", &view);
        self.render(
            "speaker.html",
            urls::speaker(&s.id),
            s.meta.name.to_string(),
            "speaker",
            ctx,
        )
    }

    fn timeline(&self, number: usize) -> Result<Page> {
        let all = self.archive.statements.len();
        let mut ctx = Context::new();
        ctx.insert("years", &by_year(&self.views, page_range(number, all)));
        ctx.insert("total", &all);
        ctx.insert(
            "pager",
            &pager(number, page_count(all), urls::timeline_page),
        );
        let title = match number {
            1 => "Timeline".to_string(),
            n => format!("Timeline, page {n}"),
        };
        self.render(
            "timeline.html",
            urls::timeline_page(number),
            title,
            "timeline",
            ctx,
        )
    }

    fn statement(&self, index: usize) -> Result<Page> {
        let v = self.views.statement(index);
        let title = match v.kind {
            k if k == StatementKind::Direct.as_str() => {
                format!("{}: “{}”", v.speaker.name, shorten(v.text, 100))
            }
            _ => format!("{} {}: {}", v.speaker.name, v.verb, shorten(v.text, 100)),
        };
        let r = &self.archive.statements[index];
        let (article, s) = self.archive.statement(r);
        let mark = markdown::Mark {
            id: &s.id,
            speaker: &s.speaker,
            kind: s.kind,
            text: &s.text,
            annotation_html: None,
        };
        let mut ctx = Context::new();
        ctx.insert("statement", v);
        ctx.insert(
            "paragraph_html",
            &markdown::paragraph_with(&article.doc.body, &mark),
        );
        ctx.insert("statement_jsonld", &self.statement_jsonld(r, v));
        let share_image = self
            .archive
            .config
            .share_images
            .then(|| urls::absolute(&self.archive.config.base_url, &urls::share_image(&s.id)));
        ctx.insert("share_image", &share_image);
        self.render(
            "statement.html",
            v.url.clone(),
            title.to_string(),
            "statement",
            ctx,
        )
    }

    /// schema.org metadata of a statement page: a Quotation by its speaker, part of the
    /// news article that reported it. Escaped so that it cannot end its <script> element.
    fn statement_jsonld(&self, r: &StatementRef, v: &StatementView) -> String {
        let a = self.archive;
        let (article, s) = a.statement(r);
        let m = &article.doc.meta;
        let speaker = a.speaker(&s.speaker);
        let creator_type = if speaker.is_some_and(|sp| sp.meta.organization) {
            "Organization"
        } else {
            "Person"
        };
        let mut creator = serde_json::json!({
            "@type": creator_type,
            "name": v.speaker.name,
            "url": urls::absolute(&a.config.base_url, &v.speaker.url),
        });
        if let Some(role) = v.role {
            creator["jobTitle"] = role.into();
        }
        let mut news = serde_json::json!({
            "@type": "NewsArticle",
            "headline": m.title,
            "url": urls::absolute(&a.config.base_url, &urls::article(&article.doc.id)),
        });
        if let Some(p) = &m.publication {
            news["publisher"] = serde_json::json!({"@type": "Organization", "name": p});
        }
        if let Some(d) = m.date {
            news["datePublished"] = d.to_string().into();
        }
        let mut quote = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "Quotation",
            "text": s.text,
            "url": urls::absolute(&a.config.base_url, &v.url),
            "creator": creator,
            "isPartOf": news,
        });
        if let Some(d) = s.said_on {
            quote["dateCreated"] = d.to_string().into();
        }
        if let Some(u) = &m.url {
            quote["citation"] = u.as_str().into();
        }
        script_safe_json(&quote)
    }

    fn not_found(&self) -> Result<Page> {
        self.render(
            "404.html",
            urls::not_found(),
            "Not found".to_string(),
            "404",
            Context::new(),
        )
    }
}

/// JSON for inside a <script> element: `<`, `>` and `&` as escapes, so text such as
/// `</script>` in a quote cannot close the element.
fn script_safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Statements newest first, undated ones left out.
fn dated_newest_first<'v, 'a: 'v>(
    views: &'v Views<'a>,
) -> impl Iterator<Item = &'v StatementView<'v>> + use<'v, 'a> {
    (0..views.statements.len())
        .rev()
        .filter(|&i| views.archive.statements[i].date.is_some())
        .map(|i| views.statement(i))
}

/// A page of the site before it is rendered.
pub struct PlannedPage {
    job: Job,
    /// Which page this is, from build to build (a hash of its kind and id; see
    /// [`Renderer::url_of`] for its address).
    pub key: u64,
    /// A fingerprint of what the page shows, given the same templates, config and
    /// speakers: the page need not be rendered again while it stays the same. None for the
    /// pages that sum up the whole archive (home, speakers), which are always rendered.
    pub inputs: Option<u64>,
}

impl PlannedPage {
    /// The statement a statement page shows (an index into `archive.statements`).
    pub fn statement(&self) -> Option<usize> {
        match self.job {
            Job::Statement(i) => Some(i),
            _ => None,
        }
    }
}

/// Fingerprints of what the pages show of one article, as far as they come from the
/// article alone; made once per version of the article (kept with it between builds in
/// `serve`, where the next build's plan reads them instead of hashing the archive again).
#[derive(Debug)]
pub struct ArticleFingerprints {
    /// The article's page's key.
    page_key: u64,
    /// Each statement page's key (in the article's order).
    statement_keys: Vec<u64>,
    /// What the article's pages show when none of its statements has relations: its file.
    alone: u64,
    /// Its statements that have relations (their lists show the targets too).
    relations: Vec<usize>,
    /// What the article list shows of it.
    summary: u64,
    /// For each statement, what a list of statements shows of it that comes from this
    /// article: the statement, the date it is filed under, its speaker's role, the
    /// article's slug, title, publication and date.
    listed: Vec<u64>,
}

fn article_fingerprints(x: &ResolvedArticle) -> ArticleFingerprints {
    let m = &x.doc.meta;
    let article = (&x.doc.id, &m.title, &m.publication, m.date);
    let listed = m
        .statements
        .iter()
        .map(|s| {
            let role = m
                .speakers
                .iter()
                .find(|sp| sp.id == s.speaker)
                .map(|sp| &sp.role);
            let date = s.said_on.or(m.date);
            let estimate = s.said_on.is_none() && m.date.is_some();
            fingerprint((s, date, estimate, role, article))
        })
        .collect();
    let speakers: Vec<&str> = m.speakers.iter().map(|sp| sp.id.as_str()).collect();
    ArticleFingerprints {
        page_key: fingerprint(("article", &x.doc.id)),
        statement_keys: m
            .statements
            .iter()
            .map(|s| fingerprint(("statement", &s.id)))
            .collect(),
        alone: fingerprint(x.digest),
        relations: (m.statements.iter().enumerate())
            .filter(|(_, s)| !s.relations.is_empty())
            .map(|(i, _)| i)
            .collect(),
        summary: fingerprint((
            &x.doc.id,
            &m.title,
            &m.publication,
            m.date,
            &m.authors,
            speakers,
            m.statements.len(),
        )),
        listed,
    }
}

/// The entries of page `n` (from 1) of a list of `len`.
fn page_range(n: usize, len: usize) -> std::ops::Range<usize> {
    let start = ((n - 1) * PAGE_SIZE).min(len);
    start..(start + PAGE_SIZE).min(len)
}

#[derive(Debug, Clone, Copy)]
enum Job {
    Home,
    /// A page (from 1) of the article list.
    Articles(usize),
    Speakers,
    /// A page (from 1) of the timeline.
    Timeline(usize),
    NotFound,
    Search,
    Article(usize),
    Speaker(usize),
    Statement(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in list must name every file in templates/ and static/: one copy, never two.
    #[test]
    fn builtins_cover_the_folders() {
        for (dir, names) in [
            (
                "templates",
                BUILTIN_TEMPLATES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>(),
            ),
            (
                "static",
                BUILTIN_STATIC.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ),
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                assert!(
                    names.contains(&name.as_str()),
                    "{dir}/{name} is not compiled in"
                );
            }
        }
    }
}
