//! The publishing workflow (D189 §6.4.4): what a user's action on a page does — the one step
//! the store applies ([`crate::store::Store::apply_step`]) — or why it is refused. A pure
//! function of the action, the page's head and live revisions, the base revision of the
//! user's form, the user's rights and the time: no database, no clock, no files.
//!
//! Transitions (`decide`):
//!
//! | action | needs | step |
//! |---|---|---|
//! | save draft | edit | the form's content as a `draft` |
//! | submit for review | edit | the form's content as `review` |
//! | publish | edit, publish | `published`; scheduled when `publish_at` is still to come; dated (D189 §4.2) |
//! | correct | edit, publish, a live page, a note | `published` now with the correction note (D189 §4.3) |
//! | unpublish | edit, publish, a live or scheduled page, a reason | the **live** revision as `unpublished`, in effect now |
//! | restore N | edit | revision N as a `draft` |
//! | delete | edit, publish | the page and its history go |
//!
//! Every action but delete is refused when the form was opened on another revision than the
//! head (issue 10, lost update); a move needs the right to edit in the target section.

use time::OffsetDateTime;

use crate::guard::Finding;
use crate::model::{Correction, PageContent, Stamp, Status};

/// One revision of a page as the workflow sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub id: i64,
    pub number: i64,
    /// Who saved it: the journal's actor name.
    pub author: String,
    /// When it was saved: UTC, RFC 3339, as stored.
    pub saved_at: String,
    pub content: PageContent,
}

/// What the user may do with this page, derived by the handler from `admin::permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    /// May edit the page (its content type, language and section).
    pub edit: bool,
    /// May publish, schedule, correct, unpublish and delete it.
    pub publish: bool,
    /// May edit in the section the form moves the page to; unread when the page stays.
    pub edit_target: bool,
}

/// What the editor's form sends besides the button pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The form's fields over the head revision (its status is the head's; `decide` sets it).
    pub content: PageContent,
    /// Another section of the page's language to move it to (D189 §6.4.4).
    pub move_to: Option<i64>,
    /// The user takes responsibility for the confidentiality findings (D189 §4.5).
    pub override_guard: bool,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SaveDraft(Edit),
    SubmitForReview(Edit),
    /// Publish now, or schedule when the form's `publish_at` is still to come.
    Publish(Edit),
    /// Publish a corrected version of a live page with a note saying what changed (D189 §4.3).
    Correct {
        edit: Edit,
        note: Option<String>,
    },
    /// Take the page off the site, with the reason (D189 §4.3). The form's edits are not saved.
    Unpublish {
        reason: Option<String>,
    },
    /// Make revision `number` (with this content) the newest again, as a draft.
    Restore {
        number: i64,
        content: PageContent,
    },
    Delete,
}

/// What the store does, in one transaction, in this order.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The head revision the user's form was opened on: the store refuses the whole step
    /// (`store::Error::Stale`) when the head is another one by the time it applies it. `None`:
    /// not checked (delete).
    pub base_revision: Option<i64>,
    /// Confidentiality findings published anyway: journaled as `override_confidentiality`.
    pub guard_override: Vec<Finding>,
    /// The section to move the page to; its old address then redirects to the new one.
    pub move_to: Option<i64>,
    pub change: Change,
    pub outcome: Outcome,
}

/// What a step does to the page's revisions.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// No new revision: the form changed nothing (a move may still happen).
    Nothing,
    /// A new head revision, with the reason or explanation the step has.
    Revision {
        content: Box<PageContent>,
        note: Option<String>,
    },
    /// The page and all its revisions go.
    DeletePage,
}

/// What the user is told, and what the journal calls the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Saved,
    Submitted,
    Published,
    Scheduled,
    Corrected,
    Unpublished,
    Restored,
    Unchanged,
    Deleted,
}

impl Outcome {
    /// The journal's action for the new revision (or the deletion).
    pub fn journal_action(self) -> &'static str {
        match self {
            Outcome::Saved | Outcome::Unchanged => "update",
            Outcome::Submitted => "submit",
            Outcome::Published => "publish",
            Outcome::Scheduled => "schedule",
            Outcome::Corrected => "correct",
            Outcome::Unpublished => "unpublish",
            Outcome::Restored => "restore",
            Outcome::Deleted => "delete",
        }
    }

    /// The key of the panel's notice (`done_…` in `src/admin/i18n/`).
    pub fn done(self) -> &'static str {
        match self {
            Outcome::Saved => "saved",
            Outcome::Submitted => "submitted",
            Outcome::Published => "published",
            Outcome::Scheduled => "scheduled",
            Outcome::Corrected => "corrected",
            Outcome::Unpublished => "unpublished",
            Outcome::Restored => "restored",
            Outcome::Unchanged => "unchanged",
            Outcome::Deleted => "deleted",
        }
    }
}

