//! `onrecord serve`: the local preview. Owns the preview HTTP server, the file watcher, the
//! rebuild loop and live reload.
//!
//! - It builds once, then serves the output directory with tower-http's `ServeDir` from
//!   127.0.0.1 (by default). ServeDir refuses `..` in any encoding; a symlink leading out of
//!   the output directory is refused here.
//! - It watches `site.toml`, `content/`, `templates/` and `static/`, debounced, and rebuilds
//!   on a dedicated thread, one build at a time. The build swaps the output directory in
//!   atomically, so requests keep being answered from the last good site while it runs. The
//!   files the build's own import step writes do not trigger another build.
//! - Every HTML response gets a small script, injected at serve time (the files on disk
//!   stay exactly what `build` wrote), that listens to Server-Sent Events at
//!   [`EVENTS_PATH`]: `reload` after a good build, `build-error` (with the error text) after
//!   a failed or panicked one, shown in an overlay until the next good build.
//!
//! Each good build bumps a generation counter. Pages carry the generation they were served
//! at, so a page loaded after a rebuild does not reload a second time for it; they also carry
//! the server's instance id, so a page left open across a restart of `serve` reloads too.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use tokio::io::AsyncWriteExt as _;
use tokio::runtime::Runtime;
use tokio::sync::{broadcast, watch};
use tower_http::services::fs::AsyncReadBody;
use tower_http::services::{ServeDir, ServeFile};

use crate::build::{load_config, BuildOptions, BuildReport};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::write::SiteLock;

/// Where pages listen for build events. Reserved: no file of the site is served under
/// `/__onrecord/`.
pub const EVENTS_PATH: &str = "/__onrecord/events";
const RESERVED_PREFIX: &str = "/__onrecord/";

/// The default port of `onrecord serve`.
pub const DEFAULT_PORT: u16 = 1111;

/// What is watched under the archive root: these folders, recursively, and site.toml.
const WATCHED_DIRS: [&str; 3] = ["content", "templates", "static"];

/// Quiet time of each file before its change is reported: long enough to coalesce an
/// editor's save (write temp file, rename, touch); short enough not to be noticed.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// Quiet time across files before the changes reported become one rebuild. The watcher
/// reports the files of a burst (a `git checkout`) as each falls quiet, checking every
/// quarter of [`DEBOUNCE`]: twice that gathers them without delaying a single save much.
const GATHER: Duration = Duration::from_millis(10);

/// A comment sent on idle event streams, so that a page that went away is noticed (the write
/// fails) and proxies do not time the stream out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How long a stopping server waits for open connections before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// HTML pages larger than this are served without the live-reload script.
const MAX_INJECTED_PAGE: u64 = 64 << 20;

/// The options of `onrecord serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The archive's folder (holds site.toml).
    pub root: PathBuf,
    /// 0 picks a free port (see [`ServerHandle::addr`]).
    pub port: u16,
    /// Loopback by default; anything else makes the archive reachable from the network.
    pub bind: IpAddr,
    /// Overrides site.toml's output_dir.
    pub output: Option<PathBuf>,
    /// Print how long each stage of every build took.
    pub timings: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            root: PathBuf::from("."),
            port: DEFAULT_PORT,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            output: None,
            timings: false,
        }
    }
}

/// Build, serve, watch, rebuild, reload. Blocks until Ctrl-C.
pub fn run(opts: ServeOptions) -> Result<()> {
    let server = start(opts)?;
    println!("Press Ctrl-C to stop.");
    server
        .runtime
        .block_on(tokio::signal::ctrl_c())
        .map_err(|e| Error::Other(format!("cannot wait for Ctrl-C: {e}")))?;
    println!("\nStopping.");
    server.shutdown();
    Ok(())
}

/// Build once, then serve and watch in the background; returns once the server listens.
/// The server stops when the handle is shut down or dropped.
pub fn start(opts: ServeOptions) -> Result<ServerHandle> {
    // One builder for the whole session: it remembers the last build, so that a change
    // to one article renders only the pages that show it.
    let builder = crate::build::Builder::default();
    start_with_builder(opts, move |o: &BuildOptions, shared: &Shared| {
        // Reload the pages as soon as they are current; feeds and data follow.
        builder.build(o, &shared.site_lock, &|output: &Path| {
            shared.built(output.to_path_buf())
        })
    })
}

/// A running preview server.
pub struct ServerHandle {
    addr: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    /// Runs the HTTP server (and waits for Ctrl-C in [`run`]).
    runtime: Runtime,
    server: Option<tokio::task::JoinHandle<()>>,
    triggers: mpsc::Sender<Trigger>,
    rebuilder: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's address, as given to the build as base_url: `http://127.0.0.1:1111/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many builds have succeeded so far.
    pub fn generation(&self) -> u64 {
        self.shared.status().generation
    }

    /// The error of the last build, if it failed.
    pub fn last_error(&self) -> Option<String> {
        self.shared.status().error.clone()
    }

    /// Rebuild now, as if a watched file had changed.
    pub fn rebuild(&self) {
        let _ = self.triggers.send(Trigger::Changed(Vec::new()));
    }

    /// Stop serving and watching; waits for a running build to finish.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.stop.send_replace(true);
        if let Some(server) = self.server.take() {
            let _ = self.runtime.block_on(server);
        }
        let _ = self.triggers.send(Trigger::Stop);
        if let Some(rebuilder) = self.rebuilder.take() {
            let _ = rebuilder.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds the site, taking the lock while it changes the served files; an incremental
/// [`crate::build::Builder`] in production, a fake in tests.
type Builder = dyn Fn(&BuildOptions, &Shared) -> Result<BuildReport> + Send + Sync;

/// [`start`] with the build step injected, so the server can be tested on its own.
fn start_with_builder(
    opts: ServeOptions,
    builder: impl Fn(&BuildOptions, &Shared) -> Result<BuildReport> + Send + Sync + 'static,
) -> Result<ServerHandle> {
    let builder: Arc<Builder> = Arc::new(builder);
    // Canonical, so that the watcher's event paths compare equal to ours.
    let root = std::fs::canonicalize(&opts.root).map_err(|e| Error::io("open", &opts.root, e))?;
    let listener = bind(opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(format!("cannot read the server's address: {e}")))?;
    let url = site_url(addr);
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: the archive is reachable from the network, not only from this computer",
            addr.ip()
        );
    }
    let build_opts = BuildOptions {
        root: root.clone(),
        output: opts.output.clone(),
        base_url: Some(url.clone()),
        import_sources: true,
        changed: None,
        newer_change: Some(Arc::default()),
    };
    let output = expected_output_dir(&build_opts);
    let mut shared = Shared::new(output.clone());
    shared.timings = opts.timings;
    let shared = Arc::new(shared);

