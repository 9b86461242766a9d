//! Full-text search analysis (D189 §4.10.2–4.10.3): the Azerbaijani and English analyzers that
//! the index and the query parser share, registered in tantivy by name.
//!
//! `analyzer` owns tokenizing, normalising and casing; `stemmer` the Azerbaijani morphology;
//! `lexicon` the embedded headword dictionary. Nothing here touches a database or the network:
//! text goes in, terms come out. `bench/ANALYZER.md` describes the design and its measured
//! quality.

pub mod analyzer;
pub mod index;
pub mod lexicon;
pub mod query;
pub mod stemmer;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream, TokenizerManager,
};

use analyzer::{AzerbaijaniTokenizer, Field};

pub use crate::slug::turkic_lowercase;

/// Names under which the analyzers are registered in tantivy.
pub const AZ_ANALYZER: &str = "az_morph"; // main Azerbaijani text field
pub const AZ_FOLDED_ANALYZER: &str = "az_folded"; // ASCII-folded, lower-weighted field
pub const EN_ANALYZER: &str = "en_stem";

/// Tokens longer than this many bytes are dropped by the non-Azerbaijani analyzers.
const MAX_TOKEN_BYTES: usize = 40;

/// The main Azerbaijani analyzer: words, Turkic casing, dictionary-guided stemming.
pub fn az_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(AzerbaijaniTokenizer::new(Field::Main))
}

/// The folded Azerbaijani analyzer: as [`az_analyzer`], on text with `ə ğ ı ö ü ş ç` folded to
/// `e g i o u s c`, so that `xidmetler` (typed on an English keyboard) finds `xidmətlər`.
pub fn az_folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(AzerbaijaniTokenizer::new(Field::Folded))
}

/// The English analyzer: tantivy's simple tokenizer, Unicode lowercasing, the Snowball English
/// stemmer (the same pipeline as tantivy's built-in `en_stem`).
pub fn en_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Any other language: words and Unicode lowercasing, no stemming.
fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers all analyzers on an index's tokenizer manager.
pub fn register_analyzers(manager: &TokenizerManager) {
    manager.register(AZ_ANALYZER, az_analyzer());
    manager.register(AZ_FOLDED_ANALYZER, az_folded_analyzer());
    manager.register(EN_ANALYZER, en_analyzer());
}

fn terms_of(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// The terms the main text field of `lang` ("az"/"en"; others: like en without stemming) indexes
/// for `text`, in order, duplicates kept.
pub fn analyze(lang: &str, text: &str) -> Vec<String> {
    match lang {
        "az" => {
            let mut terms = Vec::new();
            analyzer::for_each_term(text, Field::Main, |_, _, term| terms.push(term));
            terms
        }
        "en" => terms_of(en_analyzer(), text),
        _ => terms_of(plain_analyzer(), text),
    }
}

/// Same for the folded field. For languages other than Azerbaijani this is the main analyzer
/// with tantivy's ASCII folding (`café` → `cafe`).
pub fn analyze_folded(lang: &str, text: &str) -> Vec<String> {
    match lang {
        "az" => {
            let mut terms = Vec::new();
            analyzer::for_each_term(text, Field::Folded, |_, _, term| terms.push(term));
            terms
        }
        "en" => terms_of(
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::English))
                .build(),
            text,
        ),
        _ => terms_of(
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
            text,
        ),
    }
}
