//! Structure and design: the sections tree with menu order and publishing deadlines
//! (D189 §6.4.4, §6.4.6, §4.4), the media library, the theme's templates (checked before they
//! are saved, so a broken template never reaches the public site; D189 §6.4.2) and the
//! interface strings of each language.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use tera::Context;
use time::OffsetDateTime;

use super::permissions::Module;
use super::views::text;
use super::{AdminState, Form, Query, Reply, Signed, blocking, html_response, see_other};
use crate::slug::slugify;

/// The largest file the media library accepts.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

// ---------------------------------------------------------------- sections

pub async fn sections(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Structure, "/sections")?;
        sections_page(&state, &signed, query.contains_key("done"), &[])
    })
    .await
}

fn sections_page(state: &AdminState, signed: &Signed, saved: bool, errors: &[String]) -> Reply {
    let fail = |e: crate::store::Error| state.internal(e.into());
    let sections = signed.store.sections().map_err(fail)?;
    let deadlines: BTreeMap<i64, i64> = signed
        .store
        .section_deadlines()
        .map_err(fail)?
        .into_iter()
        .collect();
    // A tree per language, children in menu order (weight, then title).
    fn children(
        parent: Option<i64>,
        lang: &str,
        sections: &[crate::store::SectionRecord],
        deadlines: &BTreeMap<i64, i64>,
        depth: usize,
    ) -> Vec<Value> {
        let mut kids: Vec<&crate::store::SectionRecord> = sections
            .iter()
            .filter(|s| s.lang == lang && s.parent_id == parent)
            .collect();
        kids.sort_by(|a, b| {
            a.content
                .weight
                .cmp(&b.content.weight)
                .then_with(|| crate::i18n::collate(lang, &a.content.title, &b.content.title))
        });
        kids.into_iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "title": if s.parent_id.is_none() { "—".to_string() } else { s.content.title.clone() },
                    "path": format!("/{}/{}", s.lang, s.path.iter().map(|p| format!("{p}/")).collect::<String>()),
                    "weight": s.content.weight,
                    "menu": s.content.menu,
                    "update_days": deadlines.get(&s.id),
                    "root": s.parent_id.is_none(),
                    "children": if depth < 16 { children(Some(s.id), lang, sections, deadlines, depth + 1) } else { Vec::new() },
                })
            })
            .collect()
    }
    let trees: Vec<Value> = state
        .config
        .languages
        .iter()
        .map(|lang| json!({ "lang": lang, "sections": children(None, lang, &sections, &deadlines, 0) }))
        .collect();
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "nav_sections"));
    context.insert("trees", &trees);
    let mut parents: Vec<(String, String, i64)> = sections
        .iter()
        .map(|s| {
            let path = format!(
                "/{}/{}",
                s.lang,
                s.path.iter().map(|p| format!("{p}/")).collect::<String>()
            );
            (s.lang.clone(), path, s.id)
        })
        .collect();
    parents.sort();
    context.insert(
        "parents",
        &parents
            .iter()
            .map(|(_, path, id)| json!({ "id": id, "path": path }))
            .collect::<Vec<_>>(),
    );
    context.insert(
        "types",
        &crate::model::ContentType::ALL
            .iter()
            .map(|t| json!({ "value": t.as_str(), "label": text(&signed.lang, &format!("type_{}", t.as_str())) }))
            .collect::<Vec<_>>(),
    );
    context.insert("saved", &saved);
    context.insert("errors", errors);
    state.page(signed, "sections.html", context)
}

