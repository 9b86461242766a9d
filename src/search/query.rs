//! The query language of the search box (D189 §4.10.4): words are ANDed; `AND`/`və`,
//! `OR`/`və ya`, `NOT`/`inkar`, `-word`, parentheses and `"exact phrases"`. NOT binds tightest,
//! then AND, then OR. A malformed query is never an error: it is read as plain words, and the
//! reading says so. A query longer, wordier or deeper than the limits below is not run at all:
//! the reading says it is too complex (issue 9: 4,000 `(` overflowed the stack and killed the
//! server; 1,000 ORs took a second each). Tokenizing is linear, and parsing, printing and every
//! other walk over a parsed query recurse at most [`MAX_QUERY_DEPTH`] levels of parentheses and
//! NOTs.

use std::fmt;

/// At most this many characters are read; a longer query is too complex.
pub const MAX_QUERY_CHARS: usize = 500;
/// At most this many words (a phrase counts each of its words; operators are not words).
pub const MAX_QUERY_WORDS: usize = 64;
/// At most this many levels of parentheses and NOTs inside each other.
pub const MAX_QUERY_DEPTH: usize = 12;

/// Why a query is not run. The message names what was exceeded and every limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooComplex {
    #[error("the query is too complex ({chars} characters): {limits}", limits = limits())]
    TooLong { chars: usize },
    #[error("the query is too complex ({words} words): {limits}", limits = limits())]
    TooManyWords { words: usize },
    #[error(
        "the query is too complex (parentheses or NOT nested too deep): {limits}",
        limits = limits()
    )]
    TooDeep,
}

/// The limits as the command line states them.
fn limits() -> String {
    format!(
        "at most {MAX_QUERY_CHARS} characters, {MAX_QUERY_WORDS} words and {MAX_QUERY_DEPTH} levels of parentheses or NOT are allowed; shorten the query"
    )
}

/// A parsed query. Words are as the user typed them; analysis happens when the index query is
/// built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Word(String),
    Phrase(Vec<String>),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

/// How a query was read, for the results page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub query: Option<Query>,
    /// The query was malformed and was read as plain words.
    pub as_plain_words: bool,
    /// The query is beyond the limits and is not run (`query` is then `None`).
    pub too_complex: Option<TooComplex>,
}

impl Reading {
    fn too_complex(reason: TooComplex) -> Reading {
        Reading {
            query: None,
            as_plain_words: false,
            too_complex: Some(reason),
        }
    }
}

/// The canonical form; recurses as deep as the query nests, which [`parse`] bounds.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join(
            f: &mut fmt::Formatter<'_>,
            items: &[Query],
            operator: &str,
            parent_binds_tighter: bool,
        ) -> fmt::Result {
            if parent_binds_tighter {
                f.write_str("(")?;
            }
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    write!(f, " {operator} ")?;
                }
                match item {
                    Query::Or(inner) if operator == "AND" => join(f, inner, "OR", true)?,
                    other => write!(f, "{other}")?,
                }
            }
            if parent_binds_tighter {
                f.write_str(")")?;
            }
            Ok(())
        }
        match self {
            Query::Word(word) => f.write_str(word),
            Query::Phrase(words) => write!(f, "\"{}\"", words.join(" ")),
            Query::And(items) => join(f, items, "AND", false),
            Query::Or(items) => join(f, items, "OR", false),
            Query::Not(inner) => match inner.as_ref() {
                Query::And(_) | Query::Or(_) => {
                    f.write_str("NOT (")?;
                    write!(f, "{inner}")?;
                    f.write_str(")")
                }
                other => write!(f, "NOT {other}"),
            },
        }
    }
}

