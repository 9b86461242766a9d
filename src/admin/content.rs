//! The content screens: dashboard, page list, the editor with live preview, spell check and
//! the confidentiality guard, the workflow (draft → review → published, scheduling,
//! unpublishing with a reason, corrections), revisions with diff and restore, and deleting.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tera::Context;
use time::OffsetDateTime;

use super::permissions::{self, Module};
use super::views::text;
use super::{AdminState, Form, Query, Reply, Signed, blocking, html_response, see_other};
use crate::model::{ContentType, PageContent, Stamp, Status};
use crate::store::{PageMeta, SectionRecord};
use crate::workflow::{self, Action, Refusal};

/// The statuses the panel shows, in workflow order.
const STATUSES: [&str; 5] = ["draft", "review", "scheduled", "published", "unpublished"];

/// How many days ahead the dashboard warns of items whose validity ends.
const EXPIRING_DAYS: i64 = 30;

// ---------------------------------------------------------------- dashboard

/// The start screen (D189 §6.4.8): pages by status and language, missing translations,
/// sections past their publishing deadline (D189 §4.4), items about to expire, recent
/// activity, and links to the main functions.
pub async fn dashboard(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let signed = state.signed_in_for(&headers, None)?;
        let now = super::now();
        let fail = |e: crate::store::Error| state.internal(e.into());
        let sections = signed.store.sections().map_err(fail)?;
        // D189 §6.5: the overview covers only what the user's grant covers.
        let summaries: Vec<crate::store::PageSummary> = signed
            .store
            .page_summaries(now)
            .map_err(fail)?
            .into_iter()
            .filter(|p| may_see_page(&signed.user, p, &sections))
            .collect();
        let languages: &Vec<String> = &state
            .config
            .languages
            .iter()
            .filter(|lang| permissions::in_languages(&signed.user, lang))
            .cloned()
            .collect();

        let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for lang in languages {
            counts.insert(lang, BTreeMap::new());
        }
        for page in &summaries {
            let status = display_status(&page.status, page.publish_at_utc, now);
            *counts
                .entry(page.lang.as_str())
                .or_default()
                .entry(status)
                .or_default() += 1;
        }
        // One row per language, one column per status: the overview at a glance (D189 §6.4.8).
        let count_rows: Vec<Value> = counts
            .iter()
            .map(|(lang, by_status)| {
                let cells: Vec<usize> = STATUSES
                    .iter()
                    .map(|status| by_status.get(status).copied().unwrap_or(0))
                    .collect();
                json!({ "lang": lang, "counts": cells })
            })
            .collect();

        // Pages missing a translation in some language of the site (D189 §3.2).
        let mut by_key: BTreeMap<&str, Vec<&crate::store::PageSummary>> = BTreeMap::new();
        for page in &summaries {
            by_key.entry(&page.translation_key).or_default().push(page);
        }
        let mut missing = Vec::new();
        for pages in by_key.values() {
            let present: BTreeSet<&str> = pages.iter().map(|p| p.lang.as_str()).collect();
            for lang in languages {
                if !present.contains(lang.as_str()) {
                    let page = pages[0];
                    missing.push(json!({ "id": page.id, "title": page.title, "lang": page.lang, "missing": lang }));
                }
            }
        }

        // D189 §4.4: sections with a publishing deadline whose newest item is older.
        let deadlines = signed.store.section_deadlines().map_err(fail)?;
        let mut overdue = Vec::new();
        for (section_id, days) in deadlines {
            let Some(section) = sections.iter().find(|s| s.id == section_id) else {
                continue;
            };
            let newest = summaries
                .iter()
                .filter(|p| p.section_id == section_id && p.live)
                .map(issued_or_saved)
                .max();
            let age_days = newest.map(|at| (now - at) / 86_400);
            if age_days.is_none_or(|age| age > days) {
                overdue.push(json!({
                    "section": section_title(section, &sections),
                    "lang": section.lang,
                    "days": days,
                    "age": age_days,
                }));
            }
        }

        let expiring: Vec<Value> = summaries
            .iter()
            .filter(|p| p.live)
            .filter(|p| {
                p.valid_until_utc
                    .is_some_and(|until| until > now && until - now < EXPIRING_DAYS * 86_400)
            })
            .map(|p| json!({ "id": p.id, "title": p.title, "lang": p.lang, "until": local_time(&state, p.valid_until_utc.unwrap_or(0)) }))
            .collect();

        let (recent, _) = signed
            .store
            .journal_filtered(&crate::store::JournalFilter {
                limit: 10,
                // D189 §10.1.3: the journal is for the journal module; others see their own.
                actor: (!signed.can(Module::Journal)).then(|| signed.user.name.clone()),
                ..Default::default()
            })
            .map_err(fail)?;
        let recent: Vec<Value> = recent
            .iter()
            .map(|e| json!({ "at": super::people::local_stamp(&state, &e.at), "actor": e.actor, "action": e.action, "object": e.object }))
            .collect();
        let in_review: Vec<Value> = summaries
            .iter()
            .filter(|p| p.status == "review")
            .map(|p| json!({ "id": p.id, "title": p.title, "lang": p.lang, "author": p.author }))
            .collect();

        // Issue 10: a publish that failed is shown to those who manage the site until a
        // publish succeeds; the change stays pending meanwhile.
        let publish_failure = if signed.can(Module::Templates) || signed.can(Module::Structure) {
            let state_of_publishing = signed.store.publish_state().map_err(fail)?;
            state_of_publishing.failure.map(|failure| {
                json!({
                    "reason": failure,
                    "at": local_time(&state, state_of_publishing.failed_at.unwrap_or(0)),
                })
            })
        } else {
            None
        };

        let mut context = Context::new();
        context.insert("title", &text(&signed.lang, "nav_dashboard"));
        context.insert("publish_failure", &publish_failure);
        context.insert("counts", &count_rows);
        context.insert("statuses", &STATUSES);
        context.insert("languages", languages);
        context.insert("missing", &missing);
        context.insert("overdue", &overdue);
        context.insert("expiring", &expiring);
        context.insert("recent", &recent);
        context.insert("in_review", &in_review);
        context.insert("can_edit", &permissions::can_edit_any_content(&signed.user));
        context.insert(
            "done",
            &query.get("done").and_then(|key| flash(&signed.lang, key)),
        );
        state.page(&signed, "dashboard.html", context)
    })
    .await
}

/// Is a page within what the user may edit: its module, language and section (D189 §6.5)?
fn may_see_page(
    user: &crate::store::User,
    page: &crate::store::PageSummary,
    sections: &[SectionRecord],
) -> bool {
    let content_type = page.content_type.parse().unwrap_or(ContentType::Page);
    permissions::can_edit(user, content_type, &page.lang, page.section_id, sections)
}

