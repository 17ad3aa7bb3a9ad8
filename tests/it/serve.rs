//! Integration tests of `onrecord serve` with the real build: a copy of the `basic` fixture
//! archive served on an ephemeral port, read with a bare HTTP/1.1 client, edited on disk.
//! The server's own rules (paths, watching, events) are unit-tested in src/serve.rs with a
//! fake build; these check that they hold with the real one.

use crate::common::{copy_dir, fixture};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onrecord::serve::{start, ServeOptions, ServerHandle, EVENTS_PATH};

/// How long a rebuild may take to show, on a slow CI machine.
const REBUILD_DEADLINE: Duration = Duration::from_secs(20);

const ARTICLE: &str = "content/articles/peskov-denies.md";
const ARTICLE_URL: &str = "/articles/peskov-denies/";

/// The `basic` fixture, copied into a temp dir and served on a free port.
struct Served {
    dir: tempfile::TempDir,
    server: ServerHandle,
}

fn serve_fixture() -> Served {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), dir.path());
    let server = start(ServeOptions {
        root: dir.path().to_path_buf(),
        port: 0,
        ..ServeOptions::default()
    })
    .expect("serve starts");
    assert!(
        server.last_error().is_none(),
        "the fixture builds: {:?}",
        server.last_error()
    );
    Served { dir, server }
}

impl Served {
    fn get(&self, path: &str) -> Response {
        get(self.server.addr(), path)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Replace a file's contents the way editors do: write aside, rename over.
    fn save(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        let tmp = path.with_file_name(".saving.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(tmp, path).unwrap();
    }
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The generation and instance the live-reload script of a served page carries.
    fn live_state(&self) -> (u64, String) {
        let after = |key: &str| {
            let start = self.body.find(key).expect("live-reload script") + key.len();
            &self.body[start..]
        };
        let generation = after("generation: ");
        let generation = generation[..generation.find(',').unwrap()].parse().unwrap();
        let instance = after("instance: \"");
        let instance = instance[..instance.find('"').unwrap()].to_string();
        (generation, instance)
    }
}

/// A bare HTTP/1.1 GET; `path` is sent exactly as given (no normalising).
fn get(addr: SocketAddr, path: &str) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
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
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// An open event stream, as a page holds it.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn open(addr: SocketAddr, (generation, instance): (u64, String)) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        write!(
            stream,
            "GET {EVENTS_PATH}?generation={generation}&instance={instance} HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .unwrap();
        Events {
            stream,
            seen: String::new(),
        }
    }

    /// Read until `needle` arrives (true), the deadline passes or the stream ends.
    fn wait_for(&mut self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut buf = [0u8; 4096];
        while !self.seen.contains(needle) && Instant::now() < deadline {
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => {} // read timeout: poll again
            }
        }
        self.seen.contains(needle)
    }
}

/// Poll until `done`, at most `within`.
fn wait_until(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

#[test]
fn serves_the_built_site() {
    let site = serve_fixture();
    let home = site.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("data-onrecord-live"),
        "live reload injected"
    );
    let article = site.get(ARTICLE_URL);
    assert_eq!(article.status, 200);
    assert!(article.body.contains("Kremlin Spokesman Denies Contact"));
    let unslashed = site.get(ARTICLE_URL.trim_end_matches('/'));
    assert_eq!(unslashed.status, 307);
    assert_eq!(unslashed.header("location"), Some(ARTICLE_URL));

    let missing = site.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    let not_found_page = std::fs::read_to_string(site.path("public/404.html")).unwrap();
    let title = &not_found_page[not_found_page.find("<title>").unwrap()..];
    let title = &title[..title.find("</title>").unwrap()];
    assert!(missing.body.contains(title), "the site's own 404 page");
}

#[test]
fn edits_are_served_and_a_broken_one_is_reported() {
    let site = serve_fixture();
    let mut events = Events::open(site.server.addr(), site.get(ARTICLE_URL).live_state());
    assert!(events.wait_for("retry:", Duration::from_secs(5)));

    let good = std::fs::read_to_string(site.path(ARTICLE)).unwrap();
    site.save(
        ARTICLE,
        &format!("{good}\nAn editor's new paragraph, zebra-7.\n"),
    );
    assert!(
        events.wait_for("event: reload", REBUILD_DEADLINE),
        "no reload after the edit; saw: {}",
        events.seen
    );
    assert!(site.get(ARTICLE_URL).body.contains("zebra-7"));

    let broken = good.replacen("---\n", "---\ntitle: [unclosed\n", 1);
    site.save(ARTICLE, &broken);
    assert!(
        events.wait_for("event: build-error", REBUILD_DEADLINE),
        "no error event; saw: {}",
        events.seen
    );
    assert!(site.server.last_error().is_some());
    let still = site.get(ARTICLE_URL);
    assert_eq!(still.status, 200);
    assert!(still.body.contains("zebra-7"), "the last good page");

    // Fixing it reloads the open pages.
    events.seen.clear();
    site.save(ARTICLE, &good);
    assert!(
        events.wait_for("event: reload", REBUILD_DEADLINE),
        "no reload after the fix; saw: {}",
        events.seen
    );
    assert!(site.server.last_error().is_none());
}

#[test]
fn a_new_source_is_imported_and_built_once() {
    let site = serve_fixture();
    let source = "content/sources/002_b3cbf9e2b05ff51b.txt";
    // A new watched folder is a change of its own: let any rebuild for it finish first.
    std::fs::create_dir_all(site.path("content/sources")).unwrap();
    let mut before = site.server.generation();
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < Duration::from_millis(800) {
        std::thread::sleep(Duration::from_millis(50));
        if site.server.generation() != before {
            before = site.server.generation();
            quiet_since = Instant::now();
        }
    }
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(source)).unwrap();
    site.save(source, &text);
    assert!(wait_until(REBUILD_DEADLINE, || {
        site.server.generation() > before || site.server.last_error().is_some()
    }));
    assert!(
        site.server.last_error().is_none(),
        "{:?}",
        site.server.last_error()
    );
    // The articles and speakers the import wrote are watched files, but not a change.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(site.server.generation(), before + 1);
}
