//! `onrecord serve` under load: the example archive served on a free port, 200 clients on
//! keep-alive connections asking for pages as fast as they are answered for a few seconds
//! (`ONRECORD_LOAD_SECS`, default 3), while an article is edited twice and a rebuild is
//! asked for. Every response must be complete and right: the expected status, the whole
//! page (one the build wrote, at some generation) with the live-reload script before
//! `</body>`, never a page half-written by a rebuild; no connection may fail.

use crate::common::{copy_dir, read};

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use onrecord::serve::{start, ServeOptions, ServerHandle};

const CLIENTS: usize = 200;

const ARTICLE: &str = "content/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump.md";

/// The paths asked for, the file each is answered from, and the status expected.
const PAGES: [(&str, &str, u16); 8] = [
    ("/", "index.html", 200),
    ("/articles/", "articles/index.html", 200),
    (
        "/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/",
        "articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/index.html",
        200,
    ),
    (
        "/speakers/dmitry-peskov/",
        "speakers/dmitry-peskov/index.html",
        200,
    ),
    ("/timeline/", "timeline/index.html", 200),
    (
        "/statements/dmitry-peskov-2016-11-14-trump-still-hasnt-taken-office/",
        "statements/dmitry-peskov-2016-11-14-trump-still-hasnt-taken-office/index.html",
        200,
    ),
    ("/style.css", "style.css", 200),
    ("/no/such/page/", "404.html", 404),
];

const SCRIPT_START: &str = "<script data-onrecord-live>";
const SCRIPT_END: &str = "</script>\n";

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// One response, read off a keep-alive connection.
struct Response {
    status: u16,
    close: bool,
    body: Vec<u8>,
}

/// A client on one keep-alive HTTP/1.1 connection.
struct Client {
    reader: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Client {
    fn connect(addr: SocketAddr) -> io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        Ok(Client {
            reader: BufReader::new(stream),
            addr,
        })
    }

    fn get(&mut self, path: &str) -> io::Result<Response> {
        let addr = self.addr;
        write!(
            self.reader.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )?;
        let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        let mut line = String::new();
        let mut status = 0;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(bad(
                    "connection closed before the response was complete".into()
                ));
            }
            let text = line.trim_end();
            if status == 0 {
                status = text
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| bad(format!("bad status line {text:?}")))?;
                continue;
            }
            if text.is_empty() {
                break;
            }
            let (name, value) = text.split_once(':').unwrap_or((text, ""));
            let (name, value) = (name.to_ascii_lowercase(), value.trim().to_ascii_lowercase());
            match name.as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.contains("chunked"),
                "connection" => close = value == "close",
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
                let start = body.len();
                body.resize(start + size, 0);
                self.reader.read_exact(&mut body[start..])?;
                let mut crlf = [0; 2];
                self.reader.read_exact(&mut crlf)?;
                if size == 0 {
                    break;
                }
            }
        } else {
            let length = length.ok_or_else(|| bad("no content-length".into()))?;
            body.resize(length, 0);
            self.reader.read_exact(&mut body)?;
        }
        Ok(Response {
            status,
            close,
            body,
        })
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: Vec<String>,
    wrong: Vec<String>,
    /// (page, hash of the page without the live-reload script).
    seen: HashSet<(usize, u64)>,
    generations: HashSet<u64>,
}

impl Tally {
    /// Check one response; a page's body is kept (as a hash) to compare with the builds'.
    fn check(&mut self, page: usize, response: Response) {
        let (path, file, status) = PAGES[page];
        if response.status != status {
            self.wrong
                .push(format!("{path}: status {} not {status}", response.status));
            return;
        }
        if !file.ends_with(".html") {
            self.seen.insert((page, hash(&response.body)));
            return;
        }
        let Ok(html) = std::str::from_utf8(&response.body) else {
            self.wrong.push(format!("{path}: not UTF-8"));
            return;
        };
        let complete = html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n");
        let script = html.find(SCRIPT_START).and_then(|start| {
            let end = start + html[start..].find(SCRIPT_END)? + SCRIPT_END.len();
            Some((start, end))
        });
        let Some((start, end)) = script.filter(|_| complete) else {
            let tail = &html[html.len().saturating_sub(80)..];
            self.wrong.push(format!(
                "{path}: incomplete page ({} bytes, ends {tail:?})",
                html.len()
            ));
            return;
        };
        if !html[end..].starts_with("</body>") || html[end..].contains(SCRIPT_START) {
            self.wrong.push(format!(
                "{path}: the live-reload script is not once before </body>"
            ));
            return;
        }
        let generation: Option<u64> = html[start..end]
            .split("generation: ")
            .nth(1)
            .and_then(|g| g.split(',').next()?.parse().ok());
        self.generations.extend(generation);
        let mut page_html = html.as_bytes()[..start].to_vec();
        page_html.extend_from_slice(&html.as_bytes()[end..]);
        self.seen.insert((page, hash(&page_html)));
    }
}

