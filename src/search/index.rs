//! The full-text index (tantivy, in `data/search-index/`) of published, unexpired pages:
//! updating it as pages are published (D189 §4.10.1) and answering queries with section,
//! type and date filters (D189 §4.10.5).

use std::ops::Bound;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};

use super::query::{Query, Reading};
use super::{
    AZ_ANALYZER, AZ_FOLDED_ANALYZER, EN_ANALYZER, analyze, analyze_folded, register_analyzers,
};

/// Analyzer of languages that have no analyzer of their own: words, lowercase.
const PLAIN_ANALYZER: &str = "plain";

/// Bumped when the schema changes; an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "1";

/// The file in the index folder that names the schema version of the index.
const SCHEMA_VERSION_FILE: &str = "govsite-schema";

/// Why an index cannot be opened for reading; the reader never repairs it, the next build or
/// `govsite index --full` does.
#[derive(Debug, thiserror::Error)]
pub enum IndexUnreadable {
    #[error(
        "the search index is missing in {}: run `govsite index --full` (or `govsite build`) to create it",
        dir.display()
    )]
    Missing { dir: PathBuf },
    #[error(
        "the search index in {} has schema version {found:?}, this govsite reads version {SCHEMA_VERSION:?}: run `govsite index --full` to rebuild it",
        dir.display()
    )]
    OtherVersion { dir: PathBuf, found: String },
}

/// Weight of a match in the title against one in the body, and of the folded (English
/// keyboard) fields against the exact ones.
const TITLE_BOOST: f32 = 2.0;
const FOLDED_BOOST: f32 = 0.4;

/// One published page as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// `/az/xeberler/slug/`.
    pub url: String,
    pub lang: String,
    pub title: String,
    /// Plain text of the body.
    pub body: String,
    /// The URL of the page's section and of every section above it, for section search.
    pub sections: Vec<String>,
    pub section_title: String,
    pub content_type: String,
    /// Publication moment, unix seconds.
    pub date: i64,
    /// The publication date as readers of the language write it.
    pub date_display: String,
}

/// A search as the user asked for it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub lang: String,
    pub query: String,
    /// Only pages in this section or below it (`/az/xeberler/`).
    pub section: Option<String>,
    pub content_type: Option<String>,
    /// Published at or after / before this moment, unix seconds.
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub url: String,
    pub title: String,
    pub section_title: String,
    pub content_type: String,
    pub date_display: String,
    /// A passage of the body with the matched words in `<b>`; escaped.
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub reading: Reading,
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Per language: the analyzer of the main fields and whether it has folded fields.
#[derive(Clone, Copy)]
struct LanguageFields {
    title: Field,
    body: Field,
    folded: Option<(Field, Field)>,
}

#[derive(Clone, Copy)]
struct Fields {
    url: Field,
    lang: Field,
    title_stored: Field,
    section: Field,
    section_title: Field,
    content_type: Field,
    date: Field,
    date_display: Field,
    az: LanguageFields,
    en: LanguageFields,
    other: LanguageFields,
}

fn text_field(
    builder: &mut tantivy::schema::SchemaBuilder,
    name: &str,
    analyzer: &str,
    stored: bool,
) -> Field {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let mut options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options = options.set_stored();
    }
    builder.add_text_field(name, options)
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let url = builder.add_text_field("url", STRING | STORED);
    let lang = builder.add_text_field("lang", STRING);
    let title_stored = builder.add_text_field("title", STORED);
    let section = builder.add_text_field("section", STRING);
    let section_title = builder.add_text_field("section_title", STORED);
    let content_type = builder.add_text_field("type", STRING | STORED);
    let date = builder.add_i64_field("date", INDEXED | FAST | STORED);
    let date_display = builder.add_text_field("date_display", STORED);
    let az = LanguageFields {
        title: text_field(&mut builder, "title_az", AZ_ANALYZER, false),
        body: text_field(&mut builder, "body_az", AZ_ANALYZER, true),
        folded: Some((
            text_field(&mut builder, "title_az_folded", AZ_FOLDED_ANALYZER, false),
            text_field(&mut builder, "body_az_folded", AZ_FOLDED_ANALYZER, false),
        )),
    };
    let en = LanguageFields {
        title: text_field(&mut builder, "title_en", EN_ANALYZER, false),
        body: text_field(&mut builder, "body_en", EN_ANALYZER, true),
        folded: None,
    };
    let other = LanguageFields {
        title: text_field(&mut builder, "title_other", PLAIN_ANALYZER, false),
        body: text_field(&mut builder, "body_other", PLAIN_ANALYZER, true),
        folded: None,
    };
    let fields = Fields {
        url,
        lang,
        title_stored,
        section,
        section_title,
        content_type,
        date,
        date_display,
        az,
        en,
        other,
    };
    (builder.build(), fields)
}

