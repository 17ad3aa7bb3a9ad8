//! Browser tests in headless Chromium (Debian's `chromium`): the search page finds a
//! statement and links to its place in the article, under a base path (`/repo/`, as on
//! GitHub Pages) and at `/` on the preview server; arriving at `articles/SLUG/#ID`
//! highlights the statement in view. Screenshots of both go to the temp dir.
//!
//! Chromium is required: without it these tests fail, unless ONRECORD_SKIP_BROWSER=1.
//! ONRECORD_CHROMIUM=PATH picks another binary.

use crate::common::{copy_dir, fixture};

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;

const ARTICLE: &str = "peskov-denies";
/// "pleased" is in one statement (and in its article's body).
const WORD: &str = "pleased";
const STATEMENT: &str = "official-view";
const TARGET: &str = "peskov-no-contact";

/// The Chromium binary, or None when the tests are to be skipped.
fn chromium() -> Option<PathBuf> {
    if std::env::var("ONRECORD_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("ONRECORD_SKIP_BROWSER=1: browser test skipped");
        return None;
    }
    let path = std::env::var_os("ONRECORD_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "headless Chromium not found at {}: install it (Debian/Ubuntu: apt-get install -y chromium), \
         point ONRECORD_CHROMIUM at it, or set ONRECORD_SKIP_BROWSER=1 to skip the browser tests",
        path.display()
    );
    Some(path)
}

/// The `basic` fixture built with `onrecord build` into `DIR/archive/public`.
fn build_fixture(dir: &Path, base_url: &str) -> PathBuf {
    let root = dir.join("archive");
    copy_dir(&fixture("basic"), &root);
    Command::cargo_bin("onrecord")
        .unwrap()
        .args(["build", "--no-import", "--base-url", base_url, "--root"])
        .arg(&root)
        .assert()
        .success();
    root.join("public")
}

/// A static file server for `site`, under `prefix` (`/repo/`), that notes every response:
/// (path, bytes).
struct StaticServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, usize)>>>,
}

impl StaticServer {
    fn start(site: PathBuf, prefix: &'static str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let site = site.clone();
                let log = Arc::clone(&log2);
                std::thread::spawn(move || respond(stream, &site, prefix, &log));
            }
        });
        StaticServer { addr, log }
    }

    fn url(&self, prefix: &str, rest: &str) -> String {
        format!("http://{}{prefix}{rest}", self.addr)
    }
}

fn respond(mut stream: TcpStream, site: &Path, prefix: &str, log: &Mutex<Vec<(String, usize)>>) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) <= 2 {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = path
        .strip_prefix(prefix)
        .filter(|rest| !rest.split('/').any(|s| s == ".."))
        .map(|rest| {
            let p = site.join(rest);
            if p.is_dir() {
                p.join("index.html")
            } else {
                p
            }
        });
    let (status, body, kind) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => {
            let kind = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("json") => "application/json",
                Some("png") => "image/png",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    log.lock().unwrap().push((path.to_string(), body.len()));
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// Run headless Chromium on `url` with `extra` flags; its standard output.
fn run_chromium(chromium: &Path, profile: &Path, url: &str, extra: &[&str]) -> String {
    // One browser at a time: in parallel they starve each other on small CI machines, and
    // virtual time then runs out before the page is done.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).ok();
        out
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 30 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// Every `href` value of an `<a>` with class `search-result-title` in `dom`.
fn result_links(dom: &str) -> Vec<String> {
    dom.split("<a ")
        .skip(1)
        .filter(|a| {
            let tag = &a[..a.find('>').unwrap_or(a.len())];
            tag.contains("search-result-title")
        })
        .filter_map(|a| {
            let start = a.find("href=\"")? + 6;
            let end = start + a[start..].find('"')?;
            Some(a[start..end].replace("&amp;", "&"))
        })
        .collect()
}

/// The opening tag of the element with id `id`.
fn tag_with_id<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id {id} in the page"));
    let start = dom[..at].rfind('<').unwrap();
    let end = at + dom[at..].find('>').unwrap();
    &dom[start..=end]
}

/// The search page's DOM once its results are in (a second look when they were not).
fn search_dom(chromium: &Path, profile: &Path, search_url: &str) -> String {
    let dom = run_chromium(chromium, profile, search_url, &["--dump-dom"]);
    if result_links(&dom).is_empty() && dom.contains("Searching…") {
        // Under load (the other test binaries run at the same time) the search can still be
        // loading its index when Chromium's virtual time runs out: look once more.
        eprintln!("search still running when the page was captured; trying once more");
        return run_chromium(chromium, profile, search_url, &["--dump-dom"]);
    }
    dom
}

fn check_search(chromium: &Path, profile: &Path, search_url: &str, screenshot: &str) {
    let dom = search_dom(chromium, profile, search_url);
    let links = result_links(&dom);
    let wanted = format!("articles/{ARTICLE}/#{STATEMENT}");
    assert!(
        links.iter().any(|l| l == &format!("../{wanted}")),
        "a result links to ../{wanted}; links: {links:?}\nstatus: {:?}",
        dom.find("id=\"search-status\"")
            .map(|i| &dom[i..(i + 300).min(dom.len())])
    );
    assert!(dom.contains(" results for “pleased”") || dom.contains(" result for “pleased”"));
    let shot = std::env::temp_dir().join(screenshot);
    run_chromium(
        chromium,
        profile,
        search_url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
        ],
    );
    assert!(shot.exists(), "screenshot written to {}", shot.display());
}

#[test]
fn search_finds_a_statement_under_a_base_path() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = build_fixture(dir.path(), "https://example.org/repo/");
    let server = StaticServer::start(site, "/repo/");
    let url = server.url("/repo/", &format!("search/?q={WORD}"));
    check_search(
        &chromium,
        &dir.path().join("profile"),
        &url,
        "onrecord-search.png",
    );
    let log = server.log.lock().unwrap();
    assert!(
        log.iter().any(|(p, _)| p == "/repo/search-index/meta.json"),
        "the index is loaded from under the base path: {log:?}"
    );
    assert!(log.iter().all(|(p, _)| p.starts_with("/repo/")), "{log:?}");
}

