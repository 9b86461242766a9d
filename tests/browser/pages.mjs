// One pass over the sample pages in Chromium for the checks that look at a page as it is shown:
// each page is loaded once per width and, while open, checked by
//   width.mjs        at every width (D189 §6.3.3, §7.3.3), with its screenshot;
//   axe.mjs          at the widths in `axe_widths` (accessibility);
//   no_blocking.mjs  at `blocking_width`, last, since it clicks and selects (D189 §6.20).
// Loading each page once for all of them keeps `cargo test --test browser` short on two cores.
//
// Input: {"base","pages":[…],"widths":[320,768,1366],"axe_widths":[320,1366],
//         "blocking_width":1366,"height":800,"screenshots":DIR,"readme":[{"path","file"}]}
//         (README screenshots: 1366 px, viewport only)
// Output: {"width":{problems,scrolled,screenshots},"axe":{problems,notes,version},
//          "blocking":{problems}, …}
import { ensureDir, open, run } from './lib.mjs';
import { AXE, checkAxe, summarize } from './axe.mjs';
import { checkBlocking } from './no_blocking.mjs';
import { checkWidth } from './width.mjs';

const firstLine = (error) => String((error && error.message) || error).split('\n')[0];

await run(async (browser, opts) => {
  const widths = opts.widths || [320, 768, 1366];
  const axeWidths = opts.axe_widths || [320, 1366];
  const blockingWidth = opts.blocking_width || 1366;
  const height = opts.height || 800;
  const width = { problems: [], scrolled: [], screenshots: [] };
  const axeFound = new Map();
  const axeLoad = [];
  const blocking = { problems: [] };
  let axeVersion = '';
  // The widths run side by side, one browser context each.
  await Promise.all(widths.map(async (px) => {
    const context = await browser.newContext({ viewport: { width: px, height }, deviceScaleFactor: 1 });
    const withAxe = axeWidths.includes(px);
    if (withAxe) await context.addInitScript({ path: AXE });
    const page = await context.newPage();
    for (const path of opts.pages) {
      const where = `${path} at ${px} px`;
      try {
        await open(page, opts.base, path);
        await page.evaluate(() => document.fonts.ready);
      } catch (error) {
        const problem = { page: path, width: px, rule: 'load', message: `${where}: ${firstLine(error)}` };
        width.problems.push(problem);
        if (withAxe) axeLoad.push(problem);
        if (px === blockingWidth) blocking.problems.push(problem);
        continue;
      }
      await checkWidth(page, path, px, opts.screenshots, width).catch((error) => {
        width.problems.push({ page: path, width: px, rule: 'check', message: `${where}: ${firstLine(error)}` });
      });
      if (withAxe) {
        await checkAxe(page, path, px, axeFound).then((version) => { axeVersion = version; }).catch((error) => {
          axeLoad.push({ page: path, width: px, rule: 'axe', message: `${where}: axe could not run: ${firstLine(error)}` });
        });
      }
      if (px === blockingWidth) {
        const add = (rule, message) => blocking.problems.push({ page: path, rule, message: `${path}: ${message}` });
        await checkBlocking(page, add).catch((error) => add('check', firstLine(error)));
      }
    }
    await context.close();
  }));
  if (opts.readme && opts.readme.length) {
    const context = await browser.newContext({ viewport: { width: 1366, height }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const shot of opts.readme) {
      try {
        await open(page, opts.base, shot.path);
        await page.evaluate(() => document.fonts.ready);
        ensureDir(shot.file);
        await page.screenshot({ path: shot.file, fullPage: false });
        width.screenshots.push(shot.file);
      } catch (error) {
        width.problems.push({ page: shot.path, width: 1366, rule: 'load', message: `${shot.path} (README screenshot): ${firstLine(error)}` });
      }
    }
    await context.close();
  }
  const order = (a, b) => opts.pages.indexOf(a.page) - opts.pages.indexOf(b.page) || (a.width || 0) - (b.width || 0);
  width.problems.sort(order);
  width.scrolled.sort(order);
  blocking.problems.sort(order);
  const axe = summarize(axeFound, opts.pages);
  axe.problems = axeLoad.sort(order).concat(axe.problems);
  axe.version = axeVersion;
  return { width, axe, blocking, problems: [...width.problems, ...axe.problems, ...blocking.problems] };
});
