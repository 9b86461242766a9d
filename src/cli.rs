//! The command line: `import`, `export`, `build`, `serve`, `check`. Parses arguments, loads the
//! installation and calls the library; `main` only maps the result to an exit code.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::UserError;
use crate::model::SiteSource;
use crate::publishing::{PublishReport, Publisher};
use crate::render::Templates;
use crate::search::index::{SearchIndex, SearchRequest};
use crate::store::{Actor, ImportBaseline, ImportOptions, Store};
use crate::{admin, content, http, ops};

#[derive(Debug, Parser)]
#[command(
    name = "govsite",
    version,
    about = "CMS and static-site generator for the websites of Azerbaijani state bodies"
)]
pub struct Cli {
    /// The site's folder, holding site.toml
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub site: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load content/, themes/ and i18n/ into the database, in one transaction
    Import {
        /// Folder holding content/, themes/ and i18n/ (default: the site's folder)
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Overwrite pages edited in the database since their last import
        #[arg(long)]
        force: bool,
        /// Remove pages, sections and files whose source is gone
        #[arg(long)]
        prune: bool,
        /// Read and check every file, also those whose size and modification time are what
        /// the last import stored (by default those are not read again)
        #[arg(long)]
        full: bool,
    },
    /// Write the database out as content/, themes/ and i18n/ in canonical form
    Export {
        /// An empty or new folder to write into
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Publish the site into the public folder (only what changed, unless --full)
    Build {
        /// Render everything from scratch
        #[arg(long)]
        full: bool,
        /// Print only the summary, not every file written
        #[arg(long, short)]
        quiet: bool,
    },
    /// Build if needed, serve the public site and the admin panel, run the scheduler
    Serve {
        /// Address of the public site (default: site.toml `listen.public`)
        #[arg(long, value_name = "ADDR")]
        public: Option<String>,
        /// Address of the admin panel (default: site.toml `listen.admin`)
        #[arg(long, value_name = "ADDR")]
        admin: Option<String>,
    },
    /// Manage the admin panel's users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit journal
    AuditLog {
        #[command(subcommand)]
        command: AuditLogCommand,
    },
    /// Validate site.toml, content and templates without changing anything
    Check,
    /// Search the published site as citizens do (AND/OR/NOT, və/və ya/inkar, "phrases")
    Search {
        /// Language of the pages to search
        #[arg(long, default_value = "az")]
        lang: String,
        /// Only this section and below, by its address (`/az/xeberler/`)
        #[arg(long, value_name = "PATH")]
        section: Option<String>,
        /// Only this content type: page, news, document, announcement
        #[arg(long = "type", value_name = "TYPE")]
        content_type: Option<String>,
        /// Results per page
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Which page of results, from 1
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// One JSON object per result and line
        #[arg(long)]
        json: bool,
        /// The query: every word after the options; put `--` before a query starting with `-`
        #[arg(required = true, num_args = 1.., allow_hyphen_values = false)]
        query: Vec<String>,
    },
    /// Print the terms the search index stores for each line of standard input
    Analyze {
        /// az or en
        #[arg(long, default_value = "az")]
        lang: String,
        /// For Azerbaijani: print how each word was read (stem, suffixes, cost) instead
        #[arg(long)]
        explain: bool,
    },
    /// Rebuild the search index from the published site
    Index {
        /// Rebuild from scratch (the only mode there is; kept explicit for scripts)
        #[arg(long)]
        full: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; without --password-stdin a strong one-time password is generated and printed
    Add {
        name: String,
        /// administrator, content_manager, moderator, or a custom group
        #[arg(long)]
        role: String,
        /// Read the password from standard input instead (it must pass the policy)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (ends their sessions); without --password-stdin a one-time password is generated
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it cannot sign in; its journal entries stay
    Disable { name: String },
    /// List users with their group and state
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditLogCommand {
    /// Recompute the hash chain and compare it with the head file; name the first broken entry
    Verify,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging();
    if let Command::Analyze { lang, explain } = &cli.command {
        // Needs no site: how we inspect and evaluate the analyzers.
        return analyze(lang, *explain);
    }
    let config = Config::load(&cli.site)?;
    match cli.command {
        Command::Import {
            from,
            force,
            prune,
            full,
        } => {
            let from = from.unwrap_or_else(|| config.site_dir.clone());
            let mut store = open_store(&config)?;
            let options = ImportOptions {
                force,
                prune,
                full,
                ..ImportOptions::default()
            };
            let report = import(&mut store, &config, &from, options)?;
            for line in report
                .added
                .iter()
                .map(|a| format!("added {a}"))
                .chain(report.updated.iter().map(|u| format!("updated {u}")))
                .chain(report.removed.iter().map(|r| format!("removed {r}")))
            {
                println!("{line}");
            }
            println!(
                "import: {} added, {} updated, {} removed, {} unchanged",
                report.added.len(),
                report.updated.len(),
                report.removed.len(),
                report.unchanged
            );
        }
        Command::Export { to } => {
            let store = open_store(&config)?;
            let site = store.export()?;
            content::write_site(&site, &to, &config.theme)?;
            println!(
                "export: {} sections, {} pages, {} files, {} templates written to {}",
                site.sections.len(),
                site.pages.len(),
                site.media.len(),
                site.templates.len(),
                to.display()
            );
        }
        Command::Build { full, quiet } => {
            let mut store = open_store(&config)?;
            let publisher = Publisher::new(config.clone());
            let now = OffsetDateTime::now_utc();
            let report = if full {
                publisher.publish_full(&mut store, now)?
            } else {
                publisher.publish(&mut store, now)?
            };
            print_build(&report, quiet);
        }
        Command::Serve { public, admin } => serve(config, public, admin)?,
        Command::User { command } => user(&config, command)?,
        Command::AuditLog {
            command: AuditLogCommand::Verify,
        } => audit_log_verify(&config)?,
        Command::Check => check(&config)?,
        Command::Search {
            lang,
            section,
            content_type,
            limit,
            page,
            json,
            query,
        } => search(
            &config,
            SearchRequest {
                lang,
                query: query.join(" "),
                section,
                content_type,
                from: None,
                until: None,
                page,
                per_page: limit,
            },
            json,
        )?,
        Command::Analyze { .. } => unreachable!("handled above"),
        Command::Index { full: _ } => {
            let store = open_store(&config)?;
            let indexed =
                Publisher::new(config.clone()).reindex(&store, OffsetDateTime::now_utc())?;
            println!("index: {indexed} pages indexed");
        }
    }
    Ok(())
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("failed to create {}", config.data_dir.display()))?;
    let path = config.database_path();
    Store::open(&path, &config.domain, config.utc_offset)
        .with_context(|| format!("failed to open the database {}", path.display()))
}

/// Reads the sources under `from`, checks them and their templates, and imports them. Unless
/// `options.full`, files whose size and modification time are what the last import stored are
/// not read again (`Store::import_baseline`).
pub fn import(
    store: &mut Store,
    config: &Config,
    from: &Path,
    mut options: ImportOptions,
) -> anyhow::Result<crate::store::ImportReport> {
    let known = store.source_paths()?;
    let baseline = if options.full {
        ImportBaseline::default()
    } else {
        store.import_baseline()?
    };
    options.baseline_journal = Some(baseline.journal);
    let site = read_and_check(config, from, &known, baseline.files)?;
    store
        .import(&site, options, &Actor::os_user())
        .map_err(|error| match error.into_user_error() {
            Ok(user_error) => anyhow::Error::new(user_error),
            Err(internal) => {
                anyhow::Error::new(internal).context("import failed; the database is unchanged")
            }
        })
}

/// Reads a site's sources and compiles its templates; every problem in one list.
fn read_and_check(
    config: &Config,
    from: &Path,
    known: &HashSet<String>,
    previous: rustc_hash::FxHashMap<String, crate::model::PreviousFile>,
) -> anyhow::Result<SiteSource> {
    let site = content::read_site(from, config, known, previous)?;
    let templates = site
        .templates
        .iter()
        .map(|t| (t.name.clone(), t.body.clone()))
        .collect();
    if let Err(problems) = Templates::compile(&templates) {
        let problems = problems
            .into_iter()
            .map(|p| format!("themes/{}/templates: {p}", config.theme))
            .collect();
        return Err(UserError::with_problems(
            "the theme's templates have problems; nothing was changed:",
            problems,
        )
        .into());
    }
    Ok(site)
}

fn analyze(lang: &str, explain: bool) -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.context("failed to read standard input")?;
        if explain {
            for word in line.split_whitespace() {
                writeln!(out, "{word}: {}", crate::search::stemmer::explain(word))?;
            }
        } else {
            writeln!(out, "{}", crate::search::analyze(lang, &line).join(" "))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn search(config: &Config, request: SearchRequest, json: bool) -> anyhow::Result<()> {
    if !config.languages.contains(&request.lang) {
        return Err(UserError::new(format!(
            "`--lang {}` is not a language of the site; use one of {}",
            request.lang,
            config.languages.join(", ")
        ))
        .into());
    }
    if request.per_page == 0 || request.page == 0 {
        return Err(UserError::new("`--limit` and `--page` must be at least 1").into());
    }
    let index = SearchIndex::open_for_reading(&config.search_index_dir())?;
    if index.is_empty() {
        eprintln!(
            "search: the index is empty; run `govsite build` or `govsite index --full` first"
        );
    }
    let results = index.search(&request)?;
    // Issue 9: a query beyond the parser's limits is not run; the user is told why.
    if let Some(reason) = results.reading.too_complex {
        return Err(UserError::new(format!("search: {reason}")).into());
    }
    if results.reading.as_plain_words {
        eprintln!(
            "search: the query could not be read as written; searched for the plain words: {}",
            results
                .reading
                .query
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
    }
    for hit in &results.hits {
        if json {
            println!(
                "{}",
                serde_json::json!({ "url": hit.url, "title": hit.title, "score": hit.score, "section": hit.section_title, "type": hit.content_type, "date": hit.date_display })
            );
        } else {
            println!("{:>7.3}  {}  {}", hit.score, hit.url, hit.title);
        }
    }
    if !json {
        let pages = results.total.div_ceil(request.per_page.max(1)).max(1);
        println!(
            "search: {} result(s), page {} of {pages}",
            results.total, request.page
        );
    }
    Ok(())
}

fn check(config: &Config) -> anyhow::Result<()> {
    let site = read_and_check(
        config,
        &config.site_dir,
        &HashSet::new(),
        Default::default(),
    )?;
    println!(
        "check: site.toml, {} sections, {} pages, {} files and {} templates are valid",
        site.sections.len(),
        site.pages.len(),
        site.media.len(),
        site.templates.len()
    );
    Ok(())
}

fn print_build(report: &PublishReport, quiet: bool) {
    if report.nothing_to_do {
        println!(
            "build: nothing changed since the last publish ({} ms)",
            report.elapsed.as_millis()
        );
        return;
    }
    if !quiet {
        for path in &report.swept {
            println!("swept /{path}");
        }
        for path in &report.written {
            println!("wrote /{path}");
        }
        for path in &report.removed {
            println!("removed /{path}");
        }
    }
    println!(
        "build: {} written, {} removed, {} unchanged in {} ms",
        report.written.len(),
        report.removed.len(),
        report.unchanged,
        report.elapsed.as_millis()
    );
}

/// The log: one line per event on standard error (standard output is the commands' results),
/// at `info` and above unless `RUST_LOG` says otherwise (`RUST_LOG=debug`,
/// `RUST_LOG=info,govsite::http=warn`). `serve` logs every request and every build.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Already set (a test calling `run` twice): keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `--public`/`--admin` or the configured address.
fn listen_addr(
    flag: &str,
    given: Option<String>,
    configured: std::net::SocketAddr,
) -> anyhow::Result<std::net::SocketAddr> {
    match given {
        Some(text) => Ok(text.parse().map_err(|_| {
            UserError::new(format!(
                "`--{flag} {text}` is not an address; write it like 127.0.0.1:8080"
            ))
        })?),
        None => Ok(configured),
    }
}

fn serve(config: Config, public: Option<String>, admin: Option<String>) -> anyhow::Result<()> {
    let public_addr = listen_addr("public", public, config.public_addr)?;
    let admin_addr = listen_addr("admin", admin, config.admin_addr)?;
    // D189 §6.4.9: the panel is hosted apart from the public site.
    if admin_addr == public_addr && admin_addr.port() != 0 {
        return Err(UserError::new(format!(
            "the admin panel and the public site cannot share {admin_addr}; give them different addresses (`--admin`, `--public`)"
        ))
        .into());
    }
    let mut store = open_store(&config)?;
    if store.user_count()? == 0 {
        // First start: an administrator with a one-time password, changed at first login.
        let password = admin::auth::generate_password()?;
        let hash = admin::auth::hash_password(&password)?;
        store.create_user("admin", "administrator", &hash, true, &Actor::os_user())?;
        println!("serve: created the administrator `admin` with the one-time password: {password}");
        println!("serve: sign in to the admin panel (address below) and choose a new password");
    }
    if store.is_empty()? {
        println!(
            "serve: the database is empty; importing {}",
            config.site_dir.display()
        );
        let report = import(
            &mut store,
            &config,
            &config.site_dir.clone(),
            ImportOptions::default(),
        )?;
        println!("serve: imported {} items", report.added.len());
    }
    // One publisher for the panel and the scheduler of this process.
    let publisher = Arc::new(Publisher::new(config.clone()));
    publisher.publish(&mut store, OffsetDateTime::now_utc())?;
    // The published site is read into memory in the background, so that the first publish
    // from the panel starts from it too.
    let keeper = publisher.clone();
    std::thread::Builder::new()
        .name("keep-view".into())
        .spawn(move || {
            if let Err(error) = keeper.keep_view(&store) {
                tracing::warn!(error = %format!("{error:#}"), "the published site could not be kept in memory; the first publish reads it");
            }
        })?;

    let scheduler_publisher = publisher.clone();
    std::thread::Builder::new()
        .name("scheduler".into())
        .spawn(move || ops::run_scheduler(scheduler_publisher))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(public_addr)
            .await
            .map_err(|error| {
                UserError::new(format!(
                    "cannot listen on {public_addr}: {error}; choose another with `--public ADDR`"
                ))
            })?;
        let admin_listener = tokio::net::TcpListener::bind(admin_addr)
            .await
            .map_err(|error| {
                UserError::new(format!(
                    "cannot listen on {admin_addr}: {error}; choose another with `--admin ADDR`"
                ))
            })?;
        let state = http::PublicState::new(&config);
        // The addresses as bound: port 0 in `--public`/`--admin` picks a free port.
        let public_addr = listener.local_addr().unwrap_or(public_addr);
        let admin_addr = admin_listener.local_addr().unwrap_or(admin_addr);
        println!("serve: public site at http://{public_addr}/");
        println!("serve: admin panel at http://{admin_addr}/");
        if !admin_addr.ip().is_loopback() && !config.admin_https {
            tracing::warn!(
                "the admin panel listens off loopback over plain HTTP, so it refuses logins; put a TLS proxy in front and set `listen.admin_https = true` (D189 §6.3.12)"
            );
        }
        // The panel links to the public site where it really listens (`--public` included).
        let mut panel_config = config.clone();
        panel_config.public_addr = public_addr;
        let admin_state = admin::AdminState::with_publisher(&panel_config, admin_addr, publisher);
        // Issue 9 item 11: header and body timeouts and a connection limit on both listeners.
        let public_server = http::serve_connections(
            listener,
            "public",
            http::public_router(state),
            http::ServerLimits::default(),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        );
        // Small forms (the login's included) for anyone; uploads and long pages only for a live
        // session, so that nobody holds large bodies in memory without logging in.
        let admin_limits = http::ServerLimits {
            max_body_bytes: admin::MAX_ANONYMOUS_REQUEST_BYTES,
            large_bodies: Some(admin::large_bodies(admin_state.clone())),
            ..http::ServerLimits::default()
        };
        let admin_server = http::serve_connections(
            admin_listener,
            "admin",
            admin::admin_router(admin_state),
            admin_limits,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        );
        let (public_result, admin_result) = tokio::join!(public_server, admin_server);
        public_result.context("the public server stopped")?;
        admin_result.context("the admin panel stopped")
    })
}

/// Reads one password line from standard input.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("failed to read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A password from standard input that passes the policy, or a generated one-time password:
/// (password, is one-time).
fn new_password(name: &str, from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((admin::auth::generate_password()?, true));
    }
    let password = password_from_stdin()?;
    let violations = admin::auth::check_password_policy(&password, name);
    if !violations.is_empty() {
        return Err(UserError::with_problems(
            "the password does not meet the policy (D189 §6.11); nothing was changed:",
            violations.iter().map(|v| v.english()).collect(),
        )
        .into());
    }
    Ok((password, false))
}

fn user(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let mut store = open_store(config)?;
    let actor = Actor::os_user();
    let find = |store: &Store, name: &str| -> anyhow::Result<crate::store::User> {
        match store.user_with_hash(name)? {
            Some((user, _)) => Ok(user),
            None => Err(UserError::new(format!(
                "there is no user `{name}`; `govsite user list` shows them"
            ))
            .into()),
        }
    };
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            if !admin::auth::is_valid_user_name(&name) {
                return Err(UserError::new(format!(
                    "`{name}` is not a valid user name: 2–32 characters of a-z, 0-9, `.`, `_`, `-`, starting with a letter"
                ))
                .into());
            }
            let groups = store.groups()?;
            if !groups.iter().any(|g| g.name == role) {
                return Err(UserError::new(format!(
                    "`--role {role}` is not a group; use one of {}",
                    groups
                        .iter()
                        .map(|g| g.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            let (password, one_time) = new_password(&name, password_stdin)?;
            let hash = admin::auth::hash_password(&password)?;
            store
                .create_user(&name, &role, &hash, one_time, &actor)
                .map_err(store_error)?;
            if one_time {
                println!("user: created `{name}` ({role}) with the one-time password: {password}");
                println!("user: it must be changed at the first login");
            } else {
                println!("user: created `{name}` ({role})");
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let user = find(&store, &name)?;
            let (password, one_time) = new_password(&name, password_stdin)?;
            let hash = admin::auth::hash_password(&password)?;
            store
                .set_password(user.id, &hash, one_time, None, &actor)
                .map_err(store_error)?;
            if one_time {
                println!("user: `{name}` has the one-time password: {password}");
            } else {
                println!("user: the password of `{name}` is changed");
            }
            println!("user: the sessions of `{name}` are ended");
        }
        UserCommand::Disable { name } => {
            let user = find(&store, &name)?;
            store
                .set_disabled(user.id, true, &actor)
                .map_err(store_error)?;
            println!("user: `{name}` is disabled; their journal entries stay");
        }
        UserCommand::List => {
            for user in store.users()? {
                let state = if user.disabled {
                    "disabled"
                } else if user.must_change_password {
                    "one-time password"
                } else {
                    "active"
                };
                let scope = |list: &[String]| {
                    if list.is_empty() {
                        "all".to_string()
                    } else {
                        list.join(",")
                    }
                };
                println!(
                    "{}\t{}\t{}\tsections: {}\tlanguages: {}",
                    user.name,
                    user.group.name,
                    state,
                    scope(&user.sections),
                    scope(&user.languages)
                );
            }
        }
    }
    Ok(())
}

fn store_error(error: crate::store::Error) -> anyhow::Error {
    match error.into_user_error() {
        Ok(user_error) => user_error.into(),
        Err(internal) => internal.into(),
    }
}

/// `govsite audit-log verify` (D189 §10.1.3): exit 0 when the chain and the head file agree,
/// otherwise name the first broken entry and exit 1.
fn audit_log_verify(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config)?;
    let (count, problem) = store.verify_journal_with_head()?;
    match problem {
        None => {
            println!("audit-log: {count} entries, the hash chain and the head file agree");
            Ok(())
        }
        Some(problem) => Err(UserError::new(format!(
            "audit-log: the journal has been tampered with: {}",
            problem.message
        ))
        .into()),
    }
}
