// Shared by the real-browser checks in this folder; `tests/browser.rs` runs them with node.
// Each script takes one JSON argument (what to check) and prints one JSON object to stdout.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

// Debian's `chromium`; CHROMIUM overrides it on machines that keep it elsewhere.
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Playwright gives every `chromium.launch` a fresh temporary profile (its own
// `--user-data-dir`, removed on close) and refuses one passed in `args`.
export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The JSON argument the Rust side passes: `{ base, pages: ["/az/", …], … }`. */
export function options() {
  const text = process.argv[2];
  if (!text) {
    throw new Error(`usage: node ${process.argv[1]} '{"base":"http://127.0.0.1:PORT","pages":["/az/"]}'`);
  }
  const parsed = JSON.parse(text);
  parsed.base = parsed.base.replace(/\/$/, '');
  return parsed;
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

/** Opens `path` and insists on a 2xx answer (error pages are fetched as the files they are). */
export async function open(page, base, path) {
  const response = await page.goto(base + path, { waitUntil: 'load', timeout: 30_000 });
  const status = response ? response.status() : 0;
  if (status < 200 || status > 299) {
    throw new Error(`GET ${path} answered ${status}`);
  }
  return response;
}

/** `/az/xeberler/sehife/2/` → `az-xeberler-sehife-2`; `/az/404.html` → `az-404-html`. */
export function slug(path) {
  return path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
}

export function ensureDir(file) {
  mkdirSync(dirname(file), { recursive: true });
}

/**
 * Runs `main(options)` with one browser; prints `{ ok, problems, …extra }` as JSON and exits 0
 * when the check ran (whatever it found), 2 when it could not run at all.
 */
export async function run(main) {
  let browser;
  const started = Date.now();
  try {
    const opts = options();
    browser = await launch();
    const result = await main(browser, opts);
    result.ok = result.problems.length === 0;
    result.chromium = browser.version();
    result.ms = Date.now() - started;
    process.stdout.write(JSON.stringify(result) + '\n');
    await browser.close();
    process.exitCode = 0;
  } catch (error) {
    process.stdout.write(JSON.stringify({ ok: false, fatal: String(error && error.stack || error), problems: [] }) + '\n');
    if (browser) await browser.close().catch(() => {});
    process.exitCode = 2;
  }
}
