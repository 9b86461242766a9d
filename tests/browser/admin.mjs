// The admin panel in a real browser, as its users go through it (D189 §6.4–6.5, issue "Web
// admin panel"): the administrator signs in with the one-time password `serve` printed and
// must change it; creates a content manager and a moderator (their one-time passwords are read
// off the page that shows them once); the content manager changes hers, is refused user
// management (403), creates an Azerbaijani news item whose misspelling the live preview marks,
// adds its English translation and submits both for review; the moderator publishes both; the
// public site shows them and its search finds them. Screenshots of the panel go to `shots`.
//
// Input: {"base": public site, "admin": admin panel, "password": one-time password,
//         "shots": folder for screenshots}
import { run } from './lib.mjs';
import { AXE } from './axe.mjs';

const NEW_PASSWORD = { admin: 'Bahar-Yağışı-7-Quba', redaktor: 'Xəzər-Küləyi-42!', moderator: 'Şuşa-Dağları-1752?' };
const AZ_TITLE = 'Vətəndaşlar üçün yeni elektron xidmət istifadəyə verildi';
const EN_TITLE = 'New e-service for citizens launched';
// «vətandaşların» is misspelled (vətəndaşların); the speller must flag it.
const MISSPELLED = 'vətandaşların';
const AZ_BODY = `Agentlik bu gün ${MISSPELLED} müraciətlərini onlayn qəbul edən yeni elektron xidməti istifadəyə verdi.\n\n## Xidmətdən necə istifadə etmək olar\n\n- Saytda qeydiyyatdan keçin\n- Müraciət formasını doldurun\n`;
const EN_BODY = 'The agency today launched a new e-service that accepts citizens\' appeals online.\n';

