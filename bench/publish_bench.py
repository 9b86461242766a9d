#!/usr/bin/env python3
"""Times publishing one page from the admin panel of a running `govsite serve`.

    bench/publish_bench.py --admin 127.0.0.1:8081 --site SITE --page content/az/xeberler/x.md \
        --user bench --password-file FILE --runs 7 --pid PID [--out LOG.tsv]

Signs in like a browser (POST /login, session cookie, the CSRF token of the form), then RUNS
times: opens the page's editor (GET /pages/ID, untimed), appends a sentence to the body and
POSTs the form with `action=publish`, timing from sending the request to the whole answer (the
revision saved and journaled, the incremental build written, the search index updated). After
each publish it checks the page's public file holds the new sentence. Prints one line per run,
then the median, and the serve process's VmHWM (peak RSS) and VmRSS from /proc/PID/status.
Only the standard library: http.client, html.parser, sqlite3.
"""

import argparse
import http.client
import sqlite3
import statistics
import sys
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path


class EditorForm(HTMLParser):
    """The fields of <form id="page-form"> as a browser would send them (no buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = []
        self.inside = False
        self.textarea = None
        self.select = None
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "page-form":
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append([name, attrs.get("value") or ""])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = [name, None]
            self.first_option = None
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.select[1] = value

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if self.select[1] is None:
                self.select[1] = self.first_option or ""
            self.fields.append(self.select)
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


class Panel:
    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.cookie = None

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        connection.close()
        return response, data

    def login(self, user, password):
        response, data = self.request("POST", "/login", [("name", user), ("password", password)])
        if response.status != 303 or not response.getheader("Set-Cookie"):
            sys.exit(f"login failed: {response.status}\n{data[:2000]}")
        self.cookie = response.getheader("Set-Cookie").split(";", 1)[0]


def page_id_and_public_file(site, page):
    """The database id of the page whose source is `page` (content/LANG/…/slug.md), and its
    published file."""
    parts = Path(page).parts
    if parts[0] != "content" or not parts[-1].endswith(".md"):
        sys.exit(f"--page must be content/LANG/…/slug.md, not {page}")
    lang, folders, slug = parts[1], list(parts[2:-1]), parts[-1][:-3]
    db = sqlite3.connect(f"file:{site}/data/govsite.sqlite?mode=ro", uri=True)
    section = db.execute(
        "SELECT id FROM sections WHERE lang = ? AND parent_id IS NULL", (lang,)
    ).fetchone()[0]
    for folder in folders:
        section = db.execute(
            "SELECT id FROM sections WHERE parent_id = ? AND slug = ?", (section, folder)
        ).fetchone()[0]
    page_id = db.execute(
        "SELECT id FROM pages WHERE section_id = ? AND slug = ?", (section, slug)
    ).fetchone()[0]
    db.close()
    public = Path(site) / "public" / lang / Path(*folders) / slug / "index.html"
    return page_id, public


def memory(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])  # kB
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--out", help="append `publish_s` lines and memory to this file")
    args = parser.parse_args()

    page_id, public = page_id_and_public_file(args.site, args.page)
    panel = Panel(args.admin)
    panel.login(args.user, Path(args.password_file).read_text().strip())
    before = memory(args.pid)
    times = []
    for run in range(args.runs):
        response, html = panel.request("GET", f"/pages/{page_id}")
        if response.status != 200:
            sys.exit(f"editor of page {page_id}: {response.status}\n{html[:2000]}")
        form = EditorForm()
        form.feed(html)
        fields = [(name, value) for name, value in form.fields if name != "action"]
        marker = f"Dəyişiklik {time.time_ns()}."
        fields = [(name, value + f"\n\n{marker}\n" if name == "body" else value) for name, value in fields]
        fields.append(("action", "publish"))
        started = time.perf_counter()
        response, answer = panel.request("POST", f"/pages/{page_id}", fields)
        elapsed = time.perf_counter() - started
        location = response.getheader("Location") or ""
        if response.status not in (200, 303) or "/login" in location:
            sys.exit(f"publish {run + 1}: {response.status} {location}\n{answer[:3000]}")
        published = public.read_text() if public.exists() else ""
        if marker not in published:
            sys.exit(f"publish {run + 1}: {public} does not hold the new text; the answer was "
                     f"{response.status} {location}\n{answer[:3000]}")
        times.append(elapsed)
        print(f"publish {run + 1}: {elapsed * 1000:.1f} ms")
    after = memory(args.pid)
    median = statistics.median(times)
    print(f"median: {median * 1000:.1f} ms over {len(times)} publishes")
    print(f"serve VmHWM: {after['VmHWM'] / 1024:.0f} MiB (before the publishes: "
          f"{before['VmHWM'] / 1024:.0f} MiB), VmRSS now {after['VmRSS'] / 1024:.0f} MiB")
    if args.out:
        with open(args.out, "a") as out:
            for elapsed in times:
                out.write(f"publish_s {elapsed:.4f}\n")
            out.write(f"vmhwm_kib {after['VmHWM']}\n")
            out.write(f"vmhwm_before_kib {before['VmHWM']}\n")


if __name__ == "__main__":
    main()
