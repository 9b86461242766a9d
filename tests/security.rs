//! The standing attack suite (issue "Security"): every hole an outside attack found, each
//! with a test that failed before it was closed, and property tests of the parsers that
//! read user input. One part per surface; SECURITY.md says who may do what.

mod common;

/// The public server: paths, headers, long URLs, slow clients, floods of searches.
#[path = "security/public_server.rs"]
mod public_server;

/// Parsers of user input: the search query language, Markdown bodies, front matter.
#[path = "security/input_bounds.rs"]
mod input_bounds;

/// Accounts and the journal: throttling, privilege, the journal head under concurrency.
#[path = "security/accounts.rs"]
mod accounts;

/// Paths that come from content and strings: URL segments, build outputs, imported files.
#[path = "security/paths_and_import.rs"]
mod paths_and_import;