await run(async (browser, opts) => {
  const problems = [];
  const steps = [];
  const check = (ok, message) => {
    if (!ok) problems.push({ message });
  };
  // bypassCSP: axe-core is injected as a script, which the panel's CSP (no inline script)
  // would otherwise refuse.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'az-AZ', bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const shot = async (name) => {
    if (opts.shots) await page.screenshot({ path: `${opts.shots}/admin-${name}.png`, fullPage: false });
  };
  /** axe-core on the open panel page: serious and critical violations are problems (D189 §6.4.5). */
  const axe = async (what) => {
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    for (const v of violations) problems.push({ message: `axe on the panel's ${what}: ${v}` });
  };

  /** Signs in; with a one-time password, changes it on the page the panel sends to. */
  async function signIn(name, password) {
    await page.goto(`${opts.admin}/login`);
    await page.fill('#name', name);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    if (new URL(page.url()).pathname === '/password') {
      steps.push(`${name}: asked to change the one-time password`);
      await page.fill('#current', password);
      await page.fill('#new', NEW_PASSWORD[name]);
      await page.fill('#repeat', NEW_PASSWORD[name]);
      await Promise.all([page.waitForNavigation(), page.click('form[action="/password"] button[type="submit"]')]);
      check(new URL(page.url()).pathname === '/', `${name}: after changing the password the panel should open the dashboard, not ${page.url()}`);
      return true;
    }
    check(new URL(page.url()).pathname === '/', `${name}: signing in should open the dashboard, not ${page.url()}`);
    return false;
  }

  async function signOut() {
    await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
  }

  /** Creates a user in a group through the panel; returns the one-time password it shows. */
  async function addUser(name, group) {
    await page.goto(`${opts.admin}/users`);
    await page.fill('#name', name);
    await page.selectOption('#group', group);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/users"] button[type="submit"]')]);
    const password = (await page.locator('.one-time-password').innerText()).trim();
    check(password.length >= 12, `creating ${name} should show a one-time password, got «${password}»`);
    return password;
  }

  // 1. The administrator's first sign-in forces a new password.
  const forced = await signIn('admin', opts.password);
  check(forced, 'the first sign-in with the one-time password must ask for a new password');
  await shot('dashboard');
  await axe('dashboard');
  const redaktorPassword = await addUser('redaktor', 'content_manager');
  const moderatorPassword = await addUser('moderator', 'moderator');
  await shot('users');
  await axe('users page');
  await signOut();

  // 2. The content manager: no user management (403), writes the Azerbaijani item.
  await signIn('redaktor', redaktorPassword);
  const forbidden = await page.goto(`${opts.admin}/users`);
  check(forbidden.status() === 403, `a content manager opening /users should get 403, got ${forbidden.status()}`);
  check((await page.locator('nav.admin-nav').innerText()).indexOf('İstifadəçilər') === -1, 'the content manager\'s menu must not offer user management');
  steps.push(`redaktor: /users answered ${forbidden.status()}`);

  await page.goto(`${opts.admin}/pages/new`);
  const newsOption = await page.locator('#section option', { hasText: 'az: Xəbərlər' }).first().getAttribute('value');
  await page.selectOption('#section', newsOption);
  await page.selectOption('#type', 'news');
  await page.fill('#title', AZ_TITLE);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/pages/new"] button[type="submit"]')]);
  const azEditor = new URL(page.url()).pathname;
  check(/^\/pages\/\d+$/.test(azEditor), `creating the page should open its editor, not ${page.url()}`);

  // The toolbar (JavaScript) is shown; typing updates the live preview, which marks the misspelling.
  check(await page.locator('.toolbar').isVisible(), 'the editor toolbar should be visible with JavaScript on');
  const previewDone = page.waitForResponse((r) => r.url().endsWith('/preview') && r.request().method() === 'POST' && r.request().postData().includes('body='), { timeout: 20_000 });
  await page.fill('#body', AZ_BODY);
  await previewDone;
  await page.waitForFunction((word) => document.querySelector('#spell-report')?.textContent.includes(word), MISSPELLED, { timeout: 20_000 }).catch(() => {});
  const report = await page.locator('#spell-report').innerText();
  check(report.includes(MISSPELLED), `the spell report should list «${MISSPELLED}», got: ${report}`);
  const frame = page.frameLocator('#preview-frame');
  const marked = await frame.locator('mark.spell').allInnerTexts();
  check(marked.includes(MISSPELLED), `the preview should mark «${MISSPELLED}», marked: ${JSON.stringify(marked)}`);
  check(!marked.includes('Agentlik') && !marked.includes('müraciətlərini') && !marked.includes('istifadəyə'), `correct inflected words must not be marked: ${JSON.stringify(marked)}`);
  const previewTitle = await frame.locator('h1').first().innerText();
  check(previewTitle.includes(AZ_TITLE), `the preview should show the title with the site's template, got «${previewTitle}»`);
  await shot('editor');
  await axe('editor');
  steps.push(`redaktor: preview marked ${JSON.stringify(marked)}`);
  await Promise.all([page.waitForNavigation(), page.click('button[name="action"][value="review"]')]);
  check((await page.locator('h1 .status').innerText()).includes('yoxlamada'), 'after "submit for review" the page should be in review');

  // The English translation, linked to the Azerbaijani item.
  await Promise.all([page.waitForNavigation(), page.click('a[href*="translation_of="][href*="lang=en"]')]);
  const enSection = await page.locator('#section').inputValue();
  check(enSection !== '', 'the translation form should preselect the matching English section');
  await page.fill('#title', EN_TITLE);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/pages/new"] button[type="submit"]')]);
  const enEditor = new URL(page.url()).pathname;
  await page.fill('#body', EN_BODY);
  await Promise.all([page.waitForNavigation(), page.click('button[name="action"][value="review"]')]);
  check(await page.locator(`a[href="${azEditor}"]`).count() > 0, 'the English editor should link to its Azerbaijani original');
  await signOut();

  // 3. The moderator publishes both from the dashboard's review list.
  await signIn('moderator', moderatorPassword);
  const inReview = await page.locator(`main a[href="${azEditor}"]`).count();
  check(inReview > 0, 'the moderator\'s dashboard should list the item in review');
  for (const editor of [azEditor, enEditor]) {
    await page.goto(`${opts.admin}${editor}`);
    const started = Date.now();
    await Promise.all([page.waitForNavigation(), page.click('button[name="action"][value="publish"]')]);
    steps.push(`moderator: published ${editor} in ${Date.now() - started} ms`);
    const flash = await page.locator('.flash').first().innerText().catch(() => '');
    check(flash.includes('Dərc olundu'), `publishing ${editor} should confirm it, got «${flash}»`);
  }
  await shot('published');

  // 4. On the public site and in its search, at once.
  const azUrl = await page.goto(`${opts.admin}${azEditor}`).then(() => page.locator('.page-links a').first().innerText());
  const enUrl = await page.goto(`${opts.admin}${enEditor}`).then(() => page.locator('.page-links a').first().innerText());
  const visitor = await browser.newContext();
  const pub = await visitor.newPage();
  for (const [url, title] of [[azUrl, AZ_TITLE], [enUrl, EN_TITLE]]) {
    const response = await pub.goto(`${opts.base}${url}`);
    check(response.status() === 200, `${url} should be on the public site, got ${response.status()}`);
    const h1 = await pub.locator('main h1').first().innerText().catch(() => '');
    check(h1.includes(title), `${url} should show «${title}», got «${h1}»`);
  }
  // Search understands the word forms: «xidmətlər» finds «xidməti».
  await pub.goto(`${opts.base}/az/axtaris/?q=${encodeURIComponent('elektron xidmətlər')}`);
  const azResults = await pub.locator('main').innerText();
  check(azResults.includes(AZ_TITLE), `searching «elektron xidmətlər» should find the new item; the page said: ${azResults.slice(0, 400)}`);
  await pub.goto(`${opts.base}/en/search/?q=${encodeURIComponent('e-service appeals')}`);
  const enResults = await pub.locator('main').innerText();
  check(enResults.includes(EN_TITLE), `searching «e-service appeals» should find the English item; the page said: ${enResults.slice(0, 400)}`);
  await visitor.close();

  // 5. The administrator's journal shows it all; screenshot for the README.
  await signOut();
  await signIn('admin', NEW_PASSWORD.admin);
  await page.goto(`${opts.admin}/journal`);
  const journal = await page.locator('table.journal').innerText();
  for (const action of ['login', 'create', 'submit', 'publish', 'forbidden', 'change_password']) {
    check(journal.includes(action), `the journal should show «${action}»`);
  }
  await shot('journal');
  await axe('journal');
  check(errors.length === 0, `no script errors in the panel: ${errors.join('; ')}`);
  await context.close();
  return { problems, steps };
});