/// The page a new page is to translate (`translation_of`), checked: a 404 when there is no
/// such page, a journaled 403 when it lies outside the user's modules or sections (D189
/// §6.5) — its title is not shown to someone who may not edit it.
fn check_translation_of(state: &AdminState, signed: &mut Signed, form: &Form) -> Reply {
    let Some(original) = form.get("translation_of").parse::<i64>().ok() else {
        return Ok(StatusCode::OK.into_response());
    };
    let (Ok(meta), Ok(head)) = (
        signed.store.page_meta(original),
        signed.store.head_revision(original),
    ) else {
        return Err(state.not_found(Some(signed)));
    };
    let sections = signed
        .store
        .sections()
        .map_err(|e| state.internal(e.into()))?;
    let allowed = permissions::can_use(&signed.user, Module::for_content_type(head.content_type))
        && permissions::in_sections(&signed.user, meta.section_id, &sections);
    if allowed {
        Ok(StatusCode::OK.into_response())
    } else {
        Err(state.forbidden(signed, &format!("/pages/new?translation_of={original}")))
    }
}

/// `draft`, `review`, `scheduled` (published, not yet in effect), `published`, `unpublished`.
fn display_status(status: &str, publish_at_utc: Option<i64>, now: i64) -> &'static str {
    match status {
        "draft" => "draft",
        "review" => "review",
        "published" if publish_at_utc.is_some_and(|at| at > now) => "scheduled",
        "published" => "published",
        _ => "unpublished",
    }
}

fn issued_or_saved(page: &crate::store::PageSummary) -> i64 {
    page.issued
        .as_deref()
        .and_then(|issued| Stamp::parse(issued).ok())
        .and_then(|stamp| stamp.instant(time::UtcOffset::UTC))
        .or_else(|| {
            OffsetDateTime::parse(
                &page.saved_at,
                &time::format_description::well_known::Rfc3339,
            )
            .ok()
        })
        .map_or(0, OffsetDateTime::unix_timestamp)
}

/// A section's titles from the language root: `Xəbərlər › Tədbirlər`.
fn section_title(section: &SectionRecord, sections: &[SectionRecord]) -> String {
    let mut titles = vec![section.content.title.clone()];
    let mut parent = section.parent_id;
    while let Some(id) = parent {
        let Some(up) = sections.iter().find(|s| s.id == id) else {
            break;
        };
        if up.parent_id.is_some() {
            titles.push(up.content.title.clone());
        }
        parent = up.parent_id;
        if titles.len() > 64 {
            break;
        }
    }
    titles.reverse();
    titles.join(" › ")
}

/// A unix time in the site's time zone: `2026-11-22 09:30`.
fn local_time(state: &AdminState, unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(state.config.utc_offset))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- page list

/// All pages the user may see, filtered by language, status, section and words of the title.
pub async fn page_list(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        if !permissions::can_edit_any_content(&signed.user) {
            return Err(state.forbidden(&mut signed, "/pages"));
        }
        let now = super::now();
        let fail = |e: crate::store::Error| state.internal(e.into());
        let summaries = signed.store.page_summaries(now).map_err(fail)?;
        let sections = signed.store.sections().map_err(fail)?;
        let want = |key: &str| query.get(key).filter(|v| !v.is_empty());
        let words = want("q").map(|q| crate::slug::turkic_lowercase(q));
        let rows: Vec<Value> = summaries
            .iter()
            .filter(|p| {
                let content_type = p.content_type.parse().unwrap_or(ContentType::Page);
                permissions::can_use(&signed.user, Module::for_content_type(content_type))
                    && permissions::in_languages(&signed.user, &p.lang)
                    && permissions::in_sections(&signed.user, p.section_id, &sections)
            })
            .filter(|p| want("lang").is_none_or(|lang| &p.lang == lang))
            .filter(|p| {
                want("status").is_none_or(|status| {
                    display_status(&p.status, p.publish_at_utc, now) == status.as_str()
                })
            })
            .filter(|p| {
                want("section")
                    .and_then(|s| s.parse::<i64>().ok())
                    .is_none_or(|id| p.section_id == id)
            })
            .filter(|p| {
                words.as_ref().is_none_or(|words| {
                    crate::slug::turkic_lowercase(&p.title).contains(words.as_str())
                })
            })
            .map(|p| {
                let section = sections.iter().find(|s| s.id == p.section_id);
                json!({
                    "id": p.id,
                    "title": p.title,
                    "lang": p.lang,
                    "status": display_status(&p.status, p.publish_at_utc, now),
                    "live": p.live,
                    "type": p.content_type,
                    "section": section.map(|s| section_title(s, &sections)).unwrap_or_default(),
                    "author": p.author,
                    "saved_at": super::people::local_stamp(&state, &p.saved_at),
                })
            })
            .collect();
        let mut context = Context::new();
        context.insert("title", &text(&signed.lang, "nav_pages"));
        context.insert("rows", &rows);
        context.insert("languages", &state.config.languages);
        context.insert("sections", &section_options(&signed, &sections, None));
        context.insert(
            "filter",
            &super::filter_values(&query, &["q", "lang", "status", "section"]),
        );
        context.insert(
            "done",
            &query.get("done").map(|key| flash(&signed.lang, key)),
        );
        state.page(&signed, "pages.html", context)
    })
    .await
}

/// A known flash message, by its key in the redirect's `?done=` (nothing else is shown).
fn flash(lang: &str, key: &str) -> Option<String> {
    const KNOWN: [&str; 11] = [
        "saved",
        "submitted",
        "published",
        "unpublished",
        "scheduled",
        "corrected",
        "restored",
        "deleted",
        "created",
        "unchanged",
        "password",
    ];
    KNOWN
        .contains(&key)
        .then(|| text(lang, &format!("done_{key}")))
}

/// Sections the user may put content in, as `{id, title, lang}`; only `lang`'s if given.
fn section_options(signed: &Signed, sections: &[SectionRecord], lang: Option<&str>) -> Vec<Value> {
    let mut options: Vec<(String, String, i64)> = sections
        .iter()
        .filter(|s| lang.is_none_or(|lang| s.lang == lang))
        .filter(|s| permissions::in_languages(&signed.user, &s.lang))
        .filter(|s| permissions::in_sections(&signed.user, s.id, sections))
        .map(|s| (s.lang.clone(), section_title(s, sections), s.id))
        .collect();
    // By language, then as the language's dictionaries order titles (issue 11).
    options.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| crate::i18n::collate(&a.0, &a.1, &b.1))
            .then(a.2.cmp(&b.2))
    });
    options
        .into_iter()
        .map(|(lang, title, id)| json!({ "id": id, "title": title, "lang": lang }))
        .collect()
}

// ---------------------------------------------------------------- new page

/// The short form that starts a page: section, type, title, address. With
/// `?translation_of=ID&lang=en` it starts that page's translation, linked to it.
pub async fn new_page_form(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        if !permissions::can_edit_any_content(&signed.user) {
            return Err(state.forbidden(&mut signed, "/pages/new"));
        }
        let form = Form(query.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        check_translation_of(&state, &mut signed, &form)?;
        new_page_page(&state, &signed, &form, &[])
    })
    .await
}

