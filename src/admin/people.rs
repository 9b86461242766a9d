//! Signing in and out, changing one's password and interface language, managing users and
//! groups (D189 §6.5), and the audit journal's view and CSV export (D189 §10.1.3).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tera::Context;
use time::OffsetDateTime;

use super::auth;
use super::permissions::{self, Module};
use super::views::{UI_LANGUAGES, text};
use super::{
    AdminState, ClientAddr, Form, Query, Reply, Signed, blocking, html_response, see_other,
};
use crate::store::{Actor, Group, JournalFilter, LoginGate};

/// What a typed login name that no account can have is counted and journaled as (it is not a
/// valid user name itself, so it never matches an account).
const INVALID_LOGIN_NAME: &str = "(not a user name)";

// ---------------------------------------------------------------- login

/// The login form; refused over plain HTTP off loopback (D189 §6.3.12).
pub async fn login_form(State(state): State<Arc<AdminState>>, query: Query) -> Response {
    blocking(move || {
        let lang = ui_lang_of(query.get("lang"));
        if !state.credentials_allowed() {
            return Err(https_required(&state, &lang));
        }
        let notice = if query.contains_key("expired") {
            Some(text(&lang, "session_expired"))
        } else if query.contains_key("changed") {
            Some(text(&lang, "password_changed_login"))
        } else {
            None
        };
        // Issue 11: the token of a text kept when the session ended travels with the login.
        let kept = query
            .get("kept")
            .map(String::as_str)
            .filter(|token| is_token(token));
        login_page(
            &state,
            &lang,
            "",
            notice.as_deref(),
            None,
            StatusCode::OK,
            kept,
        )
    })
    .await
}

