#!/usr/bin/env bash
# The govsite performance benchmark: govsite vs Hugo on generated bilingual corpora.
#
#   bench/run.sh                      # sizes 1000 and 10000, 3 runs each, 5 for the one-page publish
#   BENCH_SIZES="1000" BENCH_RUNS=1 bench/run.sh     # a quick smoke run
#   BENCH_WORK=/tmp/govsite-bench-capped BENCH_SIZES=10000 BENCH_PAGE_SECTION_CAP=50 \
#       BENCH_INCREMENTAL_SIZE=none bench/run.sh      # sections of pages capped at 50 items
#
# A size N means N items, each in Azerbaijani and in English (one shared translation key): 2N
# item pages. Everything is written under $BENCH_WORK (default /tmp/govsite-bench): corpora,
# outputs and raw logs (hyperfine JSON, /usr/bin/time output). The summary table goes to
# $BENCH_WORK/logs/summary.md; bench/RESULTS.md is written by hand from it.
#
# Run it on an otherwise idle machine: it measures wall time and peak RSS, one thing at a time.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-/tmp/govsite-bench}
SIZES=${BENCH_SIZES:-"1000 10000"}
RUNS=${BENCH_RUNS:-3}
PUBLISH_RUNS=${BENCH_PUBLISH_RUNS:-5}
INCREMENTAL_SIZE=${BENCH_INCREMENTAL_SIZE:-10000}
QUIET_WAIT=${BENCH_QUIET_WAIT:-600}
PAGE_SECTION_CAP=${BENCH_PAGE_SECTION_CAP:-}
# Others may rebuild target/release/govsite while this runs: every measurement uses a copy.
GOVSITE=$WORK/bin/govsite
HUGO=${HUGO:-/usr/bin/hugo}
# Hugo before 0.145 reads the front-matter table `_build`, later ones `build` (bench/gen_corpus.py).
HUGO_BUILD_KEY=$("$HUGO" version | grep -qE 'v0\.([0-9]{1,2}|1[0-3][0-9]|14[0-4])\.' && echo _build || echo build)
LOG=$WORK/logs