#[test]
fn search_finds_by_prefix_and_narrows_by_type_and_speaker() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = build_fixture(dir.path(), "https://example.org/");
    let server = StaticServer::start(site, "/");
    let profile = dir.path().join("profile");

    // "Pleas" begins "pleased", "KREML" (in any case) "Kremlin": every word must match, and
    // only articles are wanted. The excerpt marks the words found.
    let url = server.url("/", "search/?q=Pleas+KREML&type=article");
    let dom = search_dom(&chromium, &profile, &url);
    assert_eq!(result_links(&dom), [format!("../articles/{ARTICLE}/")]);
    assert!(dom.contains("1 result for “Pleas KREML”."), "{dom}");
    assert!(dom.contains("<mark>pleased</mark>"), "{dom}");

    // Only the statements of one speaker; the page names them.
    let url = server.url("/", "search/?q=kremlin&speaker=dmitry-peskov");
    let dom = search_dom(&chromium, &profile, &url);
    assert_eq!(
        result_links(&dom),
        [format!("../articles/{ARTICLE}/#{TARGET}")]
    );
    assert!(
        tag_with_id(&dom, "search-speaker").contains("search-speaker")
            && !tag_with_id(&dom, "search-speaker").contains("hidden")
    );
    assert!(dom.contains("<strong id=\"search-speaker-name\">Dmitry Peskov</strong>"));

    // Two letters find whole words only: "pl" is no word of the archive.
    let url = server.url("/", "search/?q=pl");
    let dom = search_dom(&chromium, &profile, &url);
    assert!(dom.contains("Nothing found for “pl”."), "{dom}");
}

#[test]
fn search_works_at_the_root_and_on_the_preview_server() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = build_fixture(dir.path(), "https://example.org/");
    let server = StaticServer::start(site, "/");
    let url = server.url("/", &format!("search/?q={WORD}"));
    check_search(
        &chromium,
        &dir.path().join("profile"),
        &url,
        "onrecord-search-root.png",
    );

    // The preview server keeps an event stream open, which stops Chromium's virtual time:
    // check instead that it serves the page's script and the index as the browser needs
    // them (the script as JavaScript, the index files whole).
    let root = dir.path().join("served");
    copy_dir(&fixture("basic"), &root);
    let preview = onrecord::serve::start(onrecord::serve::ServeOptions {
        root: root.clone(),
        port: 0,
        ..Default::default()
    })
    .expect("serve starts");
    let site = root.join("public");
    for file in [
        "search/",
        "search.js",
        "search-index/meta.json",
        "search-index/terms/0.json",
        "search-index/records/0.json",
        "search-index/filters/type.json",
    ] {
        let (status, kind, body) = http_get(preview.addr(), &format!("/{file}"));
        assert_eq!(status, 200, "/{file}");
        if file.ends_with(".js") {
            assert!(kind.contains("javascript"), "/{file} is served as {kind}");
        }
        if !file.ends_with('/') {
            assert_eq!(body, std::fs::read(site.join(file)).unwrap(), "/{file}");
        }
    }
    preview.shutdown();
}

/// GET `path`: status, content type and body (HTTP/1.1, connection closed).
fn http_get(addr: SocketAddr, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let kind = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    let mut body = response[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, kind, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

#[test]
fn arriving_at_a_statement_highlights_it_in_view() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = build_fixture(dir.path(), "https://example.org/repo/");
    let server = StaticServer::start(site, "/repo/");
    let url = server.url("/repo/", &format!("articles/{ARTICLE}/#{TARGET}"));
    let profile = dir.path().join("profile");
    let flags = ["--dump-dom", "--window-size=1280,900"];
    let mut dom = run_chromium(&chromium, &profile, &url, &flags);
    if !tag_with_id(&dom, TARGET).contains("data-in-view") {
        // static/onrecord.js sets it in an animation frame, which a busy headless browser
        // may not have drawn before the DOM is dumped: look once more.
        dom = run_chromium(&chromium, &profile, &url, &flags);
    }
    let tag = tag_with_id(&dom, TARGET);
    assert!(tag.starts_with("<mark"), "{tag}");
    assert!(
        tag.contains("is-target"),
        "the statement is highlighted: {tag}"
    );
    assert!(
        tag.contains("data-in-view=\"true\""),
        "the statement is in view: {tag}"
    );
    let other = tag_with_id(&dom, STATEMENT);
    assert!(!other.contains("is-target"), "only the target: {other}");
    let shot = std::env::temp_dir().join("onrecord-target.png");
    run_chromium(
        &chromium,
        &profile,
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
        ],
    );
    assert!(shot.exists());
}