fn new_page_page(state: &AdminState, signed: &Signed, form: &Form, errors: &[String]) -> Reply {
    let fail = |e: crate::store::Error| state.internal(e.into());
    let sections = signed.store.sections().map_err(fail)?;
    let mut context = Context::new();
    let translation_of = form.get("translation_of").parse::<i64>().ok();
    let mut preset_section = form.get("section").parse::<i64>().ok();
    let mut preset_type = form.optional("type");
    let lang = form.optional("lang");
    if let Some(original) = translation_of {
        let meta = signed.store.page_meta(original).map_err(fail)?;
        let head = signed.store.head_revision(original).map_err(fail)?;
        let original_section = sections.iter().find(|s| s.id == meta.section_id);
        // The section with the same key in the target language, if there is one.
        if preset_section.is_none()
            && let (Some(original_section), Some(lang)) = (original_section, lang.as_deref())
        {
            preset_section = sections
                .iter()
                .find(|s| s.lang == lang && s.translation_key == original_section.translation_key)
                .map(|s| s.id);
        }
        preset_type.get_or_insert_with(|| head.content_type.as_str().to_string());
        context.insert(
            "original",
            &json!({ "id": original, "title": head.title, "lang": meta.lang, "slug": meta.slug }),
        );
    }
    context.insert("title", &text(&signed.lang, "new_page"));
    context.insert(
        "sections",
        &section_options(signed, &sections, lang.as_deref()),
    );
    context.insert("preset_section", &preset_section);
    context.insert("preset_type", &preset_type.unwrap_or_else(|| "page".into()));
    context.insert("form_title", form.get("title"));
    context.insert("form_slug", form.get("slug"));
    context.insert("lang", &lang);
    context.insert("translation_of", &translation_of);
    context.insert("types", &content_types(signed));
    context.insert("errors", errors);
    let mut response = state.page(signed, "page_new.html", context)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The content types whose module the user may use.
fn content_types(signed: &Signed) -> Vec<Value> {
    ContentType::ALL
        .into_iter()
        .filter(|t| signed.can(Module::for_content_type(*t)))
        .map(|t| json!({ "value": t.as_str(), "label": text(&signed.lang, &format!("type_{}", t.as_str())) }))
        .collect()
}

pub async fn create_page(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        let sections = signed.store.sections().map_err(fail)?;
        let content_type: ContentType = form.get("type").parse().unwrap_or(ContentType::Page);
        let Some(section) = form
            .get("section")
            .parse::<i64>()
            .ok()
            .and_then(|id| sections.iter().find(|s| s.id == id))
            .cloned()
        else {
            return new_page_page(
                &state,
                &signed,
                &form,
                &[text(&signed.lang, "error_section")],
            );
        };
        if !permissions::can_edit(
            &signed.user,
            content_type,
            &section.lang,
            section.id,
            &sections,
        ) {
            return Err(state.forbidden(&mut signed, "/pages/new"));
        }
        check_translation_of(&state, &mut signed, &form)?;
        let title = form.get("title").trim().to_string();
        if title.is_empty() {
            return new_page_page(&state, &signed, &form, &[text(&signed.lang, "error_title")]);
        }
        let translation_key = match form.get("translation_of").parse::<i64>().ok() {
            Some(original) => Some(
                signed
                    .store
                    .page_meta(original)
                    .map_err(fail)?
                    .translation_key,
            ),
            None => None,
        };
        let defaults = state.config.dublin_core_defaults(&section.lang);
        let content = PageContent {
            title,
            description: None,
            keywords: Vec::new(),
            content_type,
            status: Status::Draft,
            template: None,
            created: today_stamp(&state),
            issued: None,
            modified: None,
            publish_at: None,
            valid_until: None,
            summary: None,
            files: Vec::new(),
            // Prefilled sensibly (D189 §4.6–4.7): the author's agency as creator.
            dc: crate::model::DublinCore {
                creator: Some(defaults.creator).filter(|c| !c.is_empty()),
                ..Default::default()
            },
            correction: None,
            body: String::new(),
        };
        let actor = signed.actor.clone();
        match signed.store.create_page(
            section.id,
            form.get("slug"),
            translation_key.as_deref(),
            &content,
            &actor,
        ) {
            Ok(id) => Ok(see_other(&format!("/pages/{id}?done=created"))),
            Err(error) => {
                let refusal = state.refusal(error)?;
                new_page_page(&state, &signed, &form, &[refusal.to_string()])
            }
        }
    })
    .await
}

// ---------------------------------------------------------------- editor

/// A page the user may open: its place, newest revision and the site's sections.
struct OpenPage {
    meta: PageMeta,
    /// The id of `head`: the `base_revision` a form rendered now carries (issue 10).
    head_id: i64,
    head: PageContent,
    sections: Vec<SectionRecord>,
}

fn open_page(state: &AdminState, signed: &mut Signed, id: i64) -> Result<OpenPage, Response> {
    let meta = match signed.store.page_meta(id) {
        Ok(meta) => meta,
        Err(crate::store::Error::NotFound(_)) => return Err(state.not_found(Some(signed))),
        Err(error) => return Err(state.internal(error.into())),
    };
    let (head_id, head) = signed
        .store
        .head_revision_with_id(id)
        .map_err(|e| state.internal(e.into()))?;
    let sections = signed
        .store
        .sections()
        .map_err(|e| state.internal(e.into()))?;
    if !permissions::can_edit(
        &signed.user,
        head.content_type,
        &meta.lang,
        meta.section_id,
        &sections,
    ) {
        return Err(state.forbidden(signed, &meta.url));
    }
    Ok(OpenPage {
        meta,
        head_id,
        head,
        sections,
    })
}

pub async fn editor(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        let page = open_page(&state, &mut signed, id)?;
        let done = query.get("done").and_then(|key| flash(&signed.lang, key));
        // Issue 11: the text typed when the session ended, back in the form (once).
        if let Some(token) = query.get("kept") {
            let kept = signed
                .store
                .take_kept_text(
                    &super::auth::session_hash(token),
                    signed.user.id,
                    id,
                    super::now(),
                )
                .map_err(|e| state.internal(e.into()))?;
            if let Some((body, kept_at)) = kept {
                let form = Form::parse(&body);
                let content = content_from_form(&form, &page.head, &state, &signed.lang)
                    .unwrap_or_else(|_| body_as_typed(&page.head, &form));
                let at = local_time(&state, kept_at);
                return editor_page(
                    &state,
                    &signed,
                    &page,
                    &content,
                    EditorNotes {
                        done: Some(text(&signed.lang, "kept_text_restored").replace("{time}", &at)),
                        form: Some(form),
                        ..Default::default()
                    },
                );
            }
        }
        let content = page.head.clone();
        editor_page(
            &state,
            &signed,
            &page,
            &content,
            EditorNotes {
                done,
                ..Default::default()
            },
        )
    })
    .await
}

/// What the editor shows beside the fields.
#[derive(Default)]
struct EditorNotes {
    done: Option<String>,
    errors: Vec<String>,
    /// Confidentiality findings that stopped publishing (D189 §4.5).
    warnings: Vec<Value>,
    /// The form's values as submitted, for fields not in `PageContent`.
    form: Option<Form>,
    /// Someone saved the page after the form was opened (issue 10, lost update).
    stale: Option<StaleNotice>,
}

/// Who changed the page after the user opened it, and the head the re-rendered form is based on.
struct StaleNotice {
    by: String,
    at: String,
    head: i64,
    number: i64,
}