    first_build(&shared, &*builder, &build_opts)?;

    let (runtime, server) = start_server(listener, Arc::clone(&shared))?;
    let (triggers, trigger_rx) = mpsc::channel();
    let newer_change = build_opts.newer_change.clone().unwrap_or_default();
    let watcher = start_watcher(&root, &output, triggers.clone(), newer_change);
    let rebuilder = std::thread::Builder::new()
        .name("onrecord-rebuild".into())
        .spawn({
            let shared = Arc::clone(&shared);
            move || rebuild_loop(&shared, &*builder, &build_opts, watcher, &trigger_rx)
        })
        .map_err(|e| Error::Other(format!("cannot start the rebuild thread: {e}")))?;

    println!("Serving {} at {url}", root.display());
    Ok(ServerHandle {
        addr,
        url,
        shared,
        runtime,
        server: Some(server),
        triggers,
        rebuilder: Some(rebuilder),
    })
}

fn bind(ip: IpAddr, port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::new(ip, port);
    let listener = TcpListener::bind(addr).map_err(|e| {
        Error::Other(format!(
            "cannot listen on {addr}: {e}\n  help: is another `onrecord serve` running? Pick another port with --port"
        ))
    })?;
    // tokio needs a non-blocking socket.
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Other(format!("cannot listen on {addr}: {e}")))?;
    Ok(listener)
}

/// The base URL the preview is built for. An unspecified bind address (0.0.0.0, ::) is not
/// something a browser can open, so the site is built for loopback then.
fn site_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Where the site will be, before a build has said so (the first build may fail): where the
/// build would put it, or `public` when even site.toml cannot be read.
fn expected_output_dir(opts: &BuildOptions) -> PathBuf {
    load_config(opts)
        .map(|config| config.output_dir)
        .unwrap_or_else(|_| {
            opts.output
                .clone()
                .unwrap_or_else(|| opts.root.join("public"))
        })
}

/// Run the builder; a panic in it (a bug) becomes a build error, so that it is shown like
/// any other and the next change is built again.
fn build(shared: &Shared, builder: &Builder, opts: &BuildOptions) -> Result<BuildReport> {
    catch_unwind(AssertUnwindSafe(|| builder(opts, shared))).unwrap_or_else(|panic| {
        let what = (panic.downcast_ref::<&str>().copied())
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Err(Error::Other(format!(
            "internal error: the build panicked: {what}\n  this is a bug in onrecord; please report it"
        )))
    })
}

/// The first build. A failure is shown in the browser like any later one, so the user can fix
/// it with the preview open; only a folder that is not an archive at all is fatal.
fn first_build(shared: &Shared, builder: &Builder, opts: &BuildOptions) -> Result<()> {
    let generation = shared.status().generation;
    match build(shared, builder, opts) {
        Ok(report) => {
            print_report("Built", &report, shared.timings);
            shared.built_once(generation, report.output);
        }
        Err(e) if !opts.root.join(CONFIG_FILE).is_file() => return Err(e),
        Err(e) => {
            eprintln!("{e}\nThe build failed; serving what is there, and rebuilding on change.");
            shared.failed(e.to_string());
        }
    }
    Ok(())
}

fn print_report(verb: &str, report: &BuildReport, timings: bool) {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let pages = match report.rendered {
        n if n < report.pages => format!("{n} of {} pages", report.pages),
        _ => format!("{} pages", report.pages),
    };
    println!(
        "{verb} {pages} ({} articles, {} speakers, {} statements) in {} ms",
        report.articles,
        report.speakers,
        report.statements,
        report.elapsed.as_millis()
    );
    if timings {
        for (stage, took) in &report.timings {
            println!("  {:>9.1} ms  {stage}", took.as_secs_f64() * 1000.0);
        }
    }
}
// ---------------------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------------------

/// What the server, the rebuild loop and the event streams share.
struct Shared {
    /// Tells pages of an earlier `serve` run (whose generations mean nothing here) to reload.
    instance: String,
    status: Mutex<Status>,
    /// Held to read a file of the site, so that a rebuild changing files in place is never
    /// seen half-done.
    site_lock: SiteLock,
    /// Print each build's stage times.
    timings: bool,
    events: broadcast::Sender<LiveEvent>,
    /// Set to `true`, it stops the HTTP server and ends every event stream.
    stop: watch::Sender<bool>,
}

struct Status {
    /// Successful builds so far.
    generation: u64,
    /// The last build's error, until a build succeeds.
    error: Option<String>,
    /// The directory served.
    output: PathBuf,
}

/// What the open pages are told.
#[derive(Debug, Clone)]
enum LiveEvent {
    Reload { generation: u64 },
    BuildError { message: String },
}

impl Shared {
    fn new(output: PathBuf) -> Shared {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Shared {
            instance: format!("{:x}-{:x}", std::process::id(), nanos),
            status: Mutex::new(Status {
                generation: 0,
                error: None,
                output,
            }),
            site_lock: SiteLock::default(),
            timings: false,
            events: broadcast::channel(16).0,
            stop: watch::channel(false).0,
        }
    }

    fn status(&self) -> MutexGuard<'_, Status> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving.
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn built(&self, output: PathBuf) {
        let generation = {
            let mut status = self.status();
            status.generation += 1;
            status.error = None;
            status.output = output;
            status.generation
        };
        // No receivers (no page open) is not an error.
        let _ = self.events.send(LiveEvent::Reload { generation });
    }

    /// [`Shared::built`], unless the build already said its pages were ready (the
    /// generation moved on from `before`).
    fn built_once(&self, before: u64, output: PathBuf) {
        if self.status().generation == before {
            self.built(output);
        }
    }

    fn failed(&self, message: String) {
        self.status().error = Some(message.clone());
        let _ = self.events.send(LiveEvent::BuildError { message });
    }
}