mkdir -p "$WORK" "$LOG"
rm -f "$LOG"/*.json "$LOG"/*.rss "$LOG"/*.txt "$LOG"/*.md "$LOG"/page.orig

say() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }

# The machine may be shared: every timed run is preceded (in hyperfine's --prepare, untimed)
# by bench/wait_quiet.sh, which waits up to $QUIET_WAIT s for other processes to go idle, and
# runs under bench/measure.sh, which records peak RSS, CPU time and the CPU time other
# processes took during the run ($LOG/*.rss).
QUIET="'$REPO/bench/wait_quiet.sh' '$LOG/quiet.txt' $QUIET_WAIT"
measure() { echo "'$REPO/bench/measure.sh' '$LOG/$1.rss'"; }

# ---- 1. the release binary (others may be mid-edit: retry a few times)
say "cargo build --release"
CARGO_STARTED=$(date +%s)
for attempt in 1 2 3 4 5; do
    if (cd "$REPO" && cargo build --release --quiet) 2>"$LOG/cargo.txt"; then
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
echo "cargo build took $(( $(date +%s) - CARGO_STARTED )) s (not part of any measurement)"
mkdir -p "$WORK/bin"
cp "$REPO/target/release/govsite" "$GOVSITE"

# ---- 2. the machine and versions
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    lscpu | grep -E 'Model name|^CPU\(s\)|Thread|MHz' || true
    free -h | sed -n 1,2p
    echo "kernel: $(uname -r)"
    echo "filesystem of $WORK: $(df -T "$WORK" | awk 'NR==2 {print $2}')"
    echo "govsite: $("$GOVSITE" --version), commit $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo 'none'), binary sha256 $(sha256sum "$GOVSITE" | cut -c1-16)"
    echo "corpus: $([ -n "$PAGE_SECTION_CAP" ] && echo "at most $PAGE_SECTION_CAP items per section of pages" || echo "items spread over all sections")"
    echo "working tree: $(cd "$REPO" && git status --short -- src Cargo.toml Cargo.lock themes i18n | wc -l) uncommitted changes in src/ Cargo.* themes/ i18n/ ($(cd "$REPO" && git diff --shortstat -- src | sed 's/^ //'))"
    echo "rustc: $(rustc --version)"
    echo "hugo: $("$HUGO" version)"
    echo "hyperfine: $(hyperfine --version)"
    echo "python: $(python3 --version)"
} >"$LOG/machine.txt"
cat "$LOG/machine.txt"

# ---- 3. per size: corpus, import, full build, Hugo
for N in $SIZES; do
    SITE=$WORK/site-$N
    say "N=$N: generating the corpus into $SITE"
    rm -rf "$SITE"
    /usr/bin/time -f '%e' -o "$LOG/gen-$N.txt" python3 "$REPO/bench/gen_corpus.py" ${PAGE_SECTION_CAP:+--page-section-cap "$PAGE_SECTION_CAP"} --hugo-build-key "$HUGO_BUILD_KEY" "$N" "$SITE"
    {
        echo "generation_s=$(cat "$LOG/gen-$N.txt")"
        echo "govsite_sources=$(find "$SITE/content" -name '*.md' | wc -l)"
        echo "govsite_source_bytes=$(du -sb "$SITE/content" | cut -f1)"
        echo "hugo_sources=$(find "$SITE/hugo/content" -name '*.md' | wc -l)"
    } >"$LOG/corpus-$N.txt"
    cat "$LOG/corpus-$N.txt"
    sync

    say "N=$N: govsite import (into an empty database each run)"
    hyperfine --runs "$RUNS" --style basic \
        --prepare "rm -rf '$SITE/data' && sync && $QUIET" \
        --export-json "$LOG/import-$N.json" \
        "$(measure import-$N) '$GOVSITE' --site '$SITE' import"
    # Once more, to record what an import reports (hyperfine discards the output).
    rm -rf "$SITE/data"
    "$GOVSITE" --site "$SITE" import | tail -1 | tee "$LOG/import-$N-report.txt"

    say "N=$N: govsite build --full (into an empty public/ each run)"
    hyperfine --runs "$RUNS" --style basic \
        --prepare "rm -rf '$SITE/public' && sync && $QUIET" \
        --export-json "$LOG/build-$N.json" \
        "$(measure build-$N) '$GOVSITE' --site '$SITE' build --full --quiet"
    # The last run left a complete public/ and manifest; report what it holds.
    {
        echo "govsite_files=$(find "$SITE/public" -type f | wc -l)"
        echo "govsite_html=$(find "$SITE/public" -type f -name '*.html' | wc -l)"
        echo "govsite_bytes=$(du -sb "$SITE/public" | cut -f1)"
        echo "govsite_db_bytes=$(du -sb "$SITE/data" | cut -f1)"
        # Bytes of the second-level menus (<nav class="section-menu">), which list every page of
        # an undated section on each of its pages.
        python3 - "$SITE/public" <<'PY'
import pathlib, sys
total = menus = 0
for path in pathlib.Path(sys.argv[1]).rglob("*.html"):
    text = path.read_bytes()
    total += len(text)
    start = text.find(b'<nav class="section-menu"')
    if start >= 0:
        menus += text.find(b"</nav>", start) + 6 - start
print(f"govsite_html_bytes={total}")
print(f"govsite_section_menu_bytes={menus}")
PY
    } >>"$LOG/corpus-$N.txt"

    # The search index (tantivy) is part of every build; Hugo has none. `govsite index --full`
    # rebuilds only the index, which tells how much of the full build it accounts for.
    if "$GOVSITE" --help | grep -q '^  index'; then
        say "N=$N: govsite index --full (the search index alone)"
        hyperfine --runs "$RUNS" --style basic \
            --prepare "sync && $QUIET" \
            --export-json "$LOG/index-$N.json" \
            "$(measure index-$N) '$GOVSITE' --site '$SITE' index --full"
    fi

    say "N=$N: hugo (into an empty output folder each run)"
    hyperfine --runs "$RUNS" --style basic \
        --prepare "rm -rf '$SITE/hugo-public' && sync && $QUIET" \
        --export-json "$LOG/hugo-$N.json" \
        "$(measure hugo-$N) '$HUGO' --quiet -s '$SITE/hugo' -d '$SITE/hugo-public'"
    {
        echo "hugo_files=$(find "$SITE/hugo-public" -type f | wc -l)"
        echo "hugo_html=$(find "$SITE/hugo-public" -type f -name '*.html' | wc -l)"
        echo "hugo_bytes=$(du -sb "$SITE/hugo-public" | cut -f1)"
    } >>"$LOG/corpus-$N.txt"
    cat "$LOG/corpus-$N.txt"
done

# ---- 4. publishing one changed page at INCREMENTAL_SIZE
N=$INCREMENTAL_SIZE
SITE=$WORK/site-$N
if [ -d "$SITE/public" ]; then
    say "N=$N: incremental build after changing one page"
    # The page: the middle file of the Azerbaijani news folder (deterministic for a given N).
    mapfile -t NEWS < <(find "$SITE/content/az/xeberler" -name '*.md' ! -name '_section.md' | sort)
    PAGE=${NEWS[$(( ${#NEWS[@]} / 2 ))]}
    echo "page=${PAGE#"$SITE"/}" | tee "$LOG/incremental-$N.txt"
    cp "$PAGE" "$LOG/page.orig"
    # Each edit appends a different sentence to the body, so every import sees a real change.
    EDIT="printf '\nDüzəliş: %s.\n' \"\$(date +%s%N)\" >> '$PAGE'"

    # A build with nothing changed: the fixed cost of an incremental build.
    "$GOVSITE" --site "$SITE" build --quiet | tee -a "$LOG/incremental-$N.txt"
    hyperfine --runs "$PUBLISH_RUNS" --style basic \
        --prepare "$QUIET" \
        --export-json "$LOG/noop-$N.json" \
        "$(measure noop-$N) '$GOVSITE' --site '$SITE' build --quiet"

    hyperfine --runs "$PUBLISH_RUNS" --style basic \
        --prepare "$EDIT && sync && $QUIET" \
        --export-json "$LOG/incr-import-$N.json" \
        "$(measure incr-import-$N) '$GOVSITE' --site '$SITE' import"
    "$GOVSITE" --site "$SITE" build --quiet >/dev/null

    hyperfine --runs "$PUBLISH_RUNS" --style basic \
        --prepare "$EDIT && '$GOVSITE' --site '$SITE' import >/dev/null && sync && $QUIET" \
        --export-json "$LOG/incr-build-$N.json" \
        "$(measure incr-build-$N) '$GOVSITE' --site '$SITE' build --quiet"

    # Once more, verbose, to record what one publish imports and writes.
    eval "$EDIT"
    "$GOVSITE" --site "$SITE" import | tail -1 | tee -a "$LOG/incremental-$N.txt"
    "$GOVSITE" --site "$SITE" build | tee "$LOG/incremental-$N-written.txt" | tail -1 | tee -a "$LOG/incremental-$N.txt"
    grep '^wrote\|^removed' "$LOG/incremental-$N-written.txt" | sed 's/^/  /' | tee -a "$LOG/incremental-$N.txt"
    cp "$LOG/page.orig" "$PAGE"
fi

say "summary"
python3 "$REPO/bench/summarize.py" "$LOG" "$SIZES" "$INCREMENTAL_SIZE" | tee "$LOG/summary.md"
