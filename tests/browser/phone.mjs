// Issue 16 (D189 §6.3.3): the public site on a 320 × 568 px phone. With JavaScript off, on
// each page: the header takes at most 40 % of the first screen, the main content starts within
// the first screen, the main menu is folded, and its button opens it (a native disclosure, no
// script): then every main-menu link and the search box are visible. Writes a screenshot of the
// first page's first screen for the README.
//
// Input: {"base","pages":[…],"menu_labels":{"az":"Əsas menyu",…},"screenshot":FILE}
// Output: {problems:[{page,rule,message}], measured:[{page,header,main}]}
import { ensureDir, open, run } from './lib.mjs';

const WIDTH = 320;
const HEIGHT = 568;

function measure(labels) {
  const lang = (document.documentElement.lang || '').toLowerCase();
  const nav = [...document.querySelectorAll('nav')].find((n) => n.getAttribute('aria-label') === labels[lang]);
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const header = document.querySelector('header');
  const main = document.querySelector('main');
  const search = document.querySelector('header input[type=search]');
  const links = nav ? [...nav.querySelectorAll('a[href]')] : [];
  return {
    header: header ? header.getBoundingClientRect().bottom : null,
    main: main ? main.getBoundingClientRect().top : null,
    links: links.length,
    visibleLinks: links.filter(visible).length,
    searchVisible: search ? visible(search) : false,
    button: Boolean(document.querySelector('header details summary')),
  };
}

await run(async (browser, opts) => {
  const problems = [];
  const measured = [];
  const add = (page, rule, message) => problems.push({ page, rule, message: `${page} at ${WIDTH} × ${HEIGHT} px: ${message}` });
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  for (const [n, path] of opts.pages.entries()) {
    try {
      await open(page, opts.base, path);
      const folded = await page.evaluate(measure, opts.menu_labels);
      measured.push({ page: path, header: folded.header, main: folded.main });
      if (folded.header === null) add(path, 'header', 'no <header>');
      else if (folded.header > 0.4 * HEIGHT) add(path, 'header', `the header ends at ${Math.round(folded.header)} px, more than 40 % of the first screen (${0.4 * HEIGHT} px)`);
      if (folded.main === null) add(path, 'main', 'no <main>');
      else if (folded.main >= HEIGHT) add(path, 'main', `the main content starts at ${Math.round(folded.main)} px, below the first screen`);
      if (n === 0 && opts.screenshot) {
        ensureDir(opts.screenshot);
        await page.screenshot({ path: opts.screenshot, fullPage: false });
      }
      if (!folded.button) {
        add(path, 'menu', 'no menu button (<details><summary>) in the header');
        continue;
      }
      if (folded.links < 2) add(path, 'menu', `the main menu has ${folded.links} links`);
      if (folded.visibleLinks > 0) add(path, 'menu', 'the main menu is not folded on a phone');
      await page.click('header details summary');
      const opened = await page.evaluate(measure, opts.menu_labels);
      if (opened.visibleLinks !== opened.links) add(path, 'menu', `after the menu button, ${opened.visibleLinks} of ${opened.links} main-menu links are visible`);
      if (!opened.searchVisible) add(path, 'menu', 'after the menu button, the search box is not visible');
    } catch (error) {
      add(path, 'load', String(error.message || error).split('\n')[0]);
    }
  }
  await context.close();
  return { problems, measured };
});