impl Step {
    /// Must the site be published after this step? A draft, a review or a restored draft
    /// changes nothing on the site; a move changes the page's address.
    pub fn changes_site(&self) -> bool {
        self.move_to.is_some()
            || (self.change != Change::Nothing
                && matches!(
                    self.outcome,
                    Outcome::Published
                        | Outcome::Scheduled
                        | Outcome::Corrected
                        | Outcome::Unpublished
                        | Outcome::Deleted
                ))
    }
}

/// Why an action is refused; the handler words it (`src/admin/i18n/`).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The page was saved by someone else after the user's form was opened (issue 10).
    Stale {
        by: String,
        at: String,
        head: i64,
        number: i64,
    },
    /// The user may not edit this page.
    MayNotEdit,
    /// The user may not publish, correct, unpublish or delete this page.
    MayNotPublish,
    /// The user may not edit in the section the form moves the page to.
    MayNotMoveThere,
    /// Unpublishing needs a reason (D189 §4.3).
    ReasonMissing,
    /// A correction needs its explanation (D189 §4.3).
    CorrectionNoteMissing,
    /// A correction or an unpublishing needs a page on the site (or, to unpublish, one due).
    NotLive,
    /// A correction is published at once; a publication time still to come contradicts it.
    CorrectionScheduled,
    /// Images without a description, by line of the body (D189 §6.3.6).
    ImagesWithoutAlt { lines: Vec<usize> },
    /// Stamps or personal identifiers the user has not chosen to publish anyway (D189 §4.5).
    Confidential { findings: Vec<Finding> },
}

/// The step `action` takes on a page whose newest revision is `head` and whose revision on
/// the site at `now` is `live`, for a user with `rights` whose form was opened on
/// `base_revision`. `now` is in the site's time zone: dates the step sets are local.
pub fn decide(
    action: &Action,
    head: &Revision,
    live: Option<&Revision>,
    base_revision: Option<i64>,
    rights: Rights,
    now: OffsetDateTime,
) -> Result<Step, Refusal> {
    if !matches!(action, Action::Delete) && base_revision != Some(head.id) {
        return Err(Refusal::Stale {
            by: head.author.clone(),
            at: head.saved_at.clone(),
            head: head.id,
            number: head.number,
        });
    }
    if !rights.edit {
        return Err(Refusal::MayNotEdit);
    }
    let needs_publish = matches!(
        action,
        Action::Publish(_) | Action::Correct { .. } | Action::Unpublish { .. } | Action::Delete
    );
    if needs_publish && !rights.publish {
        return Err(Refusal::MayNotPublish);
    }
    let step = |change, outcome| Step {
        base_revision,
        guard_override: Vec::new(),
        move_to: None,
        change,
        outcome,
    };
    match action {
        Action::SaveDraft(edit) => edited(head, edit, Status::Draft, Outcome::Saved, rights),
        Action::SubmitForReview(edit) => {
            edited(head, edit, Status::Review, Outcome::Submitted, rights)
        }
        Action::Publish(edit) => {
            let mut content = edit.content.clone();
            content.status = Status::Published;
            if live.is_some() {
                content.modified = Some(today(now));
            }
            let scheduled = is_future(content.publish_at.as_ref(), now);
            // D189 §4.2: an item goes live with a publication date (and DC `issued`): the
            // editor's, else the live revision's, else the moment it goes live — its
            // scheduled time, or now (issue 10: a missing date sorted as the oldest).
            if content.issued.is_none() {
                content.issued = match live {
                    Some(live) => live.content.issued.clone(),
                    None if scheduled => content.publish_at.clone(),
                    None => Some(moment(now)),
                };
            }
            let outcome = if scheduled {
                Outcome::Scheduled
            } else {
                Outcome::Published
            };
            published(head, edit, content, None, outcome, rights)
        }
        Action::Correct { edit, note } => {
            let Some(live) = live else {
                return Err(Refusal::NotLive);
            };
            let Some(note) = note.as_ref().filter(|n| !n.trim().is_empty()) else {
                return Err(Refusal::CorrectionNoteMissing);
            };
            if is_future(edit.content.publish_at.as_ref(), now) {
                return Err(Refusal::CorrectionScheduled);
            }
            let mut content = edit.content.clone();
            content.status = Status::Published;
            content.correction = Some(Correction {
                date: today(now),
                note: note.clone(),
            });
            content.modified = Some(today(now));
            if content.issued.is_none() {
                content.issued = live.content.issued.clone();
            }
            published(
                head,
                edit,
                content,
                Some(note.clone()),
                Outcome::Corrected,
                rights,
            )
        }
        Action::Unpublish { reason } => {
            // Issue 10: unpublishing acts on the live revision, not on a newer draft (a copy of
            // a draft kept its future `publish_at`, so the page stayed on the site). It takes
            // effect now, so it also cancels a publication still to come; the draft stays in
            // the page's history.
            let target = match live {
                Some(live) => &live.content,
                None if head.content.status == Status::Published
                    && is_future(head.content.publish_at.as_ref(), now) =>
                {
                    &head.content
                }
                None => return Err(Refusal::NotLive),
            };
            let Some(reason) = reason.as_ref().filter(|r| !r.trim().is_empty()) else {
                return Err(Refusal::ReasonMissing);
            };
            let mut content = target.clone();
            content.status = Status::Unpublished;
            content.publish_at = None;
            Ok(step(
                Change::Revision {
                    content: Box::new(content),
                    note: Some(reason.clone()),
                },
                Outcome::Unpublished,
            ))
        }
        Action::Restore { number, content } => {
            let mut content = content.clone();
            content.status = Status::Draft;
            Ok(step(
                Change::Revision {
                    content: Box::new(content),
                    note: Some(format!("revision {number}")),
                },
                Outcome::Restored,
            ))
        }
        // The delete form is not an edit of the text: it carries no base revision.
        Action::Delete => Ok(Step {
            base_revision: None,
            ..step(Change::DeletePage, Outcome::Deleted)
        }),
    }
}

