// axe-core in Chromium over sample pages of every type, at a phone's and a desktop's width:
// no violation of impact "serious" or "critical" (the accessibility clause: WCAG 2.x
// A/AA and axe's best practices, all non-experimental rules; D189 §6.3.14). Lesser impacts are
// reported as notes. `pages.mjs` runs it on each page it has open at those widths.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** axe-core's script, for `context.addInitScript` (cheaper than a script tag on every page). */
export const AXE = require.resolve('axe-core/axe.min.js');
const FAILING = new Set(['serious', 'critical']);

/**
 * Runs axe on the page open at `width` px; adds one entry per (rule, page, element) to the map
 * `found`, with the widths it was seen at. Returns axe's version.
 */
export async function checkAxe(page, path, width, found) {
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      version: r.testEngine.version,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.replace(/\s+/g, ' ').slice(0, 160), summary: n.failureSummary, impact: n.impact })),
      })),
    };
  });
  for (const v of result.violations) {
    for (const n of v.nodes) {
      const key = `${v.id}\u0000${path}\u0000${n.target}`;
      const entry = found.get(key) || { rule: v.id, impact: n.impact || v.impact, help: v.help, page: path, target: n.target, html: n.html, summary: n.summary, widths: [] };
      entry.widths.push(width);
      found.set(key, entry);
    }
  }
  return result.version;
}

/** `{ problems, notes }` from the map `found` (pages in the order of `pages`). */
export function summarize(found, pages) {
  const all = [...found.values()].sort((a, b) => pages.indexOf(a.page) - pages.indexOf(b.page) || a.rule.localeCompare(b.rule));
  for (const e of all) e.widths.sort((a, b) => a - b);
  const describe = (e) => `${e.page} [${e.impact}] ${e.rule}: ${e.help} — ${e.target} ${e.html} (at ${e.widths.join(', ')} px)${e.summary ? '\n      ' + e.summary.replace(/\n\s*/g, '; ') : ''}`;
  const problems = all.filter((e) => FAILING.has(e.impact)).map((e) => ({ ...e, message: describe(e) }));
  // Notes: one line per rule and element, with the pages it was seen on.
  const grouped = new Map();
  for (const e of all.filter((e) => !FAILING.has(e.impact))) {
    const key = `${e.rule}\u0000${e.target}\u0000${e.html}`;
    const group = grouped.get(key) || { ...e, pages: [] };
    group.pages.push(e.page);
    grouped.set(key, group);
  }
  const notes = [...grouped.values()].map((g) => ({ ...g, message: `[${g.impact}] ${g.rule}: ${g.help} — ${g.target} ${g.html} (on ${g.pages.length} pages: ${g.pages.join(', ')})` }));
  return { problems, notes };
}