/// Saves menu order, menu membership and deadlines of every section in the form, then
/// publishes (the menus change on every page).
pub async fn save_sections(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Structure, "/sections save")?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        if form.get("action") == "create" {
            return create_section(&state, &mut signed, &form);
        }
        let sections = signed.store.sections().map_err(fail)?;
        let mut errors = Vec::new();
        let mut changes = Vec::new();
        for section in &sections {
            let id = section.id;
            if !form.has(&format!("weight_{id}")) {
                continue;
            }
            let weight = form.get(&format!("weight_{id}")).trim();
            let Ok(weight) = weight.parse::<i64>() else {
                errors.push(format!(
                    "{} ({}): {}",
                    section.content.title,
                    section.lang,
                    text(&signed.lang, "error_number").replace("{value}", weight)
                ));
                continue;
            };
            let days = form.get(&format!("days_{id}")).trim();
            let days = if days.is_empty() {
                None
            } else {
                match days.parse::<i64>() {
                    Ok(days) if days > 0 => Some(days),
                    _ => {
                        errors.push(format!(
                            "{} ({}): {}",
                            section.content.title,
                            section.lang,
                            text(&signed.lang, "error_number").replace("{value}", days)
                        ));
                        continue;
                    }
                }
            };
            changes.push((id, weight, form.has(&format!("menu_{id}")), days));
        }
        if !errors.is_empty() {
            let mut response = sections_page(&state, &signed, false, &errors)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        let actor = signed.actor.clone();
        for (id, weight, menu, days) in changes {
            signed
                .store
                .set_section_order(id, weight, menu, days, &actor)
                .map_err(fail)?;
        }
        state.publish(&signed)?;
        Ok(see_other("/sections?done=1"))
    })
    .await
}

/// Adds a section under a parent (D189 §6.4.4); it starts outside the main menu.
fn create_section(state: &AdminState, signed: &mut Signed, form: &Form) -> Reply {
    let Ok(parent) = form.get("parent").parse::<i64>() else {
        let error = text(&signed.lang, "error_section");
        return sections_page(state, signed, false, &[error]);
    };
    let types: Vec<crate::model::ContentType> = form
        .all("types")
        .iter()
        .filter_map(|t| t.parse().ok())
        .collect();
    let actor = signed.actor.clone();
    match signed.store.create_section(
        parent,
        form.get("slug"),
        form.get("title"),
        form.get("translation_key"),
        &types,
        &actor,
    ) {
        Ok(_) => {
            state.publish(signed)?;
            Ok(see_other("/sections?done=1"))
        }
        Err(error) => {
            let refusal = state.refusal(error)?;
            let mut response = sections_page(state, signed, false, &[refusal.to_string()])?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

// ---------------------------------------------------------------- footer links

/// Empty rows the footer form offers for new links.
const NEW_LINK_ROWS: usize = 3;

pub async fn menus(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Structure, "/menus")?;
        let lang = site_lang(&state, query.get("lang").map(String::as_str));
        let links = signed
            .store
            .footer_links(&lang)
            .map_err(|e| state.internal(e.into()))?;
        menus_page(
            &state,
            &signed,
            &lang,
            &links,
            query.contains_key("saved"),
            &[],
        )
    })
    .await
}

/// A language of the site, the default one when `requested` is not.
fn site_lang(state: &AdminState, requested: Option<&str>) -> String {
    requested
        .filter(|lang| state.config.languages.iter().any(|l| l == lang))
        .unwrap_or(state.config.default_language())
        .to_string()
}

fn menus_page(
    state: &AdminState,
    signed: &Signed,
    lang: &str,
    links: &[(String, String)],
    saved: bool,
    errors: &[String],
) -> Reply {
    let rows: Vec<Value> = links
        .iter()
        .map(|(title, link)| json!({ "title": title, "link": link }))
        .chain((0..NEW_LINK_ROWS).map(|_| json!({ "title": "", "link": "" })))
        .collect();
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "footer_links"));
    context.insert("lang", lang);
    context.insert("languages", &state.config.languages);
    context.insert("rows", &rows);
    context.insert("saved", &saved);
    context.insert("errors", errors);
    let mut response = state.page(signed, "menus.html", context)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Saves a language's footer links: rows with both fields empty are dropped; a link is an