fn editor_page(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    content: &PageContent,
    notes: EditorNotes,
) -> Reply {
    let fail = |e: crate::store::Error| state.internal(e.into());
    let now = super::now();
    let translations = signed
        .store
        .translations(&page.meta.translation_key)
        .map_err(fail)?;
    let translation_links: Vec<Value> = state
        .config
        .languages
        .iter()
        .filter(|lang| **lang != page.meta.lang)
        .map(|lang| json!({ "lang": lang, "id": translations.get(lang) }))
        .collect();
    let summary = signed.store.page_summary(page.meta.id, now).map_err(fail)?;
    let summary = summary.as_ref();
    let status = summary
        .map(|s| display_status(&s.status, s.publish_at_utc, now))
        .unwrap_or("draft");
    let can_publish = permissions::can_publish(
        &signed.user,
        content.content_type,
        &page.meta.lang,
        page.meta.section_id,
        &page.sections,
    );
    let stamp = |s: &Option<Stamp>| {
        s.as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    };
    let mut context = Context::new();
    context.insert("title", &content.title);
    context.insert("page", &page.meta);
    context.insert(
        "fields",
        &json!({
            "title": content.title,
            "summary": content.summary,
            "description": content.description,
            "keywords": content.keywords.join(", "),
            "type": content.content_type.as_str(),
            "created": stamp(&content.created),
            "issued": stamp(&content.issued),
            "modified": stamp(&content.modified),
            "publish_at": datetime_local(content.publish_at.as_ref(), state),
            "valid_until": stamp(&content.valid_until),
            "files": content.files.join("\n"),
            "body": content.body,
            "dc": dc_values(&content.dc),
            "correction": content.correction.as_ref().map(|c| c.note.clone()),
        }),
    );
    context.insert("dc_fields", &DC_FIELDS);
    context.insert("status", status);
    context.insert("live", &summary.is_some_and(|s| s.live));
    context.insert("can_publish", &can_publish);
    context.insert(
        "sections",
        &section_options(signed, &page.sections, Some(&page.meta.lang)),
    );
    context.insert("translations", &translation_links);
    context.insert("types", &content_types(signed));
    context.insert("done", &notes.done);
    context.insert("errors", &notes.errors);
    context.insert("warnings", &notes.warnings);
    // Issue 10, lost update: the form carries the revision it was opened from. A form sent
    // back keeps its own base (a missing one stays missing), so that only reading what
    // changed — the stale notice, which renders the new head — lets a save over it through.
    let base_revision = match (&notes.stale, &notes.form) {
        (Some(stale), _) => stale.head.to_string(),
        (None, Some(form)) => form.get("base_revision").to_string(),
        (None, None) => page.head_id.to_string(),
    };
    context.insert("base_revision", &base_revision);
    if let Some(stale) = &notes.stale {
        context.insert(
            "stale",
            &stale_notice(state, &signed.lang, "error_stale", page.meta.id, stale),
        );
    }
    context.insert(
        "reason",
        notes.form.as_ref().map_or("", |form| form.get("reason")),
    );
    context.insert(
        "correction_note",
        notes
            .form
            .as_ref()
            .map_or("", |form| form.get("correction_note")),
    );
    context.insert(
        "public_page_url",
        &format!("http://{}{}", state.config.public_addr, page.meta.url),
    );
    let mut response = state.page(signed, "editor.html", context)?;
    if notes.stale.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    } else if !notes.errors.is_empty() || !notes.warnings.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The notice that someone saved the page after the user opened it (message `key`): who,
/// when in the site's time, and the link to what they changed (issue 10, lost update).
fn stale_notice(
    state: &AdminState,
    lang: &str,
    key: &str,
    page_id: i64,
    stale: &StaleNotice,
) -> Value {
    let message = text(lang, key)
        .replace("{name}", &stale.by)
        .replace("{time}", &super::people::local_stamp(state, &stale.at));
    let (before_link, after_link) = message
        .split_once("{link}")
        .map_or((message.clone(), String::new()), |(before, after)| {
            (before.to_string(), after.to_string())
        });
    json!({
        "before": before_link,
        "after": after_link,
        "link": format!("/pages/{page_id}/revisions/{}", stale.number),
    })
}

/// The editor again (409) after a save from a form opened before someone else's save: the
/// user's text stays in the form, the notice names who changed the page and links to the
/// changes, and the form now carries the new head as its base (issue 10, lost update).
fn refuse_stale(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    content: &PageContent,
    stale: StaleNotice,
    form: Form,
) -> Reply {
    editor_page(
        state,
        signed,
        page,
        content,
        EditorNotes {
            form: Some(form),
            stale: Some(stale),
            ..Default::default()
        },
    )
}

/// The editor again with the submitted form and what stopped it (422).
fn refuse(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    content: &PageContent,
    errors: Vec<String>,
    form: Form,
) -> Reply {
    editor_page(
        state,
        signed,
        page,
        content,
        EditorNotes {
            errors,
            form: Some(form),
            ..Default::default()
        },
    )
}

/// Dublin Core elements a page sets itself (D189 §4.6–4.7), as form field names.
const DC_FIELDS: [&str; 12] = [
    "creator",
    "subject",
    "contributor",
    "publisher",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
];

fn dc_values(dc: &crate::model::DublinCore) -> BTreeMap<&'static str, String> {
    dc.fields()
        .into_iter()
        .map(|(name, value)| (name, value.clone().unwrap_or_default()))
        .collect()
}

