//! govsite: a CMS and static-site generator for the websites of Azerbaijani state bodies.
//!
//! Modules in reading order: the installation (`config`), the domain types (`model`), the
//! exchange format (`content`), the database (`store`), the publishing workflow (`workflow`),
//! rendering (`markdown`, `i18n`, `render`), publishing (`publishing`), serving (`http`),
//! operations (`ops`) and the command line (`cli`). `ARCHITECTURE.md` describes their boundaries.

pub mod admin;
pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod guard;
pub mod http;
pub mod i18n;
pub mod markdown;
pub mod media;
pub mod model;
pub mod ops;
pub mod publishing;
pub mod render;
pub mod search;
pub mod slug;
pub mod spell;
pub mod store;
pub mod workflow;

pub use error::UserError;