impl Fields {
    fn language(&self, lang: &str) -> LanguageFields {
        match lang {
            "az" => self.az,
            "en" => self.en,
            _ => self.other,
        }
    }
}

/// The index of one site.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir` to read it (the public server, `govsite search`). Never writes,
    /// creates or deletes anything, so any number of readers in any number of processes may
    /// open it while one writer updates it (issue 10).
    pub fn open_for_reading(dir: &Path) -> anyhow::Result<SearchIndex> {
        let (_schema, fields) = schema();
        let version_file = dir.join(SCHEMA_VERSION_FILE);
        let found = match std::fs::read_to_string(&version_file) {
            Ok(found) => found,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(IndexUnreadable::Missing {
                    dir: dir.to_path_buf(),
                }
                .into());
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("failed to read {}", version_file.display()));
            }
        };
        if found != SCHEMA_VERSION {
            return Err(IndexUnreadable::OtherVersion {
                dir: dir.to_path_buf(),
                found,
            }
            .into());
        }
        if !dir.join("meta.json").is_file() {
            return Err(IndexUnreadable::Missing {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("failed to open the search index in {}", dir.display()))?;
        Self::with_index(index, fields)
    }

    /// Opens the index in `dir` to change it (build, `govsite index --full`), creating it, or
    /// recreating an index of another schema. Callers hold the publishing lock, so one writer at
    /// a time changes the folder; readers may open it meanwhile.
    pub fn open_for_writing(dir: &Path) -> anyhow::Result<SearchIndex> {
        let (schema, fields) = schema();
        let version_file = dir.join(SCHEMA_VERSION_FILE);
        let current = std::fs::read_to_string(&version_file).ok();
        if current.as_deref() != Some(SCHEMA_VERSION) && dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("failed to remove the old index {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
        let index = match Index::open_in_dir(dir) {
            Ok(index) => index,
            Err(_) => Index::create_in_dir(dir, schema)
                .with_context(|| format!("failed to create the index in {}", dir.display()))?,
        };
        if current.as_deref() != Some(SCHEMA_VERSION) {
            // Written whole under another name and renamed, so a reader never sees it empty.
            let temporary = dir.join(format!(".{SCHEMA_VERSION_FILE}.{}", std::process::id()));
            std::fs::write(&temporary, SCHEMA_VERSION)
                .with_context(|| format!("failed to write {}", temporary.display()))?;
            std::fs::rename(&temporary, &version_file)
                .with_context(|| format!("failed to write {}", version_file.display()))?;
        }
        Self::with_index(index, fields)
    }

    fn with_index(index: Index, fields: Fields) -> anyhow::Result<SearchIndex> {
        register_analyzers(index.tokenizers());
        index.tokenizers().register(
            PLAIN_ANALYZER,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
        })
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let language = f.language(&doc.lang);
        let mut document = doc!(
            f.url => doc.url.as_str(),
            f.lang => doc.lang.as_str(),
            f.title_stored => doc.title.as_str(),
            f.section_title => doc.section_title.as_str(),
            f.content_type => doc.content_type.as_str(),
            f.date => doc.date,
            f.date_display => doc.date_display.as_str(),
            language.title => doc.title.as_str(),
            language.body => doc.body.as_str(),
        );
        if let Some((title, body)) = language.folded {
            document.add_text(title, &doc.title);
            document.add_text(body, &doc.body);
        }
        for section in &doc.sections {
            document.add_text(f.section, section);
        }
        document
    }

    /// Replaces the documents of these URLs and removes those of `removed`, in one commit.
    pub fn update(&self, docs: &[SearchDoc], removed: &[String]) -> anyhow::Result<()> {
        if docs.is_empty() && removed.is_empty() {
            return Ok(());
        }
        // A publish changes a few pages: one indexing thread with the smallest arena starts
        // and commits much faster than a pool sized for a rebuild.
        let mut writer = if docs.len() + removed.len() <= 1_000 {
            self.index
                .writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?
        } else {
            self.index.writer::<TantivyDocument>(50_000_000)?
        };
        for url in removed.iter().chain(docs.iter().map(|d| &d.url)) {
            writer.delete_term(Term::from_field_text(self.fields.url, url));
        }
        for doc in docs {
            writer.add_document(self.document(doc))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with these documents (`govsite index --full`, the schedule).
    pub fn rebuild(&self, docs: &[SearchDoc]) -> anyhow::Result<()> {
        let mut writer = self.index.writer::<TantivyDocument>(100_000_000)?;
        writer.delete_all_documents()?;
        for doc in docs {
            writer.add_document(self.document(doc))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Sees what other writers (a build in another process) committed since.
    pub fn reload(&self) -> anyhow::Result<()> {
        Ok(self.reader.reload()?)
    }

    /// How many pages the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index query of one word: its analysed terms in the title and body, and the folded
    /// terms in the lower-weighted folded fields (D189 §4.10.2–4.10.3).
    fn word_query(&self, lang: &str, word: &str) -> Option<Box<dyn TantivyQuery>> {
        let language = self.fields.language(lang);
        let terms = analyze(lang, word);
        if terms.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut add = |field: Field, terms: &[String], boost: f32| {
            let query: Box<dyn TantivyQuery> = if terms.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &terms[0]),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            };
            clauses.push((
                Occur::Should,
                if boost == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, boost))
                },
            ));
        };
        add(language.title, &terms, TITLE_BOOST);
        add(language.body, &terms, 1.0);
        if let Some((title, body)) = language.folded {
            let folded = analyze_folded(lang, word);
            if !folded.is_empty() {
                add(title, &folded, TITLE_BOOST * FOLDED_BOOST);
                add(body, &folded, FOLDED_BOOST);
            }
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn build_query(&self, lang: &str, query: &Query) -> Option<Box<dyn TantivyQuery>> {
        match query {
            Query::Word(word) => self.word_query(lang, word),
            Query::Phrase(words) => self.word_query(lang, &words.join(" ")),
            Query::Or(items) => {
                let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = items
                    .iter()
                    .filter_map(|item| self.build_query(lang, item))
                    .map(|q| (Occur::Should, q))
                    .collect();
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn TantivyQuery>)
            }
            Query::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                for item in items {
                    match item {
                        Query::Not(inner) => {
                            if let Some(q) = self.build_query(lang, inner) {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        other => {
                            if let Some(q) = self.build_query(lang, other) {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
                    return None;
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Query::Not(inner) => {
                let excluded = self.build_query(lang, inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, excluded),
                ])))
            }
        }
    }

    /// Runs a search; a malformed query is read as plain words, never an error.
    pub fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults> {
        let reading = super::query::parse(&request.query);
        let empty = SearchResults {
            reading: reading.clone(),
            total: 0,
            hits: Vec::new(),
        };
        let Some(parsed) = &reading.query else {
            return Ok(empty);
        };
        let Some(text_query) = self.build_query(&request.lang, parsed) else {
            return Ok(empty);
        };
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![
            (Occur::Must, text_query),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.lang, &request.lang),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        if let Some(section) = request.section.as_deref().filter(|s| !s.is_empty()) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.section, section),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(content_type) = request.content_type.as_deref().filter(|s| !s.is_empty()) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.content_type, content_type),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if request.from.is_some() || request.until.is_some() {
            let bound = |value: Option<i64>, inclusive: bool| match value {
                Some(v) if inclusive => Bound::Included(Term::from_field_i64(f.date, v)),
                Some(v) => Bound::Excluded(Term::from_field_i64(f.date, v)),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(request.from, true),
                    bound(request.until, false),
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let per_page = request.per_page.max(1);
        let offset = (request.page.max(1) - 1) * per_page;
        let (total, top) = searcher.search(
            &query,
            &(
                Count,
                TopDocs::with_limit(per_page)
                    .and_offset(offset)
                    .order_by_score(),
            ),
        )?;
        let body_field = f.language(&request.lang).body;
        let mut snippets = SnippetGenerator::create(&searcher, &query, body_field)?;
        snippets.set_max_num_chars(220);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let body = text(body_field);
            let snippet = snippets.snippet(&body);
            let snippet_html = snippet_html(&body, &snippet);
            hits.push(Hit {
                url: text(f.url),
                title: text(f.title_stored),
                section_title: text(f.section_title),
                content_type: text(f.content_type),
                date_display: text(f.date_display),
                snippet_html,
                score,
            });
        }
        Ok(SearchResults {
            reading,
            total,
            hits,
        })
    }
}

/// A result's snippet as HTML, with "…" where it cuts the text (issue 16); the beginning of
/// the text when no searched word is in it.
fn snippet_html(body: &str, snippet: &Snippet) -> String {
    const LENGTH: usize = 220;
    let text = body.trim();
    if snippet.is_empty() {
        let mut shown: String = text.chars().take(LENGTH).collect();
        if shown.len() < text.len() {
            // Cut at a word boundary.
            if let Some(space) = shown.rfind(char::is_whitespace) {
                shown.truncate(space);
            }
            shown.push('…');
        }
        return crate::render::escape_xml(&shown);
    }
    let range = snippet.fragment_range();
    let cut_before = body
        .get(..range.start)
        .is_some_and(|before| !before.trim().is_empty());
    let cut_after = body
        .get(range.end..)
        .is_some_and(|after| !after.trim().is_empty());
    let mut html = String::new();
    if cut_before {
        html.push('…');
    }
    html.push_str(snippet.to_html().trim());
    if cut_after {
        html.push('…');
    }
    html
}