/// A stamp as an `<input type="datetime-local">` value in the site's time zone.
fn datetime_local(stamp: Option<&Stamp>, state: &AdminState) -> String {
    stamp
        .and_then(|s| s.instant(state.config.utc_offset))
        .map(|t| t.to_offset(state.config.utc_offset))
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// Reads the editor's fields over the newest revision; the errors name the field and say
/// what is expected.
fn content_from_form(
    form: &Form,
    base: &PageContent,
    state: &AdminState,
    lang: &str,
) -> Result<PageContent, Vec<String>> {
    let mut errors = Vec::new();
    let mut content = base.clone();
    let label = |key: &str| text(lang, &format!("field_{key}"));
    content.title = form.get("title").trim().to_string();
    if content.title.is_empty() {
        errors.push(text(lang, "error_title"));
    }
    content.summary = form.optional("summary");
    content.description = form.optional("description");
    content.keywords = form
        .get("keywords")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if let Ok(content_type) = form.get("type").parse() {
        content.content_type = content_type;
    }
    let mut date = |key: &str| -> Option<Stamp> {
        let value = form.optional(key)?;
        Stamp::parse(&value)
            .map_err(|_| {
                errors.push(format!(
                    "{}: {}",
                    label(key),
                    text(lang, "error_date").replace("{value}", &value)
                ))
            })
            .ok()
    };
    content.created = date("created");
    content.issued = date("issued");
    content.modified = date("modified");
    content.valid_until = date("valid_until");
    // `datetime-local` gives `2026-11-22T09:30`: the site's time zone is meant.
    content.publish_at = match form.optional("publish_at") {
        None => None,
        Some(value) => {
            let offset = state.config.utc_offset;
            let (hours, minutes, _) = offset.as_hms();
            let sign = if offset.is_negative() { '-' } else { '+' };
            let full = if value.len() == 16 {
                format!(
                    "{value}:00{sign}{:02}:{:02}",
                    hours.unsigned_abs(),
                    minutes.unsigned_abs()
                )
            } else {
                value.clone()
            };
            match Stamp::parse(&full) {
                Ok(stamp) => Some(stamp),
                Err(_) => {
                    errors.push(format!(
                        "{}: {}",
                        label("publish_at"),
                        text(lang, "error_date").replace("{value}", &value)
                    ));
                    None
                }
            }
        }
    };
    content.files = form
        .get("files")
        .lines()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    for name in DC_FIELDS {
        if let Some(field) = content.dc.field_mut(name) {
            *field = form.optional(&format!("dc_{name}"));
        }
    }
    // Line ends as the browser sends them (CRLF) are stored as LF.
    content.body = form.get("body").replace("\r\n", "\n");
    // Issue 9: a body too large or nested too deep is refused before anything renders it.
    if let Err(limit) = crate::markdown::check_limits(&content.body) {
        errors.push(format!(
            "{}: {}",
            label("body"),
            body_limit_message(lang, &limit)
        ));
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// `head` with the body of the form as typed (line ends as LF): what the editor shows when the
/// form's other fields cannot be read, so that nothing written is lost.
fn body_as_typed(head: &PageContent, form: &Form) -> PageContent {
    let mut shown = head.clone();
    shown.body = form.get("body").replace("\r\n", "\n");
    shown
}

/// The content, if every entry of its `files` list is a stored file (beside the page, or a
/// media-library address); otherwise which entries were not found (issue 11: they were left
/// out of the page without a word).
fn attachments_found(
    signed: &Signed,
    page: &crate::store::PageMeta,
    content: PageContent,
) -> Result<PageContent, Vec<String>> {
    let folder = page
        .url
        .trim_end_matches('/')
        .rsplit_once('/')
        .map_or("/", |(folder, _)| folder);
    let folder = format!("{folder}/");
    let mut missing = Vec::new();
    for entry in &content.files {
        let path = crate::model::attachment_path(&folder, entry);
        if !signed.store.has_media(&path).unwrap_or(false) {
            missing.push(entry.as_str());
        }
    }
    if missing.is_empty() {
        return Ok(content);
    }
    Err(vec![format!(
        "{}: {}",
        text(&signed.lang, "field_files"),
        text(&signed.lang, "error_files_missing").replace("{files}", &missing.join(", "))
    )])
}

/// What the editor says about a body beyond [`crate::markdown::check_limits`].
fn body_limit_message(lang: &str, limit: &crate::markdown::BodyLimit) -> String {
    match limit {
        crate::markdown::BodyLimit::TooLarge { bytes } => text(lang, "error_body_too_large")
            .replace("{bytes}", &bytes.to_string())
            .replace("{max}", &crate::markdown::MAX_BODY_BYTES.to_string()),
        crate::markdown::BodyLimit::TooDeep { line } => text(lang, "error_body_too_deep")
            .replace("{line}", &line.to_string())
            .replace("{max}", &crate::markdown::MAX_NESTING.to_string()),
    }
}

/// Saves the editor: `action` is save, review, publish, correct or unpublish (or preview).
/// The form is read here; what the action does is [`workflow::decide`]'s, and the store
/// applies it in one transaction ([`crate::store::Store::apply_step`]).
pub async fn save_page(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = match state.signed_in_for(&headers, Some(&form)) {
            Ok(signed) => signed,
            // Issue 11: the session ended while the editor typed; the text is kept for them.
            Err(answer) => {
                return Err(state
                    .keep_text_after_session_end(&headers, &form, &body, id)
                    .unwrap_or(answer));
            }
        };
        let page = open_page(&state, &mut signed, id)?;
        let action = form.get("action").to_string();
        if action == "preview" {
            return preview_reply(&state, &signed, &page, &form, false);
        }
        let content = match content_from_form(&form, &page.head, &state, &signed.lang)
            .and_then(|content| attachments_found(&signed, &page.meta, content))
        {
            Ok(content) => content,
            Err(errors) => {
                // The text as typed stays in the editor, so that nothing written is lost.
                let shown = body_as_typed(&page.head, &form);
                return refuse(&state, &signed, &page, &shown, errors, form);
            }
        };
        let edit = workflow::Edit {
            content: content.clone(),
            // Moving to another section (D189 §6.4.4); the old address redirects to the new one.
            move_to: form
                .get("section")
                .parse::<i64>()
                .ok()
                .filter(|&target| target != page.meta.section_id),
            override_guard: form.has("override"),
        };
        let rights = rights_of(&signed, &page, content.content_type, edit.move_to);
        let action = match action.as_str() {
            "save" => Action::SaveDraft(edit),
            "review" => Action::SubmitForReview(edit),
            "publish" => Action::Publish(edit),
            "correct" => Action::Correct {
                edit,
                note: form.optional("correction_note"),
            },
            "unpublish" => Action::Unpublish {
                reason: form.optional("reason"),
            },
            _ => return Err(state.not_found(Some(&signed))),
        };
        // Issue 10, lost update: the form carries the revision it was opened from.
        let base_revision = form.get("base_revision").parse::<i64>().ok();
        let lang = signed.lang.clone();
        let errors = match take_step(&state, &mut signed, &page, &action, base_revision, rights)? {
            Ok(step) => {
                return Ok(see_other(&format!(
                    "/pages/{id}?done={}",
                    step.outcome.done()
                )));
            }
            Err(Stopped::Store(refusal)) => vec![refusal.to_string()],
            Err(Stopped::Refused(refusal)) => match refusal {
                Refusal::Stale {
                    by,
                    at,
                    head,
                    number,
                } => {
                    let stale = StaleNotice {
                        by,
                        at,
                        head,
                        number,
                    };
                    return refuse_stale(&state, &signed, &page, &content, stale, form);
                }
                Refusal::MayNotEdit => return Err(state.forbidden(&mut signed, &page.meta.url)),
                Refusal::MayNotPublish => {
                    let what = format!("{} {}", page.meta.url, form.get("action"));
                    return Err(state.forbidden(&mut signed, &what));
                }
                Refusal::MayNotMoveThere => {
                    let what = format!("{} move", page.meta.url);
                    return Err(state.forbidden(&mut signed, &what));
                }
                Refusal::Confidential { findings } => {
                    // D189 §4.5: stamps and personal identifiers stop publishing unless
                    // overridden.
                    let warnings = findings_json(&findings, &lang);
                    return editor_page(
                        &state,
                        &signed,
                        &page,
                        &content,
                        EditorNotes {
                            warnings,
                            form: Some(form),
                            ..Default::default()
                        },
                    );
                }
                other => refusal_text(&lang, &other),
            },
        };
        refuse(&state, &signed, &page, &content, errors, form)
    })
    .await
}

/// What the user may do with this page, as the workflow needs it: edit and publish content of
/// `content_type` where the page is, and edit where the form moves it.
fn rights_of(
    signed: &Signed,
    page: &OpenPage,
    content_type: ContentType,
    move_to: Option<i64>,
) -> workflow::Rights {
    let user = &signed.user;
    let lang = &page.meta.lang;
    let section = page.meta.section_id;
    workflow::Rights {
        edit: permissions::can_edit(user, content_type, lang, section, &page.sections),
        publish: permissions::can_publish(user, content_type, lang, section, &page.sections),
        edit_target: move_to.is_none_or(|target| {
            permissions::can_edit(user, content_type, lang, target, &page.sections)
        }),
    }
}

/// Why a step did not happen.
enum Stopped {
    /// The workflow refused it, or the store found the form stale.
    Refused(Refusal),
    /// The store refused it: a move to a section with a page of the same address, a deletion
    /// of a page others link to. Nothing was written.
    Store(crate::UserError),
}

/// Decides what `action` does to the page ([`workflow::decide`]), applies it in one
/// transaction ([`crate::store::Store::apply_step`]) and publishes when it changed the site.
/// The only way the panel changes a page's revisions and what is live.
fn take_step(
    state: &AdminState,
    signed: &mut Signed,
    page: &OpenPage,
    action: &Action,
    base_revision: Option<i64>,
    rights: workflow::Rights,
) -> Result<Result<workflow::Step, Stopped>, Response> {
    let now = OffsetDateTime::now_utc().to_offset(state.config.utc_offset);
    let (head, live) = signed
        .store
        .head_and_live(page.meta.id, now.unix_timestamp())
        .map_err(|e| state.internal(e.into()))?;
    let step = match workflow::decide(action, &head, live.as_ref(), base_revision, rights, now) {
        Ok(step) => step,
        Err(refusal) => return Ok(Err(Stopped::Refused(refusal))),
    };
    let actor = signed.actor.clone();
    match signed.store.apply_step(page.meta.id, &step, &actor) {
        Ok(()) => {}
        // Someone saved between reading the head and the transaction: the store's check.
        Err(crate::store::Error::Stale {
            by,
            at,
            head,
            number,
        }) => {
            return Ok(Err(Stopped::Refused(Refusal::Stale {
                by,
                at,
                head,
                number,
            })));
        }
        Err(error) => return Ok(Err(Stopped::Store(state.refusal(error)?))),
    }
    if step.changes_site() {
        state.publish(signed)?;
    }
    Ok(Ok(step))
}

/// A workflow refusal shown on the form, in the user's language.
fn refusal_text(lang: &str, refusal: &Refusal) -> Vec<String> {
    match refusal {
        Refusal::ReasonMissing => vec![text(lang, "error_reason")],
        Refusal::CorrectionNoteMissing => vec![text(lang, "error_correction_note")],
        Refusal::NotLive => vec![text(lang, "error_not_live")],
        Refusal::CorrectionScheduled => vec![text(lang, "error_correction_scheduled")],
        Refusal::ImagesWithoutAlt { lines } => lines
            .iter()
            .map(|line| text(lang, "error_image_alt").replace("{line}", &line.to_string()))
            .collect(),
        Refusal::Confidential { findings } => findings
            .iter()
            .map(|f| format!("{}: {}", f.kind.describe(lang), f.text))
            .collect(),
        // The handlers answer these with 403 or 409 before asking for words.
        Refusal::Stale { .. }
        | Refusal::MayNotEdit
        | Refusal::MayNotPublish
        | Refusal::MayNotMoveThere => vec![text(lang, "forbidden_text")],
    }
}

fn today_stamp(state: &AdminState) -> Option<Stamp> {
    let today = OffsetDateTime::now_utc()
        .to_offset(state.config.utc_offset)
        .date()
        .to_string();
    Stamp::parse(&today).ok()
}

/// Stamps and personal identifiers in the title, summary and body (D189 §4.5).
fn confidentiality_findings(content: &PageContent) -> Vec<crate::guard::Finding> {
    workflow::confidentiality_findings(content)
}

fn findings_json(findings: &[crate::guard::Finding], lang: &str) -> Vec<Value> {
    findings
        .iter()
        .map(|f| json!({ "kind": f.kind, "label": f.kind.describe(lang), "text": f.text, "line": f.line }))
        .collect()
}

// ---------------------------------------------------------------- preview

/// The editor's live preview: the page as the site's real templates render it, with
/// misspelled words marked (D189 §6.4.3) and the confidentiality findings. JSON for the
/// script, a whole HTML page for the form's Preview button without JavaScript.
pub async fn preview(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        let page = open_page(&state, &mut signed, id)?;
        preview_reply(&state, &signed, &page, &form, wants_json)
    })
    .await
}

