'use strict';

/*
 * govsite admin panel: progressive enhancement (D189 §6.4).
 *
 * The panel is complete without this file: every form posts normally, the Preview button
 * posts into the preview iframe, and the Markdown toolbar stays hidden. When JavaScript runs,
 * it adds, each part on its own and only if its elements are on the page:
 *
 *   1. the Markdown toolbar above the page body (plus Ctrl/Cmd+B, I, K in the text);
 *   2. a live preview with spelling and personal-data reports, refreshed as staff type;
 *   3. cleaning of text pasted from Word or web pages (the server turns the HTML into Markdown);
 *   4. "Are you sure?" questions for buttons and links with data-confirm;
 *   5. a warning before leaving a form with unsaved changes;
 *   6. small helpers: character counters (data-counter), opening folded <details> that hold
 *      an error, and report entries that jump to the word or text they are about.
 *
 * All words shown to people come from the server in data-* attributes or JSON (the panel is in
 * Azerbaijani and English); this file contains no user-visible text of its own.
 * Plain ES2020, no libraries, no build step, no eval and no inline code (the CSP forbids both).
 */
(function () {
  /** Milliseconds of quiet typing before the live preview is refreshed. */
  const PREVIEW_DELAY = 500;
  /** Milliseconds to wait for the paste-cleaning service before pasting plain text instead. */
  const CLEAN_TIMEOUT = 15000;
  /** A line's block prefix: heading marks, list bullets and numbers, quote marks (with indentation). */
  const LINE_PREFIX = /^[ \t]*(?:(?:#{1,6}|[-+*]|\d{1,9}[.)])[ \t]+|>[ \t]?)*/;
  /** Any one heading or list marker at the start of a line (what the toolbar replaces). */
  const BLOCK_MARK = /^[ \t]*(?:#{1,6}(?:[ \t]+|$)|[-+*][ \t]+|\d{1,9}[.)][ \t]+)/;

  // ------------------------------------------------------------------ general helpers

  /**
   * Runs one feature's setup and logs a failure instead of throwing, so that a problem in one
   * feature (or an unexpected page) never switches off the others.
   */
  function safely(name, fn) {
    try {
      fn();
    } catch (err) {
      if (window.console) console.error('admin.js: ' + name + ' failed', err);
    }
  }

  /**
   * Tells listeners (live preview, unsaved-changes guard, counters) that a field changed.
   * Changes made by script do not fire `input` by themselves, so we fire it ourselves.
   */
  function fireInput(el) {
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /**
   * Text for a prompt: the button's data-prompt, else its title or caption. The server provides
   * these in the page's language, so this file never needs its own wording.
   */
  function promptText(button, attribute) {
    const text = button.getAttribute(attribute || 'data-prompt');
    return text || button.title || button.textContent.trim();
  }

  /**
   * Asks for one value with the browser's prompt box. Returns the trimmed answer, or null when
   * the person cancelled or left it empty (both mean "do nothing").
   */
  function ask(question, initial) {
    const answer = window.prompt(question, initial || '');
    if (answer === null) return null;
    const trimmed = answer.trim();
    return trimmed === '' ? null : trimmed;
  }

  /**
   * Form fields as URL-encoded text, the same shape the browser sends for a normal submission.
   * Used to compare a form's state over time and to avoid sending the same preview twice.
   */
  function serialize(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  /**
   * Request body for a script-made POST with the form's fields, encoded the way the form itself
   * would be (URL-encoded by default, multipart if the form says enctype="multipart/form-data"),
   * so the server can read it with the same code as the JavaScript-free submission.
   */
  function formBody(form, extra) {
    const data = new FormData(form);
    Object.keys(extra || {}).forEach(function (key) { data.set(key, extra[key]); });
    if (form.enctype === 'multipart/form-data') return data;
    return new URLSearchParams(data);
  }

  /** The form's anti-forgery token (hidden input name="csrf"), or '' if it has none. */
  function csrfToken(form) {
    const input = form.querySelector('input[name="csrf"]');
    return input ? input.value : '';
  }

  /** Fills a template like "{n} of {max}" with values; unknown names are left as they are. */
  function fillTemplate(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // ------------------------------------------------------------------ editing text in a textarea

  /**
   * Replaces characters [start, end) of a textarea with `text`, then selects the range
   * [selStart, selEnd) counted from `start`. It goes through execCommand('insertText') when it
   * can, because that is the only way to keep the browser's Undo (Ctrl+Z) working; the browser
   * then fires `input` itself. Otherwise (older browser, or `keepFocus` is set and the person
   * has meanwhile moved to another field, e.g. during a slow paste, so we must not pull focus
   * back) it edits the value directly and fires `input` for it.
   */
  function replaceRange(textarea, start, end, text, selStart, selEnd, keepFocus) {
    const before = textarea.value;
    const expected = before.slice(0, start) + text + before.slice(end);
    let done = false;
    if (!keepFocus || document.activeElement === textarea) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      if (text === '' && start === end) {
        done = true; // nothing to change
      } else {
        try {
          done = document.execCommand('insertText', false, text) && textarea.value === expected;
        } catch (err) {
          done = false;
        }
      }
    }
    if (!done) {
      if (textarea.value === before) {
        textarea.setRangeText(text, start, end, 'end');
      } else {
        textarea.value = expected; // the browser half-did something unexpected: set the result outright
      }
      fireInput(textarea);
    }
    textarea.setSelectionRange(start + selStart, start + selEnd);
  }

  /**
   * The whole lines touched by the selection: from the start of its first line to the end of
   * its last. A selection that ends right at the start of a line does not include that line
   * (that is what people mean when they drag over full lines).
   */
  function selectedLines(textarea) {
    const value = textarea.value;
    const selStart = textarea.selectionStart;
    let selEnd = textarea.selectionEnd;
    if (selEnd > selStart && value[selEnd - 1] === '\n') selEnd -= 1;
    const start = selStart === 0 ? 0 : value.lastIndexOf('\n', selStart - 1) + 1;
    let end = value.indexOf('\n', selEnd);
    if (end === -1) end = value.length;
    return { start: start, end: end, lines: value.slice(start, end).split('\n') };
  }

  /** Removes one heading or list marker from the start of a line, keeping its indentation for lists. */
  function stripBlockMark(line, keepIndent) {
    const match = line.match(BLOCK_MARK);
    if (!match) return line;
    const indent = keepIndent ? match[0].match(/^[ \t]*/)[0] : '';
    return indent + line.slice(match[0].length);
  }

  /**
   * Toolbar action for headings and lists: turns every selected line into a "## " or "### "
   * heading, a "- " bullet item or a numbered item ("1. ", "2. " …). If every non-empty line
   * already has that form, the marks are removed instead (so a second click undoes the first).
   * Blank lines are left alone.
   */
  function prefixLines(textarea, kind) {
    const block = selectedLines(textarea);
    // Tests for "this line already has the mark", one per kind.
    const hasMark = {
      h2: function (line) { return /^ {0,3}##(?:[ \t]|$)/.test(line); },
      h3: function (line) { return /^ {0,3}###(?:[ \t]|$)/.test(line); },
      ul: function (line) { return /^[ \t]*[-+*][ \t]+/.test(line); },
      ol: function (line) { return /^[ \t]*\d{1,9}[.)][ \t]+/.test(line); }
    }[kind];
    const filled = block.lines.filter(function (line) { return line.trim() !== ''; });
    const removing = filled.length > 0 && filled.every(hasMark);
    const allBlank = filled.length === 0;
    let number = 0;
    const changed = block.lines.map(function (line, index) {
      if (line.trim() === '' && !(allBlank && index === 0)) return line;
      const isHeading = kind === 'h2' || kind === 'h3';
      if (removing) return isHeading ? stripBlockMark(line, false).trimStart() : stripBlockMark(line, true);
      if (isHeading) return (kind === 'h2' ? '## ' : '### ') + stripBlockMark(line, false).trim();
      const stripped = stripBlockMark(line, true);
      const indent = stripped.match(/^[ \t]*/)[0];
      number += 1;
      return indent + (kind === 'ul' ? '- ' : number + '. ') + stripped.slice(indent.length);
    });
    const text = changed.join('\n');
    const collapsed = textarea.selectionStart === textarea.selectionEnd;
    if (collapsed && changed.length === 1) {
      replaceRange(textarea, block.start, block.end, text, text.length, text.length);
    } else {
      replaceRange(textarea, block.start, block.end, text, 0, text.length);
    }
  }

  /** Number of '*' characters directly before position `at` in `text`. */
  function starsBefore(text, at) {
    let count = 0;
    while (at - count - 1 >= 0 && text[at - count - 1] === '*') count += 1;
    return count;
  }

  /** Number of '*' characters starting at position `at` in `text`. */
  function starsAfter(text, at) {
    let count = 0;
    while (at + count < text.length && text[at + count] === '*') count += 1;
    return count;
  }

  /**
   * Whether a run of `run` stars stands for emphasis with a marker of `size` stars:
   * "**" is bold, "*" italic, and "***" is both, so it counts for either.
   */
  function isMarkerRun(run, size) {
    return run === size || run === 3;
  }

  /**
   * Splits one line of selected text into parts: a block prefix (list or heading mark, only if
   * the text starts a line), leading spaces, the words themselves, trailing spaces. Emphasis
   * goes around the words only, because "**word **" is not bold in Markdown and "**- item**"
   * would break the list.
   */
  function splitForEmphasis(text, atLineStart) {
    const prefix = atLineStart ? text.match(LINE_PREFIX)[0] : '';
    const rest = text.slice(prefix.length);
    const lead = rest.match(/^\s*/)[0];
    const trail = rest.slice(lead.length).match(/\s*$/)[0];
    return { prefix: prefix, lead: lead, core: rest.slice(lead.length, rest.length - trail.length), trail: trail };
  }

  /** Whether `core` is already wrapped in the emphasis marker (e.g. "**word**" for bold). */
  function hasEmphasis(core, marker) {
    const size = marker.length;
    return core.length > 2 * size &&
      isMarkerRun(starsAfter(core, 0), size) && isMarkerRun(starsBefore(core, core.length), size);
  }

  /**
   * Toolbar action for bold ("**") and italic ("*"). With words selected, wraps them (or unwraps
   * them if they are already wrapped, whether the stars are inside or just outside the
   * selection) and keeps the words selected. With nothing selected, inserts the pair of markers
   * and puts the cursor between them, ready to type. A selection over several lines is handled
   * line by line, since emphasis cannot span paragraphs.
   */
  function toggleEmphasis(textarea, marker) {
    const value = textarea.value;
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const selected = value.slice(start, end);
    const size = marker.length;
    const atLineStart = start === 0 || value[start - 1] === '\n';

    if (selected.indexOf('\n') !== -1) {
      const parts = selected.split('\n').map(function (line, index) {
        return splitForEmphasis(line, index > 0 || atLineStart);
      });
      const filled = parts.filter(function (part) { return part.core !== ''; });
      const removing = filled.length > 0 && filled.every(function (part) { return hasEmphasis(part.core, marker); });
      const text = parts.map(function (part) {
        if (part.core === '') return part.prefix + part.lead + part.trail;
        const core = removing ? part.core.slice(size, part.core.length - size)
          : hasEmphasis(part.core, marker) ? part.core : marker + part.core + marker;
        return part.prefix + part.lead + core + part.trail;
      }).join('\n');
      replaceRange(textarea, start, end, text, 0, text.length);
      return;
    }

    const part = splitForEmphasis(selected, atLineStart);
    if (part.core === '') {
      // Nothing to wrap: insert "****" (or "**") and place the cursor in the middle.
      const offset = part.prefix.length + part.lead.length + size;
      replaceRange(textarea, start, end, part.prefix + part.lead + marker + marker + part.trail, offset, offset);
      return;
    }
    const coreStart = start + part.prefix.length + part.lead.length;
    const coreEnd = coreStart + part.core.length;
    if (isMarkerRun(starsBefore(value, coreStart), size) && isMarkerRun(starsAfter(value, coreEnd), size) &&
        coreStart - size >= 0) {
      // The stars are just outside the selected words: remove them, keep the words selected.
      replaceRange(textarea, coreStart - size, coreEnd + size, part.core, 0, part.core.length);
      return;
    }
    if (hasEmphasis(part.core, marker)) {
      const inner = part.core.slice(size, part.core.length - size);
      replaceRange(textarea, coreStart, coreEnd, inner, 0, inner.length);
      return;
    }
    replaceRange(textarea, coreStart, coreEnd, marker + part.core + marker, size, size + part.core.length);
  }

  /** Escapes the characters that would end or break a Markdown link text or image description. */
  function escapeLinkText(text) {
    return text.replace(/([\\[\]])/g, '\\$1');
  }

  /**
   * Makes an address safe inside Markdown's "(…)": spaces, brackets and parentheses are
   * percent-encoded, which means the same address but cannot end the link early.
   */
  function escapeLinkTarget(url) {
    return url.replace(/ /g, '%20').replace(/\(/g, '%28').replace(/\)/g, '%29')
      .replace(/</g, '%3C').replace(/>/g, '%3E');
  }

  /** The file name at the end of an address ("/files/report.pdf" → "report.pdf"), for link text. */
  function fileName(url) {
    const path = url.split(/[?#]/)[0].replace(/\/+$/, '');
    const last = path.slice(path.lastIndexOf('/') + 1) || url;
    try {
      return decodeURIComponent(last);
    } catch (err) {
      return last;
    }
  }

  /** The selected text on one line, for use as link text or an image description. */
  function selectionAsOneLine(textarea) {
    return textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).replace(/\s*\n\s*/g, ' ').trim();
  }

  /**
   * Toolbar action for links and file links: asks for the address (data-prompt) and writes
   * "[text](address)". The selected words become the link text; with nothing selected the text
   * is the address itself, or the file's name for file links. The link text is left selected so
   * it can be typed over with something clearer.
   */
  function insertLink(textarea, button, isFile) {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const selected = selectionAsOneLine(textarea);
    const url = ask(promptText(button), '');
    textarea.focus();
    textarea.setSelectionRange(start, end);
    if (url === null) return;
    const label = escapeLinkText(selected || (isFile ? fileName(url) : url));
    replaceRange(textarea, start, end, '[' + label + '](' + escapeLinkTarget(url) + ')', 1, 1 + label.length);
  }

  /**
   * Toolbar action for images: asks for the address (data-prompt), then for a description of the
   * image (data-prompt-alt). The description is required by law, so we keep asking until it is
   * given or the person cancels. Writes "![description](address)".
   */
  function insertImage(textarea, button) {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const selected = selectionAsOneLine(textarea);
    const url = ask(promptText(button), '');
    let alt = null;
    if (url !== null) {
      const question = promptText(button, 'data-prompt-alt');
      let initial = selected;
      for (;;) {
        const answer = window.prompt(question, initial);
        if (answer === null) break;
        if (answer.trim() !== '') {
          alt = answer.trim().replace(/\s+/g, ' ');
          break;
        }
        initial = '';
      }
    }
    textarea.focus();
    textarea.setSelectionRange(start, end);
    if (url === null || alt === null) return;
    const text = '![' + escapeLinkText(alt) + '](' + escapeLinkTarget(url) + ')';
    replaceRange(textarea, start, end, text, text.length, text.length);
  }

  /**
   * Blank lines needed before and after a block (such as a table) inserted at [start, end), so
   * that Markdown does not glue it to the paragraph around it.
   */
  function blockSpacing(value, start, end) {
    const before = value.slice(0, start);
    const after = value.slice(end);
    let pre = '';
    let post = '';
    if (before !== '' && !/\n[ \t]*\n$/.test(before)) pre = /\n$/.test(before) ? '\n' : '\n\n';
    if (after !== '' && !/^\n[ \t]*\n/.test(after)) post = /^\n/.test(after) ? '\n' : '\n\n';
    return { pre: pre, post: post };
  }

  /**
   * Toolbar action for tables: inserts a GFM table with a header row. Selected lines become rows
   * (cells split at tabs, as copied from a spreadsheet; the first line is the header); with no
   * selection it is an empty two-column table. The server may give its own template in
   * data-template. The cursor goes into the first header cell.
   */
  function insertTable(textarea, button) {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const selected = textarea.value.slice(start, end).trim();
    let table = button.getAttribute('data-template');
    let caret = 2;
    if (!table) {
      const rows = selected === '' ? [['', ''], ['', '']] : selected.split('\n').map(function (line) {
        return line.split('\t').map(function (cell) { return cell.trim().replace(/\|/g, '\\|'); });
      });
      if (rows.length === 1) rows.push([]);
      let columns = 2;
      rows.forEach(function (row) { columns = Math.max(columns, row.length); });
      const widths = [];
      for (let c = 0; c < columns; c += 1) {
        let width = 3;
        rows.forEach(function (row) { width = Math.max(width, (row[c] || '').length); });
        widths.push(width);
      }
      /** One table row, cells padded to the column widths so the Markdown stays readable. */
      const line = function (cells) {
        return '| ' + widths.map(function (width, c) { return (cells[c] || '').padEnd(width); }).join(' | ') + ' |';
      };
      const lines = [line(rows[0]), '| ' + widths.map(function (width) { return '-'.repeat(width); }).join(' | ') + ' |'];
      rows.slice(1).forEach(function (row) { lines.push(line(row)); });
      table = lines.join('\n');
      caret = 2 + (rows[0][0] || '').length;
    }
    const spacing = blockSpacing(textarea.value, start, end);
    const text = spacing.pre + table + spacing.post;
    const at = spacing.pre.length + caret;
    replaceRange(textarea, start, end, text, at, at);
  }

  /** Runs the toolbar action named in a button's data-md on the textarea. */
  function runMarkdownAction(textarea, action, button) {
    switch (action) {
      case 'h2':
      case 'h3':
      case 'ul':
      case 'ol':
        prefixLines(textarea, action);
        break;
      case 'bold':
        toggleEmphasis(textarea, '**');
        break;
      case 'italic':
        toggleEmphasis(textarea, '*');
        break;
      case 'link':
        insertLink(textarea, button, false);
        break;
      case 'file':
        insertLink(textarea, button, true);
        break;
      case 'image':
        insertImage(textarea, button);
        break;
      case 'table':
        insertTable(textarea, button);
        break;
      default:
        return;
    }
    textarea.focus();
  }

  /**
   * Arrow-key movement inside a toolbar (the WAI-ARIA toolbar pattern): the toolbar is a single
   * Tab stop, Left/Right move between its buttons (wrapping round), Home/End jump to the ends.
   * The last used button is remembered as the Tab stop.
   */
  function setupRovingFocus(toolbar, buttons) {
    /** Makes button `index` the toolbar's only Tab stop. */
    function makeCurrent(index) {
      buttons.forEach(function (button, i) { button.tabIndex = i === index ? 0 : -1; });
    }
    makeCurrent(0);
    toolbar.addEventListener('focusin', function (event) {
      const index = buttons.indexOf(event.target);
      if (index !== -1) makeCurrent(index);
    });
    toolbar.addEventListener('keydown', function (event) {
      const index = buttons.indexOf(document.activeElement);
      if (index === -1 || event.altKey || event.ctrlKey || event.metaKey) return;
      let next = null;
      if (event.key === 'ArrowRight') next = (index + 1) % buttons.length;
      else if (event.key === 'ArrowLeft') next = (index - 1 + buttons.length) % buttons.length;
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = buttons.length - 1;
      if (next === null) return;
      event.preventDefault();
      makeCurrent(next);
      buttons[next].focus();
    });
  }

  /**
   * Keyboard shortcuts inside the Markdown text: Ctrl+B bold, Ctrl+I italic (Cmd on a Mac), and
   * Ctrl+K link when the toolbar has a link button (it supplies the prompt text). The buttons
   * announce their shortcuts to screen readers with aria-keyshortcuts.
   */
  function setupShortcuts(textarea, toolbar) {
    const linkButton = toolbar ? toolbar.querySelector('button[data-md="link"]') : null;
    const shortcuts = { b: 'bold', i: 'italic' };
    if (linkButton) shortcuts.k = 'link';
    if (toolbar) {
      Object.keys(shortcuts).forEach(function (letter) {
        const button = toolbar.querySelector('button[data-md="' + shortcuts[letter] + '"]');
        if (button) button.setAttribute('aria-keyshortcuts', 'Control+' + letter.toUpperCase() + ' Meta+' + letter.toUpperCase());
      });
    }
    textarea.addEventListener('keydown', function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      let letter = (event.key || '').toLowerCase();
      // On a non-Latin keyboard layout fall back to the physical key.
      if (!/^[a-z]$/.test(letter) && /^Key[A-Z]$/.test(event.code || '')) letter = event.code.slice(3).toLowerCase();
      const action = shortcuts[letter];
      if (!action) return;
      event.preventDefault();
      runMarkdownAction(textarea, action, action === 'link' ? linkButton : null);
    });
  }

  /**
   * Feature 1: shows each Markdown toolbar (hidden for people without JavaScript, for whom it
   * would do nothing) and connects its buttons to the textarea named in aria-controls.
   */
  function setupToolbars() {
    const wired = new WeakSet(); // textareas that already have shortcuts
    document.querySelectorAll('.toolbar').forEach(function (toolbar) {
      const textarea = document.getElementById(toolbar.getAttribute('aria-controls') || '') ||
        (toolbar.parentElement && toolbar.parentElement.querySelector('textarea'));
      if (!textarea || textarea.tagName !== 'TEXTAREA') return;
      const buttons = Array.prototype.slice.call(toolbar.querySelectorAll('button[data-md]'));
      if (buttons.length === 0) return;
      toolbar.hidden = false;
      buttons.forEach(function (button) { button.type = 'button'; });
      setupRovingFocus(toolbar, buttons);
      toolbar.addEventListener('click', function (event) {
        const button = event.target.closest('button[data-md]');
        if (!button || !toolbar.contains(button)) return;
        event.preventDefault();
        runMarkdownAction(textarea, button.getAttribute('data-md'), button);
      });
      setupShortcuts(textarea, toolbar);
      wired.add(textarea);
    });
    // Body fields without a toolbar still get bold/italic shortcuts.
    document.querySelectorAll('textarea.body-text').forEach(function (textarea) {
      if (!wired.has(textarea)) setupShortcuts(textarea, null);
    });
  }

  // ------------------------------------------------------------------ live preview and reports

  /**
   * Scrolls a textarea so that character `index` is in the middle of its visible part.
   * Browsers do not do this when a script selects text, so we measure: an invisible copy of the
   * textarea with the same font, width and wrapping holds the text before `index`, and its height
   * is how far down that character is.
   */
  function scrollTextareaTo(textarea, index) {
    const style = window.getComputedStyle(textarea);
    const mirror = document.createElement('div');
    ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'lineHeight', 'letterSpacing', 'wordSpacing',
      'tabSize', 'paddingTop', 'paddingLeft', 'paddingRight', 'whiteSpace', 'overflowWrap', 'wordBreak']
      .forEach(function (property) { mirror.style[property] = style[property]; });
    mirror.style.position = 'absolute';
    mirror.style.visibility = 'hidden';
    mirror.style.left = '-10000px';
    mirror.style.top = '0';
    mirror.style.boxSizing = 'border-box';
    mirror.style.width = textarea.clientWidth + 'px'; // inner width, padding included, no scrollbar
    mirror.style.paddingBottom = '0';
    if (style.whiteSpace === 'normal') mirror.style.whiteSpace = 'pre-wrap'; // how textareas wrap
    mirror.textContent = textarea.value.slice(0, index) + '\u200b'; // the last line counts even if empty
    document.body.appendChild(mirror);
    const y = mirror.offsetHeight;
    mirror.remove();
    textarea.scrollTop = Math.max(0, y - textarea.clientHeight / 2);
  }

  /**
   * Finds `text` in the form's text fields and selects it, so staff can see and fix what a
   * report talks about. Looks in the body first, starting at line `line` if given, then in the
   * other fields. `wholeWord` avoids matching inside longer words (for misspellings).
   */
  function revealInForm(form, text, line, wholeWord) {
    if (!text) return;
    const body = form.querySelector('textarea.body-text') || form.querySelector('textarea[name="body"]');
    const fields = Array.prototype.slice.call(form.querySelectorAll('textarea, input[type="text"], input:not([type])'));
    if (body) {
      fields.splice(fields.indexOf(body), 1);
      fields.unshift(body);
    }
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let pattern = new RegExp(escaped, 'g');
    if (wholeWord) {
      try {
        pattern = new RegExp('(?<![\\p{L}\\p{N}])' + escaped + '(?![\\p{L}\\p{N}])', 'gu');
      } catch (err) {
        // Browser without look-behind: plain search is good enough.
      }
    }
    for (const field of fields) {
      let from = 0;
      if (field === body && line > 1) {
        let seen = 1;
        while (seen < line && from !== -1) {
          from = field.value.indexOf('\n', from);
          if (from !== -1) { from += 1; seen += 1; }
        }
        if (from === -1) from = 0;
      }
      pattern.lastIndex = from;
      let match = pattern.exec(field.value);
      if (!match && from > 0) {
        pattern.lastIndex = 0;
        match = pattern.exec(field.value);
      }
      if (match) {
        const details = field.closest('details');
        if (details) details.open = true;
        field.focus();
        field.setSelectionRange(match.index, match.index + match[0].length);
        if (field.tagName === 'TEXTAREA') scrollTextareaTo(field, match.index);
        return;
      }
    }
  }

  /** A button that looks like a link and, when pressed, shows `text` in the form (see revealInForm). */
  function revealButton(form, label, text, line, wholeWord) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-button';
    button.textContent = label;
    button.addEventListener('click', function () { revealInForm(form, text, line, wholeWord); });
    return button;
  }

  /**
   * Fills the spelling report: a heading (data-heading) and one entry per word,
   * "word → suggestion, suggestion"; or the data-none text when nothing was found. Each word is
   * a button that selects it in the text. The report is only rebuilt when its content changed,
   * so screen readers (it is a polite live region) are not told the same thing on every key.
   */
  function renderSpelling(box, form, misspellings, last) {
    const key = JSON.stringify(misspellings);
    if (last.spelling === key) return;
    last.spelling = key;
    box.textContent = '';
    if (misspellings.length === 0) {
      const none = box.getAttribute('data-none');
      if (none) {
        const p = document.createElement('p');
        p.textContent = none;
        box.appendChild(p);
      }
      return;
    }
    const heading = box.getAttribute('data-heading');
    if (heading) {
      const h = document.createElement('h3');
      h.textContent = heading;
      box.appendChild(h);
    }
    const list = document.createElement('ul');
    misspellings.forEach(function (item) {
      if (!item || typeof item.word !== 'string') return;
      const li = document.createElement('li');
      const button = revealButton(form, '', item.word, 0, true);
      const mark = document.createElement('mark');
      mark.className = 'spell';
      mark.textContent = item.word;
      button.appendChild(mark);
      li.appendChild(button);
      const suggestions = Array.isArray(item.suggestions) ? item.suggestions.filter(function (s) { return typeof s === 'string'; }) : [];
      if (suggestions.length > 0) li.appendChild(document.createTextNode(' → ' + suggestions.join(', ')));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  /**
   * Fills the personal-data report (#guard-report) and shows it when there are warnings:
   * a heading (JSON warnings_heading, else data-heading) and entries "label: text (line N)",
   * where the "line N" wording comes from data-line (e.g. "line {n}" / "sətir {n}"); without
   * data-line just the number is shown. Each entry selects its text in the form when pressed.
   * Hidden again when there is nothing to report.
   */
  function renderWarnings(box, form, warnings, heading, last) {
    const key = JSON.stringify([warnings, heading]);
    if (last.warnings === key) return;
    last.warnings = key;
    box.textContent = '';
    if (warnings.length === 0) {
      box.hidden = true;
      return;
    }
    const title = heading || box.getAttribute('data-heading');
    if (title) {
      const h = document.createElement('h3');
      h.textContent = title;
      box.appendChild(h);
    }
    const lineTemplate = box.getAttribute('data-line');
    const list = document.createElement('ul');
    warnings.forEach(function (warning) {
      if (!warning) return;
      let label = (warning.label ? warning.label + ': ' : '') + (warning.text || '');
      if (typeof warning.line === 'number' && warning.line > 0) {
        label += ' (' + (lineTemplate ? fillTemplate(lineTemplate, { n: warning.line }) : warning.line) + ')';
      }
      const li = document.createElement('li');
      li.appendChild(warning.text ? revealButton(form, label, warning.text, warning.line || 0, false) : document.createTextNode(label));
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  /**
   * Feature 2: live preview. After each pause in typing (and once on load) the editor form is
   * posted with action=preview to data-preview-url, asking for JSON. The answer's html goes into
   * the preview iframe (srcdoc), keeping its scroll position; misspellings and warnings go into
   * the reports. Only the newest request counts: older ones are cancelled and their late answers
   * ignored. If a request fails, the last good preview simply stays.
   */
  function setupLivePreview(form) {
    const url = form.getAttribute('data-preview-url');
    if (!url || !window.fetch) return;
    const frame = document.getElementById('preview-frame');
    const spelling = document.getElementById('spell-report');
    const guard = document.getElementById('guard-report');
    if (!frame && !spelling && !guard) return;

    let timer = 0;
    let sequence = 0;
    let controller = null;
    let lastSent = null;
    let pendingScroll = null;
    const rendered = { spelling: null, warnings: null };

    /** Puts new HTML into the iframe, remembering where it was scrolled to (restored on load). */
    function showHtml(html) {
      if (pendingScroll === null) {
        try {
          const win = frame.contentWindow;
          pendingScroll = { x: win.scrollX, y: win.scrollY };
        } catch (err) {
          pendingScroll = { x: 0, y: 0 }; // not readable (sandboxed frame): start at the top
        }
      }
      frame.srcdoc = html;
    }

    if (frame) {
      frame.addEventListener('load', function () {
        if (pendingScroll === null) return;
        const to = pendingScroll;
        pendingScroll = null;
        try {
          frame.contentWindow.scrollTo(to.x, to.y);
        } catch (err) {
          // Frame not readable: nothing to restore.
        }
      });
    }

    /** Sends the form for preview now, unless exactly the same content was already sent. */
    function send() {
      timer = 0;
      const key = serialize(form);
      if (key === lastSent) return;
      lastSent = key;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      sequence += 1;
      const mine = sequence;
      if (frame) frame.setAttribute('aria-busy', 'true');
      fetch(url, {
        method: 'POST',
        body: formBody(form, { action: 'preview' }),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      }).then(function (data) {
        if (mine !== sequence || !data || typeof data !== 'object') return;
        if (frame && typeof data.html === 'string') showHtml(data.html);
        if (spelling && Array.isArray(data.misspellings)) renderSpelling(spelling, form, data.misspellings, rendered);
        if (guard && Array.isArray(data.warnings)) renderWarnings(guard, form, data.warnings, data.warnings_heading, rendered);
      }).catch(function () {
        // Network or server trouble, or cancelled by a newer request: keep the last preview,
        // and let the next change try again.
        if (mine === sequence) lastSent = null;
      }).then(function () {
        if (mine === sequence && frame) frame.removeAttribute('aria-busy');
      });
    }

    /** Restarts the quiet-time countdown after each change. */
    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(send, PREVIEW_DELAY);
    }

    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    send();
  }

  // ------------------------------------------------------------------ paste cleaning

  /**
   * Feature 3: cleaning pasted text. Text copied from Word or a web page carries HTML with
   * fonts and colours; the server (data-clean-url) turns it into plain Markdown. While it works,
   * nothing is pasted; then the Markdown goes where the cursor was. If the server cannot help
   * (error, no answer within CLEAN_TIMEOUT), the clipboard's plain text is pasted instead.
   */
  function setupPasteCleaning(form) {
    const url = form.getAttribute('data-clean-url');
    if (!url || !window.fetch) return;
    const textarea = form.querySelector('textarea.body-text') || form.querySelector('textarea[name="body"]');
    if (!textarea) return;

    /** Puts text in place of the selection that existed at paste time, if the text has not changed since. */
    function insertPasted(text, snapshot, start, end) {
      text = text.replace(/\r\n?/g, '\n');
      if (textarea.value !== snapshot) {
        start = textarea.selectionStart; // the person kept typing: paste at the cursor as it is now
        end = textarea.selectionEnd;
      }
      textarea.removeAttribute('aria-busy');
      replaceRange(textarea, start, end, text, text.length, text.length, true);
    }

    textarea.addEventListener('paste', function (event) {
      const clipboard = event.clipboardData;
      if (!clipboard) return;
      const html = clipboard.getData('text/html');
      if (!html || html.trim() === '') return; // plain text: let the browser paste it
      const plain = clipboard.getData('text/plain') || '';
      event.preventDefault();
      const snapshot = textarea.value;
      const start = textarea.selectionStart;
      const end = textarea.selectionEnd;
      const body = new URLSearchParams();
      body.set('csrf', csrfToken(form));
      body.set('html', html);
      const controller = window.AbortController ? new AbortController() : null;
      const timeout = controller ? setTimeout(function () { controller.abort(); }, CLEAN_TIMEOUT) : 0;
      textarea.setAttribute('aria-busy', 'true');
      fetch(url, {
        method: 'POST',
        body: body,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      }).then(function (data) {
        return data && typeof data.markdown === 'string' && data.markdown.trim() !== '' ? data.markdown : plain;
      }).catch(function () {
        return plain;
      }).then(function (text) {
        clearTimeout(timeout);
        insertPasted(text, snapshot, start, end);
      });
    });
  }

  // ------------------------------------------------------------------ confirmations and unsaved changes

  /**
   * Feature 4: "Are you sure?" for any button, submit input or link with data-confirm (the
   * attribute holds the question). Listens to clicks, which also covers Enter and Space on a
   * button and Enter in a text field that submits through that button. Cancel stops it.
   */
  function setupConfirmations() {
    document.addEventListener('click', function (event) {
      const target = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
      if (!target || target.tagName === 'FORM') return;
      if (!window.confirm(target.getAttribute('data-confirm'))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
  }

  /**
   * Whether submitting `form` through `submitter` loads a new page in this window (as opposed
   * to a submission into the preview iframe, after which the edits are still unsaved).
   */
  function submitLeavesPage(form, submitter) {
    const target = (submitter && submitter.hasAttribute('formtarget') ? submitter.getAttribute('formtarget') : form.getAttribute('target')) || '';
    return target === '' || target === '_self' || target === '_top' || target === '_parent';
  }

  /**
   * Feature 5: warns before leaving a form (data-unsaved-message) whose fields differ from how
   * the page loaded. Submitting the form itself (Save, Publish …) does not warn; posting it
   * into the preview frame does not count as saving. With data-dirty on the form (e.g. the
   * server re-showed it after a failed save) it counts as changed from the start. Modern browsers
   * show their own wording; the message is given for the ones that still show it.
   */
  function setupUnsavedGuard(form) {
    if (!form.hasAttribute('data-unsaved-message')) return;
    const message = form.getAttribute('data-unsaved-message') || '';
    let initial = form.hasAttribute('data-dirty') ? null : serialize(form);
    let touched = initial === null;
    let leaving = false;

    form.addEventListener('input', function () { touched = true; });
    form.addEventListener('change', function () { touched = true; });
    // On window, so it runs after any other submit handler that might cancel the submission.
    window.addEventListener('submit', function (event) {
      if (event.target === form && !event.defaultPrevented && submitLeavesPage(form, event.submitter)) leaving = true;
    });
    window.addEventListener('beforeunload', function (event) {
      if (leaving || !touched || serialize(form) === initial) return undefined;
      event.preventDefault();
      event.returnValue = message;
      return message;
    });
    // Coming back with the Back button to a page kept in memory: its current fields are what was saved.
    window.addEventListener('pageshow', function (event) {
      if (!event.persisted) return;
      leaving = false;
      touched = false;
      initial = serialize(form);
    });
  }

  // ------------------------------------------------------------------ small helpers

  /**
   * Character counter for inputs and textareas with both maxlength and data-counter (a template
   * with {n} = characters typed, {max} = limit, {left} = characters left, e.g. "{n} of {max}").
   * The counter sits under the field and is linked with aria-describedby, so screen readers read
   * it with the field instead of announcing every keystroke. Near the limit it turns bold.
   */
  function setupCounters() {
    let serial = 0;
    document.querySelectorAll('input[data-counter], textarea[data-counter]').forEach(function (field) {
      const template = field.getAttribute('data-counter');
      const max = field.maxLength;
      if (!template || !(max > 0)) return;
      serial += 1;
      const counter = document.createElement('p');
      counter.className = 'counter';
      counter.id = (field.id || 'field-' + serial) + '-counter';
      field.insertAdjacentElement('afterend', counter);
      const describedBy = field.getAttribute('aria-describedby');
      field.setAttribute('aria-describedby', describedBy ? describedBy + ' ' + counter.id : counter.id);
      /** Rewrites the counter text from the field's current length. */
      const update = function () {
        const n = field.value.length;
        counter.textContent = fillTemplate(template, { n: n, max: max, left: max - n });
        counter.classList.toggle('counter-near', n >= max * 0.9);
      };
      field.addEventListener('input', update);
      update();
    });
  }

  /**
   * Opens folded sections (<details>, e.g. the Dublin Core fields) that contain an error, so an
   * error is never hidden; and opens one when the browser's own check ("required", "pattern")
   * stops a form at a field inside it, which the browser could not otherwise show or focus.
   */
  function setupDetailsWithErrors() {
    document.querySelectorAll('details').forEach(function (details) {
      if (details.querySelector('.field-error, [aria-invalid="true"]')) details.open = true;
    });
    document.addEventListener('invalid', function (event) {
      const details = event.target instanceof Element ? event.target.closest('details') : null;
      if (details && !details.open) details.open = true;
    }, true);
  }

  // ------------------------------------------------------------------ start

  /** Starts every feature; each one quietly does nothing when its elements are not on the page. */
  function init() {
    safely('toolbar', setupToolbars);
    safely('confirmations', setupConfirmations);
    safely('counters', setupCounters);
    safely('details', setupDetailsWithErrors);
    document.querySelectorAll('form[data-preview-url]').forEach(function (form) {
      safely('live preview', function () { setupLivePreview(form); });
    });
    document.querySelectorAll('form[data-clean-url]').forEach(function (form) {
      safely('paste cleaning', function () { setupPasteCleaning(form); });
    });
    document.querySelectorAll('form[data-unsaved-message]').forEach(function (form) {
      safely('unsaved changes', function () { setupUnsavedGuard(form); });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
