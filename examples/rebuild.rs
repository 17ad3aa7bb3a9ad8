//! Times what `serve` does after an edit, without the server and its watcher: one full
//! build, then RUNS rebuilds, each after appending a sentence to one article (a different
//! one each time). Prints when each rebuild's pages were current (when serve reloads the
//! browser), when it was done (feeds and data too), its stage times, and the medians.
//!
//!     cargo run --release --example rebuild -- ARCHIVE_DIR [RUNS]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use onrecord::build::{BuildOptions, Builder};
use onrecord::write::SiteLock;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: rebuild ARCHIVE_DIR [RUNS]"));
    let runs: usize = args
        .next()
        .map_or(5, |n| n.parse().expect("RUNS is a number"));
    let opts = BuildOptions {
        root: root.clone(),
        import_sources: false,
        ..BuildOptions::default()
    };
    let builder = Builder::default();
    let lock = SiteLock::default();
    let first = builder
        .build(&opts, &lock, &|_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "full build: {} pages in {} ms",
        first.pages,
        first.elapsed.as_millis()
    );
    let mut articles: Vec<PathBuf> = std::fs::read_dir(root.join("content/articles"))
        .expect("content/articles")
        .map(|e| e.expect("readable folder").path())
        .collect();
    articles.sort();
    let mut times = Vec::new();
    let mut ready_times = Vec::new();
    let mut cpu_total = 0.0;
    for run in 0..runs {
        let article = &articles[(run * 7919) % articles.len()];
        let mut text = std::fs::read_to_string(article).expect("readable article");
        text.push_str(&format!("\nAn added sentence, edit {run}.\n"));
        std::fs::write(article, text).expect("writable article");
        // As serve's watcher does, name the changed file.
        let opts = BuildOptions {
            changed: Some(vec![article.clone()]),
            ..opts.clone()
        };
        let cpu_before = cpu_time();
        let started = Instant::now();
        let ready = std::sync::Mutex::new(Duration::ZERO);
        let report = builder
            .build(&opts, &lock, &|_| {
                *ready.lock().unwrap() = started.elapsed()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let cpu = cpu_time() - cpu_before;
        let ready = *ready.lock().unwrap();
        println!(
            "rebuild {run}: {} of {} pages, pages current after {:.1} ms, all done in {:.1} ms ({:.0} ms CPU)",
            report.rendered,
            report.pages,
            ready.as_secs_f64() * 1000.0,
            report.elapsed.as_secs_f64() * 1000.0,
            cpu * 1000.0
        );
        ready_times.push(ready);
        cpu_total += cpu;
        for (stage, took) in &report.timings {
            println!("  {:>8.1} ms  {stage}", took.as_secs_f64() * 1000.0);
        }
        times.push(report.elapsed);
    }
    times.sort();
    ready_times.sort();
    if let (Some(median), Some(ready)) = (times.get(runs / 2), ready_times.get(runs / 2)) {
        println!(
            "median: pages current after {:.1} ms, rebuild done in {:.1} ms; CPU time per rebuild: {:.1} ms",
            ready.as_secs_f64() * 1000.0,
            median.as_secs_f64() * 1000.0,
            cpu_total * 1000.0 / runs as f64
        );
    }
}

/// The process's user + system CPU time in seconds (Linux: /proc/self/stat, in clock
/// ticks of 10 ms; averaged over many runs it is finer). 0 elsewhere.
fn cpu_time() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