/// The preview of the newest saved revision (the editor's frame when it opens).
pub async fn preview_saved(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        let page = open_page(&state, &mut signed, id)?;
        let (html, _, _) =
            render_preview(&state, &signed, &page, &page.head).map_err(|e| state.internal(e))?;
        Ok(html_response(html))
    })
    .await
}

fn preview_reply(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    form: &Form,
    wants_json: bool,
) -> Reply {
    let content = content_from_form(form, &page.head, state, &signed.lang)
        .unwrap_or_else(|_| body_as_typed(&page.head, form));
    // Issue 9: a body beyond the limits is answered at once with what is wrong, not rendered.
    if let Err(limit) = crate::markdown::check_limits(&content.body) {
        let message = body_limit_message(&signed.lang, &limit);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n<body>\n<p role=\"alert\">{message}</p>\n</body>\n</html>\n",
            lang = crate::render::escape_xml(&signed.lang),
            title = crate::render::escape_xml(&text(&signed.lang, "preview")),
            message = crate::render::escape_xml(&message),
        );
        if !wants_json {
            let mut response = html_response(html);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        let mut response = axum::Json(json!({
            "html": html,
            "error": message,
            "misspellings": [],
            "warnings": [],
            "warnings_heading": text(&signed.lang, "guard_heading"),
        }))
        .into_response();
        super::security_headers(response.headers_mut());
        return Ok(response);
    }
    let (html, misspellings, findings) =
        render_preview(state, signed, page, &content).map_err(|e| state.internal(e))?;
    if !wants_json {
        return Ok(html_response(html));
    }
    let body = json!({
        "html": html,
        "misspellings": misspellings.iter().map(|m| json!({ "word": m.word, "suggestions": m.suggestions })).collect::<Vec<_>>(),
        "warnings": findings_json(&findings, &signed.lang),
        "warnings_heading": text(&signed.lang, "guard_heading"),
    });
    let mut response = axum::Json(body).into_response();
    super::security_headers(response.headers_mut());
    Ok(response)
}

/// Renders a page's content with the site's templates as it would be published, marks the
/// misspellings in its main part, and scans it for confidential information.
fn render_preview(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    content: &PageContent,
) -> anyhow::Result<(
    String,
    Vec<crate::spell::Misspelling>,
    Vec<crate::guard::Finding>,
)> {
    let html = state.publisher.preview_page(
        &signed.store,
        &page.meta,
        content,
        OffsetDateTime::now_utc(),
    )?;
    // The tooltips speak the panel's language, like the rest of the preview's notes.
    let tooltips = crate::spell::Tooltips {
        none: text(&signed.lang, "spell_no_suggestions"),
        suggestions: text(&signed.lang, "spell_suggestions"),
    };
    let (html, misspellings) = crate::spell::mark_html_with(&page.meta.lang, &html, &tooltips)?;
    let html = html.replacen(
        "</head>",
        "<style>mark.spell{background:none;color:inherit;text-decoration:underline wavy #c00;text-decoration-skip-ink:none;text-underline-offset:3px}</style>\n</head>",
        1,
    );
    Ok((html, misspellings, confidentiality_findings(content)))
}