/// A draft or a submission for review of the form's content.
fn edited(
    head: &Revision,
    edit: &Edit,
    status: Status,
    outcome: Outcome,
    rights: Rights,
) -> Result<Step, Refusal> {
    let mut content = edit.content.clone();
    content.status = status;
    with_content(head, edit, content, None, outcome, rights, Vec::new())
}

/// The form's content going on the site: images need descriptions, and confidentiality
/// findings stop it unless the user overrides them (journaled).
fn published(
    head: &Revision,
    edit: &Edit,
    content: PageContent,
    note: Option<String>,
    outcome: Outcome,
    rights: Rights,
) -> Result<Step, Refusal> {
    let lines = images_without_alt(&content.body);
    if !lines.is_empty() {
        return Err(Refusal::ImagesWithoutAlt { lines });
    }
    let findings = confidentiality_findings(&content);
    if !findings.is_empty() && !edit.override_guard {
        return Err(Refusal::Confidential { findings });
    }
    with_content(head, edit, content, note, outcome, rights, findings)
}

fn with_content(
    head: &Revision,
    edit: &Edit,
    content: PageContent,
    note: Option<String>,
    outcome: Outcome,
    rights: Rights,
    guard_override: Vec<Finding>,
) -> Result<Step, Refusal> {
    let move_to = edit.move_to;
    if move_to.is_some() && !rights.edit_target {
        return Err(Refusal::MayNotMoveThere);
    }
    let (change, outcome) = if content == head.content && note.is_none() {
        // Nothing new to keep; a move alone is still a change the user made.
        let outcome = if move_to.is_some() {
            Outcome::Saved
        } else {
            Outcome::Unchanged
        };
        (Change::Nothing, outcome)
    } else {
        (
            Change::Revision {
                content: Box::new(content),
                note,
            },
            outcome,
        )
    };
    Ok(Step {
        base_revision: Some(head.id),
        guard_override,
        move_to,
        change,
        outcome,
    })
}

/// Stamps and personal identifiers in the title, summary and body (D189 §4.5).
pub fn confidentiality_findings(content: &PageContent) -> Vec<Finding> {
    let mut all = crate::guard::scan(&content.title);
    if let Some(summary) = &content.summary {
        all.extend(crate::guard::scan(summary));
    }
    all.extend(crate::guard::scan(&content.body));
    all
}

/// The 1-based lines of the body with an image without a description (D189 §6.3.6).
fn images_without_alt(body: &str) -> Vec<usize> {
    crate::markdown::images_without_alt(body)
        .into_iter()
        .map(|offset| body[..offset].matches('\n').count() + 1)
        .collect()
}

