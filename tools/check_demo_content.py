#!/usr/bin/env python3
"""Check the demo site in content/ against docs/content-format.md.

Checks, for every language folder under content/:
  * front matter: TOML between `+++` lines, only known fields, in the canonical order, with the
    expected value types; the file is byte-for-byte in the canonical form that `govsite export`
    writes (it is re-serialised here and compared, and the exporter's own rules are applied:
    `type`, `status`, `translation` on pages and `translation`, `types` on sections are always
    written, zero weights, `menu = false` and empty values never), ends with exactly one
    newline and has no trailing whitespace;
  * names: folders, page slugs and attached files match [a-z0-9_-] (plus an extension);
    every folder has a _section.md;
  * links: every `@/lang/...md` target exists; file links are bare names of files beside the
    page; no raw HTML, images or `javascript:` links in bodies; _menus.toml links likewise;
  * files: every `files` entry exists beside its page and is under 60 KB; every file in the tree
    is attached to a page of its folder;
  * translations: translation keys are unique per language, every key of one language exists
    in the others, with the same content type;
  * demo requirements: page counts, keywords (2-5), body length (80-400 words), dates.

Usage: python3 tools/check_demo_content.py [CONTENT_DIR]
Exit status 0 when no errors were found; warnings do not fail the check.
"""

import datetime as dt
import os
import re
import sys
import tomllib
from collections import Counter, defaultdict

PAGE_FIELDS = ["title", "description", "keywords", "type", "status", "translation", "weight",
               "template", "created", "issued", "modified", "publish_at", "valid_until",
               "summary", "files"]
SECTION_FIELDS = ["title", "description", "keywords", "translation", "types", "weight", "menu",
                  "template", "page_size"]
DC_FIELDS = ["creator", "subject", "contributor", "publisher", "type", "format", "identifier",
             "source", "language", "relation", "coverage", "rights"]
CORRECTION_FIELDS = ["date", "note"]
TYPES = {"page", "news", "document", "announcement"}
STATUSES = {"draft", "review", "published", "unpublished"}
DATE_FIELDS = {"created", "issued", "modified", "publish_at", "valid_until"}
STRING_FIELDS = {"title", "description", "type", "status", "translation", "template", "summary"}
LIST_FIELDS = {"keywords", "files", "types"}
NAME_RE = re.compile(r"^[a-z0-9_-]+$")
FILE_RE = re.compile(r"^[a-z0-9_-]+\.[a-z0-9]+$")
LINK_RE = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
BAKU = dt.timezone(dt.timedelta(hours=4))
MAX_FILE = 60 * 1024

errors = []
warnings = []


def err(path, msg):
    errors.append(f"{path}: {msg}")


def warn(path, msg):
    warnings.append(f"{path}: {msg}")


# ------------------------------------------------------------------ canonical serialisation

def toml_string(s):
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"unsupported value {v!r}")


def canonical_front_matter(data, order):
    lines = ["+++"]
    for k in order:
        if k in data:
            lines.append(f"{k} = {toml_value(data[k])}")
    for table, fields in (("dc", DC_FIELDS), ("correction", CORRECTION_FIELDS)):
        if table in data:
            lines.append("")
            lines.append(f"[{table}]")
            for k in fields:
                if k in data[table]:
                    lines.append(f"{k} = {toml_value(data[table][k])}")
    lines.append("+++")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ parsing

def split_front_matter(path, text):
    if not text.startswith("+++\n"):
        err(path, "line 1: expected `+++` to open the front matter")
        return None, None, 0
    end = text.find("\n+++\n", 3)
    if end < 0:
        if text.endswith("\n+++"):
            end = len(text) - 4
        else:
            err(path, "no closing `+++` line")
            return None, None, 0
    fm = text[4:end + 1]
    body = text[end + 5:]
    return fm, body, fm.count("\n") + 2