/// Pasted HTML (from Word or a web page) made into clean Markdown: ammonia keeps only the
/// structure the site allows (headings, paragraphs, lists, emphasis, links, tables, images),
/// then it is written as Markdown (D189 §6.4.1).
pub async fn clean_paste(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let signed = state.signed_in_for(&headers, Some(&form))?;
        // Issue 9: pasted HTML nested too deep or too large is refused before the sanitiser, whose
        // cost grows with nesting, sees it; the script then pastes the plain text instead.
        if let Err(limit) = crate::markdown::check_limits(form.get("html")) {
            let error = body_limit_message(&signed.lang, &limit);
            let mut response = (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({ "error": error })),
            )
                .into_response();
            super::security_headers(response.headers_mut());
            return Ok(response);
        }
        let markdown = clean_pasted_html(form.get("html"));
        let mut response = axum::Json(json!({ "markdown": markdown })).into_response();
        super::security_headers(response.headers_mut());
        Ok(response)
    })
    .await
}

/// See [`clean_paste`]; pure, for tests.
pub fn clean_pasted_html(html: &str) -> String {
    let tags = [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "strong",
        "b",
        "em",
        "i",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
        "img",
        "code",
        "pre",
        "sub",
        "sup",
    ];
    let clean = ammonia::Builder::default()
        .tags(tags.into_iter().collect())
        .tag_attributes(HashMap::from([
            ("a", ["href"].into_iter().collect()),
            ("img", ["src", "alt"].into_iter().collect()),
        ]))
        .generic_attributes(Default::default())
        .link_rel(None)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean_content_tags(
            ["script", "style", "title", "xml", "head"]
                .into_iter()
                .collect(),
        )
        .clean(html)
        .to_string();
    // Word marks paragraphs as headings with `h1`; a page has one `h1` (its title), so pasted
    // headings start at level 2.
    let clean = clean.replace("<h1>", "<h2>").replace("</h1>", "</h2>");
    let clean = tables_for_markdown(&clean);
    htmd::convert(&clean)
        .map(|markdown| markdown.trim().to_string())
        .unwrap_or_default()
}

/// Word's and LibreOffice's tables in the shape a Markdown table can take (issue 11: a table
/// pasted from Word came out as one paragraph per cell): their cells hold paragraphs, which
/// become the cell's text; and they mark no header row, while a Markdown table has one, so the
/// first row of each table becomes it (`td` → `th`).
fn tables_for_markdown(html: &str) -> String {
    use lol_html::html_content::ContentType as Html;
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let rows_seen = std::cell::Cell::new(0usize);
    let in_first_row = std::rc::Rc::new(std::cell::Cell::new(false));
    let rewritten = rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("table", |_| {
                rows_seen.set(0);
                Ok(())
            }))
            .append_element_content_handler(element!("tr", |row| {
                rows_seen.set(rows_seen.get() + 1);
                in_first_row.set(rows_seen.get() == 1);
                let leaving = in_first_row.clone();
                if let Some(handlers) = row.end_tag_handlers() {
                    let leave: lol_html::EndTagHandler<'static> = Box::new(move |_end| {
                        leaving.set(false);
                        Ok(())
                    });
                    handlers.push(leave);
                }
                Ok(())
            }))
            .append_element_content_handler(element!("td", |cell| {
                if in_first_row.get() {
                    cell.set_tag_name("th")?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("td p, th p, td div, th div", |block| {
                block.append(" ", Html::Text);
                block.remove_and_keep_content();
                Ok(())
            })),
    );
    rewritten.unwrap_or_else(|_| html.to_string())
}

// ---------------------------------------------------------------- revisions

/// A page's history with links to each revision's changes (D189 §10.1.3).
pub async fn revisions(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        let page = open_page(&state, &mut signed, id)?;
        let revisions = signed
            .store
            .revisions(id)
            .map_err(|e| state.internal(e.into()))?;
        let rows: Vec<Value> = revisions
            .iter()
            .map(|r| json!({ "number": r.number, "status": r.status, "title": r.title, "author": r.author, "saved_at": super::people::local_stamp(&state, &r.saved_at), "note": r.note }))
            .collect();
        let mut context = Context::new();
        context.insert("title", &format!("{} — {}", text(&signed.lang, "revisions"), page.head.title));
        context.insert("page", &page.meta);
        context.insert("rows", &rows);
        context.insert("diff", &Vec::<Value>::new());
        context.insert("number", &Option::<i64>::None);
        state.page(&signed, "revisions.html", context)
    })
    .await
}

/// One revision compared line by line with the one before it.
pub async fn revision_diff(
    State(state): State<Arc<AdminState>>,
    Path((id, number)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        let page = open_page(&state, &mut signed, id)?;
        revision_page(&state, &signed, &page, number, RevisionNotes::default())
    })
    .await
}

/// What the revision page says beside the diff when a restore did not happen.
#[derive(Default)]
struct RevisionNotes {
    errors: Vec<String>,
    /// Someone saved the page after this page was opened (issue 10).
    stale: Option<StaleNotice>,
}

/// Revision `number`'s changes, the page's history and the form that restores it, which
/// carries the head it was opened on (`base_revision`, issue 10).
fn revision_page(
    state: &AdminState,
    signed: &Signed,
    page: &OpenPage,
    number: i64,
    notes: RevisionNotes,
) -> Reply {
    let id = page.meta.id;
    let after = match signed.store.revision(id, number) {
        Ok(revision) => revision,
        Err(_) => return Err(state.not_found(Some(signed))),
    };
    let before = signed.store.revision(id, number - 1).ok();
    let diff = diff_lines(
        &before.as_ref().map(revision_text).unwrap_or_default(),
        &revision_text(&after),
    );
    let revisions = signed
        .store
        .revisions(id)
        .map_err(|e| state.internal(e.into()))?;
    let rows: Vec<Value> = revisions
        .iter()
        .map(|r| json!({ "number": r.number, "status": r.status, "title": r.title, "author": r.author, "saved_at": super::people::local_stamp(state, &r.saved_at), "note": r.note }))
        .collect();
    let mut context = Context::new();
    context.insert(
        "title",
        &format!(
            "{} {number} — {}",
            text(&signed.lang, "revision"),
            after.title
        ),
    );
    context.insert("page", &page.meta);
    context.insert("rows", &rows);
    context.insert("diff", &diff);
    context.insert("number", &Some(number));
    let base_revision = notes
        .stale
        .as_ref()
        .map_or(page.head_id, |stale| stale.head);
    context.insert("base_revision", &base_revision);
    context.insert("errors", &notes.errors);
    if let Some(stale) = &notes.stale {
        context.insert(
            "stale",
            &stale_notice(state, &signed.lang, "error_stale_restore", id, stale),
        );
    }
    let mut response = state.page(signed, "revisions.html", context)?;
    if notes.stale.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    } else if !notes.errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The fields of a revision as lines, so that a diff shows every change readably.
