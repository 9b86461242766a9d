//! The command line: `import`, `export`, `build`, `serve`, `check`. Parses arguments, loads the
//! installation and calls the library; `main` only maps the result to an exit code.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::UserError;
use crate::model::SiteSource;
use crate::render::Templates;
use crate::search::index::{SearchIndex, SearchRequest};
use crate::store::{Actor, ImportOptions, Store};
use crate::{build, content, http, ops};

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
    /// Build if needed, serve the public site and run the scheduler
    Serve {
        /// Address of the public site (default: site.toml `listen.public`)
        #[arg(long, value_name = "ADDR")]
        public: Option<String>,
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

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Analyze { lang, explain } = &cli.command {
        // Needs no site: how we inspect and evaluate the analyzers.
        return analyze(lang, *explain);
    }
    let config = Config::load(&cli.site)?;
    match cli.command {
        Command::Import { from, force, prune } => {
            let from = from.unwrap_or_else(|| config.site_dir.clone());
            let mut store = open_store(&config)?;
            let report = import(&mut store, &config, &from, ImportOptions { force, prune })?;
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
            let report = build::build(&mut store, &config, full, OffsetDateTime::now_utc())?;
            print_build(&report, quiet);
        }
        Command::Serve { public } => serve(config, public)?,
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
            let indexed = build::reindex(&store, &config, OffsetDateTime::now_utc())?;
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

/// Reads the sources under `from`, checks them and their templates, and imports them.
pub fn import(
    store: &mut Store,
    config: &Config,
    from: &Path,
    options: ImportOptions,
) -> anyhow::Result<crate::store::ImportReport> {
    let known = store.source_paths()?;
    let site = read_and_check(config, from, &known)?;
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
) -> anyhow::Result<SiteSource> {
    let site = content::read_site(from, config, known)?;
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
    let index = SearchIndex::open(&config.search_index_dir())?;
    if index.is_empty() {
        eprintln!(
            "search: the index is empty; run `govsite build` or `govsite index --full` first"
        );
    }
    let results = index.search(&request)?;
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
    let site = read_and_check(config, &config.site_dir, &HashSet::new())?;
    println!(
        "check: site.toml, {} sections, {} pages, {} files and {} templates are valid",
        site.sections.len(),
        site.pages.len(),
        site.media.len(),
        site.templates.len()
    );
    Ok(())
}

fn print_build(report: &build::BuildReport, quiet: bool) {
    if !quiet {
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

fn serve(config: Config, public: Option<String>) -> anyhow::Result<()> {
    let public_addr: std::net::SocketAddr = match public {
        Some(text) => text.parse().map_err(|_| {
            UserError::new(format!(
                "`--public {text}` is not an address; write it like 127.0.0.1:8080"
            ))
        })?,
        None => config.public_addr,
    };
    let mut store = open_store(&config)?;
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
    let report = build::build(&mut store, &config, false, OffsetDateTime::now_utc())?;
    print_build(&report, true);
    drop(store);

    let scheduler_config = config.clone();
    std::thread::Builder::new()
        .name("scheduler".into())
        .spawn(move || ops::run_scheduler(scheduler_config))?;

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
        let state = http::PublicState::new(&config);
        println!("serve: public site at http://{public_addr}/");
        println!(
            "serve: the admin panel will listen on http://{} (site.toml `listen.admin`)",
            config.admin_addr
        );
        axum::serve(listener, http::public_router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the public server stopped")
    })
}