/// A token as `auth::random_token` makes them: 64 lowercase hexadecimal digits.
fn is_token(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn ui_lang_of(requested: Option<&String>) -> String {
    requested
        .map(String::as_str)
        .filter(|lang| UI_LANGUAGES.contains(lang))
        .unwrap_or(UI_LANGUAGES[0])
        .to_string()
}

fn https_required(state: &AdminState, lang: &str) -> Response {
    state.message(
        StatusCode::FORBIDDEN,
        lang,
        "https_required_title",
        "https_required_text",
        None,
    )
}

fn login_page(
    state: &AdminState,
    lang: &str,
    name: &str,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
    kept: Option<&str>,
) -> Reply {
    let mut context = Context::new();
    context.insert("kept", &kept);
    context.insert("title", &text(lang, "login_title"));
    context.insert("name", if name == INVALID_LOGIN_NAME { "" } else { name });
    context.insert("notice", &notice);
    context.insert("error", &error);
    context.insert(
        "other_lang",
        UI_LANGUAGES.iter().find(|l| **l != lang).unwrap_or(&"en"),
    );
    let html = state
        .layout(None, lang, "login.html", &mut context)
        .map_err(|e| state.internal(e))?;
    let mut response = html_response(html);
    *response.status_mut() = status;
    Ok(response)
}

/// Checks the password, throttling failures per account and per address, and starts a
/// session. Every outcome is journaled (D189 §10.1.3).
pub async fn login(
    State(state): State<Arc<AdminState>>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let address = state.client_address(&peer, &headers);
        let lang = ui_lang_of(Some(&form.get("lang").to_string()));
        if !state.credentials_allowed() {
            return Err(https_required(&state, &lang));
        }
        if !super::same_origin(&headers) {
            return Err(state.message(
                StatusCode::FORBIDDEN,
                &lang,
                "csrf_title",
                "csrf_text",
                None,
            ));
        }
        // No account has a name outside the user-name rule, so any other typed name is
        // counted, throttled and journaled as one placeholder: a megabyte typed as a name must
        // not become a megabyte of journal (issue 9, the attack after item 7).
        let typed = form.get("name").trim();
        let name = if auth::is_valid_user_name(typed) {
            typed.to_string()
        } else {
            INVALID_LOGIN_NAME.to_string()
        };
        let password = form.get("password");
        // Issue 11: the token of a text kept when the session ended, carried through retries.
        let kept = Some(form.get("kept")).filter(|token| is_token(token));
        let mut store = state.open_store().map_err(|e| state.internal(e))?;
        let now = super::now();
        // D189 §6.11: the attempt is counted (and refused, or recorded as a failure) in one
        // transaction before argon2 runs, so parallel attempts cannot slip past the limits.
        let gate = store
            .begin_login_attempt(&name, &address, now, &auth::LOGIN_LIMITS)
            .map_err(|e| state.internal(e.into()))?;
        if gate == LoginGate::Throttled {
            return login_page(
                &state,
                &lang,
                &name,
                None,
                Some(&text(&lang, "login_throttled")),
                StatusCode::TOO_MANY_REQUESTS,
                kept,
            );
        }
        let found = store
            .user_with_hash(&name)
            .map_err(|e| state.internal(e.into()))?;
        // The same work whether or not the account exists.
        let (user, hash) = match &found {
            Some((user, hash)) => (Some(user), hash.as_str()),
            None => (None, auth::dummy_hash()),
        };
        let password_ok = auth::verify_password(password, hash);
        let user = match user {
            Some(user) if password_ok && !user.disabled => user.clone(),
            _ => {
                let reason = match user {
                    None => "unknown user",
                    Some(user) if user.disabled => "account disabled",
                    Some(_) => "wrong password",
                };
                let _ = store.journal_event(
                    &Actor(format!("anonymous@{address}")),
                    "login_failed",
                    "user",
                    &name,
                    json!({ "address": address, "reason": reason }),
                );
                return login_page(
                    &state,
                    &lang,
                    &name,
                    None,
                    Some(&text(&lang, "login_failed")),
                    StatusCode::UNAUTHORIZED,
                    kept,
                );
            }
        };
        let session_id = auth::random_token().map_err(|e| state.internal(e))?;
        let csrf = auth::random_token().map_err(|e| state.internal(e))?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        store
            .purge_sessions(
                now - auth::SESSION_IDLE_SECONDS,
                now - auth::SESSION_ABSOLUTE_SECONDS,
            )
            .map_err(fail)?;
        store
            .create_session(
                &auth::session_hash(&session_id),
                user.id,
                &csrf,
                now,
                &address,
            )
            .map_err(fail)?;
        store.clear_login_failures(&name).map_err(fail)?;
        store
            .journal_event(
                &Actor(user.name.clone()),
                "login",
                "user",
                &user.name,
                json!({ "address": address }),
            )
            .map_err(fail)?;
        // Issue 11: back to the editor with the text typed when the session ended, if this
        // user wrote it.
        let back_to_text = match kept {
            Some(kept) if !user.must_change_password => store
                .kept_text_page(&auth::session_hash(kept), user.id, now)
                .map_err(fail)?
                .map(|page| format!("/pages/{page}?kept={kept}")),
            _ => None,
        };
        let mut response = see_other(match &back_to_text {
            Some(editor) => editor,
            None if user.must_change_password => "/password",
            None => "/",
        });
        set_cookie(
            &mut response,
            &auth::session_cookie(Some(&session_id), state.https),
        );
        Ok(response)
    })
    .await
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

pub async fn logout(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in(&headers)?;
        state.check_csrf(&signed, &form)?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        signed
            .store
            .end_session(&signed.session_hash)
            .map_err(fail)?;
        let actor = signed.actor.clone();
        let name = signed.user.name.clone();
        signed
            .store
            .journal_event(&actor, "logout", "user", &name, json!({}))
            .map_err(fail)?;
        let mut response = see_other("/login");
        set_cookie(&mut response, &auth::session_cookie(None, state.https));
        Ok(response)
    })
    .await
}

// ---------------------------------------------------------------- own account

pub async fn password_form(State(state): State<Arc<AdminState>>, headers: HeaderMap) -> Response {
    blocking(move || {
        let signed = state.signed_in(&headers)?;
        password_page(&state, &signed, &[], StatusCode::OK)
    })
    .await
}

fn password_page(
    state: &AdminState,
    signed: &Signed,
    errors: &[String],
    status: StatusCode,
) -> Reply {
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "password_title"));
    context.insert("errors", errors);
    context.insert("forced", &signed.user.must_change_password);
    context.insert("min_chars", &auth::MIN_PASSWORD_CHARS);
    let mut response = state.page(signed, "password.html", context)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Changes one's own password: the current one, then a new one that passes the policy