def key_order(fm_text):
    """Top-level keys in file order, and keys per [table]."""
    top, tables, current = [], defaultdict(list), None
    for line in fm_text.splitlines():
        m = re.match(r"^\[([a-z_]+)\]\s*$", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if m:
            (tables[current] if current else top).append(m.group(1))
    return top, tables


def as_datetime(v):
    if isinstance(v, dt.datetime):
        return v if v.tzinfo else v.replace(tzinfo=BAKU)
    return dt.datetime(v.year, v.month, v.day, tzinfo=BAKU)


def check_export_rules(path, data, always):
    """What `govsite export` writes regardless of the source (src/content/front_matter.rs):
    some fields always, a zero weight and empty values never."""
    for k in always:
        if k not in data:
            err(path, f"not canonical: `govsite export` always writes `{k}`; add it")
    if data.get("weight") == 0:
        err(path, "not canonical: `govsite export` omits `weight = 0`")
    for k, v in data.items():
        if isinstance(v, (str, list, dict)) and not v:
            err(path, f"not canonical: `{k}` is empty; leave it out")
    for table in ("dc", "correction"):
        for k, v in data.get(table, {}).items() if isinstance(data.get(table), dict) else []:
            if isinstance(v, str) and not v:
                err(path, f"not canonical: [{table}] `{k}` is empty; leave it out")


def check_values(path, data, allowed, is_section):
    for k, v in data.items():
        if k in ("dc", "correction") and not is_section:
            continue
        if k not in allowed:
            err(path, f"unknown field `{k}`")
            continue
        if k in STRING_FIELDS and not isinstance(v, str):
            err(path, f"`{k}` must be a string")
        if k in LIST_FIELDS and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            err(path, f"`{k}` must be a list of strings")
        if k in ("weight", "page_size") and (not isinstance(v, int) or isinstance(v, bool)):
            err(path, f"`{k}` must be an integer")
        if k == "menu" and not isinstance(v, bool):
            err(path, "`menu` must be true or false")
        if k in DATE_FIELDS:
            if isinstance(v, dt.datetime):
                if v.tzinfo is None:
                    err(path, f"`{k}` is a date-time without an offset")
            elif not isinstance(v, dt.date):
                err(path, f"`{k}` must be a TOML date or date-time")
    if "title" not in data or not str(data.get("title", "")).strip():
        err(path, "`title` is required")


def check_body(path, body, lang, root, folder, is_section, listed_files):
    links = []
    if body and not body.endswith("\n"):
        err(path, "file must end with a newline")
    if body.endswith("\n\n"):
        err(path, "file must end with exactly one newline")
    for n, line in enumerate(body.split("\n"), start=1):
        if line != line.rstrip():
            err(path, f"body line {n}: trailing whitespace")
    if re.search(r"<[A-Za-z!/][^>]*>", body):
        err(path, "raw HTML in body")
    if "javascript:" in body.lower():
        err(path, "`javascript:` link in body")
    if "![" in body:
        err(path, "image in body (no images in the demo content yet)")
    for target in LINK_RE.findall(body):
        links.append(target)
        check_link(path, target, lang, root, folder, listed_files)
    return links


def check_link(path, target, lang, root, folder, listed_files):
    if target.startswith("@/"):
        rel = target[2:]
        if not rel.endswith(".md"):
            err(path, f"link {target}: must point to a .md file")
            return
        if not os.path.isfile(os.path.join(root, rel)):
            err(path, f"link {target}: target does not exist")
        elif lang and not rel.startswith(lang + "/"):
            warn(path, f"link {target}: points into another language")
    elif re.match(r"^(https?://|mailto:)", target):
        pass
    elif "/" not in target and FILE_RE.match(target):
        if folder is None or not os.path.isfile(os.path.join(folder, target)):
            err(path, f"link {target}: no such file beside the page")
        elif listed_files is not None and target not in listed_files:
            err(path, f"link {target}: file is not listed in `files`")
    else:
        err(path, f"link {target}: use @/lang/...md, a bare file name or an absolute URL")


def word_count(body):
    text = re.sub(r"\]\([^)]*\)", "]", body)
    text = re.sub(r"[|#*>`\-]+", " ", text)
    return len(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", text))


# ------------------------------------------------------------------ main walk

def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", "content"))
    langs = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    keys = {lang: {} for lang in langs}          # translation key -> (path, type)
    section_keys = {lang: {} for lang in langs}
    stats = {lang: Counter() for lang in langs}
    attached = set()

    for lang in langs:
        base = os.path.join(root, lang)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, base)
            rel_dir = "" if rel_dir == "." else rel_dir
            for d in dirnames:
                if not NAME_RE.match(d):
                    err(os.path.join(dirpath, d), "folder name must match [a-z0-9_-]")
            if "_section.md" not in filenames:
                err(dirpath, "folder has no _section.md")
                section_types = ["page"]
            else:
                section_types = check_section(root, lang, dirpath, rel_dir, section_keys, stats)
            for f in sorted(filenames):
                p = os.path.join(dirpath, f)
                if f == "_section.md":
                    continue
                if f == "_menus.toml":
                    if rel_dir:
                        err(p, "_menus.toml belongs in the language folder")
                    check_menus(root, lang, p)
                    continue
                if f.endswith(".md"):
                    if not NAME_RE.match(f[:-3]):
                        err(p, "page file name must match [a-z0-9_-].md")
                    files = check_page(root, lang, p, rel_dir, section_types, keys, stats)
                    for x in files:
                        attached.add(os.path.join(dirpath, x))
                else:
                    if not FILE_RE.match(f):
                        err(p, "file name must match [a-z0-9_-].ext")
                    if os.path.getsize(p) >= MAX_FILE:
                        err(p, f"file is {os.path.getsize(p)} bytes (limit 60 KB)")
                    stats[lang]["files"] += 1
                    stats[lang]["ext:" + f.rsplit(".", 1)[-1]] += 1

    for lang in langs:
        for dirpath, _, filenames in os.walk(os.path.join(root, lang)):
            for f in filenames:
                p = os.path.join(dirpath, f)
                if not f.endswith((".md", ".toml")) and p not in attached:
                    err(p, "file is not attached to any page (`files`)")

    # translations
    for a in langs:
        for b in langs:
            if a == b:
                continue
            for k, (p, t) in keys[a].items():
                if k not in keys[b]:
                    err(p, f"translation key `{k}` has no {b} page")
                elif keys[b][k][1] != t:
                    err(p, f"translation `{k}`: type {t} but {b} page has {keys[b][k][1]}")
            for k, p in section_keys[a].items():
                if k not in section_keys[b]:
                    err(p, f"section translation key `{k}` has no {b} section")

    for lang in langs:
        s = stats[lang]
        if s["pages"] < 65:
            err(os.path.join(root, lang), f"only {s['pages']} pages (at least 65 wanted)")
        if s["type:news"] < 32:
            err(os.path.join(root, lang), f"only {s['type:news']} news items (at least 32 wanted)")
        if s["status:draft"] < 1:
            warn(os.path.join(root, lang), "no draft pages")

    for lang in langs:
        s = stats[lang]
        types = ", ".join(f"{k[5:]} {v}" for k, v in sorted(s.items()) if k.startswith("type:"))
        statuses = ", ".join(f"{k[7:]} {v}" for k, v in sorted(s.items()) if k.startswith("status:"))
        exts = ", ".join(f"{k[4:]} {v}" for k, v in sorted(s.items()) if k.startswith("ext:"))
        print(f"{lang}: {s['pages']} pages ({types}; {statuses}), {s['sections']} sections "
              f"({s['menu']} in menu), {s['files']} files ({exts}), {s['words']} words")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(path, f"not UTF-8: {e}")
        return None


def parse(path, text):
    fm, body, _ = split_front_matter(path, text)
    if fm is None:
        return None, None, None
    try:
        data = tomllib.loads(fm)
    except tomllib.TOMLDecodeError as e:
        err(path, f"front matter: {e}")
        return None, None, None
    return fm, data, body


def check_order(path, fm, order, tables):
    top, tabs = key_order(fm)
    known = [k for k in top if k in order]
    if known != sorted(known, key=order.index):
        err(path, f"fields out of canonical order: {', '.join(top)}")
    for name, fields in tables.items():
        ks = [k for k in tabs.get(name, []) if k in fields]
        if ks != sorted(ks, key=fields.index):
            err(path, f"[{name}] fields out of canonical order: {', '.join(tabs[name])}")
        for k in tabs.get(name, []):
            if k not in fields:
                err(path, f"[{name}]: unknown field `{k}`")


def check_section(root, lang, dirpath, rel_dir, section_keys, stats):
    path = os.path.join(dirpath, "_section.md")
    text = read(path)
    if text is None:
        return ["page"]
    fm, data, body = parse(path, text)
    if data is None:
        return ["page"]
    for t in ("dc", "correction"):
        if t in data:
            err(path, f"[{t}] is not allowed in a section")
    check_order(path, fm, SECTION_FIELDS, {})
    check_values(path, data, SECTION_FIELDS, True)
    if canonical_front_matter(data, SECTION_FIELDS) + body != text:
        err(path, "not in canonical form (re-serialised front matter differs)")
    check_export_rules(path, data, ("translation", "types"))
    if data.get("menu") is False:
        err(path, "not canonical: `govsite export` omits `menu = false`")
    types = data.get("types", ["page"])
    for t in types:
        if t not in TYPES:
            err(path, f"unknown type `{t}` in `types`")
    key = data.get("translation", rel_dir)
    if rel_dir == "" and key != "home":
        warn(path, "root section's translation key is not `home`")
    if rel_dir and "translation" not in data:
        warn(path, "section has no translation key")
    if key in section_keys[lang]:
        err(path, f"section translation key `{key}` also used by {section_keys[lang][key]}")
    section_keys[lang][key] = path
    stats[lang]["sections"] += 1
    if data.get("menu"):
        stats[lang]["menu"] += 1
    if body:
        check_body(path, body, lang, root, dirpath, True, None)
    return types


def check_page(root, lang, path, rel_dir, section_types, keys, stats):
    text = read(path)
    if text is None:
        return []
    fm, data, body = parse(path, text)
    if data is None:
        return []
    check_order(path, fm, PAGE_FIELDS, {"dc": DC_FIELDS, "correction": CORRECTION_FIELDS})
    check_values(path, data, PAGE_FIELDS, False)
    if canonical_front_matter(data, PAGE_FIELDS) + body != text:
        err(path, "not in canonical form (re-serialised front matter differs)")
    check_export_rules(path, data, ("type", "status", "translation"))
    for t in ("dc", "correction"):
        if t in data and not isinstance(data[t], dict):
            err(path, f"`{t}` must be a table")
    dc = data.get("dc", {})
    for k, v in dc.items():
        if k in DC_FIELDS and not isinstance(v, str):
            err(path, f"[dc] {k} must be a string")
    corr = data.get("correction")
    if corr is not None:
        if set(corr) != set(CORRECTION_FIELDS):
            err(path, "[correction] needs exactly `date` and `note`")
        elif not isinstance(corr["date"], dt.date):
            err(path, "[correction] date must be a TOML date or date-time")
    typ = data.get("type", section_types[0])
    if typ not in TYPES:
        err(path, f"unknown type `{typ}`")
    if typ not in section_types:
        err(path, f"type `{typ}` is not one of the section's types {section_types}")
    status = data.get("status", "published")
    if status not in STATUSES:
        err(path, f"unknown status `{status}`")
    for f in ("type", "status", "translation", "description", "keywords", "issued", "created"):
        if f not in data:
            warn(path, f"no `{f}`")
    kw = data.get("keywords", [])
    if not 2 <= len(kw) <= 5:
        err(path, f"{len(kw)} keywords (2-5 wanted)")
    if typ in ("news", "announcement", "document") and "summary" not in data:
        err(path, f"a {typ} needs a `summary`")
    dates = {k: as_datetime(data[k]) for k in DATE_FIELDS if isinstance(data.get(k), dt.date)}
    if "created" in dates and "issued" in dates and dates["created"] > dates["issued"]:
        err(path, "`created` is after `issued`")
    if "modified" in dates and "issued" in dates and dates["modified"].date() < dates["issued"].date():
        err(path, "`modified` is before `issued`")
    if "valid_until" in dates and "issued" in dates and dates["valid_until"] <= dates["issued"]:
        err(path, "`valid_until` is not after `issued`")
    files = data.get("files", [])
    folder = os.path.dirname(path)
    for f in files:
        if not FILE_RE.match(f):
            err(path, f"file `{f}`: name must match [a-z0-9_-].ext")
        if not os.path.isfile(os.path.join(folder, f)):
            err(path, f"file `{f}` does not exist beside the page")
    links = check_body(path, body, lang, root, folder, False, set(files))
    for f in files:
        if f not in links:
            warn(path, f"file `{f}` is attached but not linked in the body")
    words = word_count(body)
    if not 80 <= words <= 400:
        warn(path, f"body has {words} words (80-400 wanted)")
    slug_path = os.path.join(rel_dir, os.path.basename(path)[:-3]) if rel_dir else os.path.basename(path)[:-3]
    key = data.get("translation", slug_path)
    if key in keys[lang]:
        err(path, f"translation key `{key}` also used by {keys[lang][key][0]}")
    keys[lang][key] = (path, typ)
    s = stats[lang]
    s["pages"] += 1
    s["type:" + typ] += 1
    s["status:" + status] += 1
    s["words"] += words
    return files


def check_menus(root, lang, path):
    text = read(path)
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        err(path, str(e))
        return
    if set(data) - {"footer"}:
        err(path, f"unknown menus: {sorted(set(data) - {'footer'})}")
    blocks = []
    for item in data.get("footer", []):
        if set(item) != {"title", "link"}:
            err(path, f"footer item needs exactly `title` and `link`: {item}")
            continue
        check_link(path, item["link"], lang, root, None, None)
        blocks.append(f"[[footer]]\ntitle = {toml_value(item['title'])}\nlink = {toml_value(item['link'])}\n")
    if "\n".join(blocks) != text:
        err(path, "not in canonical form")


if __name__ == "__main__":
    sys.exit(main())
