// D189 §6.20: no code may block right-click, copying, text selection or zooming. With scripts
// on, for each sample page: the events behind them (contextmenu, copy, cut, selectstart,
// dragstart, mousedown, Ctrl+C/Ctrl+A/Ctrl+plus keys, Ctrl+wheel) dispatched on the page's text
// are not cancelled (`defaultPrevented` stays false); CSS does not forbid selecting text
// (`user-select: none`) or pinch-zoom (`touch-action`); a real triple click selects a
// paragraph; the viewport meta does not forbid zoom (`user-scalable=no`, `maximum-scale` < 2).
// `pages.mjs` runs it last on each page it has open at 1366 px (it clicks and selects).

function probe() {
  const main = document.querySelector('main') || document.body;
  // Text to act on: the first paragraph-like element of <main> with no link or control in it.
  const text = [...main.querySelectorAll('h1, p, li, td')].find((el) => el.innerText.trim().length > 0 && !el.querySelector('a, button, input, select, textarea')) || main;
  text.setAttribute('data-govsite-probe', '');
  const link = main.querySelector('a[href]') || document.querySelector('a[href]');
  const targets = [['document.body', document.body], ['main text', text], ['link', link]].filter(([, el]) => el);
  const cancelled = [];
  const make = {
    contextmenu: () => new MouseEvent('contextmenu', { bubbles: true, cancelable: true, button: 2, buttons: 2 }),
    copy: () => new ClipboardEvent('copy', { bubbles: true, cancelable: true, clipboardData: new DataTransfer() }),
    cut: () => new ClipboardEvent('cut', { bubbles: true, cancelable: true, clipboardData: new DataTransfer() }),
    selectstart: () => new Event('selectstart', { bubbles: true, cancelable: true }),
    dragstart: () => new DragEvent('dragstart', { bubbles: true, cancelable: true, dataTransfer: new DataTransfer() }),
    mousedown: () => new MouseEvent('mousedown', { bubbles: true, cancelable: true, button: 0, buttons: 1 }),
    'mousedown (right button)': () => new MouseEvent('mousedown', { bubbles: true, cancelable: true, button: 2, buttons: 2 }),
    'keydown Ctrl+C': () => new KeyboardEvent('keydown', { bubbles: true, cancelable: true, key: 'c', code: 'KeyC', ctrlKey: true }),
    'keydown Ctrl+A': () => new KeyboardEvent('keydown', { bubbles: true, cancelable: true, key: 'a', code: 'KeyA', ctrlKey: true }),
    'keydown Ctrl+plus': () => new KeyboardEvent('keydown', { bubbles: true, cancelable: true, key: '+', code: 'Equal', ctrlKey: true }),
    'wheel Ctrl (zoom)': () => new WheelEvent('wheel', { bubbles: true, cancelable: true, deltaY: -100, ctrlKey: true }),
  };
  for (const [name, el] of targets) {
    for (const [kind, create] of Object.entries(make)) {
      const event = create();
      el.dispatchEvent(event);
      if (event.defaultPrevented) cancelled.push(`${kind} on ${name} is cancelled (preventDefault / return false)`);
    }
  }
  // Undo whatever a mousedown may have started.
  window.getSelection().removeAllRanges();
  const unselectable = [];
  for (const [name, el] of [['html', document.documentElement], ['body', document.body], ['main', main], ['main text', text]]) {
    const style = getComputedStyle(el);
    const select = style.userSelect || style.webkitUserSelect;
    if (select === 'none') unselectable.push(`${name} has user-select: none`);
  }
  const touch = [['html', document.documentElement], ['body', document.body]]
    .map(([name, el]) => [name, getComputedStyle(el).touchAction])
    .filter(([, value]) => value !== 'auto' && value !== 'manipulation' && !value.includes('pinch-zoom'))
    .map(([name, value]) => `${name} has touch-action: ${value} (forbids pinch-zoom)`);
  const viewports = [...document.querySelectorAll('meta[name="viewport" i]')].map((m) => m.getAttribute('content') || '');
  return { cancelled, unselectable, touch, viewports, textTag: text.tagName.toLowerCase() };
}

// `user-scalable=no|0`, or a `maximum-scale` below 2 (WCAG 1.4.4 asks for 200 %).
function viewportProblems(content) {
  const problems = [];
  const fields = Object.fromEntries(content.split(/[,;]/).map((part) => part.split('=').map((s) => s.trim().toLowerCase())).filter((kv) => kv[0]));
  if ('user-scalable' in fields && ['no', '0'].includes(fields['user-scalable'])) problems.push(`user-scalable=${fields['user-scalable']}`);
  if ('maximum-scale' in fields) {
    const max = parseFloat(fields['maximum-scale']);
    if (!Number.isNaN(max) && max < 2) problems.push(`maximum-scale=${fields['maximum-scale']}`);
  }
  return problems;
}

/** Checks the page open at `path`; `add(rule, message)` records a problem. */
export async function checkBlocking(page, add) {
  const found = await page.evaluate(probe);
  for (const message of found.cancelled) add('event-cancelled', message);
  for (const message of found.unselectable) add('user-select', message);
  for (const message of found.touch) add('touch-action', message);
  if (found.viewports.length === 0) add('viewport-meta', 'no <meta name="viewport"> (phones would zoom the page out instead of laying it out)');
  for (const content of found.viewports) {
    for (const bad of viewportProblems(content)) add('viewport-meta', `<meta name="viewport" content="${content}"> forbids zoom: ${bad}`);
  }
  // A real triple click on the first paragraph of text selects it.
  const text = page.locator('[data-govsite-probe]').first();
  if (await text.count()) {
    await text.click({ clickCount: 3, timeout: 5000, position: { x: 2, y: 2 } });
    const selected = await page.evaluate(() => window.getSelection().toString());
    if (!selected.trim()) add('selection', `a triple click on the first <${found.textTag}> of <main> selects nothing (user-select or a script prevents selection)`);
    await page.evaluate(() => window.getSelection().removeAllRanges());
  }
}
