-- govsite schema, version 1. Migrations are append-only: never edit a released one.
-- D189 §6.7: all text is Unicode (SQLite stores UTF-8); §6.8: relations are enforced by
-- foreign keys; §6.11: content, page templates and service information live here.

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    domain      TEXT NOT NULL UNIQUE
);

CREATE TABLE sections (
    id              INTEGER PRIMARY KEY,
    site_id         INTEGER NOT NULL REFERENCES sites(id),
    lang            TEXT NOT NULL,
    parent_id       INTEGER REFERENCES sections(id),
    slug            TEXT NOT NULL,
    translation_key TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT,
    keywords        TEXT NOT NULL DEFAULT '[]',
    types           TEXT NOT NULL DEFAULT '["page"]',
    weight          INTEGER NOT NULL DEFAULT 0,
    menu            INTEGER NOT NULL DEFAULT 0,
    template        TEXT,
    page_size       INTEGER,
    body            TEXT NOT NULL DEFAULT '',
    source_hash     TEXT,
    UNIQUE (site_id, lang, translation_key)
);
CREATE INDEX sections_parent ON sections(parent_id);

CREATE TABLE pages (
    id                   INTEGER PRIMARY KEY,
    section_id           INTEGER NOT NULL REFERENCES sections(id),
    lang                 TEXT NOT NULL,
    slug                 TEXT NOT NULL,
    translation_key      TEXT NOT NULL,
    weight               INTEGER NOT NULL DEFAULT 0,
    -- Hash of the source file at the last import; NULL for pages made in the database.
    source_hash          TEXT,
    -- The revision that import made; a newer revision means the page was edited here since.
    imported_revision_id INTEGER,
    created_at           TEXT NOT NULL,
    UNIQUE (section_id, slug)
);
CREATE INDEX pages_translation ON pages(lang, translation_key);

CREATE TABLE revisions (
    id              INTEGER PRIMARY KEY,
    page_id         INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'unpublished')),
    title           TEXT NOT NULL,
    description     TEXT,
    keywords        TEXT NOT NULL DEFAULT '[]',
    content_type    TEXT NOT NULL CHECK (content_type IN ('page', 'news', 'document', 'announcement')),
    template        TEXT,
    -- Dublin Core refinements (D189 §4.8), as written; *_utc columns are for scheduling.
    created         TEXT,
    issued          TEXT,
    modified        TEXT,
    publish_at      TEXT,
    publish_at_utc  INTEGER,
    valid_until     TEXT,
    valid_until_utc INTEGER,
    summary         TEXT,
    files           TEXT NOT NULL DEFAULT '[]',
    -- Dublin Core elements (D189 §4.6–4.7) a page sets itself.
    dc_creator      TEXT,
    dc_subject      TEXT,
    dc_contributor  TEXT,
    dc_publisher    TEXT,
    dc_type         TEXT,
    dc_format       TEXT,
    dc_identifier   TEXT,
    dc_source       TEXT,
    dc_language     TEXT,
    dc_relation     TEXT,
    dc_coverage     TEXT,
    dc_rights       TEXT,
    correction_date TEXT,
    correction_note TEXT,
    body            TEXT NOT NULL,
    -- How many parts the body splits into at `<!-- pagebreak -->` lines (D189 §7.6).
    parts           INTEGER NOT NULL DEFAULT 1,
    content_hash    TEXT NOT NULL,
    author          TEXT NOT NULL,
    saved_at        TEXT NOT NULL,
    UNIQUE (page_id, number)
);

CREATE TABLE links (
    from_page_id      INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    target_page_id    INTEGER REFERENCES pages(id),
    target_section_id INTEGER REFERENCES sections(id),
    CHECK ((target_page_id IS NULL) <> (target_section_id IS NULL))
);
CREATE INDEX links_from ON links(from_page_id);
CREATE INDEX links_target_page ON links(target_page_id);

CREATE TABLE redirects (
    site_id   INTEGER NOT NULL REFERENCES sites(id),
    from_path TEXT NOT NULL,
    page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, from_path)
);

CREATE TABLE media (
    id      INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    path    TEXT NOT NULL,
    mime    TEXT NOT NULL,
    size    INTEGER NOT NULL,
    sha256  TEXT NOT NULL,
    bytes   BLOB NOT NULL,
    UNIQUE (site_id, path)
);

CREATE TABLE templates (
    id      INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    theme   TEXT NOT NULL,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    UNIQUE (site_id, theme, name)
);

CREATE TABLE ui_strings (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    lang    TEXT NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (site_id, lang, key)
);

CREATE TABLE menu_items (
    site_id  INTEGER NOT NULL REFERENCES sites(id),
    lang     TEXT NOT NULL,
    menu     TEXT NOT NULL,
    position INTEGER NOT NULL,
    title    TEXT NOT NULL,
    link     TEXT NOT NULL,
    PRIMARY KEY (site_id, lang, menu, position)
);

-- D189 §10.1.3: who, exact time, action, object, what changed; hash-chained so that an
-- edited or deleted entry is detectable.
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- What `build` last wrote: output path → digest of its inputs.
CREATE TABLE build_outputs (
    path   TEXT PRIMARY KEY,
    digest TEXT NOT NULL
) WITHOUT ROWID;
