//! Search benchmark: indexes N generated bilingual items (N Azerbaijani + N English pages) with
//! govsite's search index and measures indexing time, index size, query latency and the cost of
//! publishing one page. `bench/search.sh` runs it; `bench/SEARCH.md` reports the numbers.
//!
//!     cargo run --release --example search_bench -- N OUT_DIR [JSON_FILE]
//!
//! OUT_DIR is deleted and recreated. The text is generated from the real texts in `content/az`
//! and `content/en` (a word-bigram chain mixed with word-frequency draws, plus numbers and dates),
//! deterministically: a fixed seed and a small xorshift generator, no clock.
//!
//! Environment:
//!   SEARCH_BENCH_QUIET    a shell command run (untimed) before each timed phase, e.g.
//!                         `bench/wait_quiet.sh LOG 600` so every phase starts on a quiet machine
//!   SEARCH_BENCH_QUERIES  measured queries per class and language (default 300; warm-up: 100)
//!   SEARCH_BENCH_UPDATES  one-page updates to time (default 20)
//!
//! Every phase also reports `others_cpu_s`: CPU time the whole machine spent during the phase
//! minus this process's own, i.e. how much other processes competed with the measurement.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use govsite::search::index::{SearchDoc, SearchIndex, SearchRequest};
use govsite::search::turkic_lowercase;

const SEED: u64 = 20261122;