impl LiveEvent {
    /// The event in the text/event-stream format. The data is one line of JSON, which
    /// escapes the newlines an error message has.
    fn to_sse(&self, instance: &str) -> String {
        let (name, data) = match self {
            LiveEvent::Reload { generation } => (
                "reload",
                serde_json::json!({ "generation": generation, "instance": instance }),
            ),
            LiveEvent::BuildError { message } => {
                ("build-error", serde_json::json!({ "message": message }))
            }
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

// ---------------------------------------------------------------------------------------
// Watching and rebuilding
// ---------------------------------------------------------------------------------------

/// What the rebuild loop is asked to do.
enum Trigger {
    /// These files changed (empty: rebuild anyway).
    Changed(Vec<PathBuf>),
    Stop,
}

type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Start watching; without a watcher the preview still serves, it just does not rebuild.
/// Every change reported also sets `newer_change`, which a running build reads.
fn start_watcher(
    root: &Path,
    output: &Path,
    triggers: mpsc::Sender<Trigger>,
    newer_change: Arc<AtomicBool>,
) -> Option<Watcher> {
    let filter_root = root.to_path_buf();
    let output = output.to_path_buf();
    let send = move |trigger: Trigger| {
        newer_change.store(true, Ordering::Relaxed);
        let _ = triggers.send(trigger);
    };
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let changed: Vec<PathBuf> = events
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .filter(|p| is_watched(&filter_root, &output, p))
                .cloned()
                .collect();
            if events.iter().any(|e| e.need_rescan()) {
                // The watcher lost events (its queue overflowed): rebuild looking at
                // every file.
                send(Trigger::Changed(Vec::new()));
            } else if !changed.is_empty() {
                send(Trigger::Changed(changed));
            }
        }
        Err(errors) => {
            for e in errors {
                eprintln!("warning: watching for changes: {e}");
            }
            send(Trigger::Changed(Vec::new()));
        }
    };
    let mut watcher = match new_debouncer(DEBOUNCE, None, handler) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("warning: cannot watch for changes ({e}); rebuild by restarting serve");
            return None;
        }
    };
    // The root itself, not recursively: site.toml (editors replace it by renaming, which a
    // watch on the file itself would lose) and the watched folders appearing.
    if let Err(e) = watcher.watch(root, RecursiveMode::NonRecursive) {
        eprintln!("warning: cannot watch {}: {e}", root.display());
    }
    watch_dirs(&mut watcher, root);
    Some(watcher)
}

/// (Re)watch the watched folders that exist. Called again when one of them is created or
/// replaced, since a watch does not survive its folder being removed.
fn watch_dirs(watcher: &mut Watcher, root: &Path) {
    for dir in WATCHED_DIRS.map(|d| root.join(d)) {
        if dir.is_dir() {
            if let Err(e) = watcher.watch(&dir, RecursiveMode::Recursive) {
                eprintln!("warning: cannot watch {}: {e}", dir.display());
            }
        }
    }
}

/// Whether a change to `path` can change the site.
fn is_watched(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut names = rel.iter().map(|name| name.to_string_lossy());
    let in_scope = names
        .next()
        .is_some_and(|first| first == CONFIG_FILE || WATCHED_DIRS.contains(&first.as_ref()));
    in_scope
        && !rel
            .iter()
            .any(|name| is_ignored_name(&name.to_string_lossy()))
}

/// Hidden files (including the build's own staging folders), editor scratch files and build
/// folders of code that happens to live in the archive.
fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || [".swp", ".swx", ".swo", ".tmp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        // Vim writes and deletes a file named 4913 to test that a folder is writable.
        || name == "4913"
        || name == "target"
}

