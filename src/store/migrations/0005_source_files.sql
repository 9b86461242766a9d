-- What import remembers of each source file it read (issue 10): size and modification time, so
-- that a file whose size and mtime are unchanged is not read again, its SHA-256, and the facts
-- that checks across files need (translation key, links, declared type …) as JSON, so that those
-- checks still see the whole site. A row is written only by an import that succeeded; a file
-- gone from the tree loses its row.
CREATE TABLE source_files (
    site_id  INTEGER NOT NULL REFERENCES sites(id),
    -- Relative to the imported folder: `content/az/xeberler/x.md`, `themes/default/static/a.css`.
    path     TEXT NOT NULL,
    size     INTEGER NOT NULL,
    -- Nanoseconds since the Unix epoch; NULL when the file was modified so close to the import
    -- that a later change could keep the same mtime (the file is then read again next time).
    mtime_ns INTEGER,
    sha256   TEXT NOT NULL,
    -- The govsite version that read and checked the file: rows of another version are not
    -- trusted (the checks may have changed), so the first import after an upgrade reads all.
    reader   TEXT NOT NULL,
    facts    TEXT NOT NULL,
    PRIMARY KEY (site_id, path)
) WITHOUT ROWID;
