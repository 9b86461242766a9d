#!/usr/bin/env python3
"""Prints bench/publish.sh's results as markdown tables.

    bench/publish_summary.py LOG_DIR "5000 25000" "tmpfs disk"

Reads LOG_DIR/STEP-N-STORAGE.rss (lines `max_rss_kib wall_s user_s sys_s others_cpu_s`, from
bench/measure.sh), LOG_DIR/publish-N-STORAGE.tsv (bench/publish_bench.py) and
LOG_DIR/corpus-N-STORAGE.txt; wall and CPU are medians, peak RSS the largest of the runs.
"""

import statistics
import sys
from pathlib import Path

STEPS = [
    ("import", "`govsite import` (empty database)", None),
    ("import-reread", "`govsite import --full` (nothing changed, every file read)", None),
    ("build", "`govsite build --full`", None),
    ("hugo168", "Hugo 0.168", None),
    ("hugo111", "Hugo 0.111", None),
    ("noop", "`govsite build`, nothing changed", 0.100),
    ("incr-build", "`govsite build` after one changed page", 0.100),
    ("incr-import", "`govsite import`, one edited file", 0.300),
]


def runs(log, name):
    path = log / f"{name}.rss"
    if not path.exists():
        return None
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return {
        "wall": statistics.median(float(r[1]) for r in rows),
        "cpu": statistics.median(float(r[2]) + float(r[3]) for r in rows),
        "rss": max(int(r[0]) for r in rows) / 1024,
        "others": max(float(r[4]) for r in rows),
        "n": len(rows),
    }


def corpus(log, key):
    path = log / f"corpus-{key}.txt"
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep:
                values[name] = value
    return values


def publish(log, key):
    path = log / f"publish-{key}.tsv"
    if not path.exists():
        return None
    times, hwm = [], None
    for line in path.read_text().splitlines():
        name, value = line.split()
        if name == "publish_s":
            times.append(float(value))
        elif name == "vmhwm_kib":
            hwm = int(value) / 1024
    return {"median": statistics.median(times), "n": len(times), "hwm": hwm}


def seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "—"


def main():
    log = Path(sys.argv[1])
    sizes = sys.argv[2].split()
    storages = sys.argv[3].split()
    print("| items per language | storage | step | wall, median | CPU, median | peak RSS | aim |")
    print("|---:|---|---|---:|---:|---:|---|")
    results = {}
    for n in sizes:
        for storage in storages:
            key = f"{n}-{storage}"
            facts = corpus(log, key)
            for step, label, aim in STEPS:
                r = runs(log, f"{step}-{key}")
                results[(n, storage, step)] = r
                if r is None:
                    continue
                if step == "build" and "govsite_files" in facts:
                    label += f" ({int(facts['govsite_files']):,} files)"
                if step in ("hugo168", "hugo111") and f"{step}_files" in facts:
                    label += f" ({int(facts[step + '_files']):,} files)"
                met = "" if aim is None else f"≤ {seconds(aim)}: {'met' if r['wall'] <= aim else 'missed'}"
                busy = f" (others used {r['others']:.1f} s CPU)" if r["others"] > 0.5 else ""
                print(f"| {int(n):,} | {storage} | {label} | {seconds(r['wall'])}{busy} | "
                      f"{seconds(r['cpu'])} | {r['rss']:.0f} MiB | {met} |")
            p = publish(log, key)
            results[(n, storage, "publish")] = p
            if p is not None:
                met = f"≤ 50 ms: {'met' if p['median'] <= 0.050 else 'missed'}"
                print(f"| {int(n):,} | {storage} | panel publish of one page, request to answer "
                      f"({p['n']} runs) | {seconds(p['median'])} | — | serve VmHWM "
                      f"{p['hwm']:.0f} MiB | {met}; memory ≤ 1 GiB: "
                      f"{'met' if p['hwm'] <= 1024 else 'missed'} |")

    print()
    print("| items per language | storage | build / Hugo 0.168 | build / Hugo 0.111 | "
          "(import + build) / Hugo 0.168 | peak RSS build / Hugo 0.168 |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in sizes:
        for storage in storages:
            get = lambda step: results.get((n, storage, step))
            build, hugo168, hugo111, imp = get("build"), get("hugo168"), get("hugo111"), get("import")
            if not build:
                continue
            print(f"| {int(n):,} | {storage} | "
                  f"{ratio(build['wall'], hugo168 and hugo168['wall'])} | "
                  f"{ratio(build['wall'], hugo111 and hugo111['wall'])} | "
                  f"{ratio(imp and build['wall'] + imp['wall'], hugo168 and hugo168['wall'])} | "
                  f"{ratio(build['rss'], hugo168 and hugo168['rss'])} |")

    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        factor = int(large) / int(small)
        print()
        print(f"Growth from {int(small):,} to {int(large):,} items ({factor:g}× the pages; "
              f"aim for `build --full`: ≤ {factor * 1.1:.1f}×):")
        print()
        for storage in storages:
            parts = []
            for step, label in (("build", "govsite build --full"), ("hugo168", "Hugo 0.168"),
                                ("hugo111", "Hugo 0.111"), ("import", "govsite import")):
                a, b = results.get((small, storage, step)), results.get((large, storage, step))
                if a and b:
                    parts.append(f"{label} {b['wall'] / a['wall']:.2f}×")
            print(f"- {storage}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
