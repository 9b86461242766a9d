-- Issue 10: the publisher re-plans only what changed since its last publish.

-- Every change to a row that shapes the published site, recorded by the triggers below
-- whatever made it (the panel, import, the scheduler, a direct edit): `page` and `section`
-- name the object; the other kinds (media, template, strings, menu, redirect, translation)
-- concern the whole site. AUTOINCREMENT: ids are never reused, so "published up to id N" stays true.
CREATE TABLE site_changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    object_id INTEGER
);

-- The publisher's state: the last change it published, when (the scheduled publications
-- and expiries after that time are still due), the fingerprint of the configuration and
-- program it published with, and the last failure, which stays until a publish succeeds.
CREATE TABLE publish_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    published_change INTEGER NOT NULL DEFAULT 0,
    published_at     INTEGER,
    fingerprint      TEXT NOT NULL DEFAULT '',
    failure          TEXT,
    failed_at        INTEGER
);
INSERT INTO publish_state (id) VALUES (1);

-- Which object an output belongs to (`page:ID`, `section:ID`, `lang:az`, `site`), so that a
-- publish that re-plans only some objects knows which of their old outputs to remove.
ALTER TABLE build_outputs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX build_outputs_owner ON build_outputs(owner);

CREATE TRIGGER pages_changed_insert AFTER INSERT ON pages
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('page', NEW.id); END;
CREATE TRIGGER pages_changed_update AFTER UPDATE ON pages
BEGIN
    INSERT INTO site_changes (kind, object_id) VALUES ('page', OLD.id);
    INSERT INTO site_changes (kind, object_id) SELECT 'page', NEW.id WHERE NEW.id <> OLD.id;
END;
-- A page that changes its translation key leaves its old partners linking to it: every
-- output is planned again.
CREATE TRIGGER pages_translation_changed AFTER UPDATE OF translation_key ON pages
WHEN OLD.translation_key IS NOT NEW.translation_key
BEGIN INSERT INTO site_changes (kind) VALUES ('translation'); END;
CREATE TRIGGER pages_changed_delete AFTER DELETE ON pages
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('page', OLD.id); END;

CREATE TRIGGER revisions_changed_insert AFTER INSERT ON revisions
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('page', NEW.page_id); END;
CREATE TRIGGER revisions_changed_update AFTER UPDATE ON revisions
BEGIN
    INSERT INTO site_changes (kind, object_id) VALUES ('page', OLD.page_id);
    INSERT INTO site_changes (kind, object_id) SELECT 'page', NEW.page_id WHERE NEW.page_id <> OLD.page_id;
END;
CREATE TRIGGER revisions_changed_delete AFTER DELETE ON revisions
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('page', OLD.page_id); END;

CREATE TRIGGER sections_changed_insert AFTER INSERT ON sections
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('section', NEW.id); END;
CREATE TRIGGER sections_changed_update AFTER UPDATE ON sections
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('section', OLD.id); END;
CREATE TRIGGER sections_changed_delete AFTER DELETE ON sections
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('section', OLD.id); END;

CREATE TRIGGER media_changed_insert AFTER INSERT ON media
BEGIN INSERT INTO site_changes (kind) VALUES ('media'); END;
CREATE TRIGGER media_changed_update AFTER UPDATE ON media
BEGIN INSERT INTO site_changes (kind) VALUES ('media'); END;
CREATE TRIGGER media_changed_delete AFTER DELETE ON media
BEGIN INSERT INTO site_changes (kind) VALUES ('media'); END;

CREATE TRIGGER templates_changed_insert AFTER INSERT ON templates
BEGIN INSERT INTO site_changes (kind) VALUES ('template'); END;
CREATE TRIGGER templates_changed_update AFTER UPDATE ON templates
BEGIN INSERT INTO site_changes (kind) VALUES ('template'); END;
CREATE TRIGGER templates_changed_delete AFTER DELETE ON templates
BEGIN INSERT INTO site_changes (kind) VALUES ('template'); END;

CREATE TRIGGER ui_strings_changed_insert AFTER INSERT ON ui_strings
BEGIN INSERT INTO site_changes (kind) VALUES ('strings'); END;
CREATE TRIGGER ui_strings_changed_update AFTER UPDATE ON ui_strings
BEGIN INSERT INTO site_changes (kind) VALUES ('strings'); END;
CREATE TRIGGER ui_strings_changed_delete AFTER DELETE ON ui_strings
BEGIN INSERT INTO site_changes (kind) VALUES ('strings'); END;

CREATE TRIGGER menu_items_changed_insert AFTER INSERT ON menu_items
BEGIN INSERT INTO site_changes (kind) VALUES ('menu'); END;
CREATE TRIGGER menu_items_changed_update AFTER UPDATE ON menu_items
BEGIN INSERT INTO site_changes (kind) VALUES ('menu'); END;
CREATE TRIGGER menu_items_changed_delete AFTER DELETE ON menu_items
BEGIN INSERT INTO site_changes (kind) VALUES ('menu'); END;

CREATE TRIGGER redirects_changed_insert AFTER INSERT ON redirects
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('redirect', NEW.page_id); END;
CREATE TRIGGER redirects_changed_update AFTER UPDATE ON redirects
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('redirect', OLD.page_id); END;
CREATE TRIGGER redirects_changed_delete AFTER DELETE ON redirects
BEGIN INSERT INTO site_changes (kind, object_id) VALUES ('redirect', OLD.page_id); END;

-- Every publish asks which publications and expiries came due since the last one.
CREATE INDEX revisions_publish_at ON revisions(publish_at_utc) WHERE publish_at_utc IS NOT NULL;
CREATE INDEX revisions_valid_until ON revisions(valid_until_utc) WHERE valid_until_utc IS NOT NULL;