/// (D189 §6.11). Other sessions of the user end.
pub async fn change_password(
    State(state): State<Arc<AdminState>>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let address = state.client_address(&peer, &headers);
        let mut signed = state.signed_in(&headers)?;
        state.check_csrf(&signed, &form)?;
        let fail = |e: crate::store::Error| state.internal(e.into());
        let (_, hash) = signed
            .store
            .user_with_hash(&signed.user.name)
            .map_err(fail)?
            .ok_or_else(|| state.not_found(None))?;
        let lang = signed.lang.clone();
        // Guessing the current password through a stolen session counts against the same
        // limits as logging in (D189 §6.11), before argon2 runs.
        let gate = signed
            .store
            .begin_login_attempt(
                &signed.user.name,
                &address,
                super::now(),
                &auth::LOGIN_LIMITS,
            )
            .map_err(fail)?;
        if gate == LoginGate::Throttled {
            return password_page(
                &state,
                &signed,
                &[text(&lang, "login_throttled")],
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
        if !auth::verify_password(form.get("current"), &hash) {
            return password_page(
                &state,
                &signed,
                &[text(&lang, "password_current_wrong")],
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        let name = signed.user.name.clone();
        signed.store.clear_login_failures(&name).map_err(fail)?;
        let new = form.get("new");
        if new != form.get("repeat") {
            return password_page(
                &state,
                &signed,
                &[text(&lang, "password_mismatch")],
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        let mut errors: Vec<String> = auth::check_password_policy(new, &signed.user.name)
            .iter()
            .map(|v| {
                text(&lang, v.message_key()).replace("{min}", &auth::MIN_PASSWORD_CHARS.to_string())
            })
            .collect();
        if auth::verify_password(new, &hash) {
            errors.push(text(&lang, "password_same"));
        }
        if !errors.is_empty() {
            return password_page(&state, &signed, &errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let new_hash = auth::hash_password(new).map_err(|e| state.internal(e))?;
        let (id, session, actor) = (
            signed.user.id,
            signed.session_hash.clone(),
            signed.actor.clone(),
        );
        signed
            .store
            .set_password(id, &new_hash, false, Some(&session), &actor)
            .map_err(fail)?;
        Ok(see_other("/?done=password"))
    })
    .await
}

/// Switches the interface language of the signed-in user.
pub async fn set_ui_lang(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in(&headers)?;
        state.check_csrf(&signed, &form)?;
        let lang = form.get("lang");
        if UI_LANGUAGES.contains(&lang) {
            let id = signed.user.id;
            signed
                .store
                .set_ui_lang(id, lang)
                .map_err(|e| state.internal(e.into()))?;
        }
        let back = form.get("back");
        Ok(see_other(if is_panel_path(back) { back } else { "/" }))
    })
    .await
}

/// Is `back` a path of the panel itself, safe to redirect to? One leading `/` and no second
/// one, no backslash (browsers read `/\host` as `//host`), no whitespace or control
/// characters (browsers drop tabs and newlines, so `/\t/host` is `//host` too).
fn is_panel_path(back: &str) -> bool {
    back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(|c| c.is_control() || c.is_whitespace())
}

// ---------------------------------------------------------------- users and groups

pub async fn users(State(state): State<Arc<AdminState>>, headers: HeaderMap) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Users, "/users")?;
        users_page(&state, &signed, &[], None, StatusCode::OK)
    })
    .await
}

fn users_page(
    state: &AdminState,
    signed: &Signed,
    errors: &[String],
    created: Option<(&str, &str)>,
    status: StatusCode,
) -> Reply {
    let fail = |e: crate::store::Error| state.internal(e.into());
    let users = signed.store.users().map_err(fail)?;
    let groups = signed.store.groups().map_err(fail)?;
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "nav_users"));
    context.insert("users", &users);
    context.insert("groups", &groups);
    context.insert("errors", errors);
    context.insert(
        "created",
        &created.map(|(name, password)| json!({ "name": name, "password": password })),
    );
    let mut response = state.page(signed, "users.html", context)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Creates a user with a generated one-time password, shown once.
