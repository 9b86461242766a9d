// The site works fully with JavaScript off (D189 §6.3.14: pages open and display correctly in
// widely used browsers, scripts off included; §6.19: real links).
// With `javaScriptEnabled: false`, at a phone's and a desktop's width, on each sample page: the
// main menu (`<nav aria-label="MAIN MENU LABEL">`, label from i18n) is there with every link
// visible (not folded behind a script-driven button: a phone's menu button, a native
// `<details>` disclosure, is opened first and works without scripts), <main> has a visible
// <h1> and its text,
// and both are the same as with scripts on (no content or link that only a script brings).
// Every main-menu link of the first page of each language leads (plain GET, redirects followed)
// to a page with an <h1> in <main>.
//
// Input: {"base","pages":[…],"menu_labels":{"az":"Əsas menyu","en":"Main menu"}}
import { open, run } from './lib.mjs';

function snapshot(labels) {
  const lang = (document.documentElement.lang || '').toLowerCase();
  const label = labels[lang];
  const nav = [...document.querySelectorAll('nav')].find((n) => n.getAttribute('aria-label') === label);
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const links = nav ? [...nav.querySelectorAll('a[href]')].map((a) => ({ href: a.getAttribute('href'), text: a.innerText.trim(), visible: visible(a) })) : [];
  const main = document.querySelector('main');
  const h1 = main && main.querySelector('h1');
  return {
    lang,
    label,
    hasMenu: Boolean(nav),
    links,
    hasMain: Boolean(main),
    h1: h1 ? h1.innerText.trim() : null,
    h1Visible: h1 ? visible(h1) : false,
    mainText: main ? main.innerText.replace(/\s+/g, ' ').trim() : '',
  };
}

// Opens the header's menu button where a phone shows one (issue 16).
async function unfold(page) {
  const button = page.locator('header details:not([open]) > summary');
  if (await button.count() > 0 && await button.first().isVisible()) await button.first().click();
}

await run(async (browser, opts) => {
  const problems = [];
  const add = (page, rule, message) => problems.push({ page, rule, message: `${page}: ${message}` });
  const labels = opts.menu_labels;
  const toFollow = new Map();
  // The two widths run side by side.
  await Promise.all([320, 1366].map(async (width) => {
    const off = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 800 } });
    const on = await browser.newContext({ javaScriptEnabled: true, viewport: { width, height: 800 } });
    const pageOff = await off.newPage();
    const pageOn = await on.newPage();
    for (const path of opts.pages) {
      const where = `${path} at ${width} px without JavaScript`;
      try {
        await open(pageOff, opts.base, path);
        await unfold(pageOff);
        const without = await pageOff.evaluate(snapshot, labels);
        await open(pageOn, opts.base, path);
        await unfold(pageOn);
        const withJs = await pageOn.evaluate(snapshot, labels);
        if (!without.hasMenu) add(path, 'menu', `${where}: no <nav aria-label="${without.label}"> main menu (lang="${without.lang}")`);
        else if (without.links.length < 2) add(path, 'menu', `${where}: the main menu has ${without.links.length} links`);
        for (const link of without.links.filter((l) => !l.visible)) add(path, 'menu', `${where}: main-menu link «${link.text}» (${link.href}) is not visible`);
        if (!without.hasMain) add(path, 'content', `${where}: no <main>`);
        if (!without.h1) add(path, 'content', `${where}: no <h1> in <main>`);
        else if (!without.h1Visible) add(path, 'content', `${where}: the <h1> «${without.h1}» is not visible`);
        if (without.mainText.length < 20) add(path, 'content', `${where}: <main> has almost no text («${without.mainText}»)`);
        const hrefs = (s) => s.links.map((l) => `${l.href} ${l.visible ? '' : '(hidden)'}`).join(', ');
        if (hrefs(without) !== hrefs(withJs)) add(path, 'differs', `${where}: main menu differs from the one with JavaScript on:\n      off: ${hrefs(without)}\n      on:  ${hrefs(withJs)}`);
        if (without.mainText !== withJs.mainText) {
          let at = 0;
          while (at < without.mainText.length && without.mainText[at] === withJs.mainText[at]) at += 1;
          add(path, 'differs', `${where}: <main> text differs from the one with JavaScript on, from «${without.mainText.slice(at, at + 60)}» vs «${withJs.mainText.slice(at, at + 60)}»`);
        }
        if (width === 1366 && without.lang && !toFollow.has(without.lang)) toFollow.set(without.lang, { from: path, links: without.links });
      } catch (error) {
        add(path, 'load', `${where}: ${String(error.message || error).split('\n')[0]}`);
      }
    }
    await off.close();
    await on.close();
  }));
  problems.sort((a, b) => opts.pages.indexOf(a.page) - opts.pages.indexOf(b.page));
  // The links themselves are plain GETs (their pages' rendering is what the sample checks).
  const followed = [];
  for (const { from, links } of toFollow.values()) {
    for (const link of links) {
      const target = new URL(link.href, opts.base + from);
      if (target.origin !== new URL(opts.base).origin) continue;
      const path = target.pathname + target.search;
      try {
        const response = await fetch(target, { redirect: 'follow' });
        const body = await response.text();
        if (!response.ok) add(path, 'menu-link', `main-menu link «${link.text}» from ${from} answers ${response.status}`);
        else if (!/<main[\s>][\s\S]*<h1[\s>]/.test(body)) add(path, 'menu-link', `main-menu link «${link.text}» from ${from} opens a page with no <h1> in <main>`);
        followed.push(path);
      } catch (error) {
        add(path, 'menu-link', `main-menu link «${link.text}» from ${from}: ${String(error.message || error).split('\n')[0]}`);
      }
    }
  }
  return { problems, followed };
});