/// Keep asking for the pages, in turn, on one connection until told to stop.
fn client(addr: SocketAddr, first_page: usize, stop: &AtomicBool) -> Tally {
    let mut tally = Tally::default();
    let mut conn = None;
    let mut page = first_page;
    while !stop.load(Ordering::Relaxed) {
        if conn.is_none() {
            match Client::connect(addr) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tally.errors.push(format!("connect: {e}"));
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            }
        }
        let c = conn.as_mut().unwrap();
        let asked = Instant::now();
        match c.get(PAGES[page].0) {
            Ok(response) => {
                let took = asked.elapsed().as_micros().min(u32::MAX as u128) as u32;
                tally.latencies_us.push(took);
                if response.close {
                    conn = None;
                }
                tally.check(page, response);
            }
            Err(e) => {
                tally.errors.push(format!("{}: {e}", PAGES[page].0));
                conn = None;
            }
        }
        page = (page + 1) % PAGES.len();
    }
    tally
}

/// Every page's file as the last build wrote it, hashed, added to `versions`.
fn record_versions(output: &Path, versions: &mut HashSet<(usize, u64)>) {
    for (i, (_, file, _)) in PAGES.iter().enumerate() {
        versions.insert((i, hash(&std::fs::read(output.join(file)).unwrap())));
    }
}

/// Wait until a build after generation `before` is done; then record the pages.
fn settle(server: &ServerHandle, before: u64, output: &Path, versions: &mut HashSet<(usize, u64)>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.generation() <= before {
        assert!(Instant::now() < deadline, "no rebuild within 30 s");
        assert!(server.last_error().is_none(), "{:?}", server.last_error());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let a second build for the same change (a split burst) finish too.
    std::thread::sleep(Duration::from_millis(400));
    record_versions(output, versions);
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// Replace a file the way editors do: write aside, rename over.
fn save(path: &Path, text: &str) {
    let tmp = path.with_file_name(".saving.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

#[test]
fn serves_200_clients_while_rebuilding() {
    let secs: f64 = std::env::var("ONRECORD_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let run_for = Duration::from_secs_f64(secs);
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    let server = start(ServeOptions {
        root: dir.path().to_path_buf(),
        port: 0,
        ..ServeOptions::default()
    })
    .expect("serve starts");
    assert!(server.last_error().is_none(), "{:?}", server.last_error());
    let output = dir.path().join("public");
    let mut versions = HashSet::new();
    record_versions(&output, &mut versions);

    let stop = Arc::new(AtomicBool::new(false));
    let addr = server.addr();
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || client(addr, i % PAGES.len(), &stop))
                .unwrap()
        })
        .collect();

    // While they ask: edit the article, ask for a rebuild, edit it again.
    let article = dir.path().join(ARTICLE);
    let original = read(&article);
    let mut rebuilds = 0;
    for step in 1..=3 {
        std::thread::sleep(
            run_for
                .mul_f64(step as f64 / 4.0)
                .saturating_sub(started.elapsed()),
        );
        let before = server.generation();
        match step {
            2 => server.rebuild(),
            _ => save(
                &article,
                &format!("{original}\nAn editor's paragraph, number {step}, under load.\n"),
            ),
        }
        settle(&server, before, &output, &mut versions);
        rebuilds += 1;
    }
    std::thread::sleep(run_for.saturating_sub(started.elapsed()));
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let mut all = Tally::default();
    for c in clients {
        let t = c.join().unwrap();
        all.latencies_us.extend(t.latencies_us);
        all.errors.extend(t.errors);
        all.wrong.extend(t.wrong);
        all.seen.extend(t.seen);
        all.generations.extend(t.generations);
    }
    let generation = server.generation();
    server.shutdown();

    let mut latencies = all.latencies_us;
    latencies.sort_unstable();
    let served = latencies.len();
    println!(
        "{CLIENTS} clients, {:.1} s, {rebuilds} rebuilds (generation {generation}): {served} requests ({:.0}/s), {} errors, {} wrong; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        served as f64 / elapsed.as_secs_f64(),
        all.errors.len(),
        all.wrong.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    assert!(
        all.errors.is_empty(),
        "connection errors: {:?}",
        &all.errors[..all.errors.len().min(10)]
    );
    assert!(
        all.wrong.is_empty(),
        "wrong responses: {:?}",
        &all.wrong[..all.wrong.len().min(10)]
    );
    assert!(served >= CLIENTS, "only {served} requests served");
    // Every page served is one a build wrote, whole.
    let unknown: BTreeMap<&str, usize> =
        all.seen
            .difference(&versions)
            .fold(BTreeMap::new(), |mut m, (page, _)| {
                *m.entry(PAGES[*page].0).or_default() += 1;
                m
            });
    assert!(unknown.is_empty(), "pages no build wrote: {unknown:?}");
    // The edits were served while the load ran.
    let article_versions = all.seen.iter().filter(|(page, _)| *page == 2).count();
    assert!(
        article_versions >= 3,
        "the article was served in {article_versions} versions, not the original and both edits"
    );
    assert!(
        all.generations.len() >= 3,
        "generations served: {:?}",
        all.generations
    );
}