pub async fn create_user(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Users, "/users create")?;
        let name = form.get("name").trim().to_string();
        let lang = signed.lang.clone();
        if !auth::is_valid_user_name(&name) {
            return users_page(
                &state,
                &signed,
                &[text(&lang, "error_user_name")],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        // D189 §6.5: a new account gets no more than its creator holds (new accounts reach
        // every section and language).
        let group = group_named(&state, &signed, form.get("group"))?;
        if group.as_ref().is_some_and(|group| {
            !permissions::holds_group(&signed.user, group)
                || !permissions::covers_scope(&signed.user, &[], &[])
        }) {
            return Err(state.forbidden(&mut signed, "/users create: more rights than held"));
        }
        let password = auth::generate_password().map_err(|e| state.internal(e))?;
        let hash = auth::hash_password(&password).map_err(|e| state.internal(e))?;
        let actor = signed.actor.clone();
        match signed
            .store
            .create_user(&name, form.get("group"), &hash, true, &actor)
        {
            Ok(_) => users_page(
                &state,
                &signed,
                &[],
                Some((&name, &password)),
                StatusCode::OK,
            ),
            Err(error) => {
                let refusal = state.refusal(error)?;
                users_page(
                    &state,
                    &signed,
                    &[refusal.to_string()],
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        }
    })
    .await
}

pub async fn user_form(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Users, &format!("/users/{id}"))?;
        user_page(&state, &signed, id, None)
    })
    .await
}

fn user_page(state: &AdminState, signed: &Signed, id: i64, password: Option<&str>) -> Reply {
    let fail = |e: crate::store::Error| state.internal(e.into());
    let user = match signed.store.user(id) {
        Ok(user) => user,
        Err(_) => return Err(state.not_found(Some(signed))),
    };
    let groups = signed.store.groups().map_err(fail)?;
    let sections = signed.store.sections().map_err(fail)?;
    // Top-level sections by key, the unit content managers are granted.
    let mut keys: Vec<(String, String)> = sections
        .iter()
        .filter(|s| {
            s.lang == state.config.default_language()
                && s.parent_id.is_some_and(|parent| {
                    sections
                        .iter()
                        .any(|p| p.id == parent && p.parent_id.is_none())
                })
        })
        .map(|s| (s.translation_key.clone(), s.content.title.clone()))
        .collect();
    keys.sort();
    let mut context = Context::new();
    context.insert("title", &user.name);
    context.insert("subject", &user);
    context.insert("groups", &groups);
    context.insert(
        "section_keys",
        &keys
            .iter()
            .map(|(key, title)| json!({ "key": key, "title": title }))
            .collect::<Vec<_>>(),
    );
    context.insert("languages", &state.config.languages);
    context.insert("password", &password);
    state.page(signed, "user_edit.html", context)
}

/// Changes a user's group, sections and languages, disables or enables them, or gives them a
/// new one-time password. Permission changes are journaled with before and after.
pub async fn save_user(
    State(state): State<Arc<AdminState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Users, &format!("/users/{id}"))?;
        let actor = signed.actor.clone();
        let fail = |e: crate::store::Error| state.internal(e.into());
        let Ok(target) = signed.store.user(id) else {
            return Err(state.not_found(Some(&signed)));
        };
        // D189 §6.5: nobody changes their own rights, and only accounts whose rights and
        // reach the actor holds entirely can be changed, disabled or given a new password.
        let action = form.get("action");
        if action == "access" && id == signed.user.id {
            return Err(state.forbidden(&mut signed, &format!("/users/{id}: own access")));
        }
        if ["access", "disable", "enable", "reset"].contains(&action)
            && id != signed.user.id
            && !permissions::may_manage(&signed.user, &target)
        {
            return Err(state.forbidden(
                &mut signed,
                &format!("/users/{id} {action}: a more privileged account"),
            ));
        }
        match action {
            "access" => {
                let sections = form.all("sections");
                let languages = form.all("languages");
                let group = group_named(&state, &signed, form.get("group"))?;
                if group
                    .as_ref()
                    .is_some_and(|group| !permissions::holds_group(&signed.user, group))
                    || !permissions::covers_scope(&signed.user, &sections, &languages)
                {
                    return Err(state.forbidden(
                        &mut signed,
                        &format!("/users/{id} access: more rights than held"),
                    ));
                }
                signed
                    .store
                    .set_user_access(
                        id,
                        form.get("group"),
                        &form.all("sections"),
                        &form.all("languages"),
                        &actor,
                    )
                    .map_err(fail)?;
                Ok(see_other(&format!("/users/{id}")))
            }
            "disable" | "enable" => {
                if id == signed.user.id {
                    // Locking oneself out helps nobody.
                    return Err(state.forbidden(&mut signed, "disable own account"));
                }
                signed
                    .store
                    .set_disabled(id, form.get("action") == "disable", &actor)
                    .map_err(fail)?;
                Ok(see_other(&format!("/users/{id}")))
            }
            "reset" => {
                let password = auth::generate_password().map_err(|e| state.internal(e))?;
                let hash = auth::hash_password(&password).map_err(|e| state.internal(e))?;
                signed
                    .store
                    .set_password(id, &hash, true, None, &actor)
                    .map_err(fail)?;
                user_page(&state, &signed, id, Some(&password))
            }
            _ => Err(state.not_found(Some(&signed))),
        }
    })
    .await
}