// ---------------------------------------------------------------------------------------------
// A tiny deterministic PRNG (xorshift64*).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that nearby seeds give unrelated streams; never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 11) as u128 * n as u128) >> 53) as usize
    }

    fn range(&mut self, low: usize, high_inclusive: usize) -> usize {
        low + self.below(high_inclusive - low + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary from the repository's real content.

struct Vocabulary {
    /// Every word of the texts in order (lowercased unless always capitalised): drawing from it
    /// draws words by their frequency.
    stream: Vec<u32>,
    words: Vec<String>,
    /// For each word, the words that follow it in the texts.
    next: Vec<Vec<u32>>,
    /// Words fit to be typed into the search box (3+ letters, no operator names), by frequency
    /// (with repeats) and distinct.
    query_stream: Vec<u32>,
    query_distinct: Vec<u32>,
    files: usize,
}

/// The text of a content file without its TOML front matter and markdown link targets.
fn content_text(source: &str) -> String {
    let body = match source.strip_prefix("+++") {
        Some(rest) => match rest.find("\n+++") {
            Some(end) => &rest[end + 4..],
            None => rest,
        },
        None => source,
    };
    // Drop `](target)` and `<https://...>` so that URLs do not become words.
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("](") {
            rest = after.find(')').map(|i| &after[i + 1..]).unwrap_or("");
            out.push(' ');
        } else if rest.starts_with("<http") {
            rest = rest.find('>').map(|i| &rest[i + 1..]).unwrap_or("");
            out.push(' ');
        } else {
            let ch = rest.chars().next().unwrap();
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

fn lowercase(lang: &str, word: &str) -> String {
    if lang == "az" {
        turkic_lowercase(word)
    } else {
        word.to_lowercase()
    }
}

const OPERATOR_WORDS: &[&str] = &["və", "ya", "inkar", "and", "or", "not"];

fn vocabulary(repo: &Path, lang: &str) -> Vocabulary {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(repo.join("content").join(lang))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut tokens: Vec<String> = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read content file");
        let text = content_text(&source);
        for word in text.split(|c: char| !c.is_alphabetic()) {
            if word.chars().count() >= 2 || word == "a" || word == "o" || word == "i" {
                tokens.push(word.to_string());
            }
        }
    }
    // A word seen lowercased anywhere is used lowercased; proper nouns keep their capital.
    let mut lower_seen: HashMap<String, bool> = HashMap::new();
    for token in &tokens {
        let lower = lowercase(lang, token);
        let is_lower = lower == *token;
        *lower_seen.entry(lower).or_insert(false) |= is_lower;
    }
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut stream = Vec::with_capacity(tokens.len());
    for token in &tokens {
        let lower = lowercase(lang, token);
        let form = if lower_seen[&lower] {
            lower
        } else {
            token.clone()
        };
        let id = *ids.entry(form.clone()).or_insert_with(|| {
            words.push(form);
            (words.len() - 1) as u32
        });
        stream.push(id);
    }
    let mut next = vec![Vec::new(); words.len()];
    for pair in stream.windows(2) {
        next[pair[0] as usize].push(pair[1]);
    }
    let queryable = |id: &u32| {
        let w = &words[*id as usize];
        w.chars().count() >= 3 && !OPERATOR_WORDS.contains(&lowercase(lang, w).as_str())
    };
    let query_stream: Vec<u32> = stream.iter().copied().filter(queryable).collect();
    let mut query_distinct: Vec<u32> = query_stream.clone();
    query_distinct.sort_unstable();
    query_distinct.dedup();
    Vocabulary {
        stream,
        words,
        next,
        query_stream,
        query_distinct,
        files: files.len(),
    }
}

// ---------------------------------------------------------------------------------------------
// Generating pages.

struct Section {
    az: &'static str,
    en: &'static str,
    content_type: &'static str,
    /// Share of items, per mille.
    share: usize,
    az_title: &'static str,
    en_title: &'static str,
}

/// As in bench/gen_corpus.py.
const SECTIONS: &[Section] = &[
    Section {
        az: "xeberler",
        en: "news",
        content_type: "news",
        share: 280,
        az_title: "Xəbərlər",
        en_title: "News",
    },
    Section {
        az: "elanlar",
        en: "announcements",
        content_type: "announcement",
        share: 80,
        az_title: "Elanlar",
        en_title: "Announcements",
    },
    Section {
        az: "senedler",
        en: "documents",
        content_type: "document",
        share: 120,
        az_title: "Sənədlər",
        en_title: "Documents",
    },
    Section {
        az: "qanunvericilik",
        en: "legislation",
        content_type: "document",
        share: 100,
        az_title: "Qanunvericilik",
        en_title: "Legislation",
    },
    Section {
        az: "hesabatlar",
        en: "reports",
        content_type: "document",
        share: 80,
        az_title: "Hesabatlar",
        en_title: "Reports",
    },
    Section {
        az: "tedbirler",
        en: "events",
        content_type: "news",
        share: 80,
        az_title: "Tədbirlər",
        en_title: "Events",
    },
    Section {
        az: "layiheler",
        en: "projects",
        content_type: "page",
        share: 70,
        az_title: "Layihələr",
        en_title: "Projects",
    },
    Section {
        az: "xidmetler",
        en: "services",
        content_type: "page",
        share: 70,
        az_title: "Elektron xidmətlər",
        en_title: "E-services",
    },
    Section {
        az: "haqqimizda",
        en: "about",
        content_type: "page",
        share: 40,
        az_title: "Haqqımızda",
        en_title: "About us",
    },
    Section {
        az: "suallar",
        en: "faq",
        content_type: "page",
        share: 80,
        az_title: "Tez-tez verilən suallar",
        en_title: "Frequently asked questions",
    },
];

fn capitalise(lang: &str, word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some('i') if lang == "az" => format!("İ{}", chars.as_str()),
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Appends `count` words of running text: mostly the next word of the bigram chain, sometimes a
/// word drawn by frequency (so that the texts are not copies of the source), now and then a
/// number (years, counts, document numbers), in sentences of 6–20 words.
fn words_into(out: &mut String, vocab: &Vocabulary, lang: &str, rng: &mut Rng, count: usize) {
    let mut current = *rng.pick(&vocab.stream);
    let mut sentence_left = rng.range(6, 20);
    let mut sentence_start = true;
    for n in 0..count {
        if n > 0 {
            out.push(' ');
        }
        let follow = &vocab.next[current as usize];
        current = if !follow.is_empty() && rng.chance(70) {
            *rng.pick(follow)
        } else {
            *rng.pick(&vocab.stream)
        };
        if rng.chance(4) {
            match rng.below(3) {
                0 => out.push_str(&rng.range(2000, 2027).to_string()),
                1 => out.push_str(&rng.range(1, 500).to_string()),
                _ => out.push_str(&format!("{}-{}", rng.range(1, 999), rng.range(1, 99))),
            }
        } else {
            let word = &vocab.words[current as usize];
            if sentence_start {
                out.push_str(&capitalise(lang, word));
            } else {
                out.push_str(word);
            }
        }
        sentence_start = false;
        sentence_left -= 1;
        if sentence_left == 0 {
            out.push(if rng.chance(90) { '.' } else { ';' });
            sentence_left = rng.range(6, 20);
            sentence_start = true;
            if rng.chance(15) {
                out.push('\n');
            }
        }
    }
    out.push('.');
}

fn generate(n: usize, az: &Vocabulary, en: &Vocabulary) -> Vec<SearchDoc> {
    let mut rng = Rng::new(SEED);
    let total_share: usize = SECTIONS.iter().map(|s| s.share).sum();
    let start = 1_420_070_400i64; // 2015-01-01T00:00:00Z
    let span = 12 * 365 * 86_400i64;
    let mut docs = Vec::with_capacity(2 * n);
    for item in 0..n {
        let mut ticket = rng.below(total_share);
        let section = SECTIONS
            .iter()
            .find(|s| {
                if ticket < s.share {
                    true
                } else {
                    ticket -= s.share;
                    false
                }
            })
            .unwrap();
        let date = start + (rng.next() % span as u64) as i64;
        let day = time::OffsetDateTime::from_unix_timestamp(date + 4 * 3600)
            .unwrap()
            .date();
        for (lang, vocab, folder, section_title) in [
            ("az", az, section.az, section.az_title),
            ("en", en, section.en, section.en_title),
        ] {
            let mut title = String::new();
            let title_words = rng.range(4, 10);
            words_into(&mut title, vocab, lang, &mut rng, title_words);
            title.pop(); // the final full stop
            let mut body = String::new();
            let body_words = rng.range(300, 600);
            words_into(&mut body, vocab, lang, &mut rng, body_words);
            docs.push(SearchDoc {
                url: format!("/{lang}/{folder}/item-{item}/"),
                lang: lang.to_string(),
                title,
                body,
                sections: vec![format!("/{lang}/"), format!("/{lang}/{folder}/")],
                section_title: section_title.to_string(),
                content_type: section.content_type.to_string(),
                date,
                date_display: govsite::i18n::format_date(lang, day),
            });
        }
    }
    docs
}

// ---------------------------------------------------------------------------------------------
// Queries.

#[derive(Clone, Copy, PartialEq)]
enum Class {
    OneWord,
    ThreeWords,
    Boolean,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::OneWord => "one word",
            Class::ThreeWords => "three words",
            Class::Boolean => "boolean",
        }
    }
}

/// A query word: half of the time drawn by frequency (common words, long posting lists), half
/// of the time uniformly from the distinct words (mostly rare words).
fn query_word<'a>(vocab: &'a Vocabulary, rng: &mut Rng) -> &'a str {
    let id = if rng.chance(50) {
        *rng.pick(&vocab.query_stream)
    } else {
        *rng.pick(&vocab.query_distinct)
    };
    &vocab.words[id as usize]
}