impl Query {
    /// The words and phrases of the query in order, as a reader typed them, without operators:
    /// how a query read as plain words is shown back (issue 16: not "və AND ya", which mixes
    /// the query language into the page's).
    pub fn plain_words(&self) -> String {
        fn collect(query: &Query, out: &mut Vec<String>) {
            match query {
                Query::Word(word) => out.push(word.clone()),
                Query::Phrase(words) => out.push(format!("\"{}\"", words.join(" "))),
                Query::And(items) | Query::Or(items) => {
                    for item in items {
                        collect(item, out);
                    }
                }
                Query::Not(inner) => collect(inner, out),
            }
        }
        let mut words = Vec::new();
        collect(self, &mut words);
        words.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(Vec<String>),
    And,
    Or,
    Not,
    Open,
    Close,
}

/// Is this word an operator name, in any case (`VƏ`, `İnkar`, `INKAR`, `and`)? Checked on the
/// word as typed, before any lowercasing, with both Turkic and plain casing.
fn operator(word: &str) -> Option<Token> {
    let turkic = crate::slug::turkic_lowercase(word);
    let plain = word.to_lowercase();
    let is = |name: &str| turkic == name || plain == name || turkic.replace('ı', "i") == name;
    if is("and") || is("və") {
        Some(Token::And)
    } else if is("or") {
        Some(Token::Or)
    } else if is("not") || is("inkar") {
        Some(Token::Not)
    } else {
        None
    }
}

fn is_ya(word: &str) -> bool {
    let lowered = crate::slug::turkic_lowercase(word);
    lowered == "ya"
}

/// Is the next word (after white space) `ya`? Looks at most a few characters ahead.
fn next_word_is_ya(chars: &std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let mut ahead = chars.clone().skip_while(|c| c.is_whitespace());
    let mut word = String::new();
    for ch in ahead.by_ref() {
        if ch.is_whitespace() {
            break;
        }
        word.push(ch);
        if word.chars().count() > 2 {
            return false;
        }
    }
    is_ya(&word)
}

/// Splits into tokens; `None` when quotes are unbalanced.
fn tokenize(input: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&ch) = chars.peek() {
        if ch.is_whitespace() {
            chars.next();
        } else if ch == '(' {
            chars.next();
            tokens.push(Token::Open);
        } else if ch == ')' {
            chars.next();
            tokens.push(Token::Close);
        } else if ch == '"' || ch == '“' || ch == '”' || ch == '«' || ch == '»' {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for next in chars.by_ref() {
                if matches!(next, '"' | '“' | '”' | '«' | '»') {
                    closed = true;
                    break;
                }
                phrase.push(next);
            }
            if !closed {
                return None;
            }
            let words: Vec<String> = phrase.split_whitespace().map(str::to_string).collect();
            match words.len() {
                0 => {}
                // A quoted single word is the word itself, never an operator.
                1 => tokens.push(Token::Word(words[0].clone())),
                _ => tokens.push(Token::Phrase(words)),
            }
        } else {
            let mut word = String::new();
            while let Some(&next) = chars.peek() {
                if next.is_whitespace() || matches!(next, '(' | ')' | '"' | '“' | '”' | '«' | '»')
                {
                    break;
                }
                word.push(next);
                chars.next();
            }
            if let Some(rest) = word
                .strip_prefix('-')
                .filter(|rest| !rest.is_empty() && !rest.starts_with('-'))
            {
                tokens.push(Token::Not);
                tokens.push(Token::Word(rest.to_string()));
            } else if let Some(op) = operator(&word) {
                // `və ya` is OR. The next word is looked at without copying the rest of the
                // query, so that a query of many `və` stays linear.
                if op == Token::And && next_word_is_ya(&chars) {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    while chars
                        .peek()
                        .is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
                    {
                        chars.next();
                    }
                    tokens.push(Token::Or);
                } else {
                    tokens.push(op);
                }
            } else if !word.is_empty() {
                tokens.push(Token::Word(word));
            }
        }
    }
    Some(tokens)
}

/// Why the parser stopped.
enum ParseFailure {
    /// Not a well-formed query: read as plain words instead.
    Malformed,
    /// Parentheses and NOTs nest deeper than [`MAX_QUERY_DEPTH`].
    TooDeep,
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    /// Parentheses and NOTs open around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    /// Enters one more level of parentheses or NOT; refuses past the limit, so that the
    /// recursion (and every later walk over the query) stays shallow.
    fn descend(&mut self) -> Result<(), ParseFailure> {
        self.depth += 1;
        if self.depth > MAX_QUERY_DEPTH {
            return Err(ParseFailure::TooDeep);
        }
        Ok(())
    }

    /// or := and (OR and)*
    fn or(&mut self) -> Result<Query, ParseFailure> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().ok_or(ParseFailure::Malformed)?
        } else {
            Query::Or(items)
        })
    }

    /// and := not ((AND)? not)*
    fn and(&mut self) -> Result<Query, ParseFailure> {
        let mut items = vec![self.not()?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.next();
                    items.push(self.not()?);
                }
                Some(Token::Word(_) | Token::Phrase(_) | Token::Not | Token::Open) => {
                    items.push(self.not()?)
                }
                _ => break,
            }
        }
        Ok(if items.len() == 1 {
            items.pop().ok_or(ParseFailure::Malformed)?
        } else {
            Query::And(items)
        })
    }

    /// not := NOT not | atom
    fn not(&mut self) -> Result<Query, ParseFailure> {
        if self.peek() == Some(&Token::Not) {
            self.next();
            self.descend()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Query, ParseFailure> {
        match self.next().ok_or(ParseFailure::Malformed)? {
            Token::Word(word) => Ok(Query::Word(word)),
            Token::Phrase(words) => Ok(Query::Phrase(words)),
            Token::Open => {
                self.descend()?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(ParseFailure::Malformed),
                }
            }
            _ => Err(ParseFailure::Malformed),
        }
    }
}

/// How many words the tokens hold (a phrase counts each of its words).
fn count_words(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .map(|token| match token {
            Token::Word(_) => 1,
            Token::Phrase(words) => words.len(),
            _ => 0,
        })
        .sum()
}