pub async fn groups(State(state): State<Arc<AdminState>>, headers: HeaderMap) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Users, "/groups")?;
        groups_page(&state, &signed, &[])
    })
    .await
}

fn groups_page(state: &AdminState, signed: &Signed, errors: &[String]) -> Reply {
    let groups = signed
        .store
        .groups()
        .map_err(|e| state.internal(e.into()))?;
    let mut context = Context::new();
    context.insert("title", &text(&signed.lang, "groups"));
    context.insert("groups", &groups);
    context.insert(
        "modules",
        &Module::ALL
            .iter()
            .map(|m| json!({ "name": m.as_str(), "label": text(&signed.lang, &format!("module_{}", m.as_str())) }))
            .collect::<Vec<_>>(),
    );
    context.insert("errors", errors);
    state.page(signed, "groups.html", context)
}

/// Creates or changes a custom group: its modules and whether it may publish (D189 §6.5).
pub async fn save_group(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, Some(&form))?;
        state.require(&mut signed, Module::Users, "/groups save")?;
        let name = form.get("name").trim().to_string();
        let lang = signed.lang.clone();
        if !auth::is_valid_user_name(&name) {
            return groups_page(&state, &signed, &[text(&lang, "error_group_name")]);
        }
        let modules: Vec<String> = form
            .all("modules")
            .into_iter()
            .filter(|m| Module::parse(m).is_some())
            .collect();
        // D189 §6.5: a group gets no more than its editor holds, and a group with more
        // cannot be edited by them.
        let existing = group_named(&state, &signed, &name)?;
        if !permissions::holds_rights(&signed.user, &modules, form.has("can_publish"))
            || existing
                .as_ref()
                .is_some_and(|group| !permissions::holds_group(&signed.user, group))
        {
            return Err(state.forbidden(
                &mut signed,
                &format!("/groups save {name}: more rights than held"),
            ));
        }
        let actor = signed.actor.clone();
        match signed
            .store
            .save_group(&name, &modules, form.has("can_publish"), &actor)
        {
            Ok(_) => Ok(see_other("/groups")),
            Err(error) => {
                let refusal = state.refusal(error)?;
                groups_page(&state, &signed, &[refusal.to_string()])
            }
        }
    })
    .await
}

/// The group of this name, if there is one.
fn group_named(state: &AdminState, signed: &Signed, name: &str) -> Result<Option<Group>, Response> {
    Ok(signed
        .store
        .groups()
        .map_err(|e| state.internal(e.into()))?
        .into_iter()
        .find(|group| group.name == name))
}

// ---------------------------------------------------------------- journal

