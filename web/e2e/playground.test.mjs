// Browser tests of the playground (web/index.html) and the docs embed
// (web/docs-demo.html), served by the real CLI and driven in Debian's
// Chromium. Run: node --test web/e2e/  (after make run's build steps).
// Every test saves a screenshot to bin/e2e/ and fails on any page error or
// console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, serve, browser, openPage, shot } from './harness.mjs';

let server;
let chromium;

before(async () => {
  server = await serve();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  server?.stop();
});

// ready opens the playground and waits until the engine is loaded and the
// graph is drawn.
async function ready(url = server.url, opts) {
  const page = await openPage(chromium, url, opts);
  await page.waitForSelector('#engine-status.ready', { timeout: 30000 });
  await page.waitForSelector('#graph svg [data-state]', { timeout: 15000 });
  return page;
}

async function done(page) {
  assert.deepEqual(page.errors, [], 'page or console errors');
  await page.context().close();
}

// setDefinition replaces the editor's text the way a user would: select all,
// then type (insertText: one input event, so auto-closed brackets do not
// double).
async function setDefinition(page, text) {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

// finished waits until the page shows a finished execution and its idle run
// controls.
async function finished(page, timeout = 30000) {
  await page.waitForFunction(() => {
    const e = window.__stepwiseDebug?.exec;
    const pill = document.getElementById('exec-status').className;
    return e && e.status !== 'RUNNING' && e.model && /SUCCEEDED|FAILED|TIMED_OUT|ABORTED/.test(pill) &&
      !document.getElementById('start').disabled;
  }, null, { timeout });
}

test('an invalid definition shows AWS diagnostics in the editor', async () => {
  const page = await ready();
  const def = JSON.stringify({
    StartAt: 'A',
    States: { A: { Type: 'Pass', Next: 'Nowhere' } },
  }, null, 2);
  await setDefinition(page, def);
  // The lint mark sits on the Next value; the count in the bar says so.
  await page.waitForSelector('#editor .cm-lintRange-error', { timeout: 10000 });
  await page.waitForFunction(() => /problem/.test(document.getElementById('diag-count').textContent));
  const marked = await page.$$eval('#editor .cm-lintRange-error', (l) => l.map((e) => e.textContent));
  assert.ok(marked.some((t) => t.includes('"Nowhere"')), `marks: ${marked}`);
  // Open the lint panel (Ctrl+Shift+M) to read the messages.
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+Shift+KeyM');
  await page.waitForSelector('.cm-panel-lint .cm-diagnostic');
  const msgs = await page.$$eval('.cm-panel-lint .cm-diagnostic', (l) => l.map((e) => e.textContent));
  assert.ok(msgs.some((m) => m.includes("Missing 'Next' target: Nowhere")), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.includes('/States/A/Next')), msgs.join('\n'));
  // A machine whose only state loops nowhere also has no terminal state.
  assert.ok(msgs.some((m) => m.includes('Workflow has no terminal state')), msgs.join('\n'));
  assert.equal(await page.textContent('#diag-count'), '2 problems');
  await shot(page, 'lint-missing-next');
  await done(page);
});
