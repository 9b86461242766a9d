#!/usr/bin/env python3
"""Turns the raw logs of bench/run.sh into a Markdown summary (medians).

    bench/summarize.py LOG_DIR "1000 10000" 10000
"""

import json
import statistics
import sys
from pathlib import Path


def timing(log, name):
    """Median, min and max wall time in seconds of a hyperfine export, or None."""
    path = log / f"{name}.json"
    if not path.exists():
        return None
    times = json.loads(path.read_text())["results"][0]["times"]
    return statistics.median(times), min(times), max(times), len(times)


def runs(log, name):
    """The lines bench/measure.sh wrote: (max_rss_kib, wall_s, user_s, sys_s, others_cpu_s)."""
    path = log / f"{name}.rss"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0].isdigit():
            out.append(tuple(float(f) for f in fields))
    return out


def rss(log, name):
    """Median peak RSS in MiB."""
    values = [r[0] for r in runs(log, name)]
    return statistics.median(values) / 1024 if values else None


def cpu(log, name):
    """Median CPU time (user + system) in seconds."""
    values = [r[2] + r[3] for r in runs(log, name)]
    return statistics.median(values) if values else None


def others(log, name):
    """The most CPU time other processes took during one run, in seconds."""
    values = [r[4] for r in runs(log, name)]
    return max(values) if values else None


def kv(log, name):
    path = log / f"{name}.txt"
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                out[key.strip()] = value.strip()
    return out


def fmt_t(t):
    if t is None:
        return "—"
    median, low, high, n = t
    return f"{median:.2f} s ({low:.2f}–{high:.2f}, n={n})" if median >= 1 else f"{median * 1000:.0f} ms ({low * 1000:.0f}–{high * 1000:.0f}, n={n})"


def fmt_s(x):
    return "—" if x is None else (f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms")


def fmt_m(m):
    return "—" if m is None else f"{m:.0f} MiB"


def main():
    log = Path(sys.argv[1])
    sizes = sys.argv[2].split()
    incremental = sys.argv[3]
    print("| items per language (item pages) | step | wall time, median (min–max) | CPU time (user+sys), median | peak RSS, median | others' CPU during a run, max |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        for step, label in (("import", "govsite import"), ("build", "govsite build --full"), ("index", "govsite index --full (search index only, part of the build)"), ("hugo", "hugo")):
            if not (log / f"{step}-{n}.json").exists():
                continue
            name = f"{step}-{n}"
            print(f"| {int(n):,} ({2 * int(n):,}) | {label} | {fmt_t(timing(log, name))} | {fmt_s(cpu(log, name))} | {fmt_m(rss(log, name))} | {fmt_s(others(log, name))} |")
    print()
    print("| items per language | govsite build / Hugo (wall) | govsite import + build / Hugo (wall) | govsite build / Hugo (CPU) | files govsite / Hugo | HTML govsite / Hugo | bytes govsite / Hugo | govsite section menus, share of HTML bytes | database | corpus generation |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        imp, build, hugo = timing(log, f"import-{n}"), timing(log, f"build-{n}"), timing(log, f"hugo-{n}")
        c = kv(log, f"corpus-{n}")
        ratio = f"{build[0] / hugo[0]:.2f}" if build and hugo else "—"
        ratio_all = f"{(imp[0] + build[0]) / hugo[0]:.2f}" if imp and build and hugo else "—"
        cb, ch = cpu(log, f"build-{n}"), cpu(log, f"hugo-{n}")
        ratio_cpu = f"{cb / ch:.2f}" if cb and ch else "—"
        share = f"{int(c['govsite_section_menu_bytes']) / int(c['govsite_html_bytes']):.0%}" if "govsite_html_bytes" in c else "?"
        mib = lambda key: f"{int(c[key]) / 2**20:.0f} MiB" if key in c else "?"
        print(
            f"| {int(n):,} | {ratio} | {ratio_all} | {ratio_cpu} | {c.get('govsite_files', '?')} / {c.get('hugo_files', '?')} | "
            f"{c.get('govsite_html', '?')} / {c.get('hugo_html', '?')} | {mib('govsite_bytes')} / {mib('hugo_bytes')} | {share} | {mib('govsite_db_bytes')} | {c.get('generation_s', '?')} s |"
        )
    print()
    noop, imp, build = timing(log, f"noop-{incremental}"), timing(log, f"incr-import-{incremental}"), timing(log, f"incr-build-{incremental}")
    if imp or build:
        print(f"One changed page at {int(incremental):,} items per language:")
        print()
        print("| step | wall time, median (min–max) | CPU time, median | peak RSS | others' CPU, max |")
        print("|---|---|---|---|---|")
        for name, label, t in ((f"incr-import-{incremental}", "`govsite import` (1 page updated)", imp),
                               (f"incr-build-{incremental}", "`govsite build` (incremental)", build),
                               (f"noop-{incremental}", "`govsite build` with nothing changed", noop)):
            print(f"| {label} | {fmt_t(t)} | {fmt_s(cpu(log, name))} | {fmt_m(rss(log, name))} | {fmt_s(others(log, name))} |")
        print()
        details = log / f"incremental-{incremental}.txt"
        if details.exists():
            print("```")
            print(details.read_text().rstrip())
            print("```")

    quiet = log / "quiet.txt"
    if quiet.exists():
        lines = quiet.read_text().splitlines()
        waited = sum(int(l.split("waited ")[1].split("s")[0]) for l in lines if "waited " in l)
        noisy = [l for l in lines if "NOT QUIET" in l]
        print()
        print(f"Waiting for a quiet machine before each run: {len(lines)} runs, {waited} s in total, {len(noisy)} runs started on a busy machine.")


if __name__ == "__main__":
    main()
