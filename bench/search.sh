#!/usr/bin/env bash
# The search benchmark: govsite's search index on generated bilingual pages, and govsite vs
# Pagefind indexing the same built site. bench/SEARCH.md reports the numbers.
#
#   bench/search.sh                                   # sizes 10000 and 100000, 3 runs of each tool
#   SEARCH_SIZES="10000" SEARCH_RUNS=1 bench/search.sh    # a quicker run
#
# 1. examples/search_bench.rs for each size N in $SEARCH_SIZES: N Azerbaijani + N English pages
#    generated from the real texts in content/, indexed with SearchIndex::rebuild; indexing time,
#    index size, query latency (one word, three words, boolean), one-page update latency.
# 2. bench/gen_corpus.py $PAGEFIND_SIZE: a bilingual govsite site, imported and built; then
#    `pagefind --site public` (every HTML file, as a user would run it), `pagefind` on the item
#    pages only (the pages govsite's index holds), and `govsite index --full`, each
#    $SEARCH_RUNS times (hyperfine, median reported).
#
# Everything goes under $SEARCH_WORK (default /tmp/govsite-search-bench); logs and the summary
# under $SEARCH_WORK/logs. Every timed run (and every phase of the example) is preceded, untimed,
# by bench/wait_quiet.sh; whether the machine really was quiet is logged in logs/quiet.txt
# ("NOT QUIET" lines) and per run in *.rss (others_cpu_s) and search-N.json (others_cpu_s).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${SEARCH_WORK:-/tmp/govsite-search-bench}
SIZES=${SEARCH_SIZES:-"10000 100000"}
PAGEFIND_SIZE=${SEARCH_PAGEFIND_SIZE:-10000}
RUNS=${SEARCH_RUNS:-3}
QUIET_WAIT=${SEARCH_QUIET_WAIT:-600}
PF_PREFIX=${PAGEFIND_PREFIX:-/tmp/pf}
PAGEFIND=$PF_PREFIX/node_modules/.bin/pagefind
GOVSITE=$REPO/target/release/govsite
EXAMPLE=$REPO/target/release/examples/search_bench
LOG=$WORK/logs

mkdir -p "$WORK" "$LOG"
rm -f "$LOG"/*.json "$LOG"/*.rss "$LOG"/*.txt "$LOG"/*.md "$LOG"/*.out

say() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
QUIET="'$REPO/bench/wait_quiet.sh' '$LOG/quiet.txt' $QUIET_WAIT"
measure() { echo "'$REPO/bench/measure.sh' '$LOG/$1.rss'"; }

# ---- 1. the release binary and the example (others may be mid-edit: retry a few times)
if [ -z "${SEARCH_NO_BUILD:-}" ]; then
    say "cargo build --release --bin govsite --example search_bench"
    for attempt in 1 2 3 4 5; do
        if (cd "$REPO" && cargo build --release --quiet --bin govsite --example search_bench) 2>"$LOG/cargo.txt"; then
            break
        fi
        if [ "$attempt" = 5 ]; then
            cat "$LOG/cargo.txt" >&2
            echo "the release build failed 5 times; see $LOG/cargo.txt" >&2
            exit 1
        fi
        echo "cargo build failed (attempt $attempt); retrying in 60 s"
        sleep 60
    done
fi

# ---- 2. Pagefind, from npm, into its own folder (not the repository's package.json)
if [ ! -x "$PAGEFIND" ]; then
    say "npm install --prefix $PF_PREFIX pagefind"
    npm install --prefix "$PF_PREFIX" pagefind >"$LOG/npm.txt" 2>&1
fi
"$PAGEFIND" --version >/dev/null

# ---- 3. the machine and versions
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    lscpu | grep -E 'Model name|^CPU\(s\)|Thread|MHz' || true
    free -h | sed -n 1,2p
    echo "kernel: $(uname -r)"
    echo "filesystem of $WORK: $(df -T "$WORK" | awk 'NR==2 {print $2}')"
    echo "govsite: $("$GOVSITE" --version) ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo 'no commit')), binary built $(date -r "$GOVSITE" +%H:%M:%S), example built $(date -r "$EXAMPLE" +%H:%M:%S)"
    echo "working tree: $(cd "$REPO" && git status --short -- src Cargo.toml Cargo.lock | wc -l) uncommitted changes in src/ Cargo.* ($(cd "$REPO" && git diff --shortstat -- src | sed 's/^ //'))"
    echo "rustc: $(rustc --version)"
    echo "pagefind: $("$PAGEFIND" --version) (npm, $PF_PREFIX)"
    echo "node: $(node --version)"
    echo "hyperfine: $(hyperfine --version)"
} >"$LOG/machine.txt"
cat "$LOG/machine.txt"

# ---- 4. the index on generated pages, per size
for N in $SIZES; do
    say "N=$N: search_bench (generation, indexing, queries, one-page updates)"
    # The example waits for a quiet machine before each of its phases.
    SEARCH_BENCH_QUIET="$QUIET" "$REPO/bench/measure.sh" "$LOG/search-$N.rss" \
        "$EXAMPLE" "$N" "$WORK/index-$N" "$LOG/search-$N.json" 2>"$LOG/search-$N.err" |
        tee "$LOG/search-$N.txt"
done

# ---- 5. govsite vs Pagefind on the built site
N=$PAGEFIND_SIZE
SITE=$WORK/site-$N
if [ ! -f "$SITE/.built" ]; then
    say "N=$N: generating, importing and building the site (not timed)"
    rm -rf "$SITE"
    python3 "$REPO/bench/gen_corpus.py" "$N" "$SITE"
    "$GOVSITE" --site "$SITE" import | tail -1
    "$GOVSITE" --site "$SITE" build --full --quiet
    touch "$SITE/.built"
fi
{
    echo "html_files=$(find "$SITE/public" -name '*.html' | wc -l)"
    echo "item_pages=$(cd "$SITE/public" && ls -d az/*/*/index.html en/*/*/index.html | wc -l)"
    echo "public_bytes=$(du -sb "$SITE/public" | cut -f1)"
} | tee "$LOG/site-$N.txt"