/// Run one build per batch of changes, one at a time, until told to stop. Owns the watcher so
/// that it can re-watch folders and so that it stops watching when the loop ends.
fn rebuild_loop(
    shared: &Shared,
    builder: &Builder,
    opts: &BuildOptions,
    mut watcher: Option<Watcher>,
    triggers: &mpsc::Receiver<Trigger>,
) {
    // The files the builds' import step wrote, as it left them: the watcher reports them
    // after the build, and they must not cause a second one. Once edited, they differ.
    let mut imported = HashMap::new();
    // The last build left the search index to the next one: build even when every change
    // reported was that build's own import.
    let mut search_owed = false;
    while let Ok(Trigger::Changed(mut changed)) = triggers.recv() {
        // An empty list is a rebuild asked for, not a change.
        let mut asked = changed.is_empty();
        // Changes made while the last build ran, and those still coming in (the watcher
        // reports each file once it is quiet; a burst over many files arrives in pieces),
        // are all handled by this one build: wait for a quiet moment across all files.
        loop {
            match triggers.recv_timeout(GATHER) {
                Ok(Trigger::Changed(more)) => {
                    asked |= more.is_empty();
                    changed.extend(more);
                }
                Ok(Trigger::Stop) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        // An editor's save touches a file several times; name it once.
        changed.sort();
        changed.dedup();
        changed.retain(|path| {
            (imported.get(path)).is_none_or(|was| fingerprint(path).as_ref() != Some(was))
        });
        if changed.is_empty() && !asked && !search_owed {
            continue;
        }
        let root = &opts.root;
        if let Some(watcher) = watcher.as_mut() {
            if changed
                .iter()
                .any(|p| WATCHED_DIRS.iter().any(|d| *p == root.join(d)))
            {
                watch_dirs(watcher, root);
            }
        }
        // The watcher's list of changes spares the build a look at every file; a rebuild
        // asked for (or a watcher that lost track) looks at everything.
        let opts = BuildOptions {
            changed: (!asked).then(|| changed.clone()),
            ..opts.clone()
        };
        // From here on, a change reported is one this build may not have seen.
        if let Some(flag) = &opts.newer_change {
            flag.store(false, Ordering::Relaxed);
        }
        let built = rebuild(shared, builder, &opts, &changed);
        search_owed = built.as_ref().is_some_and(|r| r.search_deferred);
        for path in built.into_iter().flat_map(|r| r.imported) {
            if let Some(fingerprint) = fingerprint(&path) {
                imported.insert(path, fingerprint);
            }
        }
    }
}

/// A file's modification time and a hash of its bytes; None when it cannot be read (a
/// removed file, which then never matches a fingerprint taken after a build).
fn fingerprint(path: &Path) -> Option<(SystemTime, u64)> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let mut hasher = DefaultHasher::new();
    std::fs::read(path).ok()?.hash(&mut hasher);
    Some((modified, hasher.finish()))
}

/// Build once; returns the files the build's import step wrote.
fn rebuild(
    shared: &Shared,
    builder: &Builder,
    opts: &BuildOptions,
    changed: &[PathBuf],
) -> Option<BuildReport> {
    if let Some(first) = changed.first() {
        let first = first.strip_prefix(&opts.root).unwrap_or(first).display();
        match changed.len() - 1 {
            0 => println!("Changed: {first}"),
            more => println!("Changed: {first} and {more} more"),
        }
    }
    let generation = shared.status().generation;
    match build(shared, builder, opts) {
        Ok(report) => {
            print_report("Rebuilt", &report, shared.timings);
            shared.built_once(generation, report.output.clone());
            Some(report)
        }
        Err(e) => {
            eprintln!("{e}\nThe build failed; still serving the last good site.");
            shared.failed(e.to_string());
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------

/// Start the HTTP server on a runtime of its own, so that neither the caller nor the
/// rebuilds (which run on plain threads) need to be async.
fn start_server(
    listener: TcpListener,
    shared: Arc<Shared>,
) -> Result<(Runtime, tokio::task::JoinHandle<()>)> {
    let fail = |e: std::io::Error| Error::Other(format!("cannot start the server: {e}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("onrecord-serve")
        .enable_all()
        .build()
        .map_err(fail)?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(fail)?
    };
    let app = Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(site)
        .layer(axum::middleware::map_response(no_store))
        .with_state(Arc::clone(&shared));
    let server = runtime.spawn(serve(listener, app, shared.stop.subscribe()));
    Ok((runtime, server))
}

async fn serve(listener: tokio::net::TcpListener, app: Router, stop: watch::Receiver<bool>) {
    let server = axum::serve(listener, app).with_graceful_shutdown(stopped(stop.clone()));
    // A browser may hold a connection open; do not let it keep Ctrl-C from working.
    let grace = async {
        stopped(stop).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => {
            if let Err(e) = result {
                eprintln!("error: the preview server stopped: {e}");
            }
        }
        () = grace => {}
    }
}

/// Resolves when the server is told to stop.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Every response: a preview must never show a stale page, whatever the browser caches.
async fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// What the served page needs to know to follow the builds.
struct Page {
    generation: u64,
    instance: String,
}

/// Any path but the events: a file of the site (GET and HEAD; `/dir` redirects to `/dir/`,
/// which serves its index.html), the site's 404 page, or a page saying the build failed.
async fn site(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    // Read the generation before the file: a page then never claims to be newer than it is,
    // at worst it reloads once more than needed.
    let (page, output, error) = {
        let status = shared.status();
        let page = Page {
            generation: status.generation,
            instance: shared.instance.clone(),
        };
        (page, status.output.clone(), status.error.clone())
    };
    let path = request.uri().path().to_string();
    if path.starts_with(RESERVED_PREFIX) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !site_exists(&output, page.generation > 0).await {
        // The first build failed and none was left from before.
        let error = error
            .as_deref()
            .unwrap_or("The site has not been built yet.");
        let html = inject_live_script(no_site_page(error), &page);
        return (StatusCode::SERVICE_UNAVAILABLE, Html(html)).into_response();
    }
    if let Some(status) = tokio::task::block_in_place(|| refusal(&output, &path)) {
        return status.into_response();
    }
    let head = request.method() == Method::HEAD;
    // The file is opened under the lock; a rebuild that replaces it later does not change
    // what this response sends.
    let files = {
        let _no_rebuild_writing = shared.site_lock.for_reading().await;
        ServeDir::new(&output)
            .append_index_html_on_directories(true)
            .not_found_service(ServeFile::new(output.join("404.html")))
            .try_call(request)
            .await
    };
    match files {
        Ok(response) => with_live_script(response.map(Body::new), &page, head).await,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Whether the output directory exists. A build swaps the new site in with two renames, so
/// once a build has succeeded it can be missing for an instant: wait a little for it.
async fn site_exists(output: &Path, built: bool) -> bool {
    for _ in 0..if built { 50 } else { 1 } {
        if output.is_dir() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// ServeDir decodes the path and refuses `..`, but follows symlinks: refuse (403) a request
/// that could be answered, through a symlink, from outside the output directory (the file, a
/// folder's index.html, the 404 page). Also refuse (404) a file asked for as a folder
/// (`/style.css/`), which ServeDir would serve.
fn refusal(output: &Path, uri_path: &str) -> Option<StatusCode> {
    let root = std::fs::canonicalize(output).ok()?;
    let target = output.join(percent_decode(uri_path).trim_matches('/'));
    let outside = |path: &Path| std::fs::canonicalize(path).is_ok_and(|p| !p.starts_with(&root));
    let answers = [
        &target,
        &target.join("index.html"),
        &output.join("404.html"),
    ];
    if answers.into_iter().any(|path| outside(path)) {
        return Some(StatusCode::FORBIDDEN);
    }
    (uri_path.ends_with('/') && target.is_file()).then_some(StatusCode::NOT_FOUND)
}

/// `%XX` decoded as ServeDir decodes it; anything else is kept as it is.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes.get(i + 1..i + 3))
            .filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        out.push(hex.unwrap_or(bytes[i]));
        i += if hex.is_some() { 3 } else { 1 };
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A file's response with the live-reload script injected when it is a whole HTML page (a
/// HEAD response gets the length it would have); text gets the charset the build writes in.
async fn with_live_script(response: Response, page: &Page, head: bool) -> Response {
    let (mut parts, body) = response.into_parts();
    let content_type = (parts.headers.get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("text/") && !content_type.contains("charset") {
        let with_charset = format!("{content_type}; charset=utf-8");
        if let Ok(value) = HeaderValue::from_str(&with_charset) {
            parts.headers.insert(header::CONTENT_TYPE, value);
        }
    }
    let length = (parts.headers.get(header::CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // Not a range (206) or anything else that is not the whole page.
    let whole = matches!(parts.status, StatusCode::OK | StatusCode::NOT_FOUND);
    let page_html = content_type.starts_with("text/html") && whole;
    let Some(length) = length.filter(|&n| page_html && n <= MAX_INJECTED_PAGE) else {
        return Response::from_parts(parts, body);
    };
    if head {
        let length = length + live_script(page).len() as u64;
        parts.headers.insert(header::CONTENT_LENGTH, length.into());
        return Response::from_parts(parts, body);
    }
    match axum::body::to_bytes(body, MAX_INJECTED_PAGE as usize).await {
        Ok(html) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            let html = inject_live_script(html.into(), page);
            Response::from_parts(parts, Body::from(html))
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The server's own page (not the site's) for when there is no site, with the error escaped.
fn no_site_page(error: &str) -> Vec<u8> {
    let mut html = b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>The build failed</title></head>\n<body><h1>The build failed</h1>\n\
        <pre style=\"white-space:pre-wrap\">"
        .to_vec();
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(error, &mut html);
    html.extend_from_slice(b"</pre>\n</body></html>\n");
    html
}

/// The live-reload client. Written with textContent only, so an error message can never
/// become markup. Pages in background tabs drop their event stream, because browsers allow
/// only six HTTP/1.1 connections per host: a seventh open tab would hang. On becoming
/// visible they reconnect and catch up (the server compares generations).
const LIVE_SCRIPT: &str = r#"<script data-onrecord-live>
(function () {
  "use strict";
  var page = { generation: __GENERATION__, instance: "__INSTANCE__" };
  var source = null, overlay = null, retry = null;
  function showError(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.title = "Click to hide";
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;" +
        "background:rgba(30,0,0,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;cursor:pointer";
      var title = document.createElement("p");
      title.style.cssText = "font-weight:bold;margin:0 0 1rem";
      title.textContent = "onrecord: the build failed. This is the last good version of the page.";
      var text = document.createElement("pre");
      text.style.cssText = "white-space:pre-wrap;margin:0";
      overlay.appendChild(title);
      overlay.appendChild(text);
      overlay.addEventListener("click", function () { overlay.style.display = "none"; });
      (document.body || document.documentElement).appendChild(overlay);
    }
    overlay.lastChild.textContent = message;
    overlay.style.display = "block";
  }
  function connect() {
    if (source || document.hidden) return;
    source = new EventSource("__EVENTS__?generation=" + page.generation + "&instance=" + page.instance);
    source.addEventListener("reload", function (e) {
      var data = JSON.parse(e.data);
      if (data.instance !== page.instance || data.generation > page.generation) location.reload();
    });
    source.addEventListener("build-error", function (e) { showError(JSON.parse(e.data).message); });
    source.onerror = function () {
      // The browser retries by itself unless the stream is closed for good (the server
      // restarted and answered with an error meanwhile): then retry here.
      if (source && source.readyState === EventSource.CLOSED) { disconnect(); retry = setTimeout(connect, 1000); }
    };
  }
  function disconnect() {
    if (source) { source.close(); source = null; }
    clearTimeout(retry);
  }
  document.addEventListener("visibilitychange", function () { document.hidden ? disconnect() : connect(); });
  connect();
})();
</script>
"#;

fn live_script(page: &Page) -> String {
    LIVE_SCRIPT
        .replace("__GENERATION__", &page.generation.to_string())
        .replace("__INSTANCE__", &page.instance)
        .replace("__EVENTS__", EVENTS_PATH)
}

/// Insert the live-reload script before the last `</body>`, or at the end when there is none.
fn inject_live_script(mut html: Vec<u8>, page: &Page) -> Vec<u8> {
    let script = live_script(page);
    let at = find_last_ignore_case(&html, b"</body").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// GET /__onrecord/events?generation=N&instance=ID: a page's stream of build events. It first
/// catches the page up (reload if a build finished since it was served, or the current error),
/// then forwards every build event until the page goes away or the server stops.
async fn events(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    // Subscribe before looking at the status, so that no build can slip in between unseen.
    let mut receiver = shared.events.subscribe();
    let (page_generation, page_instance) = page_of_query(uri.query().unwrap_or(""));
    let mut first = String::from("retry: 1000\n\n");
    {
        let status = shared.status();
        if page_instance != shared.instance || page_generation < status.generation {
            let reload = LiveEvent::Reload {
                generation: status.generation,
            };
            first.push_str(&reload.to_sse(&shared.instance));
        }
        if let Some(message) = &status.error {
            let error = LiveEvent::BuildError {
                message: message.clone(),
            };
            first.push_str(&error.to_sse(&shared.instance));
        }
    }
    // The body is the reading end of a pipe that a task writes events into; the task ends
    // when the page goes away (the write fails) or the server stops.
    let (reader, mut writer) = tokio::io::duplex(64 * 1024);
    let mut stop = shared.stop.subscribe();
    tokio::spawn(async move {
        if writer.write_all(first.as_bytes()).await.is_err() {
            return;
        }
        loop {
            let text = tokio::select! {
                event = receiver.recv() => match event {
                    Ok(event) => event.to_sse(&shared.instance),
                    // Missed some: the current generation says all that matters.
                    Err(broadcast::error::RecvError::Lagged(_)) => LiveEvent::Reload {
                        generation: shared.status().generation,
                    }
                    .to_sse(&shared.instance),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = tokio::time::sleep(KEEP_ALIVE) => ": keep-alive\n\n".to_string(),
                _ = stop.wait_for(|stop| *stop) => return,
            };
            if writer.write_all(text.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let body = Body::new(AsyncReadBody::with_capacity(reader, 16 * 1024));
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

/// The generation and instance a page reports; anything unreadable counts as "reload me".
fn page_of_query(query: &str) -> (u64, String) {
    let mut generation = 0;
    let mut instance = String::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("generation", value)) => generation = value.parse().unwrap_or(0),
            Some(("instance", value)) => instance = value.to_string(),
            _ => {}
        }
    }
    (generation, instance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;
    use crate::write::SiteWriter;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    /// A fake build: the site is made of `content/page.txt`; a page containing BROKEN fails
    /// the build, with markup in the message to check that it is never rendered as such, and
    /// PANIC makes it panic. Its import step turns `content/source.txt` into
    /// `content/articles/imported.md` when that does not exist yet.
    fn fake_build(opts: &BuildOptions) -> Result<BuildReport> {
        let started = Instant::now();
        let page = std::fs::read_to_string(opts.root.join("content/page.txt")).unwrap_or_default();
        if page.contains("BROKEN") {
            return Err(Problem::new("content/page.txt", "bad <b>input</b> & more").into());
        }
        assert!(!page.contains("PANIC"), "the importer choked");
        let mut imported = Vec::new();
        let article = opts.root.join("content/articles/imported.md");
        if let (Ok(source), false) = (
            std::fs::read(opts.root.join("content/source.txt")),
            article.exists(),
        ) {
            crate::write::atomic_write(&article, &source)?;
            imported.push(article);
        }
        let output = opts.root.join("public");
        let site = SiteWriter::staged(&output)?;
        site.write(
            "index.html",
            format!("<!DOCTYPE html><html><body><h1>{page}</h1></BODY></html>").as_bytes(),
        )?;
        site.write("404.html", b"<html><body>custom 404</body></html>")?;
        site.write("style.css", b"body{}")?;
        site.write("docs/index.html", b"<p>docs</p>")?;
        site.write(
            "base.txt",
            opts.base_url.clone().unwrap_or_default().as_bytes(),
        )?;
        site.commit()?;
        Ok(BuildReport {
            output,
            pages: 2,
            rendered: 2,
            articles: 1,
            speakers: 0,
            statements: 0,
            elapsed: started.elapsed(),
            warnings: Vec::new(),
            timings: Vec::new(),
            imported,
            search_deferred: false,
        })
    }

    struct Fixture {
        dir: tempfile::TempDir,
        server: ServerHandle,
        builds: Arc<AtomicUsize>,
    }

    impl Fixture {
        fn root(&self) -> PathBuf {
            std::fs::canonicalize(self.dir.path()).unwrap()
        }
        fn get(&self, path: &str) -> HttpResponse {
            request(self.server.addr(), "GET", path)
        }
        fn set_page(&self, text: &str) {
            std::fs::write(self.dir.path().join("content/page.txt"), text).unwrap();
        }
        fn builds(&self) -> usize {
            self.builds.load(Ordering::SeqCst)
        }
    }

    fn archive(page: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), "SECRET-CONFIG = true\n").unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/page.txt"), page).unwrap();
        dir
    }

    fn serve(dir: tempfile::TempDir) -> Fixture {
        serve_with(dir, fake_build)
    }

    fn serve_with(
        dir: tempfile::TempDir,
        build: impl Fn(&BuildOptions) -> Result<BuildReport> + Send + Sync + 'static,
    ) -> Fixture {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&builds);
        let opts = ServeOptions {
            root: dir.path().to_path_buf(),
            port: 0,
            ..ServeOptions::default()
        };
        let server = start_with_builder(opts, move |o: &BuildOptions, _: &Shared| {
            counter.fetch_add(1, Ordering::SeqCst);
            build(o)
        })
        .unwrap();
        Fixture {
            dir,
            server,
            builds,
        }
    }

    struct HttpResponse {
        status: u16,
        head: String,
        body: String,
    }

    impl HttpResponse {
        fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim())
            })
        }
    }

    /// A bare HTTP/1.1 request; `path` is sent exactly as given.
    fn request(addr: SocketAddr, method: &str, path: &str) -> HttpResponse {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        HttpResponse {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// An open event stream, read as raw text.
    struct Events {
        stream: TcpStream,
        seen: String,
    }

    impl Events {
        fn open(addr: SocketAddr, generation: u64, instance: &str) -> Events {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .unwrap();
            write!(
                stream,
                "GET {EVENTS_PATH}?generation={generation}&instance={instance} HTTP/1.1\r\nHost: {addr}\r\n\r\n"
            )
            .unwrap();
            let mut events = Events {
                stream,
                seen: String::new(),
            };
            assert!(events.wait_for("retry: 1000", Duration::from_secs(5)));
            events
        }

        /// Read until `needle` has been seen (true) or the deadline passes or the stream ends.
        fn wait_for(&mut self, needle: &str, within: Duration) -> bool {
            let deadline = Instant::now() + within;
            let mut buf = [0u8; 4096];
            while !self.seen.contains(needle) && Instant::now() < deadline {
                match self.stream.read(&mut buf) {
                    Ok(0) => return false,
                    Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                    Err(_) => {} // read timeout: poll again
                }
            }
            self.seen.contains(needle)
        }

        /// Whether the server closed the stream within `within`.
        fn closed_within(&mut self, within: Duration) -> bool {
            let deadline = Instant::now() + within;
            let mut buf = [0u8; 4096];
            while Instant::now() < deadline {
                match self.stream.read(&mut buf) {
                    Ok(0) => return true,
                    Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                    Err(_) => {}
                }
            }
            false
        }
    }

    fn wait_until(within: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done()
    }

    #[test]
    fn serves_index_with_live_script_and_site_404() {
        let site = serve(archive("hello"));
        let index = site.get("/");
        assert_eq!(index.status, 200);
        assert_eq!(
            index.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(index.header("cache-control"), Some("no-store"));
        assert!(index.body.contains("<h1>hello</h1>"));
        let script = index
            .body
            .find("data-onrecord-live")
            .expect("script injected");
        assert!(
            script < index.body.find("</BODY>").unwrap(),
            "before </body>"
        );
        // The file on disk is left as the build wrote it.
        let on_disk = std::fs::read_to_string(site.root().join("public/index.html")).unwrap();
        assert!(!on_disk.contains("onrecord-live"));

        let missing = site.get("/no/such/page/");
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("custom 404"));
        assert!(missing.body.contains("data-onrecord-live"));

        let css = site.get("/style.css");
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(css.body, "body{}");
    }

    #[test]
    fn folders_methods_and_reserved_paths() {
        let site = serve(archive("hello"));
        let redirect = site.get("/docs?x=1");
        assert_eq!(redirect.status, 307);
        assert_eq!(redirect.header("location"), Some("/docs/?x=1"));
        assert!(site.get("/docs/").body.contains("<p>docs</p>"));
        assert_eq!(site.get("/style.css/").status, 404);

        let head = request(site.server.addr(), "HEAD", "/");
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        let length = site.get("/").body.len().to_string();
        assert_eq!(head.header("content-length"), Some(length.as_str()));
        assert_eq!(
            head.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(request(site.server.addr(), "POST", "/").status, 405);
        assert_eq!(
            request(site.server.addr(), "DELETE", "/style.css").status,
            405
        );
        assert_eq!(site.get("/__onrecord/other").status, 404);
        // The build got the real, ephemeral port.
        assert_eq!(site.get("/base.txt").body, site.server.url());
    }

    #[test]
    fn never_serves_outside_the_output_dir() {
        let site = serve(archive("hello"));
        // Symlinks inside the output dir that lead out of it.
        #[cfg(unix)]
        {
            let public = site.root().join("public");
            std::os::unix::fs::symlink(site.root().join("site.toml"), public.join("leak.txt"))
                .unwrap();
            std::os::unix::fs::symlink(site.root(), public.join("up")).unwrap();
            std::fs::create_dir(public.join("inner")).unwrap();
            let index = public.join("inner/index.html");
            std::os::unix::fs::symlink(site.root().join("site.toml"), index).unwrap();
        }
        for path in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/..%2fsite.toml",
            "/%2e%2e%2fsite.toml",
            "/..\\site.toml",
            "/..%5csite.toml",
            "/docs/../../site.toml",
            "/./../site.toml",
            "/site.toml%00.html",
            "/%",
            "/%zz",
            "//site.toml",
            "/leak.txt",
            "/up/site.toml",
            "/up/",
            "/up",
            "/inner/",
        ] {
            let response = site.get(path);
            assert!(
                [400, 403, 404].contains(&response.status),
                "{path}: status {}",
                response.status
            );
            assert!(!response.body.contains("SECRET"), "{path} leaked the file");
        }
    }

    #[test]
    fn rebuilds_on_change_and_tells_pages_to_reload() {
        let site = serve(archive("before"));
        let generation = site.server.generation();
        let mut events = Events::open(site.server.addr(), generation, &site.server.shared.instance);
        site.set_page("after");
        assert!(wait_until(Duration::from_secs(10), || site
            .get("/")
            .body
            .contains("<h1>after</h1>")));
        assert!(events.wait_for("event: reload", Duration::from_secs(5)));
        assert!(events
            .seen
            .contains(&format!("\"generation\":{}", generation + 1)));
    }

    #[test]
    fn failed_build_keeps_last_site_and_reports_the_error() {
        let site = serve(archive("good"));
        let generation = site.server.generation();
        let mut events = Events::open(site.server.addr(), generation, &site.server.shared.instance);
        site.set_page("BROKEN");
        assert!(events.wait_for("event: build-error", Duration::from_secs(10)));
        assert!(events.wait_for("bad <b>input</b> & more", Duration::from_secs(1)));
        assert!(
            site.get("/").body.contains("<h1>good</h1>"),
            "last good site"
        );
        assert_eq!(site.server.generation(), generation);
        assert!(site.server.last_error().unwrap().contains("bad <b>input"));

        // A page opened now learns of the error at once.
        let mut late = Events::open(site.server.addr(), generation, &site.server.shared.instance);
        assert!(late.wait_for("event: build-error", Duration::from_secs(1)));

        // The next good build clears it and reloads the pages.
        site.set_page("fixed");
        assert!(events.wait_for("event: reload", Duration::from_secs(10)));
        assert!(site.server.last_error().is_none());
        assert!(site.get("/").body.contains("<h1>fixed</h1>"));
    }

    #[test]
    fn pages_catch_up_on_connect_but_do_not_reload_twice() {
        let site = serve(archive("x"));
        let (addr, instance) = (site.server.addr(), site.server.shared.instance.clone());
        let current = site.server.generation();
        assert!(site
            .get("/")
            .body
            .contains(&format!("generation: {current},")));

        let mut up_to_date = Events::open(addr, current, &instance);
        assert!(!up_to_date.wait_for("event:", Duration::from_millis(200)));
        let mut stale = Events::open(addr, current - 1, &instance);
        assert!(stale.wait_for("event: reload", Duration::from_secs(1)));
        let mut other_server = Events::open(addr, current, "an-earlier-run");
        assert!(other_server.wait_for("event: reload", Duration::from_secs(1)));
    }

    #[test]
    fn a_burst_of_changes_gives_one_or_two_rebuilds() {
        let site = serve(archive("x"));
        assert_eq!(site.builds.load(Ordering::SeqCst), 1);
        let dir = site.root().join("content/articles");
        std::fs::create_dir(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("a{i}.md")), "x").unwrap();
        }
        assert!(wait_until(Duration::from_secs(5), || site
            .builds
            .load(Ordering::SeqCst)
            > 1));
        // Let any straggling batch arrive.
        std::thread::sleep(DEBOUNCE * 3);
        let rebuilds = site.builds.load(Ordering::SeqCst) - 1;
        assert!((1..=2).contains(&rebuilds), "{rebuilds} rebuilds");
    }

    #[test]
    fn a_watched_folder_created_later_is_watched() {
        let site = serve(archive("x"));
        let builds = || site.builds.load(Ordering::SeqCst);
        std::fs::create_dir(site.root().join("static")).unwrap();
        assert!(wait_until(Duration::from_secs(5), || builds() == 2));
        std::fs::write(site.root().join("static/extra.css"), "p{}").unwrap();
        assert!(wait_until(Duration::from_secs(5), || builds() == 3));
    }

    #[test]
    fn ignores_changes_that_cannot_change_the_site() {
        let site = serve(archive("x"));
        let root = site.root();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        std::fs::write(root.join("content/.page.txt.swp"), "x").unwrap();
        std::fs::write(root.join("content/page.txt~"), "x").unwrap();
        std::fs::write(root.join("public/extra.html"), "x").unwrap();
        std::thread::sleep(DEBOUNCE * 3);
        assert_eq!(site.builds.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn watch_filter() {
        let root = Path::new("/a");
        let out = Path::new("/a/public");
        let watched = |p: &str| is_watched(root, out, Path::new(p));
        assert!(watched("/a/site.toml"));
        assert!(watched("/a/content/articles/x.md"));
        assert!(watched("/a/templates/base.html"));
        assert!(watched("/a/static/style.css"));
        assert!(watched("/a/content"));
        assert!(!watched("/a/public/index.html"));
        assert!(!watched("/a/.public.building-1-2/index.html"));
        assert!(!watched("/a/README.md"));
        assert!(!watched("/a/content/articles/.x.md.tmp-1-2"));
        assert!(!watched("/a/content/articles/.#x.md"));
        assert!(!watched("/a/content/articles/x.md~"));
        assert!(!watched("/a/content/articles/.x.md.swp"));
        assert!(!watched("/a/content/4913"));
        assert!(!watched("/a/static/target/x.js"));
        assert!(!watched("/elsewhere/content/x.md"));
        // An output dir inside a watched folder is still ignored.
        assert!(!is_watched(
            root,
            Path::new("/a/static/out"),
            Path::new("/a/static/out/x")
        ));
    }

    #[test]
    fn a_failed_first_build_is_shown_not_fatal() {
        let dir = archive("BROKEN");
        let opts = ServeOptions {
            root: dir.path().to_path_buf(),
            port: 0,
            ..ServeOptions::default()
        };
        let server =
            start_with_builder(opts, |o: &BuildOptions, _: &Shared| fake_build(o)).unwrap();
        let page = request(server.addr(), "GET", "/");
        assert_eq!(page.status, 503);
        assert!(page
            .body
            .contains("bad &lt;b&gt;input&lt;/b&gt; &amp; more"));
        assert!(page.body.contains("data-onrecord-live"));
        // Fixing it brings the site up.
        std::fs::write(dir.path().join("content/page.txt"), "ok").unwrap();
        assert!(wait_until(Duration::from_secs(10), || request(
            server.addr(),
            "GET",
            "/"
        )
        .body
        .contains("<h1>ok</h1>")));
    }

    #[test]
    fn a_folder_without_site_toml_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ServeOptions {
            root: dir.path().to_path_buf(),
            port: 0,
            ..ServeOptions::default()
        };
        let failing = |_: &BuildOptions, _: &Shared| -> Result<BuildReport> {
            Err(Error::Other("no".into()))
        };
        assert!(start_with_builder(opts, failing).is_err());
    }

    #[test]
    fn listens_on_loopback_by_default() {
        assert!(ServeOptions::default().bind.is_loopback());
        assert_eq!(ServeOptions::default().port, 1111);
        let site = serve(archive("x"));
        assert!(site.server.addr().ip().is_loopback());
        assert!(site.server.url().starts_with("http://127.0.0.1:"));
    }

    #[test]
    fn shutdown_ends_open_event_streams() {
        let site = serve(archive("x"));
        let mut events = Events::open(site.server.addr(), 1, &site.server.shared.instance);
        let started = Instant::now();
        site.server.shutdown();
        // Well before the grace period would cut the connection.
        assert!(events.closed_within(Duration::from_millis(500)));
        assert!(
            started.elapsed() < SHUTDOWN_GRACE / 2,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_panicking_build_is_reported_and_the_next_one_works() {
        let site = serve(archive("x"));
        let generation = site.server.generation();
        let mut events = Events::open(site.server.addr(), generation, &site.server.shared.instance);
        site.set_page("PANIC");
        assert!(events.wait_for("event: build-error", Duration::from_secs(10)));
        assert!(events.wait_for("this is a bug in onrecord", Duration::from_secs(1)));
        let error = site.server.last_error().unwrap();
        assert!(error.starts_with("internal error: "), "{error}");
        assert!(error.contains("the importer choked"), "{error}");
        // The rebuild thread survived: the next change is built.
        site.set_page("fine");
        assert!(events.wait_for("event: reload", Duration::from_secs(10)));
        assert!(site.get("/").body.contains("<h1>fine</h1>"));
        assert_eq!(site.server.generation(), generation + 1);
    }

    #[test]
    fn what_the_build_imports_does_not_trigger_another_build() {
        let site = serve(archive("x"));
        let content = site.root().join("content");
        std::fs::create_dir(content.join("articles")).unwrap();
        assert!(wait_until(Duration::from_secs(5), || site
            .server
            .generation()
            == 2));
        // The build imports the new source and writes a watched file: one build, not two.
        crate::write::atomic_write(&content.join("source.txt"), b"new").unwrap();
        assert!(wait_until(Duration::from_secs(5), || site
            .server
            .generation()
            == 3));
        assert!(content.join("articles/imported.md").is_file());
        std::thread::sleep(DEBOUNCE * 4);
        assert_eq!(site.builds(), 3);
        // An editor saving that file later is a change like any other.
        std::fs::write(content.join("articles/imported.md"), "edited").unwrap();
        assert!(wait_until(Duration::from_secs(5), || site.builds() == 4));
    }

    #[test]
    fn a_search_index_left_for_later_is_built_even_after_an_import() {
        // As when the watcher reports the import's own files while the build makes the
        // search index: the build stops the index, and the report says so.
        let last_changes = Arc::new(Mutex::new(None));
        let seen = Arc::clone(&last_changes);
        let site = serve_with(archive("x"), move |o: &BuildOptions| {
            *seen.lock().unwrap() = Some(o.changed.clone());
            let report = fake_build(o)?;
            let search_deferred = !report.imported.is_empty();
            Ok(BuildReport {
                search_deferred,
                ..report
            })
        });
        let content = site.root().join("content");
        std::fs::create_dir(content.join("articles")).unwrap();
        assert!(wait_until(Duration::from_secs(5), || site.builds() == 2));
        crate::write::atomic_write(&content.join("source.txt"), b"new").unwrap();
        // The import's build, then one more for the index, though the only change the
        // watcher reports after the import is the import's own file.
        assert!(wait_until(Duration::from_secs(5), || site.builds() == 4));
        let last = last_changes.lock().unwrap().clone();
        assert_eq!(
            last,
            Some(Some(Vec::new())),
            "an incremental build of nothing"
        );
        std::thread::sleep(DEBOUNCE * 4);
        assert_eq!(site.builds(), 4, "and no more");
    }

    #[test]
    fn site_url_is_browsable() {
        let url = |a: &str| site_url(a.parse().unwrap());
        assert_eq!(url("127.0.0.1:80"), "http://127.0.0.1:80/");
        assert_eq!(url("0.0.0.0:1111"), "http://127.0.0.1:1111/");
        assert_eq!(url("[::]:1111"), "http://[::1]:1111/");
        assert_eq!(url("192.168.1.5:1111"), "http://192.168.1.5:1111/");
    }

    #[test]
    fn injection_and_escaping() {
        let page = Page {
            generation: 7,
            instance: "i".into(),
        };
        let html = String::from_utf8(inject_live_script(
            b"<p>a</p></Body></html>".to_vec(),
            &page,
        ))
        .unwrap();
        assert!(html.starts_with("<p>a</p><script data-onrecord-live>"));
        assert!(html.ends_with("</script>\n</Body></html>"));
        assert!(html.contains("generation: 7,"));
        let bare = String::from_utf8(inject_live_script(b"<p>a</p>".to_vec(), &page)).unwrap();
        assert!(bare.starts_with("<p>a</p><script"));
    }

    #[test]
    fn error_events_are_one_json_line() {
        let sse = LiveEvent::BuildError {
            message: "a\nb\r\n</script>".into(),
        }
        .to_sse("i");
        // One event line, one data line, then the blank line that ends the event.
        assert_eq!(sse.lines().filter(|l| !l.is_empty()).count(), 2);
        assert!(sse.starts_with("event: build-error\ndata: {"));
        assert!(sse.ends_with("}\n\n"));
    }
}