/// Is the stamp a moment after `now`?
fn is_future(stamp: Option<&Stamp>, now: OffsetDateTime) -> bool {
    stamp
        .and_then(|s| s.instant(now.offset()))
        .is_some_and(|t| t > now)
}

/// `now`'s date: `2026-11-22`.
fn today(now: OffsetDateTime) -> Stamp {
    Stamp::parse(&now.date().to_string()).expect("a date is a stamp")
}

/// `now` to the second, with its offset: `2026-11-22T09:30:05+04:00`.
fn moment(now: OffsetDateTime) -> Stamp {
    let seconds = now.replace_nanosecond(0).unwrap_or(now);
    seconds
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|text| Stamp::parse(&text).ok())
        .unwrap_or_else(|| today(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContentType;
    use proptest::prelude::*;

    /// 2026-11-22 09:30 in Baku.
    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-22 09:30:00 +04:00)
    }

    const PAST: &str = "2026-01-01T09:00:00+04:00";
    const FUTURE: &str = "2099-01-01T09:00:00+04:00";

    fn content(status: Status, body: &str) -> PageContent {
        PageContent {
            title: "Xəbər".into(),
            description: None,
            keywords: Vec::new(),
            content_type: ContentType::News,
            status,
            template: None,
            created: None,
            issued: None,
            modified: None,
            publish_at: None,
            valid_until: None,
            summary: None,
            files: Vec::new(),
            dc: Default::default(),
            correction: None,
            body: body.into(),
        }
    }

    fn revision(id: i64, content: PageContent) -> Revision {
        Revision {
            id,
            number: id,
            author: format!("user{id}"),
            saved_at: "2026-11-21T10:00:00Z".into(),
            content,
        }
    }

    fn stamp(text: &str) -> Option<Stamp> {
        Some(Stamp::parse(text).unwrap())
    }

    const ALL: Rights = Rights {
        edit: true,
        publish: true,
        edit_target: true,
    };
    const EDITOR: Rights = Rights {
        edit: true,
        publish: false,
        edit_target: true,
    };

    /// A live published page (revision 1) whose head is a draft (revision 2) with new text.
    fn live_page() -> (Revision, Revision) {
        let mut live = content(Status::Published, "Köhnə mətn.");
        live.issued = stamp("2026-04-01");
        let mut head = live.clone();
        head.status = Status::Draft;
        head.body = "Yeni mətn.".into();
        (revision(2, head), revision(1, live))
    }

    /// A draft never published.
    fn draft() -> Revision {
        revision(1, content(Status::Draft, "Qaralama."))
    }

    fn edit_of(head: &Revision, change: impl FnOnce(&mut PageContent)) -> Edit {
        let mut content = head.content.clone();
        change(&mut content);
        Edit {
            content,
            move_to: None,
            override_guard: false,
        }
    }

    fn decide_on(
        action: &Action,
        head: &Revision,
        live: Option<&Revision>,
        rights: Rights,
    ) -> Result<Step, Refusal> {
        decide(action, head, live, Some(head.id), rights, now())
    }

    /// The new revision of a step.
    fn new_revision(step: &Step) -> (&PageContent, Option<&str>) {
        match &step.change {
            Change::Revision { content, note } => (&**content, note.as_deref()),
            other => panic!("no new revision: {other:?}"),
        }
    }

    #[test]
    fn saving_a_draft_or_submitting_keeps_the_site_as_it_is() {
        let (head, live) = live_page();
        for (action, status, outcome) in [
            (
                Action::SaveDraft(edit_of(&head, |c| c.body = "Dəyişdi.".into())),
                Status::Draft,
                Outcome::Saved,
            ),
            (
                Action::SubmitForReview(edit_of(&head, |c| c.body = "Dəyişdi.".into())),
                Status::Review,
                Outcome::Submitted,
            ),
        ] {
            // A content manager without the publishing right may do both.
            let step = decide_on(&action, &head, Some(&live), EDITOR).unwrap();
            let (content, note) = new_revision(&step);
            assert_eq!(
                (content.status, content.body.as_str(), note),
                (status, "Dəyişdi.", None)
            );
            assert_eq!(step.outcome, outcome);
            assert_eq!(step.base_revision, Some(head.id));
            assert!(!step.changes_site());
        }
    }

    #[test]
    fn publishing_a_new_page_dates_it_now() {
        let head = draft();
        let step = decide_on(&Action::Publish(edit_of(&head, |_| {})), &head, None, ALL).unwrap();
        let (content, _) = new_revision(&step);
        assert_eq!(content.status, Status::Published);
        assert_eq!(content.issued, stamp("2026-11-22T09:30:00+04:00"));
        assert_eq!(content.modified, None);
        assert_eq!(step.outcome, Outcome::Published);
        assert!(step.changes_site());
    }

    #[test]
    fn publishing_with_a_time_to_come_schedules_and_dates_it_then() {
        let head = draft();
        let edit = edit_of(&head, |c| c.publish_at = stamp(FUTURE));
        let step = decide_on(&Action::Publish(edit), &head, None, ALL).unwrap();
        let (content, _) = new_revision(&step);
        assert_eq!(content.issued, stamp(FUTURE));
        assert_eq!(step.outcome, Outcome::Scheduled);
        assert_eq!(step.outcome.journal_action(), "schedule");
        // A past time publishes now.
        let edit = edit_of(&head, |c| c.publish_at = stamp(PAST));
        let step = decide_on(&Action::Publish(edit), &head, None, ALL).unwrap();
        assert_eq!(step.outcome, Outcome::Published);
    }

    #[test]
    fn publishing_over_a_live_page_keeps_its_date_and_sets_modified() {
        let (head, live) = live_page();
        let step = decide_on(
            &Action::Publish(edit_of(&head, |c| c.issued = None)),
            &head,
            Some(&live),
            ALL,
        )
        .unwrap();
        let (content, _) = new_revision(&step);
        assert_eq!(content.issued, stamp("2026-04-01"));
        assert_eq!(content.modified, stamp("2026-11-22"));
        // A date the editor chose is kept.
        let edit = edit_of(&head, |c| c.issued = stamp("2025-03-04"));
        let step = decide_on(&Action::Publish(edit), &head, Some(&live), ALL).unwrap();
        assert_eq!(new_revision(&step).0.issued, stamp("2025-03-04"));
    }

    #[test]
    fn correcting_a_live_page_publishes_it_now_with_its_note() {
        let (head, live) = live_page();
        let action = Action::Correct {
            edit: edit_of(&head, |c| c.body = "Düzəldilmiş.".into()),
            note: Some("Tarix dəqiqləşdirildi.".into()),
        };
        let step = decide_on(&action, &head, Some(&live), ALL).unwrap();
        let (content, note) = new_revision(&step);
        assert_eq!(content.status, Status::Published);
        assert_eq!(
            content.correction,
            Some(Correction {
                date: stamp("2026-11-22").unwrap(),
                note: "Tarix dəqiqləşdirildi.".into()
            })
        );
        assert_eq!(content.modified, stamp("2026-11-22"));
        assert_eq!(content.issued, stamp("2026-04-01"));
        assert_eq!(note, Some("Tarix dəqiqləşdirildi."));
        assert_eq!(step.outcome, Outcome::Corrected);
        assert!(step.changes_site());
    }

    #[test]
    fn a_correction_needs_a_note_a_live_page_and_no_time_to_come() {
        let (head, live) = live_page();
        let correct = |note: Option<&str>, publish_at: Option<&str>| Action::Correct {
            edit: edit_of(&head, |c| c.publish_at = publish_at.and_then(stamp)),
            note: note.map(str::to_string),
        };
        for note in [None, Some(" ")] {
            assert_eq!(
                decide_on(&correct(note, None), &head, Some(&live), ALL),
                Err(Refusal::CorrectionNoteMissing)
            );
        }
        assert_eq!(
            decide_on(&correct(Some("Səbəb."), None), &head, None, ALL),
            Err(Refusal::NotLive)
        );
        assert_eq!(
            decide_on(
                &correct(Some("Səbəb."), Some(FUTURE)),
                &head,
                Some(&live),
                ALL
            ),
            Err(Refusal::CorrectionScheduled)
        );
    }

    #[test]
    fn unpublishing_acts_on_the_live_revision_now_not_on_a_scheduled_draft() {
        // Issue 10: the head is a draft with a future publication time over a live page.
        let (mut head, live) = live_page();
        head.content.publish_at = stamp(FUTURE);
        let action = Action::Unpublish {
            reason: Some("Məlumat köhnəlib".into()),
        };
        let step = decide_on(&action, &head, Some(&live), ALL).unwrap();
        let (content, note) = new_revision(&step);
        let mut expected = live.content.clone();
        expected.status = Status::Unpublished;
        assert_eq!(content, &expected);
        assert_eq!(content.publish_at, None);
        assert_eq!(note, Some("Məlumat köhnəlib"));
        assert_eq!((step.outcome, step.move_to), (Outcome::Unpublished, None));
        assert!(step.changes_site());
    }

    #[test]
    fn unpublishing_a_scheduled_page_cancels_its_publication() {
        let mut head = draft();
        head.content.status = Status::Published;
        head.content.publish_at = stamp(FUTURE);
        let action = Action::Unpublish {
            reason: Some("Ləğv edildi".into()),
        };
        let step = decide_on(&action, &head, None, ALL).unwrap();
        let (content, _) = new_revision(&step);
        assert_eq!(
            (content.status, &content.publish_at),
            (Status::Unpublished, &None)
        );
        assert_eq!(content.body, head.content.body);
    }

    #[test]
    fn unpublishing_needs_a_reason_and_something_on_the_site() {
        let (head, live) = live_page();
        for reason in [None, Some("  ".to_string())] {
            assert_eq!(
                decide_on(&Action::Unpublish { reason }, &head, Some(&live), ALL),
                Err(Refusal::ReasonMissing)
            );
        }
        let reason = Some("Səbəb".to_string());
        assert_eq!(
            decide_on(&Action::Unpublish { reason }, &draft(), None, ALL),
            Err(Refusal::NotLive)
        );
    }

    #[test]
    fn restoring_makes_an_old_revision_the_newest_draft() {
        let (head, live) = live_page();
        let action = Action::Restore {
            number: 1,
            content: live.content.clone(),
        };
        let step = decide_on(&action, &head, Some(&live), EDITOR).unwrap();
        let (content, note) = new_revision(&step);
        assert_eq!(content.status, Status::Draft);
        assert_eq!(content.body, live.content.body);
        assert_eq!(note, Some("revision 1"));
        assert_eq!(step.outcome.journal_action(), "restore");
        assert!(!step.changes_site());
    }

    #[test]
    fn deleting_needs_the_publishing_right_and_no_base() {
        let (head, live) = live_page();
        let step = decide(&Action::Delete, &head, Some(&live), None, ALL, now()).unwrap();
        assert_eq!(
            (&step.change, step.base_revision),
            (&Change::DeletePage, None)
        );
        assert!(step.changes_site());
        assert_eq!(
            decide(&Action::Delete, &head, Some(&live), None, EDITOR, now()),
            Err(Refusal::MayNotPublish)
        );
    }

    #[test]
    fn a_form_opened_on_another_revision_is_refused_before_anything_else() {
        // Issue 10, lost update: the refusal names who saved the head and when.
        let (head, live) = live_page();
        let actions = [
            Action::SaveDraft(edit_of(&head, |_| {})),
            Action::SubmitForReview(edit_of(&head, |_| {})),
            Action::Publish(edit_of(&head, |_| {})),
            Action::Correct {
                edit: edit_of(&head, |_| {}),
                note: None,
            },
            Action::Unpublish { reason: None },
            Action::Restore {
                number: 1,
                content: live.content.clone(),
            },
        ];
        let stale = Refusal::Stale {
            by: "user2".into(),
            at: "2026-11-21T10:00:00Z".into(),
            head: 2,
            number: 2,
        };
        for action in &actions {
            for base in [None, Some(1), Some(3)] {
                for rights in [ALL, EDITOR, Rights::default()] {
                    assert_eq!(
                        decide(action, &head, Some(&live), base, rights, now()),
                        Err(stale.clone()),
                        "{action:?} from {base:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn rights_are_checked_for_every_action() {
        let (head, live) = live_page();
        let edit = edit_of(&head, |c| c.body = "Dəyişdi.".into());
        let reason = Some("Səbəb".to_string());
        let note = Some("Qeyd".to_string());
        let cases = [
            (Action::SaveDraft(edit.clone()), None),
            (Action::SubmitForReview(edit.clone()), None),
            (Action::Publish(edit.clone()), Some(Refusal::MayNotPublish)),
            (Action::Correct { edit, note }, Some(Refusal::MayNotPublish)),
            (Action::Unpublish { reason }, Some(Refusal::MayNotPublish)),
            (
                Action::Restore {
                    number: 1,
                    content: live.content.clone(),
                },
                None,
            ),
        ];
        for (action, as_editor) in cases {
            assert_eq!(
                decide_on(&action, &head, Some(&live), Rights::default()),
                Err(Refusal::MayNotEdit),
                "{action:?}"
            );
            assert_eq!(
                decide_on(&action, &head, Some(&live), EDITOR).err(),
                as_editor,
                "{action:?}"
            );
            assert!(
                decide_on(&action, &head, Some(&live), ALL).is_ok(),
                "{action:?}"
            );
        }
    }

    #[test]
    fn an_unchanged_form_writes_no_revision_but_a_move_still_happens() {
        let head = draft();
        let step = decide_on(&Action::SaveDraft(edit_of(&head, |_| {})), &head, None, ALL).unwrap();
        assert_eq!(
            (&step.change, step.outcome),
            (&Change::Nothing, Outcome::Unchanged)
        );
        assert!(!step.changes_site());

        let mut edit = edit_of(&head, |_| {});
        edit.move_to = Some(7);
        let step = decide_on(&Action::SaveDraft(edit.clone()), &head, None, ALL).unwrap();
        assert_eq!(
            (&step.change, step.outcome, step.move_to),
            (&Change::Nothing, Outcome::Saved, Some(7))
        );
        assert!(step.changes_site());
        let mut rights = ALL;
        rights.edit_target = false;
        assert_eq!(
            decide_on(&Action::SaveDraft(edit), &head, None, rights),
            Err(Refusal::MayNotMoveThere)
        );
    }

    #[test]
    fn images_without_a_description_stop_publishing_not_saving() {
        let head = draft();
        let edit = edit_of(&head, |c| c.body = "Mətn.\n\n![](/az/bina.png)".into());
        assert_eq!(
            decide_on(&Action::Publish(edit.clone()), &head, None, ALL),
            Err(Refusal::ImagesWithoutAlt { lines: vec![3] })
        );
        assert!(decide_on(&Action::SaveDraft(edit), &head, None, ALL).is_ok());
    }

    #[test]
    fn confidentiality_findings_stop_publishing_unless_overridden() {
        // D189 §4.5.
        let (head, live) = live_page();
        let mut edit = edit_of(&head, |c| c.body = "Məxfi\n\nDaxili sənəd.".into());
        let Err(Refusal::Confidential { findings }) =
            decide_on(&Action::Publish(edit.clone()), &head, Some(&live), ALL)
        else {
            panic!("a stamp did not stop publishing");
        };
        assert_eq!(findings[0].text, "Məxfi");
        let correct = Action::Correct {
            edit: edit.clone(),
            note: Some("Qeyd".into()),
        };
        assert!(matches!(
            decide_on(&correct, &head, Some(&live), ALL),
            Err(Refusal::Confidential { .. })
        ));
        // A draft is not published: nothing to override.
        let step = decide_on(&Action::SaveDraft(edit.clone()), &head, Some(&live), ALL).unwrap();
        assert!(step.guard_override.is_empty());
        edit.override_guard = true;
        let step = decide_on(&Action::Publish(edit), &head, Some(&live), ALL).unwrap();
        assert_eq!(step.guard_override, findings);
    }

    #[test]
    fn outcomes_name_their_journal_action_and_notice() {
        let names: Vec<(&str, &str)> = [
            Outcome::Saved,
            Outcome::Submitted,
            Outcome::Published,
            Outcome::Scheduled,
            Outcome::Corrected,
            Outcome::Unpublished,
            Outcome::Restored,
            Outcome::Unchanged,
            Outcome::Deleted,
        ]
        .into_iter()
        .map(|o| (o.journal_action(), o.done()))
        .collect();
        assert_eq!(
            names,
            [
                ("update", "saved"),
                ("submit", "submitted"),
                ("publish", "published"),
                ("schedule", "scheduled"),
                ("correct", "corrected"),
                ("unpublish", "unpublished"),
                ("restore", "restored"),
                ("update", "unchanged"),
                ("delete", "deleted"),
            ]
        );
    }

    // ------------------------------------------------------------ properties

    fn any_stamp() -> impl Strategy<Value = Option<Stamp>> {
        prop_oneof![Just(None), Just(stamp(PAST)), Just(stamp(FUTURE))]
    }

    fn any_content() -> impl Strategy<Value = PageContent> {
        (
            prop::sample::select(Status::ALL.to_vec()),
            any_stamp(),
            prop::sample::select(vec!["Mətn.", "Məxfi\n\nSənəd.", "![](/a.png)", "Başqa."]),
        )
            .prop_map(|(status, publish_at, body)| {
                let mut content = content(status, body);
                content.publish_at = publish_at;
                content
            })
    }

    fn any_action(head: PageContent) -> impl Strategy<Value = Action> {
        (
            0..7usize,
            any_content(),
            any::<bool>(),
            prop::option::of(Just(5i64)),
            prop::option::of(Just("Səbəb".to_string())),
        )
            .prop_map(move |(kind, mut content, override_guard, move_to, text)| {
                if kind % 2 == 0 {
                    content.status = head.status;
                }
                let edit = Edit {
                    content: content.clone(),
                    move_to,
                    override_guard,
                };
                match kind {
                    0 => Action::SaveDraft(edit),
                    1 => Action::SubmitForReview(edit),
                    2 => Action::Publish(edit),
                    3 => Action::Correct { edit, note: text },
                    4 => Action::Unpublish { reason: text },
                    5 => Action::Restore { number: 1, content },
                    _ => Action::Delete,
                }
            })
    }

    fn any_page() -> impl Strategy<Value = (Revision, Option<Revision>)> {
        (any_content(), prop::option::of(any_content())).prop_map(|(head, live)| {
            let live = live.map(|mut live| {
                live.status = Status::Published;
                live.publish_at = stamp(PAST);
                revision(1, live)
            });
            (revision(2, head), live)
        })
    }

    fn any_rights() -> impl Strategy<Value = Rights> {
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(edit, publish, edit_target)| {
            Rights {
                edit,
                publish,
                edit_target,
            }
        })
    }

    fn page_and_action() -> impl Strategy<Value = ((Revision, Option<Revision>), Action)> {
        any_page().prop_flat_map(|page| {
            let head = page.0.content.clone();
            (Just(page), any_action(head))
        })
    }

    proptest! {
        #[test]
        fn never_publishes_unpublishes_or_deletes_without_the_publishing_right(
            ((head, live), action) in page_and_action(),
            mut rights in any_rights(),
            base in prop::option::of(1..4i64),
        ) {
            rights.publish = false;
            if let Ok(step) = decide(&action, &head, live.as_ref(), base, rights, now()) {
                prop_assert!(rights.edit);
                match &step.change {
                    Change::Revision { content, .. } => prop_assert!(
                        matches!(content.status, Status::Draft | Status::Review),
                        "{:?}", step
                    ),
                    Change::DeletePage => prop_assert!(false, "deleted without the right"),
                    Change::Nothing => {}
                }
                prop_assert!(step.guard_override.is_empty());
            }
        }

        #[test]
        fn unpublishing_always_targets_the_live_revision_and_takes_effect_now(
            (head, live) in any_page(),
        ) {
            let action = Action::Unpublish { reason: Some("Səbəb".into()) };
            match (decide_on(&action, &head, live.as_ref(), ALL), &live) {
                (Ok(step), Some(live)) => {
                    let (content, _) = new_revision(&step);
                    let mut expected = live.content.clone();
                    expected.status = Status::Unpublished;
                    expected.publish_at = None;
                    prop_assert_eq!(content, &expected);
                }
                (Ok(step), None) => {
                    // Only a publication still to come is cancelled when nothing is live.
                    prop_assert_eq!(head.content.status, Status::Published);
                    let (content, _) = new_revision(&step);
                    prop_assert_eq!(content.publish_at.as_ref(), None);
                    prop_assert_eq!(content.status, Status::Unpublished);
                }
                (Err(refusal), live) => {
                    prop_assert!(live.is_none(), "a live page was not unpublished: {:?}", refusal);
                    prop_assert_eq!(refusal, Refusal::NotLive);
                }
            }
        }

        #[test]
        fn a_stale_form_never_gets_a_step(
            ((head, live), action) in page_and_action(),
            rights in any_rights(),
            base in prop::option::of(prop_oneof![Just(1i64), Just(3i64)]),
        ) {
            let result = decide(&action, &head, live.as_ref(), base, rights, now());
            if action != Action::Delete {
                let is_stale = matches!(result, Err(Refusal::Stale { .. }));
                prop_assert!(is_stale);
            }
        }

        #[test]
        fn a_step_is_always_based_on_the_head_it_was_decided_on(
            ((head, live), action) in page_and_action(),
            rights in any_rights(),
        ) {
            if let Ok(step) = decide(&action, &head, live.as_ref(), Some(head.id), rights, now()) {
                let expected = if action == Action::Delete { None } else { Some(head.id) };
                prop_assert_eq!(step.base_revision, expected);
                // A page going on the site for the first time is dated (D189 §4.2).
                if let Change::Revision { content, .. } = &step.change
                    && content.status == Status::Published
                    && live.is_none()
                {
                    prop_assert!(content.issued.is_some(), "published undated: {:?}", step);
                }
            }
        }
    }
}