say "N=$N: pagefind --site public (every HTML file)"
hyperfine --runs "$RUNS" --style basic \
    --prepare "rm -rf '$SITE/pagefind' && sync && $QUIET" \
    --output "$LOG/pagefind-all.out" \
    --export-json "$LOG/pagefind-all.json" \
    "$(measure pagefind-all) '$PAGEFIND' --site '$SITE/public' --output-path '$SITE/pagefind'"
echo "pagefind_all_bytes=$(du -sb "$SITE/pagefind" | cut -f1)" | tee -a "$LOG/site-$N.txt"

say "N=$N: pagefind on the item pages only (what govsite's index holds)"
hyperfine --runs "$RUNS" --style basic \
    --prepare "rm -rf '$SITE/pagefind' && sync && $QUIET" \
    --output "$LOG/pagefind-items.out" \
    --export-json "$LOG/pagefind-items.json" \
    "$(measure pagefind-items) '$PAGEFIND' --site '$SITE/public' --output-path '$SITE/pagefind' --glob '{az,en}/*/*/index.html'"
echo "pagefind_items_bytes=$(du -sb "$SITE/pagefind" | cut -f1)" | tee -a "$LOG/site-$N.txt"

say "N=$N: govsite index --full"
hyperfine --runs "$RUNS" --style basic \
    --prepare "sync && $QUIET" \
    --output "$LOG/govsite-index.out" \
    --export-json "$LOG/govsite-index.json" \
    "$(measure govsite-index) '$GOVSITE' --site '$SITE' index --full"
echo "govsite_index_bytes=$(du -sb "$SITE/data/search-index" | cut -f1)" | tee -a "$LOG/site-$N.txt"

# ---- 6. summary
say "summary"
python3 - "$LOG" "$SIZES" <<'EOF' | tee "$LOG/summary.md"
import json, statistics, sys
from pathlib import Path
log, sizes = Path(sys.argv[1]), sys.argv[2].split()

def rss(name):
    rows = [l.split() for l in (log / f"{name}.rss").read_text().splitlines() if l.strip()]
    return max(int(r[0]) for r in rows) / 1024, max(float(r[4]) for r in rows)

print("| N (items) | pages | indexing s | pages/s | index MiB | segments | peak RSS MiB | others' CPU during indexing s |")
print("|---|---|---|---|---|---|---|---|")
results = {}
for n in sizes:
    p = log / f"search-{n}.json"
    if not p.exists():
        print(f"| {n} | (no result) |")
        continue
    r = results[n] = json.loads(p.read_text())
    print(f"| {n} | {r['pages']} | {r['indexing_s']:.1f} | {r['pages'] / r['indexing_s']:.0f} | "
          f"{r['index_bytes_allocated'] / 2**20:.0f} | {r['segments']} | {r['peak_rss_mib']:.0f} | "
          f"{r['indexing_others_cpu_s']:.1f} |")
print()
print("| N | lang | query | n | p50 ms | p99 ms | max ms | mean hits | others' CPU s |")
print("|---|---|---|---|---|---|---|---|---|")
for n, r in results.items():
    for q in r["queries"]:
        print(f"| {n} | {q['lang']} | {q['class']} | {q['n']} | {q['p50_ms']:.2f} | {q['p99_ms']:.2f} | "
              f"{q['max_ms']:.2f} | {q['mean_hits']:.0f} | {q['others_cpu_s']:.1f} |")
print()
for n, r in results.items():
    print(f"N={n}: one-page update p50 {r['update_p50_ms']:.0f} ms, max {r['update_max_ms']:.0f} ms "
          f"({len(r['update_ms'])} updates; segments {r['segments']} -> {r['segments_after_updates']})")
print()
print("| indexing the built site | runs | median s | min s | max s | peak RSS MiB | max others' CPU s |")
print("|---|---|---|---|---|---|---|")
medians = {}
for name, label in [("govsite-index", "govsite index --full (20,000 pages)"),
                    ("pagefind-items", "pagefind, item pages only (20,000)"),
                    ("pagefind-all", "pagefind --site public (every HTML file)")]:
    h = json.loads((log / f"{name}.json").read_text())["results"][0]
    medians[name] = h["median"]
    peak, others = rss(name)
    print(f"| {label} | {len(h['times'])} | {h['median']:.2f} | {h['min']:.2f} | {h['max']:.2f} | "
          f"{peak:.0f} | {others:.1f} |")
print()
g = medians["govsite-index"]
print(f"Pagefind (item pages) / govsite: {medians['pagefind-items'] / g:.1f}x; "
      f"Pagefind (all HTML) / govsite: {medians['pagefind-all'] / g:.1f}x")
EOF
grep -c 'NOT QUIET' "$LOG/quiet.txt" | sed 's/^/timed runs that started on a busy machine (gave up waiting): /' || true
