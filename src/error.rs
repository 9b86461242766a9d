//! The error kinds the command line tells apart: a user error (exit code 1) and everything
//! else, which is an internal error (exit code 2).

use std::fmt;

/// A problem with what the user gave us: arguments, `site.toml`, content, templates.
///
/// It carries every problem found, each already phrased for the user (file, line, field, what
/// was expected, how to fix it). `main` prints them and exits with code 1.
#[derive(Debug)]
pub struct UserError {
    pub summary: String,
    pub problems: Vec<String>,
}

impl UserError {
    pub fn new(summary: impl Into<String>) -> Self {
        UserError {
            summary: summary.into(),
            problems: Vec::new(),
        }
    }

    pub fn with_problems(summary: impl Into<String>, problems: Vec<String>) -> Self {
        UserError {
            summary: summary.into(),
            problems,
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary)?;
        for (n, problem) in self.problems.iter().enumerate() {
            write!(f, "\n  {}. {}", n + 1, problem)?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}

/// Is this error (or any error in its chain) the user's?
pub fn is_user_error(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<UserError>())
}
