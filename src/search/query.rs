//! The query language of the search box (D189 §4.10.4): words are ANDed; `AND`/`və`,
//! `OR`/`və ya`, `NOT`/`inkar`, `-word`, parentheses and `"exact phrases"`. NOT binds tightest,
//! then AND, then OR. A malformed query is never an error: it is read as plain words, and the
//! reading says so.

use std::fmt;

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
}

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
                // `və ya` is OR.
                if op == Token::And
                    && chars
                        .clone()
                        .skip_while(|c| c.is_whitespace())
                        .collect::<String>()
                        .split_whitespace()
                        .next()
                        .is_some_and(is_ya)
                {
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

struct Parser {
    tokens: Vec<Token>,
    position: usize,
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

    /// or := and (OR and)*
    fn or(&mut self) -> Option<Query> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next();
            items.push(self.and()?);
        }
        Some(if items.len() == 1 {
            items.pop()?
        } else {
            Query::Or(items)
        })
    }

    /// and := not ((AND)? not)*
    fn and(&mut self) -> Option<Query> {
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
        Some(if items.len() == 1 {
            items.pop()?
        } else {
            Query::And(items)
        })
    }

    /// not := NOT not | atom
    fn not(&mut self) -> Option<Query> {
        if self.peek() == Some(&Token::Not) {
            self.next();
            return Some(Query::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Option<Query> {
        match self.next()? {
            Token::Word(word) => Some(Query::Word(word)),
            Token::Phrase(words) => Some(Query::Phrase(words)),
            Token::Open => {
                let inner = self.or()?;
                (self.next()? == Token::Close).then_some(inner)
            }
            _ => None,
        }
    }
}

/// Reads a query; never fails. An empty query reads as `None`.
pub fn parse(input: &str) -> Reading {
    if let Some(tokens) = tokenize(input) {
        if tokens.is_empty() {
            return Reading {
                query: None,
                as_plain_words: false,
            };
        }
        let mut parser = Parser {
            tokens,
            position: 0,
        };
        if let Some(query) = parser.or()
            && parser.position == parser.tokens.len()
            && has_positive(&query)
        {
            return Reading {
                query: Some(query),
                as_plain_words: false,
            };
        }
    }
    // Malformed: every word, operators included, as a plain word.
    let words: Vec<Query> = input
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”' | '«' | '»'))
        .map(|w| w.trim_start_matches('-'))
        .filter(|w| !w.is_empty())
        .map(|w| Query::Word(w.to_string()))
        .collect();
    let query = match words.len() {
        0 => None,
        1 => words.into_iter().next(),
        _ => Some(Query::And(words)),
    };
    Reading {
        query,
        as_plain_words: true,
    }
}

/// Does the query match something by itself (not only exclusions)?
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