/// address on the web (`https://…`) or a page or section of the site (`@/az/…/x.md`, as in
/// `_menus.toml`), which must exist.
pub async fn save_menus(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Structure, "/menus save")?;
        let lang = site_lang(&state, Some(form.get("lang")));
        let fail = |e: crate::store::Error| state.internal(e.into());
        let known = signed.store.source_paths().map_err(fail)?;
        let titles = form.all("title");
        let links = form.all("link");
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for (number, (title, link)) in titles.iter().zip(&links).enumerate() {
            let (title, link) = (title.trim(), link.trim());
            if title.is_empty() && link.is_empty() {
                continue;
            }
            let web = crate::model::is_web_address(link);
            if title.is_empty() || !(web || known.contains(link)) {
                errors.push(
                    text(&signed.lang, "error_link")
                        .replace("{row}", &(number + 1).to_string())
                        .replace("{link}", link),
                );
            }
            rows.push((title.to_string(), link.to_string()));
        }
        if !errors.is_empty() {
            return menus_page(&state, &signed, &lang, &rows, false, &errors);
        }
        let actor = signed.actor.clone();
        if signed
            .store
            .save_footer_links(&lang, &rows, &actor)
            .map_err(fail)?
        {
            state.publish(&signed)?;
        }
        Ok(see_other(&format!("/menus?lang={lang}&saved=1")))
    })
    .await
}

// ---------------------------------------------------------------- media

pub async fn media(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Media, "/media")?;
        let uploaded = query.get("uploaded").cloned();
        media_page(&state, &signed, uploaded.as_deref(), &[])
    })
    .await
}

fn media_page(
    state: &AdminState,
    signed: &Signed,
    uploaded: Option<&str>,
    errors: &[String],
) -> Reply {
    let files = signed
        .store
        .media_list()
        .map_err(|e| state.internal(e.into()))?;
    let rows: Vec<Value> = files
        .iter()
        .map(|f| json!({ "path": f.path, "mime": f.mime, "size": crate::i18n::format_size(&signed.lang, f.size), "sha256": &f.sha256[..12.min(f.sha256.len())] }))
        .collect();
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "nav_media"));
    context.insert("files", &rows);
    context.insert("uploaded", &uploaded);
    context.insert("errors", errors);
    context.insert("allowed", &crate::media::allowed_list());
    context.insert(
        "max_size",
        &crate::i18n::format_size(&signed.lang, MAX_UPLOAD_BYTES as u64),
    );
    let mut response = state.page(signed, "media.html", context)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Uploads a file into `files/` (or a folder under it): allowed types only, within the size
