// Browser tests of the playground (web/index.html) and the docs embed
// (web/docs-demo.html), served by the real CLI and driven in Debian's
// Chromium. Run: node --test web/e2e/  (after make run's build steps).
// Every test saves a screenshot to bin/e2e/ and fails on any page error or
// console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, artifacts, serve, browser, openPage, shot } from './harness.mjs';

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

// stateNames lists every state name of a definition, nested ones included.
function stateNames(def, out = []) {
  for (const [name, s] of Object.entries(def.States || {})) {
    out.push(name);
    for (const b of s.Branches || []) stateNames(b, out);
    if (s.Iterator) stateNames(s.Iterator, out);
    if (s.ItemProcessor) stateNames(s.ItemProcessor, out);
  }
  return out;
}

// showDefinition waits until the graph shows exactly the states of def.
async function showDefinition(page, def) {
  const names = stateNames(def).sort();
  await page.waitForFunction((want) => {
    const have = [...document.querySelectorAll('#graph svg [data-state]')].map((e) => e.getAttribute('data-state')).sort();
    return JSON.stringify(have) === JSON.stringify(want);
  }, names, { timeout: 15000 });
}

// engineHistory asks the page's own engine for the whole history.
function engineHistory(page) {
  return page.evaluate(async () => {
    const { sw, exec } = window.__stepwiseDebug;
    const events = [];
    let nextToken;
    do {
      const r = await sw.history({ executionArn: exec.arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      events.push(...r.events);
      nextToken = r.nextToken;
    } while (nextToken);
    const desc = await sw.describe({ executionArn: exec.arn });
    return { events, status: desc.status, error: desc.error, cause: desc.cause, output: desc.output };
  });
}

// expectedPaint derives each state's colour from the raw history: a state
// whose every visit exited is green (succeeded, or caught/retried when it
// failed on the way); a visit that never exited in a finished execution is
// red; a state never entered is not-reached.
function expectedPaint(events) {
  const entered = new Map();
  const exited = new Map();
  for (const ev of events) {
    const name = ev.stateEnteredEventDetails?.name ?? ev.stateExitedEventDetails?.name;
    if (!name) continue;
    const m = ev.type.endsWith('StateEntered') ? entered : ev.type.endsWith('StateExited') ? exited : null;
    if (m) m.set(name, (m.get(name) || 0) + 1);
  }
  return (name) => {
    const n = entered.get(name) || 0;
    if (!n) return ['not-reached'];
    if ((exited.get(name) || 0) === n) return ['succeeded', 'caught', 'retried'];
    return ['failed'];
  };
}

// answerCallbacks answers the callback tasks an example lists, in the bar
// the page shows for tasks waiting in "Wait for callback" mode.
async function answerCallbacks(page, callbacks, name) {
  for (const [state, cb] of Object.entries(callbacks || {})) {
    const box = `#callbacks .callback[aria-label="${state} waits for a callback"]`;
    await page.waitForSelector(box, { timeout: 15000 });
    // the token shown is the one the task received as $$.Task.Token
    const token = await page.textContent(`${box} .cb-token code`);
    assert.match(token, /^[0-9a-f-]{36}$/);
    if (name) await shot(page, `${name}-callback`);
    if (cb.error) {
      await page.fill(`${box} .cb-err`, cb.error);
      await page.fill(`${box} .cb-cause`, cb.cause || '');
      await page.click(`${box} .cb-fail`);
    } else {
      await page.fill(`${box} textarea`, JSON.stringify(cb.output));
      await page.click(`${box} .cb-ok`);
    }
    await page.waitForSelector(box, { state: 'detached' });
  }
}

test('every example runs in the page and shows what the engine recorded', async (t) => {
  const index = JSON.parse(readFileSync(join(root, 'web', 'examples', 'index.json'), 'utf8'));
  assert.ok(index.length > 0);
  const page = await ready();
  for (const entry of index) {
    await t.test(entry.id, async () => {
      const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', entry.file || `${entry.id}.json`), 'utf8'));
      await page.selectOption('#example', entry.id);
      await showDefinition(page, ex.definition);
      // The page picks the example's test case from its mock config.
      assert.equal(await page.inputValue('#test-case'), ex.testCase || '');
      await page.click('#start');
      await answerCallbacks(page, ex.callbacks, `example-${entry.id}`);
      await finished(page);
      const h = await engineHistory(page);
      assert.equal(h.status, ex.expect.status, `${h.error || ''} ${h.cause || ''}`);
      if (ex.expect.error) assert.equal(h.error, ex.expect.error);
      if (ex.expect.output !== undefined) assert.deepEqual(JSON.parse(h.output), ex.expect.output);

      // Status pill.
      const pill = await page.$eval('#exec-status', (e) => ({ text: e.textContent, cls: e.className }));
      assert.ok(pill.cls.split(' ').includes(ex.expect.status), pill.cls);
      assert.equal(pill.text.toUpperCase(), ex.expect.status.replace('_', ' '));

      // Graph colours.
      const want = expectedPaint(h.events);
      const painted = await page.$$eval('#graph svg [data-state]', (l) => l.map((e) => ({
        name: e.getAttribute('data-state'),
        cls: ['running', 'succeeded', 'failed', 'caught', 'retried', 'not-reached'].filter((c) => e.classList.contains(c)),
      })));
      for (const { name, cls } of painted) {
        assert.equal(cls.length, 1, `${name}: ${cls}`);
        assert.ok(want(name).includes(cls[0]), `${name} painted ${cls[0]}, history says ${want(name)}`);
      }
      const exitedNames = new Set(h.events.filter((e) => e.type.endsWith('StateExited')).map((e) => e.stateExitedEventDetails.name));
      assert.ok(exitedNames.size > 0);

      // Event table: one row per event, same types in the same order.
      await page.click('#tab-events');
      const rows = await page.$$eval('#events-body tr.ev', (l) => l.map((tr) => ({ id: Number(tr.cells[0].textContent), type: tr.cells[1].textContent })));
      assert.equal(rows.length, h.events.length);
      assert.deepEqual(rows.map((r) => r.type), h.events.map((e) => e.type));
      assert.deepEqual(rows.map((r) => r.id), h.events.map((e) => e.id));
      assert.equal(await page.textContent('#ev-count'), String(h.events.length));
      await shot(page, `example-${entry.id}`);
      await page.click('#tab-input');
    });
  }
  await done(page);
});

test('step through a paused execution, run to a state, continue to the end', async () => {
  const page = await ready();
  const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', 'order-processing.json'), 'utf8'));
  await page.selectOption('#example', 'order-processing');
  await showDefinition(page, ex.definition);
  const count = async () => Number((await page.textContent('#ev-count')) || 0);
  const historyLength = () => page.evaluate(async () => {
    const { sw, exec } = window.__stepwiseDebug;
    return (await sw.history({ executionArn: exec.arn, maxResults: 1000 })).events.length;
  });
  const idle = () => page.waitForFunction(() => !document.getElementById('step').disabled || !/PAUSED/.test(document.getElementById('exec-status').className));

  await page.click('#start-paused');
  await page.waitForSelector('#exec-status.PAUSED');
  await idle();
  assert.equal(await count(), 1); // ExecutionStarted only
  assert.equal(await historyLength(), 1);

  // Each of the first steps is a state transition that records events.
  let last = 1;
  for (let i = 0; i < 2; i++) {
    await page.click('#step');
    await page.waitForFunction((n) => Number(document.getElementById('ev-count').textContent) > n, last);
    await idle();
    const n = await count();
    assert.ok(n > last, `step ${i + 1}: ${n} events after ${last}`);
    assert.equal(n, await historyLength());
    last = n;
  }
  assert.equal(await page.textContent('#exec-status'), 'Paused');
  await shot(page, 'step-paused');

  // Run to ShipOrder: stepping stops with the transition that enters the
  // state. One transition runs a whole state (a mocked Task answers at once),
  // so ShipOrder has run, and nothing after it has.
  await page.selectOption('#run-to', 'ShipOrder');
  await page.waitForFunction(() => /succeeded|running/.test(document.querySelector('#graph svg [data-state="ShipOrder"]')?.getAttribute('class')));
  await idle();
  const h = await engineHistory(page);
  assert.equal(h.status, 'RUNNING');
  const enteredNames = h.events.filter((e) => e.type.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails.name);
  assert.equal(enteredNames.at(-1), 'ShipOrder');
  assert.ok(!h.events.some((e) => e.type === 'ExecutionSucceeded'));
  assert.ok(h.events.length > last);
  assert.equal(await count(), h.events.length);
  assert.equal(await page.textContent('#exec-status'), 'Paused');
  assert.match(await page.getAttribute('#graph svg [data-state="OrderComplete"]', 'class'), /not-reached/);
  await shot(page, 'step-run-to-ShipOrder');

  // Continue to the end.
  await page.click('#continue');
  await finished(page);
  const end = await engineHistory(page);
  assert.equal(end.status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(end.output), ex.expect.output);
  assert.equal(await count(), end.events.length);
  assert.equal(await page.textContent('#exec-status'), 'Succeeded');
  assert.ok(await page.isDisabled('#step'));
  assert.ok(await page.isDisabled('#continue'));
  await shot(page, 'step-continued');
  await done(page);
});

// editorText copies the whole text of a CodeMirror editor through the
// clipboard, as a user would (CodeMirror only renders the visible lines).
async function editorText(page, selector) {
  await page.click(`${selector} .cm-content`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  return page.evaluate(() => navigator.clipboard.readText());
}

test('run to a Wait state stops while it waits: painted running, then the loop continues', async () => {
  const page = await ready();
  const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', 'job-polling.json'), 'utf8'));
  await page.selectOption('#example', 'job-polling');
  await showDefinition(page, ex.definition);
  await page.selectOption('#run-to', 'WaitBeforePolling'); // starts paused by itself
  const wait = '#graph svg [data-state="WaitBeforePolling"]';
  await page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('running'), wait);
  let h = await engineHistory(page);
  assert.equal(h.status, 'RUNNING');
  assert.equal(h.events.at(-1).type, 'WaitStateEntered');
  assert.match(await page.getAttribute('#graph svg [data-state="StartExport"]', 'class'), /succeeded/);
  assert.equal(await page.textContent('#exec-status'), 'Paused');
  await shot(page, 'step-run-to-wait');
  // Stepping on: the virtual clock jumps to the end of the wait.
  await page.waitForFunction(() => !document.getElementById('step').disabled);
  await page.click('#continue');
  await finished(page);
  h = await engineHistory(page);
  assert.equal(h.status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(h.output), ex.expect.output);
  const waits = h.events.filter((e) => e.type === 'WaitStateEntered').length;
  assert.equal(waits, 3); // the test case answers "done" on the third poll
  assert.match(await page.getAttribute(wait, 'class'), /succeeded/);
  await done(page);
});

test('a share link opens the same definition and input in a fresh browser context', async () => {
  const page = await ready();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const def = JSON.stringify({
    Comment: 'Shared ✓ — naïve ünïcode',
    StartAt: 'Greet',
    States: {
      Greet: { Type: 'Pass', Parameters: { 'msg.$': "States.Format('Hi {}', $.who)" }, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  }, null, 2);
  const input = '{\n  "who": "Grace"\n}';
  await setDefinition(page, def);
  await showDefinition(page, JSON.parse(def));
  await page.click('#input-editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(input);
  await page.click('#share');
  await page.waitForFunction(() => location.hash.length > 3);
  const url = page.url();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, url);
  assert.match(url, /#[zj]=/);
  await shot(page, 'share-source');

  const other = await ready(url); // a new context: nothing in localStorage
  await other.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await showDefinition(other, JSON.parse(def));
  assert.equal(await editorText(other, '#editor'), def);
  assert.equal(await editorText(other, '#input-editor'), input);
  // And it runs with that input.
  await other.click('#start');
  await finished(other);
  const h = await engineHistory(other);
  assert.equal(h.status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(h.output), { msg: 'Hi Grace' });
  await shot(other, 'share-opened');
  await done(other);
  await done(page);
});

test('the docs demo draws three embedded machines and runs one', async () => {
  const page = await openPage(chromium, server.url + 'docs-demo.html');
  const embeds = page.locator('stepwise-machine');
  assert.equal(await embeds.count(), 3);
  // Playwright's CSS locators pierce open shadow roots.
  for (let i = 0; i < 3; i++) {
    await embeds.nth(i).locator('svg [data-state]').first().waitFor({ timeout: 30000 });
    assert.equal(await embeds.nth(i).locator('.pill').textContent(), 'Ready');
  }
  const second = embeds.nth(1); // Parallel enrichment, mocked by its test case
  await second.scrollIntoViewIfNeeded();
  await second.locator('button.run').click();
  await second.locator('.pill.SUCCEEDED').waitFor({ timeout: 30000 });
  assert.match(await second.locator('.out').textContent(), /^Output: /);
  const painted = await second.locator('svg .n-state.succeeded').count();
  assert.ok(painted > 0);
  assert.ok(await second.locator('.timeline svg, .timeline *').count() > 0, 'timeline drawn');
  await shot(page, 'docs-demo-run');
  await done(page);
});

test('export a session to a file, import it in a fresh page; past runs reopen from the Runs tab', async () => {
  const page = await ready();
  const def = JSON.stringify({ Comment: 'exported', StartAt: 'Only', States: { Only: { Type: 'Pass', Result: { n: 7 }, End: true } } }, null, 2);
  await setDefinition(page, def);
  await page.waitForSelector('#graph svg [data-state="Only"]');
  // Two runs, for the Runs tab.
  for (let i = 0; i < 2; i++) await startAndFinish(page);
  const first = await page.evaluate(() => window.__stepwiseDebug.exec.arn);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = join(artifacts, 'exported.stepwise.json');
  await download.saveAs(file);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(saved.definition.Comment, 'exported');

  await page.click('#tab-runs');
  await page.waitForFunction(() => document.querySelectorAll('#runs-body tr').length >= 2);
  const rows = await page.$$eval('#runs-body tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(rows.every((r) => r.includes('SUCCEEDED')), rows.join(' | '));
  await page.click('#runs-body tr:not(.current)');
  await page.waitForFunction((arn) => window.__stepwiseDebug.exec?.arn !== arn, first);
  await shot(page, 'runs-tab');
  await done(page);

  // A fresh page (no shared storage) opens the exported file.
  const fresh = await ready();
  await fresh.setInputFiles('#import-file', file);
  await fresh.waitForFunction(() => document.querySelector('#editor .cm-content').textContent.includes('exported'));
  await fresh.waitForSelector('#graph svg [data-state="Only"]');
  await startAndFinish(fresh);
  const out = await fresh.evaluate(async () => {
    const d = window.__stepwiseDebug;
    return (await d.sw.describe(d.exec.arn)).output;
  });
  assert.equal(out, '{"n":7}');
  await shot(fresh, 'imported');
  await done(fresh);
});

// startAndFinish clicks Start and waits for that new execution to end.
async function startAndFinish(page) {
  const before = await page.evaluate(() => window.__stepwiseDebug.exec?.arn ?? null);
  await page.click('#start');
  await page.waitForFunction((b) => (window.__stepwiseDebug.exec?.arn ?? null) !== b, before);
  await finished(page);
}

test('a callback task waits for Send failure; the Catch takes the rejection', async () => {
  const page = await ready();
  await page.selectOption('#example', 'human-approval');
  const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', 'human-approval.json'), 'utf8'));
  await showDefinition(page, ex.definition);
  await page.click('#start');
  await answerCallbacks(page, { RequestApproval: { error: 'Rejected', cause: 'Over the travel budget' } });
  await finished(page);
  const h = await engineHistory(page);
  assert.equal(h.status, 'FAILED');
  assert.equal(h.error, 'ExpenseNotApproved');
  const types = h.events.map((e) => e.type);
  // the callback task: scheduled, started, submitted, then failed by SendTaskFailure
  const at = types.indexOf('TaskSubmitted');
  assert.ok(at > 0, types.join(' '));
  const failed = h.events.find((e) => e.type === 'TaskFailed');
  assert.equal(failed.taskFailedEventDetails.error, 'Rejected');
  assert.equal(failed.taskFailedEventDetails.cause, 'Over the travel budget');
  // the message sent to the queue carried the token the bar showed
  const sched = h.events.find((e) => e.type === 'TaskScheduled');
  assert.match(JSON.parse(sched.taskScheduledEventDetails.parameters).MessageBody.taskToken, /^[0-9a-f-]{36}$/);
  assert.ok(types.includes('FailStateEntered'));
  // a token sent twice is refused as AWS refuses it
  const again = await page.evaluate(async (token) => {
    try { await window.__stepwiseDebug.sw.invoke('SendTaskSuccess', { taskToken: token, output: '{}' }); return 'ok'; } catch (e) { return e.name; }
  }, JSON.parse(sched.taskScheduledEventDetails.parameters).MessageBody.taskToken);
  assert.equal(again, 'TaskTimedOut');
  await shot(page, 'callback-rejected');
  await done(page);
});

test('an HTTP Task set to "Send with fetch" goes out through the browser; a 404 is caught', async () => {
  const page = await ready();
  const conn = 'arn:aws:events:us-east-1:123456789012:connection/local/2f4d6e8a-1b3c-4d5e-8f9a-0b1c2d3e4f5a';
  const def = {
    StartAt: 'GetIndex',
    States: {
      GetIndex: {
        Type: 'Task', Resource: 'arn:aws:states:::http:invoke',
        Parameters: { ApiEndpoint: `${server.url}/examples/index.json`, Method: 'GET', Authentication: { ConnectionArn: conn } },
        ResultSelector: { 'status.$': '$.StatusCode', 'first.$': '$.ResponseBody[0].id' },
        ResultPath: '$.index', Next: 'GetMissing',
      },
      GetMissing: {
        Type: 'Task', Resource: 'arn:aws:states:::http:invoke',
        Parameters: { ApiEndpoint: `${server.url}/examples/missing.json`, Method: 'GET', Authentication: { ConnectionArn: conn } },
        Catch: [{ ErrorEquals: ['States.Http.StatusCode.404'], ResultPath: '$.missing', Next: 'Done' }],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
  await setDefinition(page, JSON.stringify(def, null, 2));
  await showDefinition(page, def);
  await page.click('#tab-tasks');
  // both states are HTTP Tasks: each gets the fetch mode
  for (const box of await page.$$('#tasks section.task')) {
    await (await box.$('input[value="fetch"]')).check();
  }
  await page.click('#start');
  await finished(page);
  const h = await engineHistory(page);
  assert.equal(h.status, 'SUCCEEDED', `${h.error} ${h.cause}`);
  const out = JSON.parse(h.output);
  // AWS sends every HTTP Task request with Range: bytes=0-262144 (its
  // documented headers), so a static file server answers 206.
  assert.deepEqual(out.index, { status: 206, first: 'hello-world' });
  assert.equal(out.missing.Error, 'States.Http.StatusCode.404');
  const scheduled = h.events.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails);
  assert.deepEqual(scheduled.map((d) => `${d.resourceType}:${d.resource}`), ['http:invoke', 'http:invoke']);
  await shot(page, 'http-fetch');
  await done(page);
});

test('the editor highlights {% %} expressions and completes JSONata functions, $states fields and variables', async () => {
  const page = await ready();
  const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', 'jsonata-order-pricing.json'), 'utf8'));
  await page.selectOption('#example', 'jsonata-order-pricing');
  await showDefinition(page, ex.definition);
  await page.waitForSelector('#editor .cm-jsonata-delim');
  const fns = await page.$$eval('#editor .cm-jsonata-fn', (l) => l.map((e) => e.textContent));
  assert.ok(fns.includes('$sum'), fns.join(' '));
  const st = await page.$$eval('#editor .cm-jsonata-states', (l) => l.map((e) => e.textContent));
  assert.ok(st.includes('$states'));
  const delims = await page.$$eval('#editor .cm-jsonata-delim', (l) => l.map((e) => e.textContent));
  assert.ok(delims.includes('{%') && delims.includes('%}'));
  // The delimiters do not look like the rest of the JSON string.
  const colors = await page.$eval('#editor .cm-jsonata-delim', (e) => [getComputedStyle(e).color, getComputedStyle(e).fontWeight]);
  assert.equal(colors[1], '700');

  // Type at the end of the Condition expression: functions and variables.
  const cond = ex.definition.States.CheckLoyalty.Choices[0].Condition;
  await page.evaluate((needle) => {
    const view = window.__stepwiseDebug.editor;
    const at = view.state.doc.toString().indexOf(needle) + needle.length - 3; // before " %}"
    view.dispatch({ selection: { anchor: at } });
    view.focus();
  }, cond);
  await page.keyboard.type(' and $su');
  await page.waitForSelector('.cm-tooltip-autocomplete li');
  let opts = await page.$$eval('.cm-tooltip-autocomplete li', (l) => l.map((e) => e.textContent));
  assert.ok(opts.some((o) => o.startsWith('$sum')), opts.join('|'));
  assert.ok(opts.some((o) => o.startsWith('$subtotal')), opts.join('|'));
  await shot(page, 'jsonata-completion-functions');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('states.context.');
  await page.waitForSelector('.cm-tooltip-autocomplete li');
  opts = await page.$$eval('.cm-tooltip-autocomplete li', (l) => l.map((e) => e.textContent));
  assert.deepEqual(opts.map((o) => o.replace(/\$states.*$/, '')).sort(), ['Execution', 'Map', 'State', 'StateMachine', 'Task']);
  await shot(page, 'jsonata-completion-states');
  await page.keyboard.press('Escape');
  await done(page);
});

test('the inspector shows the variables a state assigned and those in scope', async () => {
  const page = await ready();
  const ex = JSON.parse(readFileSync(join(root, 'web', 'examples', 'jsonpath-variables.json'), 'utf8'));
  await page.selectOption('#example', 'jsonpath-variables');
  await showDefinition(page, ex.definition);
  await page.click('#start');
  await finished(page);
  const h = await engineHistory(page);
  assert.equal(h.status, 'SUCCEEDED', `${h.error} ${h.cause}`);
  await page.click('#graph svg [data-state="Remember"]');
  await page.waitForSelector('#inspector .stage.vars.assigned pre');
  const assigned = JSON.parse(await page.textContent('#inspector .stage.vars.assigned pre'));
  assert.deepEqual(assigned, { customerId: 'cus-42', plan: 'team', seats: 5 });
  await page.click('#graph svg [data-state="Quote"]');
  await page.waitForFunction(() => document.querySelector('#inspector h3')?.textContent === 'Quote');
  assert.ok(await page.$('#inspector .stage.vars.assigned.skipped'));
  const scope = JSON.parse(await page.textContent('#inspector .stage.vars.scope pre'));
  assert.deepEqual(scope, { customerId: 'cus-42', plan: 'team', seats: 5, pricePerSeat: 8 });
  await shot(page, 'inspector-variables');
  await done(page);
});