/// An RFC 3339 UTC time in the site's time zone, to the second: `2026-11-22 09:30:05`.
pub fn local_stamp(state: &AdminState, at: &str) -> String {
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map(|t| t.to_offset(state.config.utc_offset))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// An RFC 3339 UTC time to the second, as HTML's `datetime` attribute takes it (the journal
/// keeps nanoseconds).
fn machine_stamp(at: &str) -> String {
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// The filter of the journal view from its query: dates are the site's local days.
fn journal_filter(state: &AdminState, query: &Query, limit: usize) -> JournalFilter {
    let day = |key: &str, next: bool| -> Option<String> {
        let value = query.get(key)?;
        let date = time::Date::parse(
            value,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        let date = if next { date.next_day()? } else { date };
        let start = time::PrimitiveDateTime::new(date, time::Time::MIDNIGHT)
            .assume_offset(state.config.utc_offset)
            .to_offset(time::UtcOffset::UTC);
        start
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    };
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|&p| p > 0)
        .unwrap_or(1);
    JournalFilter {
        actor: query.get("actor").cloned(),
        action: query.get("action").cloned(),
        object_type: query.get("object_type").cloned(),
        object: query.get("object").cloned(),
        from: day("from", false),
        until: day("until", true),
        limit,
        offset: (page - 1) * limit,
    }
}

/// The journal, newest first, filtered by who, what, object and days (D189 §10.1.3).
pub async fn journal(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Journal, "/journal")?;
        const PER_PAGE: usize = 50;
        let filter = journal_filter(&state, &query, PER_PAGE);
        let (entries, total) = signed
            .store
            .journal_filtered(&filter)
            .map_err(|e| state.internal(e.into()))?;
        let rows: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "at": local_stamp(&state, &e.at),
                    "at_utc": machine_stamp(&e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object": e.object,
                    "detail": detail_summary(&e.detail),
                })
            })
            .collect();
        // Only what was added since the last verification of this process is recomputed
        // (issue 9: a page load must not cost the whole chain); `audit-log verify` checks all.
        let (count, problem) = state.verify_journal_incrementally(&signed.store)?;
        let page = filter.offset / PER_PAGE + 1;
        let mut context = Context::new();
        context.insert("title", &text(&signed.lang, "nav_journal"));
        context.insert("rows", &rows);
        context.insert("total", &total);
        context.insert(
            "filter",
            &super::filter_values(
                &query,
                &["actor", "action", "object_type", "object", "from", "until"],
            ),
        );
        context.insert("page", &page);
        context.insert("pages", &total.div_ceil(PER_PAGE).max(1));
        context.insert("chain_ok", &problem.is_none());
        context.insert("chain_count", &count);
        context.insert("chain_problem", &problem.map(|p| p.message));
        let query_string = serde_urlencoded::to_string(
            query
                .iter()
                .filter(|(k, _)| k.as_str() != "page")
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        context.insert("query_string", &query_string);
        state.page(&signed, "journal.html", context)
    })
    .await
}

/// A journal entry's detail, shortened for the table: long texts (page bodies before and
/// after) are cut; the CSV export has them whole.
fn detail_summary(detail: &str) -> String {
    const LIMIT: usize = 300;
    if detail.chars().count() <= LIMIT {
        return detail.to_string();
    }
    let cut: String = detail.chars().take(LIMIT).collect();
    format!("{cut}…")
}

/// The filtered journal as CSV, every field whole; the export itself is journaled.
pub async fn journal_csv(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
    query: Query,
) -> Response {
    blocking(move || {
        let mut signed = state.signed_in_for(&headers, None)?;
        state.require(&mut signed, Module::Journal, "/journal.csv")?;
        let filter = journal_filter(&state, &query, 1_000_000);
        let fail = |e: crate::store::Error| state.internal(e.into());
        let (entries, total) = signed.store.journal_filtered(&filter).map_err(fail)?;
        let actor = signed.actor.clone();
        signed
            .store
            .journal_event(
                &actor,
                "export",
                "journal",
                "journal.csv",
                json!({ "entries": total, "filter": *query }),
            )
            .map_err(fail)?;
        let mut csv =
            String::from("id,at_utc,at_local,actor,action,object_type,object,detail,hash\r\n");
        for entry in entries.iter().rev() {
            let fields = [
                entry.id.to_string(),
                entry.at.clone(),
                local_stamp(&state, &entry.at),
                entry.actor.clone(),
                entry.action.clone(),
                entry.object_type.clone(),
                entry.object.clone(),
                entry.detail.clone(),
                entry.hash.clone(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            csv.push_str(&line.join(","));
            csv.push_str("\r\n");
        }
        let mut response = csv.into_response();
        super::content::csv_headers(&mut response, "journal.csv");
        Ok(response)
    })
    .await
}

/// One CSV field (RFC 4180): quoted, with quotes doubled. A leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so that spreadsheets do not run it as a formula.
fn csv_field(value: &str) -> String {
    let safe = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