/// limit, the name transliterated to a safe address; type, size and checksum are recorded.
pub async fn upload_media(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                if name == "file" {
                    let file_name = field.file_name().unwrap_or_default().to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((file_name, bytes.to_vec())),
                        Err(_) => too_large = true,
                    }
                } else if let Ok(value) = field.text().await {
                    fields.push((name, value));
                }
            }
            Ok(None) => break,
            Err(_) => {
                too_large = true;
                break;
            }
        }
    }
    let form = Form(fields);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Media, "/media upload")?;
        let lang = signed.lang.clone();
        let max = crate::i18n::format_size(&lang, MAX_UPLOAD_BYTES as u64);
        let Some((file_name, bytes)) = file.filter(|_| !too_large) else {
            let error = if too_large {
                text(&lang, "error_upload_size").replace("{max}", &max)
            } else {
                text(&lang, "error_upload_missing")
            };
            return media_page(&state, &signed, None, &[error]);
        };
        if bytes.len() > MAX_UPLOAD_BYTES {
            let error = text(&lang, "error_upload_size").replace("{max}", &max);
            return media_page(&state, &signed, None, &[error]);
        }
        let (stem, extension) = file_name
            .rsplit_once('.')
            .map(|(stem, ext)| (stem.to_string(), crate::slug::turkic_lowercase(ext)))
            .unwrap_or((file_name.clone(), String::new()));
        // The same allow-list as import, checked by content, not only by name (issue 9).
        let mime = match crate::media::check(&extension, &bytes) {
            Ok(mime) => mime,
            Err(refusal) => {
                let key = match refusal {
                    crate::media::Refusal::Type { .. } => "error_upload_type",
                    crate::media::Refusal::Content { .. } => "error_upload_content",
                };
                let error = text(&lang, key)
                    .replace("{name}", &file_name)
                    .replace("{allowed}", &crate::media::allowed_list());
                return media_page(&state, &signed, None, &[error]);
            }
        };
        let folder: String = form
            .get("folder")
            .split('/')
            .map(slugify)
            .filter(|part| !part.is_empty())
            .map(|part| format!("{part}/"))
            .collect();
        let stem = slugify(&stem);
        let stem = if stem.is_empty() {
            "file".to_string()
        } else {
            stem
        };
        let path = format!("files/{folder}{stem}.{extension}");
        let actor = signed.actor.clone();
        match signed.store.add_media(&path, mime, &bytes, &actor) {
            Ok(()) => {
                state.publish(&signed)?;
                Ok(see_other(&format!(
                    "/media?uploaded={}",
                    serde_urlencoded::to_string([("", &path)])
                        .unwrap_or_default()
                        .trim_start_matches('=')
                )))
            }
            Err(error) => {
                let refusal = state.refusal(error)?;
                media_page(&state, &signed, None, &[refusal.to_string()])
            }
        }
    })
    .await
}

// ---------------------------------------------------------------- templates

pub async fn templates(State(state): State<Arc<AdminState>>, headers: HeaderMap) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Templates, "/templates")?;
        let templates = signed
            .store
            .templates(&state.config.theme)
            .map_err(|e| state.internal(e.into()))?;
        let mut context = Context::new();
        context.insert("title", &text(&signed.lang, "nav_templates"));
        context.insert("names", &templates.keys().collect::<Vec<_>>());
        context.insert("theme", &state.config.theme);
        state.page(&signed, "templates.html", context)
    })
    .await
}

pub async fn template_form(
    State(state): State<Arc<AdminState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(
            &mut signed,
            Module::Templates,
            &format!("/templates/{name}"),
        )?;
        let templates = signed
            .store
            .templates(&state.config.theme)
            .map_err(|e| state.internal(e.into()))?;
        let Some(body) = templates.get(&name) else {
            return Err(state.not_found(Some(&signed)));
        };
        template_page(
            &state,
            &signed,
            &name,
            body,
            query.contains_key("saved"),
            &[],
        )
    })
    .await
}

fn template_page(
    state: &AdminState,
    signed: &Signed,
    name: &str,
    body: &str,
    saved: bool,
    errors: &[String],
) -> Reply {
    let mut context = Context::new();
    context.insert(
        "title",
        &format!("{} {name}", text(&signed.lang, "template")),
    );
    context.insert("name", name);
    context.insert("body", body);
    context.insert("saved", &saved);
    context.insert("errors", errors);
    let mut response = state.page(signed, "template_edit.html", context)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Checks a changed template by compiling the whole theme with it and rendering the home
/// page and a content page of every language; saves and publishes only if all of that works.
/// `action=preview` shows the home page rendered with it instead.
pub async fn save_template(
    State(state): State<Arc<AdminState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(
            &mut signed,
            Module::Templates,
            &format!("/templates/{name} save"),
        )?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        let mut templates = signed.store.templates(&state.config.theme).map_err(fail)?;
        if !templates.contains_key(&name) {
            return Err(state.not_found(Some(&signed)));
        }
        let body = form.get("body").replace("\r\n", "\n");
        templates.insert(name.clone(), body.clone());
        let rendered = match state.publisher.try_templates(
            &signed.store,
            &templates,
            OffsetDateTime::now_utc(),
        ) {
            Ok(rendered) => rendered,
            Err(problems) => return template_page(&state, &signed, &name, &body, false, &problems),
        };
        if form.get("action") == "preview" {
            return Ok(html_response(rendered));
        }
        let actor = signed.actor.clone();
        signed
            .store
            .save_template(&state.config.theme, &name, &body, &actor)
            .map_err(fail)?;
        state.publish(&signed)?;
        Ok(see_other(&format!("/templates/{name}?saved=1")))
    })
    .await
}

