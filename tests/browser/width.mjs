// D189 §6.3.3, §7.3.3: one responsive, mobile-first layout with no horizontal scrolling from a
// 320 px wide phone up to a maximised desktop window. For each page and width: no element's (or
// text's) right edge lies beyond the viewport, `html`/`body` do not hide horizontal overflow
// (which would hide the problem instead of fixing it), the document is not wider than the
// viewport and cannot be scrolled sideways. Writes full-page screenshots `<width>-<slug>.png`.
//
// `pages.mjs` runs it on each page it has open at each width.
import { ensureDir, slug } from './lib.mjs';
import { join } from 'node:path';

// Runs inside the page. Content inside a horizontal scroll container that itself fits (a wide
// data table in `overflow-x: auto`) is reachable by scrolling that container, not the page, so
// it is listed under `scrolled` rather than as a problem (WCAG 1.4.10 exempts data tables).
function inspect() {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const limit = width + 0.5;
  const describe = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const id = el.id ? '#' + el.id : '';
    return el.tagName.toLowerCase() + id + cls;
  };
  const path = (el) => {
    const parts = [];
    for (let node = el; node && node !== doc; node = node.parentElement) parts.unshift(describe(node));
    return parts.slice(-4).join(' > ');
  };
  const snippet = (text) => (text || '').replace(/\s+/g, ' ').trim().slice(0, 60);
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body && a !== doc; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if ((x === 'auto' || x === 'scroll') && a.getBoundingClientRect().right <= limit) return a;
    }
    return null;
  };
  const offenders = [];
  const scrolled = [];
  const note = (el, what, right, text) => {
    const entry = { element: what, path: path(el), text: snippet(text), right: Math.round(right * 10) / 10 };
    const inside = scroller(el);
    if (inside) {
      const container = path(inside);
      const known = scrolled.find((s) => s.container === container);
      if (!known) scrolled.push({ container, right: entry.right });
      else known.right = Math.max(known.right, entry.right);
    }
    else offenders.push(entry);
  };
  for (const el of document.querySelectorAll('body, body *')) {
    const rect = el.getBoundingClientRect();
    if (rect.right > limit) note(el, describe(el), rect.right, el.innerText || el.getAttribute('alt') || '');
  }
  // Text that overflows its box (a long unbreakable word or URL) has no element of its own.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width > 0 && rect.right > limit) note(node.parentElement, '#text in ' + describe(node.parentElement), rect.right, node.data);
  }
  const before = window.scrollX;
  window.scrollTo(10000, window.scrollY);
  const scrolledX = window.scrollX;
  window.scrollTo(before, window.scrollY);
  return {
    clientWidth: width,
    scrollWidth: doc.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    scrollX: scrolledX,
    htmlOverflowX: getComputedStyle(doc).overflowX,
    bodyOverflowX: getComputedStyle(document.body).overflowX,
    offenders,
    scrolled,
  };
}

/**
 * Checks the page open at `width` px (`path` on the site) and writes its full-page screenshot
 * into `dir`; adds to `out.problems`, `out.scrolled` and `out.screenshots`.
 */
export async function checkWidth(page, path, width, dir, out) {
  const where = `${path} at ${width} px`;
  const problem = (rule, message) => out.problems.push({ page: path, width, rule, message: `${where}: ${message}` });
  const found = await page.evaluate(inspect);
  for (const name of ['htmlOverflowX', 'bodyOverflowX']) {
    if (found[name] === 'hidden' || found[name] === 'clip') {
      problem('overflow-hidden', `${name === 'htmlOverflowX' ? 'html' : 'body'} has overflow-x: ${found[name]} (hides overflow instead of avoiding it)`);
    }
  }
  if (found.scrollWidth > found.clientWidth) {
    problem('scroll-width', `the document is ${found.scrollWidth} px wide, the viewport ${found.clientWidth} px`);
  }
  if (found.scrollX > 0) {
    problem('scrolls-sideways', `the page scrolls ${found.scrollX} px sideways`);
  }
  const shown = found.offenders.slice(0, 15);
  for (const o of shown) {
    problem('beyond-viewport', `${o.element.startsWith('#text') ? 'text in ' : ''}${o.path} ends at ${o.right} px > ${found.clientWidth} px${o.text ? ` («${o.text}»)` : ''}`);
  }
  if (found.offenders.length > shown.length) {
    problem('beyond-viewport', `… and ${found.offenders.length - shown.length} more elements beyond the viewport`);
  }
  for (const s of found.scrolled) out.scrolled.push({ page: path, width, ...s });
  const file = join(dir, `${width}-${slug(path)}.png`);
  ensureDir(file);
  await page.screenshot({ path: file, fullPage: true });
  out.screenshots.push(file);
}