fn revision_text(content: &PageContent) -> String {
    let mut lines = vec![
        format!("title: {}", content.title),
        format!("status: {}", content.status),
        format!("type: {}", content.content_type),
    ];
    let optional = [
        ("summary", content.summary.clone()),
        ("description", content.description.clone()),
        ("issued", content.issued.as_ref().map(|s| s.to_string())),
        (
            "publish_at",
            content.publish_at.as_ref().map(|s| s.to_string()),
        ),
        (
            "valid_until",
            content.valid_until.as_ref().map(|s| s.to_string()),
        ),
        (
            "correction",
            content.correction.as_ref().map(|c| c.note.clone()),
        ),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            lines.push(format!("{name}: {value}"));
        }
    }
    if !content.keywords.is_empty() {
        lines.push(format!("keywords: {}", content.keywords.join(", ")));
    }
    for (name, value) in content.dc.fields() {
        if let Some(value) = value {
            lines.push(format!("dc.{name}: {value}"));
        }
    }
    lines.push(String::new());
    lines.push(content.body.clone());
    lines.join("\n")
}

/// A line diff as rows `{sign, text, kind}` (kind: add, del, same).
pub fn diff_lines(before: &str, after: &str) -> Vec<Value> {
    let diff = similar::TextDiff::from_lines(before, after);
    diff.iter_all_changes()
        .map(|change| {
            let (sign, kind) = match change.tag() {
                similar::ChangeTag::Delete => ("-", "del"),
                similar::ChangeTag::Insert => ("+", "add"),
                similar::ChangeTag::Equal => (" ", "same"),
            };
            json!({ "sign": sign, "kind": kind, "text": change.value().trim_end_matches('\n') })
        })
        .collect()
}

/// Makes an old revision the newest again, as a draft to be reviewed and published; refused
/// (409) when the page was saved after the revision page was opened (issue 10).
pub async fn restore_revision(
    State(state): State<Arc<AdminState>>,
    Path((id, number)): Path<(i64, i64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        let page = open_page(&state, &mut signed, id)?;
        let content = match signed.store.revision(id, number) {
            Ok(revision) => revision,
            Err(_) => return Err(state.not_found(Some(&signed))),
        };
        let rights = rights_of(&signed, &page, content.content_type, None);
        let base_revision = form.get("base_revision").parse::<i64>().ok();
        let action = Action::Restore { number, content };
        let notes = match take_step(&state, &mut signed, &page, &action, base_revision, rights)? {
            Ok(step) => {
                return Ok(see_other(&format!(
                    "/pages/{id}?done={}",
                    step.outcome.done()
                )));
            }
            Err(Stopped::Refused(Refusal::Stale {
                by,
                at,
                head,
                number,
            })) => RevisionNotes {
                stale: Some(StaleNotice {
                    by,
                    at,
                    head,
                    number,
                }),
                ..Default::default()
            },
            Err(Stopped::Refused(Refusal::MayNotEdit)) => {
                let what = format!("{} restore", page.meta.url);
                return Err(state.forbidden(&mut signed, &what));
            }
            Err(Stopped::Refused(refusal)) => RevisionNotes {
                errors: refusal_text(&signed.lang, &refusal),
                ..Default::default()
            },
            Err(Stopped::Store(refusal)) => RevisionNotes {
                errors: vec![refusal.to_string()],
                ..Default::default()
            },
        };
        revision_page(&state, &signed, &page, number, notes)
    })
    .await
}

// ---------------------------------------------------------------- delete

/// Deletes a page; refused, naming them, while other pages link to it (D189 §6.4.4).
pub async fn delete_page(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        let page = open_page(&state, &mut signed, id)?;
        let rights = rights_of(&signed, &page, page.head.content_type, None);
        let errors = match take_step(&state, &mut signed, &page, &Action::Delete, None, rights)? {
            Ok(_) => return Ok(see_other("/pages?done=deleted")),
            Err(Stopped::Refused(Refusal::MayNotEdit | Refusal::MayNotPublish)) => {
                let what = format!("{} delete", page.meta.url);
                return Err(state.forbidden(&mut signed, &what));
            }
            Err(Stopped::Refused(refusal)) => refusal_text(&signed.lang, &refusal),
            Err(Stopped::Store(refusal)) => {
                let mut errors = vec![text(&signed.lang, "error_linked")];
                errors.extend(refusal.problems);
                errors
            }
        };
        editor_page(
            &state,
            &signed,
            &page,
            &page.head,
            EditorNotes {
                errors,
                ..Default::default()
            },
        )
    })
    .await
}

/// `Content-Type` for CSV downloads.
pub fn csv_headers(response: &mut Response, file_name: &str) {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_word_html_becomes_clean_markdown() {
        // D189 §6.4.1
        let word = r#"<html><head><style>p.MsoNormal{margin:0}</style></head><body>
            <h1 class="MsoTitle">Hesabat</h1>
            <p class="MsoNormal" style="font-family:Calibri"><b>Vacib:</b> <span style="color:red">müraciət</span> <i>qəbul</i> edilir.</p>
            <ul><li>birinci</li><li>ikinci</li></ul>
            <table><tr><th>Ad</th><th>Say</th></tr><tr><td>Bakı</td><td>3</td></tr></table>
            <p onclick="x()">Bax: <a href="javascript:alert(1)">bura</a> və <a href="https://e-gov.az" style="x">e-gov</a></p>
            <script>alert(1)</script></body></html>"#;
        let markdown = clean_pasted_html(word);
        assert!(markdown.contains("## Hesabat"), "{markdown}");
        assert!(markdown.contains("**Vacib:**"), "{markdown}");
        assert!(
            markdown.contains("*qəbul*") || markdown.contains("_qəbul_"),
            "{markdown}"
        );
        assert!(markdown.contains("birinci"), "{markdown}");
        assert!(markdown.contains("| Bakı"), "{markdown}");
        assert!(markdown.contains("[e-gov](https://e-gov.az)"), "{markdown}");
        // Issue 11: Word's own table markup (no header cells, a paragraph in every cell) was
        // pasted as one paragraph per cell.
        let word_table = r#"<table class=MsoTableGrid border=1><tbody>
            <tr><td width=200><p class=MsoNormal><b>Şəhər</b></p></td><td><p class=MsoNormal>Tarix</p></td></tr>
            <tr><td><p class=MsoNormal>Gəncə</p></td><td><p class=MsoNormal>10 mart</p><p class=MsoNormal>2026</p></td></tr>
            </tbody></table>"#;
        let table = clean_pasted_html(word_table);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "header, rule, one row: {table}");
        assert!(
            lines[0].starts_with('|') && lines[0].contains("Şəhər") && lines[0].contains("Tarix"),
            "{table}"
        );
        assert!(lines[1].contains("---"), "{table}");
        assert!(
            lines[2].contains("Gəncə") && lines[2].contains("10 mart 2026"),
            "{table}"
        );
        for gone in [
            "Mso",
            "Calibri",
            "color",
            "script",
            "alert",
            "onclick",
            "javascript",
        ] {
            assert!(!markdown.contains(gone), "{gone} in {markdown}");
        }
    }

    #[test]
    fn diffs_mark_added_and_removed_lines() {
        let rows = diff_lines("a\nb\nc\n", "a\nB\nc\n");
        let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["same", "del", "add", "same"]);
    }
}