fn make_query(class: Class, lang: &str, vocab: &Vocabulary, rng: &mut Rng) -> String {
    let mut w = || query_word(vocab, rng).to_string();
    match class {
        Class::OneWord => w(),
        Class::ThreeWords => format!("{} {} {}", w(), w(), w()),
        Class::Boolean if lang == "az" => format!("{} və ya {} inkar {}", w(), w(), w()),
        Class::Boolean => format!("{} OR {} NOT {}", w(), w(), w()),
    }
}

struct Timed {
    query: String,
    micros: f64,
    total: usize,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn run_queries(index: &SearchIndex, lang: &str, queries: &[String]) -> Vec<Timed> {
    queries
        .iter()
        .map(|query| {
            let request = SearchRequest {
                lang: lang.to_string(),
                query: query.clone(),
                page: 1,
                per_page: 10,
                ..SearchRequest::default()
            };
            let started = Instant::now();
            let results = index.search(&request).expect("search");
            let elapsed = started.elapsed();
            std::hint::black_box(&results.hits);
            Timed {
                query: query.clone(),
                micros: elapsed.as_secs_f64() * 1e6,
                total: results.total,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Measuring helpers.

/// Busy ticks of the whole machine (as bench/wait_quiet.sh counts them) and of this process.
fn machine_busy_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = stat.lines().next().unwrap_or("");
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    if f.len() < 8 {
        return 0;
    }
    f[0] + f[1] + f[2] + f[5] + f[6] + f[7]
}

fn own_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file: 12 and 13 after the name.
    let get = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

const TICKS_PER_SECOND: f64 = 100.0; // getconf CLK_TCK on Linux

struct Phase {
    started: Instant,
    machine: u64,
    own: u64,
}

struct PhaseResult {
    seconds: f64,
    own_cpu_s: f64,
    others_cpu_s: f64,
}

fn quiet(phase: &str) {
    if let Ok(command) = std::env::var("SEARCH_BENCH_QUIET") {
        if command.trim().is_empty() {
            return;
        }
        eprintln!("[{phase}] waiting for a quiet machine: {command}");
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .status();
    }
}

impl Phase {
    fn start(name: &str) -> Phase {
        quiet(name);
        eprintln!("[{name}] ...");
        Phase {
            machine: machine_busy_ticks(),
            own: own_ticks(),
            started: Instant::now(),
        }
    }

    fn end(self) -> PhaseResult {
        let seconds = self.started.elapsed().as_secs_f64();
        let own = own_ticks() - self.own;
        let machine = machine_busy_ticks() - self.machine;
        PhaseResult {
            seconds,
            own_cpu_s: own as f64 / TICKS_PER_SECOND,
            others_cpu_s: machine.saturating_sub(own) as f64 / TICKS_PER_SECOND,
        }
    }
}

fn disk_usage(dir: &Path) -> (u64, u64, usize) {
    use std::os::unix::fs::MetadataExt;
    let (mut apparent, mut allocated, mut files) = (0, 0, 0);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if let Ok(meta) = entry.metadata()
            && meta.is_file()
        {
            apparent += meta.len();
            allocated += meta.blocks() * 512;
            files += 1;
        }
    }
    (apparent, allocated, files)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn segments(dir: &Path) -> usize {
    tantivy::Index::open_in_dir(dir)
        .and_then(|index| index.searchable_segment_metas())
        .map(|metas| metas.len())
        .unwrap_or(0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: search_bench N OUT_DIR [JSON_FILE]");
        std::process::exit(2);
    }
    let n: usize = args[1].replace([',', '_'], "").parse()?;
    let out = PathBuf::from(&args[2]);
    let json_path = args
        .get(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| out.with_extension("json"));
    let per_class = env_usize("SEARCH_BENCH_QUERIES", 300);
    let warmup_per_class = 100;
    let updates = env_usize("SEARCH_BENCH_UPDATES", 20);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    // ---- vocabulary and pages (not part of any indexing measurement)
    let phase = Phase::start("generate");
    let az = vocabulary(repo, "az");
    let en = vocabulary(repo, "en");
    let docs = generate(n, &az, &en);
    let generation = phase.end();
    let body_words: usize = docs.iter().map(|d| d.body.split_whitespace().count()).sum();
    let text_bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    eprintln!(
        "vocabulary: az {} words ({} distinct) from {} files, en {} ({}) from {}; {} pages, {:.0} body words per page, {:.1} MiB of text",
        az.stream.len(),
        az.words.len(),
        az.files,
        en.stream.len(),
        en.words.len(),
        en.files,
        docs.len(),
        body_words as f64 / docs.len() as f64,
        mib(text_bytes as u64)
    );

    // ---- full index
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let phase = Phase::start("rebuild");
    let index = SearchIndex::open_for_writing(&out)?;
    index.rebuild(&docs)?;
    let indexing = phase.end();
    let indexed = index.len();
    anyhow::ensure!(
        indexed == docs.len() as u64,
        "indexed {indexed} of {}",
        docs.len()
    );
    let (apparent, allocated, files) = disk_usage(&out);
    let segment_count = segments(&out);
    eprintln!(
        "indexed {indexed} pages in {:.2} s ({:.0} pages/s); {:.1} MiB on disk in {files} files, {segment_count} segments",
        indexing.seconds,
        indexed as f64 / indexing.seconds,
        mib(allocated)
    );

    // ---- queries
    let classes = [Class::OneWord, Class::ThreeWords, Class::Boolean];
    let mut query_rows = Vec::new();
    for (lang, vocab) in [("az", &az), ("en", &en)] {
        let lang_id = if lang == "az" { 0 } else { 1 };
        let mut warm_rng = Rng::new(SEED + 100 + lang_id);
        let mut rng = Rng::new(SEED + 200 + lang_id);
        let sets: Vec<(Class, Vec<String>, Vec<String>)> = classes
            .iter()
            .map(|&class| {
                let warm = (0..warmup_per_class)
                    .map(|_| make_query(class, lang, vocab, &mut warm_rng))
                    .collect();
                let measured = (0..per_class)
                    .map(|_| make_query(class, lang, vocab, &mut rng))
                    .collect();
                (class, warm, measured)
            })
            .collect();
        for (class, warm, measured) in &sets {
            let phase = Phase::start(&format!("queries {lang} {}", class.name()));
            let _ = run_queries(&index, lang, warm);
            let timed = run_queries(&index, lang, measured);
            let result = phase.end();
            let mut micros: Vec<f64> = timed.iter().map(|t| t.micros).collect();
            micros.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let mut slowest: Vec<&Timed> = timed.iter().collect();
            slowest.sort_by(|a, b| b.micros.partial_cmp(&a.micros).unwrap());
            let mean_total = timed.iter().map(|t| t.total as f64).sum::<f64>() / timed.len() as f64;
            let zero = timed.iter().filter(|t| t.total == 0).count();
            query_rows.push((
                lang,
                *class,
                micros,
                mean_total,
                zero,
                result,
                slowest
                    .iter()
                    .take(5)
                    .map(|t| (t.query.clone(), t.micros, t.total))
                    .collect::<Vec<_>>(),
            ));
        }
    }

    // ---- publishing one page: replace one document, `updates` times
    let phase = Phase::start("update");
    let mut update_ms = Vec::new();
    let mut doc = docs[docs.len() / 2].clone();
    let mut rng = Rng::new(SEED + 300);
    for k in 0..updates {
        doc.body.push_str(&format!(
            "\nDüzəliş {k}: {}.",
            query_word(if doc.lang == "az" { &az } else { &en }, &mut rng)
        ));
        let started = Instant::now();
        index.update(std::slice::from_ref(&doc), &[])?;
        update_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let update_phase = phase.end();
    anyhow::ensure!(
        index.len() == docs.len() as u64,
        "update changed the page count"
    );
    let mut update_sorted = update_ms.clone();
    update_sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let segments_after = segments(&out);
    let (_, allocated_after, _) = disk_usage(&out);

    // ---- report
    let ms = |us: f64| us / 1000.0;
    println!();
    println!(
        "search_bench N={n}: {} pages ({n} az + {n} en), {:.0} body words/page, {:.1} MiB text",
        docs.len(),
        body_words as f64 / docs.len() as f64,
        mib(text_bytes as u64)
    );
    println!(
        "generation {:>8.2} s   (others' CPU {:.1} s; not part of indexing)",
        generation.seconds, generation.others_cpu_s
    );
    println!(
        "indexing   {:>8.2} s   {:.0} pages/s, CPU {:.1} s, others' CPU {:.1} s",
        indexing.seconds,
        indexed as f64 / indexing.seconds,
        indexing.own_cpu_s,
        indexing.others_cpu_s
    );
    println!(
        "index size {:>8.1} MiB on disk ({:.1} MiB apparent, {files} files, {segment_count} segments); {:.2}x the text",
        mib(allocated),
        mib(apparent),
        apparent as f64 / text_bytes as f64
    );
    println!();
    println!(
        "{:<4} {:<12} {:>6} {:>9} {:>9} {:>9} {:>12} {:>6} {:>8}",
        "lang", "class", "n", "p50 ms", "p99 ms", "max ms", "mean hits", "0-hit", "others"
    );
    for (lang, class, micros, mean_total, zero, result, _) in &query_rows {
        println!(
            "{:<4} {:<12} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>12.0} {:>6} {:>7.1}s",
            lang,
            class.name(),
            micros.len(),
            ms(percentile(micros, 50.0)),
            ms(percentile(micros, 99.0)),
            ms(*micros.last().unwrap()),
            mean_total,
            zero,
            result.others_cpu_s
        );
    }
    for class in classes {
        let mut all: Vec<f64> = query_rows
            .iter()
            .filter(|r| r.1 == class)
            .flat_map(|r| r.2.iter().copied())
            .collect();
        all.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{:<4} {:<12} {:>6} {:>9.2} {:>9.2} {:>9.2}",
            "both",
            class.name(),
            all.len(),
            ms(percentile(&all, 50.0)),
            ms(percentile(&all, 99.0)),
            ms(*all.last().unwrap())
        );
    }
    println!();
    println!(
        "one-page update ({updates}x): p50 {:.1} ms, max {:.1} ms (others' CPU {:.1} s); segments {segment_count} -> {segments_after}, {:.1} -> {:.1} MiB",
        percentile(&update_sorted, 50.0),
        update_sorted.last().copied().unwrap_or(f64::NAN),
        update_phase.others_cpu_s,
        mib(allocated),
        mib(allocated_after)
    );
    println!("slowest queries:");
    for (lang, class, _, _, _, _, slowest) in &query_rows {
        let (query, micros, total) = &slowest[0];
        println!(
            "  {lang} {:<12} {:>8.2} ms  {total:>7} hits  {query}",
            class.name(),
            ms(*micros)
        );
    }
    println!("peak RSS {:.0} MiB", peak_rss_mib());

    let json = serde_json::json!({
        "n": n,
        "pages": docs.len(),
        "body_words_per_page": body_words as f64 / docs.len() as f64,
        "text_bytes": text_bytes,
        "vocabulary": {
            "az_tokens": az.stream.len(), "az_distinct": az.words.len(),
            "en_tokens": en.stream.len(), "en_distinct": en.words.len(),
        },
        "generation_s": generation.seconds,
        "generation_others_cpu_s": generation.others_cpu_s,
        "indexing_s": indexing.seconds,
        "indexing_cpu_s": indexing.own_cpu_s,
        "indexing_others_cpu_s": indexing.others_cpu_s,
        "index_bytes_allocated": allocated,
        "index_bytes_apparent": apparent,
        "index_files": files,
        "segments": segment_count,
        "queries": query_rows.iter().map(|(lang, class, micros, mean_total, zero, result, slowest)| serde_json::json!({
            "lang": lang,
            "class": class.name(),
            "n": micros.len(),
            "p50_ms": ms(percentile(micros, 50.0)),
            "p90_ms": ms(percentile(micros, 90.0)),
            "p99_ms": ms(percentile(micros, 99.0)),
            "max_ms": ms(*micros.last().unwrap()),
            "mean_hits": mean_total,
            "zero_hit_queries": zero,
            "others_cpu_s": result.others_cpu_s,
            "slowest": slowest.iter().map(|(q, us, total)| serde_json::json!({"query": q, "ms": ms(*us), "hits": total})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "update_ms": update_ms,
        "update_p50_ms": percentile(&update_sorted, 50.0),
        "update_max_ms": update_sorted.last(),
        "update_others_cpu_s": update_phase.others_cpu_s,
        "segments_after_updates": segments_after,
        "peak_rss_mib": peak_rss_mib(),
    });
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)?;
    eprintln!("wrote {}", json_path.display());
    Ok(())
}