// ---------------------------------------------------------------- interface strings

pub async fn strings(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Strings, "/strings")?;
        let lang = query
            .get("lang")
            .filter(|l| state.config.languages.contains(l))
            .cloned()
            .unwrap_or_else(|| state.config.default_language().to_string());
        strings_page(&state, &signed, &lang, query.get("saved"), &[], &[])
    })
    .await
}

/// The strings screen of a language: the stored strings with `edited` ones shown over them,
/// and `errors` above the form (then answered 422).
fn strings_page(
    state: &AdminState,
    signed: &Signed,
    lang: &str,
    saved: Option<&String>,
    edited: &[(String, String)],
    errors: &[String],
) -> Reply {
    let mut strings = signed
        .store
        .ui_strings(lang)
        .map_err(|e| state.internal(e.into()))?;
    for (key, value) in edited {
        if let Some(shown) = strings.get_mut(key) {
            shown.clone_from(value);
        }
    }
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "nav_strings"));
    context.insert("lang", lang);
    context.insert("languages", &state.config.languages);
    context.insert("strings", &strings);
    context.insert("saved", &saved);
    context.insert("errors", errors);
    let mut response = state.page(signed, "strings.html", context)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Saves the changed interface strings of a language and publishes.
pub async fn save_strings(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Strings, "/strings save")?;
        let lang = form.get("lang").to_string();
        if !state.config.languages.contains(&lang) {
            return Err(state.not_found(Some(&signed)));
        }
        let changes: Vec<(String, String)> = form
            .0
            .iter()
            .filter_map(|(key, value)| {
                key.strip_prefix("s.")
                    .map(|key| (key.to_string(), value.trim().to_string()))
            })
            .collect();
        // D189 §6.15: strings that become addresses must be slugs; a blank one is refused
        // too (it would otherwise be skipped silently), nothing is saved.
        let mut errors: Vec<String> = changes
            .iter()
            .filter(|(key, value)| crate::i18n::url_segment_problem(key, value).is_some())
            .map(|(key, value)| {
                text(&signed.lang, "error_url_segment")
                    .replace("{key}", key)
                    .replace("{value}", value)
                    .replace(
                        "{example}",
                        &crate::i18n::url_segment_suggestion(key, value),
                    )
            })
            .collect();
        // Issue 11: a string keeps the placeholders the site fills in, or it would show
        // "Səhifə 1 / {total}".
        errors.extend(
            changes
                .iter()
                .filter(|(_, value)| !value.is_empty())
                .filter_map(|(key, value)| {
                    let (expected, found) = crate::i18n::placeholder_problem(key, value)?;
                    Some(
                        text(&signed.lang, "error_placeholders")
                            .replace("{key}", key)
                            .replace("{expected}", &expected)
                            .replace("{found}", &found),
                    )
                }),
        );
        if !errors.is_empty() {
            return strings_page(&state, &signed, &lang, None, &changes, &errors);
        }
        let changes: Vec<(String, String)> = changes
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        let actor = signed.actor.clone();
        let changed = match signed.store.save_ui_strings(&lang, &changes, &actor) {
            Ok(changed) => changed,
            Err(error) => {
                // A refusal here means a key the language does not have.
                state.refusal(error)?;
                return Err(state.not_found(Some(&signed)));
            }
        };
        if changed > 0 {
            state.publish(&signed)?;
        }
        Ok(see_other(&format!("/strings?lang={lang}&saved={changed}")))
    })
    .await
}
