#!/usr/bin/env python3
"""Time what a writer waits for in `onrecord serve`: from saving an article to getting its
page back with the edit in it (watcher, debounce, incremental rebuild, HTTP).

    bench/rebuild.py ONRECORD_BINARY ARCHIVE_DIR [--edits 15] [--port 18111]

Starts `onrecord serve` on the archive (the first build is a full one), then edits one
article at a time (a different one each time: a sentence appended to its body) and polls
the article's page on 127.0.0.1 until the sentence is there. Prints one line per edit and
then `median_ms p90_ms max_ms edits`. Python 3 standard library only.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8", "replace")


def wait_for_server(proc, url, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"onrecord serve exited with {proc.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("onrecord serve did not answer in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("onrecord")
    parser.add_argument("archive")
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--port", type=int, default=18111)
    args = parser.parse_args()

    articles_dir = os.path.join(args.archive, "content", "articles")
    articles = sorted(f for f in os.listdir(articles_dir) if f.endswith(".md"))
    base = f"http://127.0.0.1:{args.port}/"
    proc = subprocess.Popen(
        [args.onrecord, "--root", args.archive, "serve", "--port", str(args.port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(proc, base)
        # The site is served as soon as the first build swaps it in; the build's last
        # steps (its record of the pages, for the next build) follow. An editor's first
        # save comes later than that.
        time.sleep(1.0)
        times = []
        for n in range(args.edits):
            name = articles[(n * 7919) % len(articles)]
            slug = name[: -len(".md")]
            marker = f"Edit{n}x{os.getpid()}"
            path = os.path.join(articles_dir, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            start = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text + f"\nAn added sentence, {marker}.\n")
            url = f"{base}articles/{slug}/"
            while marker not in get(url):
                if time.perf_counter() - start > 60:
                    sys.exit(f"edit {n}: the page did not change within 60 s")
                time.sleep(0.001)
            took = (time.perf_counter() - start) * 1000
            times.append(took)
            print(f"edit {n}: {name}: {took:.1f} ms", file=sys.stderr)
            # Let the rest of the rebuild (feeds, data) finish before the next edit.
            time.sleep(1.0)
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print(f"{pick(0.5):.1f} {pick(0.9):.1f} {times[-1]:.1f} {len(times)}")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
