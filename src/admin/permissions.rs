//! What a user may do (D189 §6.5): the modules of the panel, which group may use which, and
//! the sections and languages a content manager is limited to.

use crate::model::ContentType;
use crate::store::{Group, SectionRecord, User};

/// A part of the panel a group can be allowed (D189 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Pages,
    News,
    Documents,
    Media,
    /// Sections tree and menu order (D189 §6.4.4, §6.4.6).
    Structure,
    /// Templates and design (D189 §6.4.2).
    Templates,
    /// Interface strings per language.
    Strings,
    Users,
    Statistics,
    Backups,
    Forms,
    /// Reading the audit journal (D189 §10.1.3).
    Journal,
}

impl Module {
    pub const ALL: [Module; 12] = [
        Module::Pages,
        Module::News,
        Module::Documents,
        Module::Media,
        Module::Structure,
        Module::Templates,
        Module::Strings,
        Module::Users,
        Module::Statistics,
        Module::Backups,
        Module::Forms,
        Module::Journal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Pages => "pages",
            Module::News => "news",
            Module::Documents => "documents",
            Module::Media => "media",
            Module::Structure => "structure",
            Module::Templates => "templates",
            Module::Strings => "strings",
            Module::Users => "users",
            Module::Statistics => "statistics",
            Module::Backups => "backups",
            Module::Forms => "forms",
            Module::Journal => "journal",
        }
    }

    pub fn parse(text: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The module that governs pages of a content type.
    pub fn for_content_type(content_type: ContentType) -> Module {
        match content_type {
            ContentType::Page => Module::Pages,
            ContentType::News | ContentType::Announcement => Module::News,
            ContentType::Document => Module::Documents,
        }
    }
}

/// May the user use a module at all?
pub fn can_use(user: &User, module: Module) -> bool {
    !user.disabled && user.group.modules.iter().any(|m| m == module.as_str())
}

/// May the user use any of the content modules (pages, news, documents)?
pub fn can_edit_any_content(user: &User) -> bool {
    [Module::Pages, Module::News, Module::Documents]
        .into_iter()
        .any(|module| can_use(user, module))
}

/// May the user edit content of this type, in this language, in this section? A content
/// manager is limited to the sections (and everything below them) and languages granted.
pub fn can_edit(
    user: &User,
    content_type: ContentType,
    lang: &str,
    section_id: i64,
    sections: &[SectionRecord],
) -> bool {
    can_use(user, Module::for_content_type(content_type))
        && in_languages(user, lang)
        && in_sections(user, section_id, sections)
}

/// May the user publish, unpublish and schedule what they may edit?
pub fn can_publish(
    user: &User,
    content_type: ContentType,
    lang: &str,
    section_id: i64,
    sections: &[SectionRecord],
) -> bool {
    user.group.can_publish && can_edit(user, content_type, lang, section_id, sections)
}

pub fn in_languages(user: &User, lang: &str) -> bool {
    user.languages.is_empty() || user.languages.iter().any(|l| l == lang)
}

/// Is the section, or one above it, among the user's granted sections (by translation key)?
pub fn in_sections(user: &User, section_id: i64, sections: &[SectionRecord]) -> bool {
    if user.sections.is_empty() {
        return true;
    }
    let mut current = Some(section_id);
    let mut steps = 0;
    while let Some(id) = current {
        let Some(section) = sections.iter().find(|s| s.id == id) else {
            return false;
        };
        if user.sections.contains(&section.translation_key) {
            return true;
        }
        current = section.parent_id;
        steps += 1;
        if steps > 64 {
            return false;
        }
    }
    false
}

/// Does the user hold every right of a group: each of its modules and, if it may publish,
/// publishing? Nobody grants rights they do not hold (D189 §6.5).
pub fn holds_group(user: &User, group: &Group) -> bool {
    holds_rights(user, &group.modules, group.can_publish)
}

/// Does the user hold these modules and this publishing right?
pub fn holds_rights(user: &User, modules: &[String], can_publish: bool) -> bool {
    !user.disabled
        && modules.iter().all(|m| user.group.modules.contains(m))
        && (!can_publish || user.group.can_publish)
}

/// Does the user's reach cover these sections and languages (empty: all)? A user limited to
/// some cannot give all, nor others.
pub fn covers_scope(user: &User, sections: &[String], languages: &[String]) -> bool {
    let covers = |own: &[String], given: &[String]| {
        own.is_empty() || (!given.is_empty() && given.iter().all(|g| own.contains(g)))
    };
    covers(&user.sections, sections) && covers(&user.languages, languages)
}

/// May `actor` manage `target` — reset their password, disable them, change their access?
/// Only another account whose rights and reach the actor holds entirely (D189 §6.5): a user
/// manager cannot take over a more privileged account.
pub fn may_manage(actor: &User, target: &User) -> bool {
    actor.id != target.id
        && holds_group(actor, &target.group)
        && covers_scope(actor, &target.sections, &target.languages)
}