/// Reads a query; never fails. An empty query reads as `None`; a query beyond the limits
/// ([`MAX_QUERY_CHARS`], [`MAX_QUERY_WORDS`], [`MAX_QUERY_DEPTH`]) reads as too complex.
pub fn parse(input: &str) -> Reading {
    let chars = input.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Reading::too_complex(TooComplex::TooLong { chars });
    }
    if let Some(tokens) = tokenize(input) {
        if tokens.is_empty() {
            return Reading {
                query: None,
                as_plain_words: false,
                too_complex: None,
            };
        }
        let words = count_words(&tokens);
        if words > MAX_QUERY_WORDS {
            return Reading::too_complex(TooComplex::TooManyWords { words });
        }
        let mut parser = Parser {
            tokens,
            position: 0,
            depth: 0,
        };
        match parser.or() {
            Ok(query) if parser.position == parser.tokens.len() && has_positive(&query) => {
                return Reading {
                    query: Some(query),
                    as_plain_words: false,
                    too_complex: None,
                };
            }
            Err(ParseFailure::TooDeep) => return Reading::too_complex(TooComplex::TooDeep),
            Ok(_) | Err(ParseFailure::Malformed) => {}
        }
    }
    // Malformed: every word, operators included, as a plain word.
    let words: Vec<Query> = input
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”' | '«' | '»'))
        .map(|w| w.trim_start_matches('-'))
        .filter(|w| !w.is_empty())
        .map(|w| Query::Word(w.to_string()))
        .collect();
    if words.len() > MAX_QUERY_WORDS {
        return Reading::too_complex(TooComplex::TooManyWords { words: words.len() });
    }
    let query = match words.len() {
        0 => None,
        1 => words.into_iter().next(),
        _ => Some(Query::And(words)),
    };
    Reading {
        query,
        as_plain_words: true,
        too_complex: None,
    }
}

/// Does the query match something by itself (not only exclusions)? Recurses as deep as the
/// query nests, which the parser bounds.
fn has_positive(query: &Query) -> bool {
    match query {
        Query::Word(_) | Query::Phrase(_) => true,
        Query::Not(_) => false,
        Query::And(items) => items.iter().any(has_positive),
        Query::Or(items) => items.iter().all(has_positive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and prints the reading in canonical form; `plain:` marks a plain-words reading.
    fn check(input: &str, expected: &str) {
        let reading = parse(input);
        let shown = match (&reading.query, reading.as_plain_words) {
            (Some(query), false) => query.to_string(),
            (Some(query), true) => format!("plain: {query}"),
            (None, _) => String::new(),
        };
        assert_eq!(shown, expected, "parse({input:?})");
    }

    #[test]
    fn can_read_operators_in_both_languages() {
        // D189 §4.10.4
        check("qanun vergi", "qanun AND vergi");
        check("qanun AND vergi", "qanun AND vergi");
        check("qanun və vergi", "qanun AND vergi");
        check("qanun VƏ vergi", "qanun AND vergi");
        check("qanun Və vergi", "qanun AND vergi");
        check("qanun OR vergi", "qanun OR vergi");
        check("qanun or vergi", "qanun OR vergi");
        check("qanun və ya vergi", "qanun OR vergi");
        check("qanun VƏ YA vergi", "qanun OR vergi");
        check("qanun Və ya vergi", "qanun OR vergi");
        check("qanun NOT vergi", "qanun AND NOT vergi");
        check("qanun inkar vergi", "qanun AND NOT vergi");
        check("qanun INKAR vergi", "qanun AND NOT vergi");
        check("qanun İnkar vergi", "qanun AND NOT vergi");
        check("qanun İNKAR vergi", "qanun AND NOT vergi");
        check("qanun -vergi", "qanun AND NOT vergi");
    }

    #[test]
    fn can_apply_precedence_and_parentheses() {
        check("a OR b c", "a OR b AND c");
        check("a b OR c", "a AND b OR c");
        check("NOT a b", "NOT a AND b");
        check("(a OR b) c", "(a OR b) AND c");
        check("a (b və ya c) inkar d", "a AND (b OR c) AND NOT d");
        check("a NOT (b OR c)", "a AND NOT (b OR c)");
    }

    #[test]
    fn can_read_phrases_and_quoted_operators() {
        check("\"açıq məlumat\" portal", "\"açıq məlumat\" AND portal");
        check("\"və\" qanun", "və AND qanun");
        check("«elektron xidmət»", "\"elektron xidmət\"");
    }

    #[test]
    fn can_read_malformed_queries_as_plain_words() {
        check("\"açıq məlumat", "plain: açıq AND məlumat");
        check("(qanun vergi", "plain: qanun AND vergi");
        check("qanun vergi)", "plain: qanun AND vergi");
        check("AND", "plain: AND");
        check("qanun OR", "plain: qanun AND OR");
        check("və ya", "plain: və AND ya");
        check("NOT vergi", "plain: NOT AND vergi");
        check(
            "qanun OR NOT vergi",
            "plain: qanun AND OR AND NOT AND vergi",
        );
        check("", "");
        check("   ", "");
    }
}
