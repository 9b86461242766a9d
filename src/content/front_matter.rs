//! TOML front matter of pages and sections: splitting it from the body, reading it with every
//! problem located by line and field, and writing it back in canonical form.

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::config::line_of;
use crate::model::{
    ContentType, Correction, DublinCore, PageContent, SectionContent, Stamp, Status,
};

/// One problem in one file: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// A file split into its front matter and its body.
pub struct Split<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
    /// The line in the file where the front matter's first line is.
    pub first_line: usize,
}

pub fn split(text: &str) -> Result<Split<'_>, Problem> {
    let rest = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n")).ok_or(Problem {
        line: 1,
        message: "the file must start with a `+++` line, then TOML front matter, then another `+++` line".into(),
    })?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "+++" {
            return Ok(Split {
                front_matter: &rest[..offset],
                body: &rest[offset + line.len()..],
                first_line: 2,
            });
        }
        offset += line.len();
    }
    Err(Problem {
        line: 1,
        message: "the front matter is not closed: add a line `+++` after it".into(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    title: Spanned<String>,
    description: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(rename = "type")]
    content_type: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    translation: Option<String>,
    weight: Option<i64>,
    template: Option<Spanned<String>>,
    created: Option<Spanned<Datetime>>,
    issued: Option<Spanned<Datetime>>,
    modified: Option<Spanned<Datetime>>,
    publish_at: Option<Spanned<Datetime>>,
    valid_until: Option<Spanned<Datetime>>,
    summary: Option<String>,
    #[serde(default)]
    files: Vec<Spanned<String>>,
    dc: Option<RawDublinCore>,
    correction: Option<RawCorrection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDublinCore {
    creator: Option<String>,
    subject: Option<String>,
    contributor: Option<String>,
    publisher: Option<String>,
    #[serde(rename = "type")]
    dc_type: Option<String>,
    format: Option<String>,
    identifier: Option<String>,
    source: Option<String>,
    language: Option<String>,
    relation: Option<String>,
    coverage: Option<String>,
    rights: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrection {
    date: Spanned<Datetime>,
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    title: Spanned<String>,
    description: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    translation: Option<String>,
    types: Option<Vec<Spanned<String>>>,
    weight: Option<i64>,
    menu: Option<bool>,
    template: Option<Spanned<String>>,
    page_size: Option<Spanned<i64>>,
}

/// What a page file says, before it is placed in the tree.
#[derive(Debug)]
pub struct ParsedPage {
    /// `None` when the file gives no type: the section's first type applies.
    pub content_type: Option<(ContentType, usize)>,
    pub translation: Option<String>,
    pub weight: i64,
    pub content: PageContent,
    /// Line of each attached file name, for messages.
    pub file_lines: Vec<usize>,
    pub template_line: usize,
}

#[derive(Debug)]
pub struct ParsedSection {
    pub translation: Option<String>,
    pub content: SectionContent,
    pub template_line: usize,
}

/// Collects problems while reading one front matter.
struct Reader<'a> {
    text: &'a str,
    first_line: usize,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.first_line + line_of(self.text, span.start) - 1
    }

    fn problem(&mut self, span: std::ops::Range<usize>, message: String) {
        let line = self.line(span);
        self.problems.push(Problem { line, message });
    }

    fn stamp(&mut self, field: &str, value: Option<Spanned<Datetime>>) -> Option<Stamp> {
        let value = value?;
        let span = value.span();
        let datetime = value.into_inner();
        if datetime.date.is_none() {
            self.problem(span, format!("`{field}` must be a date like `2026-11-22` or `2026-11-22T09:30:00+04:00`, not a bare time"));
            return None;
        }
        if datetime.time.is_some() && datetime.offset.is_none() {
            self.problem(
                span,
                format!("`{field}` = {datetime} has a time but no offset; add one, e.g. `{datetime}+04:00`"),
            );
            return None;
        }
        match Stamp::parse(&datetime.to_string()) {
            Ok(stamp) => Some(stamp),
            Err(message) => {
                self.problem(span, format!("`{field}`: {message}"));
                None
            }
        }
    }

    fn template(&mut self, value: Option<Spanned<String>>) -> (Option<String>, usize) {
        match value {
            Some(value) => {
                let line = self.line(value.span());
                (Some(value.into_inner()), line)
            }
            None => (None, 0),
        }
    }
}

fn toml_problem(text: &str, first_line: usize, error: toml::de::Error) -> Problem {
    let line = error
        .span()
        .map(|span| first_line + line_of(text, span.start) - 1)
        .unwrap_or(first_line);
    let mut message = error.message().trim_end().to_string();
    if message.starts_with("unknown field") {
        message.push_str("; check the spelling (docs/content-format.md lists the fields)");
    }
    Problem { line, message }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

pub fn parse_page(split: &Split<'_>) -> Result<ParsedPage, Vec<Problem>> {
    let raw: RawPage = toml::from_str(split.front_matter)
        .map_err(|error| vec![toml_problem(split.front_matter, split.first_line, error)])?;
    let mut reader = Reader {
        text: split.front_matter,
        first_line: split.first_line,
        problems: Vec::new(),
    };
    if raw.title.get_ref().trim().is_empty() {
        reader.problem(
            raw.title.span(),
            "`title` is empty; give the page a title".into(),
        );
    }
    let content_type = raw.content_type.and_then(|value| {
        let line = reader.line(value.span());
        match value.get_ref().parse::<ContentType>() {
            Ok(content_type) => Some((content_type, line)),
            Err(message) => {
                reader.problem(value.span(), format!("`type`: {message}"));
                None
            }
        }
    });
    let status = match raw.status {
        Some(value) => value.get_ref().parse::<Status>().unwrap_or_else(|message| {
            reader.problem(value.span(), format!("`status`: {message}"));
            Status::Draft
        }),
        None => Status::Published,
    };
    let (template, template_line) = reader.template(raw.template);
    let created = reader.stamp("created", raw.created);
    let issued = reader.stamp("issued", raw.issued);
    let modified = reader.stamp("modified", raw.modified);
    let publish_at = reader.stamp("publish_at", raw.publish_at);
    let valid_until = reader.stamp("valid_until", raw.valid_until);
    let mut file_lines = Vec::new();
    let files = raw
        .files
        .into_iter()
        .map(|file| {
            file_lines.push(reader.line(file.span()));
            file.into_inner()
        })
        .collect();
    let dc = raw.dc.unwrap_or_default();
    let dc = DublinCore {
        creator: non_empty(dc.creator),
        subject: non_empty(dc.subject),
        contributor: non_empty(dc.contributor),
        publisher: non_empty(dc.publisher),
        dc_type: non_empty(dc.dc_type),
        format: non_empty(dc.format),
        identifier: non_empty(dc.identifier),
        source: non_empty(dc.source),
        language: non_empty(dc.language),
        relation: non_empty(dc.relation),
        coverage: non_empty(dc.coverage),
        rights: non_empty(dc.rights),
    };
    let correction = raw.correction.and_then(|correction| {
        let date = reader.stamp("correction.date", Some(correction.date))?;
        if correction.note.trim().is_empty() {
            reader.problems.push(Problem {
                line: split.first_line,
                message: "`correction.note` is empty; a correction must explain what was corrected (D189 §4.3)".into(),
            });
        }
        Some(Correction { date, note: correction.note })
    });
    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    Ok(ParsedPage {
        content_type,
        translation: raw.translation,
        weight: raw.weight.unwrap_or(0),
        content: PageContent {
            title: raw.title.into_inner(),
            description: raw.description,
            keywords: raw.keywords,
            // Replaced by the section's first type when the file gives none.
            content_type: ContentType::Page,
            status,
            template,
            created,
            issued,
            modified,
            publish_at,
            valid_until,
            summary: raw.summary,
            files,
            dc,
            correction,
            body: split.body.to_string(),
        },
        file_lines,
        template_line,
    })
}

pub fn parse_section(split: &Split<'_>) -> Result<ParsedSection, Vec<Problem>> {
    let raw: RawSection = toml::from_str(split.front_matter)
        .map_err(|error| vec![toml_problem(split.front_matter, split.first_line, error)])?;
    let mut reader = Reader {
        text: split.front_matter,
        first_line: split.first_line,
        problems: Vec::new(),
    };
    if raw.title.get_ref().trim().is_empty() {
        reader.problem(
            raw.title.span(),
            "`title` is empty; give the section a title".into(),
        );
    }
    let mut types = Vec::new();
    for value in raw.types.unwrap_or_default() {
        match value.get_ref().parse::<ContentType>() {
            Ok(content_type) if !types.contains(&content_type) => types.push(content_type),
            Ok(_) => reader.problem(
                value.span(),
                format!("`types` lists `{}` twice", value.get_ref()),
            ),
            Err(message) => reader.problem(value.span(), format!("`types`: {message}")),
        }
    }
    if types.is_empty() {
        types.push(ContentType::Page);
    }
    let page_size = raw
        .page_size
        .and_then(|value| match u32::try_from(*value.get_ref()) {
            Ok(size) if size > 0 => Some(size),
            _ => {
                reader.problem(
                    value.span(),
                    "`page_size` must be a positive whole number".into(),
                );
                None
            }
        });
    let (template, template_line) = reader.template(raw.template);
    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    Ok(ParsedSection {
        translation: raw.translation,
        content: SectionContent {
            title: raw.title.into_inner(),
            description: raw.description,
            keywords: raw.keywords,
            types,
            weight: raw.weight.unwrap_or(0),
            menu: raw.menu.unwrap_or(false),
            template,
            page_size,
            body: split.body.to_string(),
        },
        template_line,
    })
}

/// A TOML basic string: `"…"`, escaping only `\`, `"` and control characters.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| toml_string(item)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Writes a page file in canonical form.
pub fn write_page(translation: &str, weight: i64, content: &PageContent) -> String {
    let mut out = String::from("+++\n");
    let mut line = |key: &str, value: String| {
        out.push_str(key);
        out.push_str(" = ");
        out.push_str(&value);
        out.push('\n');
    };
    line("title", toml_string(&content.title));
    if let Some(description) = &content.description {
        line("description", toml_string(description));
    }
    if !content.keywords.is_empty() {
        line("keywords", toml_list(&content.keywords));
    }
    line("type", toml_string(content.content_type.as_str()));
    line("status", toml_string(content.status.as_str()));
    line("translation", toml_string(translation));
    if weight != 0 {
        line("weight", weight.to_string());
    }
    if let Some(template) = &content.template {
        line("template", toml_string(template));
    }
    for (key, stamp) in [
        ("created", &content.created),
        ("issued", &content.issued),
        ("modified", &content.modified),
        ("publish_at", &content.publish_at),
        ("valid_until", &content.valid_until),
    ] {
        if let Some(stamp) = stamp {
            line(key, stamp.to_string());
        }
    }
    if let Some(summary) = &content.summary {
        line("summary", toml_string(summary));
    }
    if !content.files.is_empty() {
        line("files", toml_list(&content.files));
    }
    if !content.dc.is_empty() {
        out.push_str("\n[dc]\n");
        for (key, value) in content.dc.fields() {
            if let Some(value) = value {
                out.push_str(&format!("{key} = {}\n", toml_string(value)));
            }
        }
    }
    if let Some(correction) = &content.correction {
        out.push_str(&format!(
            "\n[correction]\ndate = {}\nnote = {}\n",
            correction.date,
            toml_string(&correction.note)
        ));
    }
    out.push_str("+++\n");
    out.push_str(&content.body);
    out
}

/// Writes a `_section.md` in canonical form.
pub fn write_section(translation: &str, content: &SectionContent) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("title = {}\n", toml_string(&content.title)));
    if let Some(description) = &content.description {
        out.push_str(&format!("description = {}\n", toml_string(description)));
    }
    if !content.keywords.is_empty() {
        out.push_str(&format!("keywords = {}\n", toml_list(&content.keywords)));
    }
    out.push_str(&format!("translation = {}\n", toml_string(translation)));
    let types: Vec<String> = content
        .types
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    out.push_str(&format!("types = {}\n", toml_list(&types)));
    if content.weight != 0 {
        out.push_str(&format!("weight = {}\n", content.weight));
    }
    if content.menu {
        out.push_str("menu = true\n");
    }
    if let Some(template) = &content.template {
        out.push_str(&format!("template = {}\n", toml_string(template)));
    }
    if let Some(page_size) = content.page_size {
        out.push_str(&format!("page_size = {page_size}\n"));
    }
    out.push_str("+++\n");
    out.push_str(&content.body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Result<ParsedPage, Vec<Problem>> {
        parse_page(&split(text).map_err(|p| vec![p])?)
    }

    #[test]
    fn can_round_trip_a_page() {
        let text = "+++\ntitle = \"Agentliyin \\\"tarixçəsi\\\"\"\ndescription = \"Qısa\"\nkeywords = [\"tarix\", \"agentlik\"]\ntype = \"news\"\nstatus = \"published\"\ntranslation = \"news/history\"\nweight = 3\nissued = 2026-11-20T10:00:00+04:00\nvalid_until = 2027-01-01\nsummary = \"Xülasə\"\nfiles = [\"a.pdf\"]\n\n[dc]\ncreator = \"Agentlik\"\ncoverage = \"Bakı\"\n\n[correction]\ndate = 2026-11-21\nnote = \"Tarix düzəldildi\"\n+++\nMətn\n\n## Başlıq\n";
        let parsed = page(text).unwrap();
        assert_eq!(parsed.content_type.map(|(t, _)| t), Some(ContentType::News));
        let mut content = parsed.content;
        content.content_type = ContentType::News;
        assert_eq!(write_page("news/history", parsed.weight, &content), text);
    }

    #[test]
    fn errors_name_line_and_field() {
        let problems = page("+++\ntitle = \"A\"\nstatus = \"live\"\n+++\n").unwrap_err();
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("`status`"), "{:?}", problems);
        assert!(problems[0].message.contains("published"), "{:?}", problems);

        let problems = page("+++\ntitle = \"A\"\n\nautor = \"B\"\n+++\n").unwrap_err();
        assert_eq!(problems[0].line, 4);
        assert!(problems[0].message.contains("autor"), "{:?}", problems);

        let problems = page("+++\ndescription = \"A\"\n+++\n").unwrap_err();
        assert!(problems[0].message.contains("title"), "{:?}", problems);

        let problems = page("+++\ntitle = \"A\"\nissued = 2026-11-20T10:00:00\n+++\n").unwrap_err();
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("offset"), "{:?}", problems);

        let problems = page("title = \"A\"\n").unwrap_err();
        assert_eq!(problems[0].line, 1);
        assert!(problems[0].message.contains("+++"));
    }

    #[test]
    fn can_round_trip_a_section() {
        let text = "+++\ntitle = \"Xəbərlər\"\ntranslation = \"news\"\ntypes = [\"news\", \"announcement\"]\nweight = 20\nmenu = true\npage_size = 5\n+++\nGiriş\n";
        let parsed = parse_section(&split(text).unwrap()).unwrap();
        assert_eq!(write_section("news", &parsed.content), text);
    }
}
