// measure.mjs: sizes of the engine module and timings of the playground in
// headless Chromium, served by the real CLI. Prints a markdown table and
// writes bin/e2e/measure.json. Times are measured, never asserted: they
// depend on the machine (and on a busy one, a lot).
//
//   node web/e2e/measure.mjs            (after go build, scripts/wasm.sh, scripts/web.sh)
//   RUNS=9 node web/e2e/measure.mjs     (more page loads per median)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import os from 'node:os';
import { root, artifacts, serve, browser } from './harness.mjs';

const RUNS = Number(process.env.RUNS || 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

// ---- sizes ----
const wasm = readFileSync(join(root, 'web', 'dist', 'stepwise.wasm'));
const sizes = {
  raw: wasm.length,
  gzip9: gzipSync(wasm, { level: 9 }).length,
  brotli11: brotliCompressSync(wasm, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length,
      [constants.BROTLI_PARAM_LGWIN]: 24,
    },
  }).length,
};

// ---- machines ----
const pad = (i) => 'S' + String(i).padStart(4, '0');

// chain200: 200 states in a chain; every 5th a Choice (skipping one state
// by Default), every 20th a Parallel of two one-state branches; the last
// state Succeeds.
function chain200() {
  const States = {};
  const N = 200;
  for (let i = 1; i <= N; i++) {
    const next = pad(i + 1);
    if (i === N) States[pad(i)] = { Type: 'Succeed' };
    else if (i % 20 === 0) {
      States[pad(i)] = {
        Type: 'Parallel', Next: next,
        Branches: [0, 1].map((b) => ({ StartAt: `${pad(i)}b${b}`, States: { [`${pad(i)}b${b}`]: { Type: 'Pass', End: true } } })),
      };
    } else if (i % 5 === 0 && i + 2 <= N) {
      States[pad(i)] = { Type: 'Choice', Choices: [{ Variable: '$.x', NumericGreaterThan: 0, Next: next }], Default: pad(i + 2) };
    } else States[pad(i)] = { Type: 'Pass', Next: next };
  }
  return { Comment: 'Generated: 200-state chain', StartAt: pad(1), States };
}

// pass1000: 1,000 Pass states in a chain.
function pass1000() {
  const States = {};
  for (let i = 1; i <= 1000; i++) States[pad(i)] = i === 1000 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: pad(i + 1) };
  return { Comment: 'Generated: 1,000 Pass states', StartAt: pad(1), States };
}

function countStates(def) {
  let n = 0;
  for (const s of Object.values(def.States)) {
    n++;
    for (const b of s.Branches || []) n += countStates(b);
  }
  return n;
}

// fragment builds a share link fragment (the plain "#j=" form share.js reads).
function fragment(definition) {
  const session = { definition: JSON.stringify(definition, null, 2), input: '{"x": 1}', machineName: 'Measure', mocks: {} };
  return '#j=' + Buffer.from(JSON.stringify(session)).toString('base64url');
}

// Page-side probes, installed before any page script runs: the time (from
// navigation start, performance.now()) when the editor became interactive
// and when the graph drew its first state.
const PROBE = () => {
  const marks = (window.__marks = {});
  const check = () => {
    if (marks.editor == null) {
      const c = document.querySelector('#editor .cm-content');
      if (c && c.isContentEditable) {
        const prev = document.activeElement;
        c.focus();
        if (document.activeElement === c) marks.editor = performance.now();
        prev?.focus?.();
      }
    }
    if (marks.graph == null && document.querySelector('#graph svg [data-state]')) marks.graph = performance.now();
    if (marks.editor != null && marks.graph != null) obs.disconnect();
  };
  const obs = new MutationObserver(check);
  obs.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['contenteditable'] });
};

// afterFrame resolves, in the page, the time after the next frame is painted.
const AFTER_FRAME = () => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));

async function freshPage(b, url) {
  const ctx = await b.newContext({ viewport: { width: 1366, height: 860 } });
  await ctx.addInitScript(PROBE);
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(url);
  return page;
}

// redrawAfterEdit types one space at the end of the definition and times,
// in the page, keydown -> the graph's SVG rebuilt -> the next frame painted.
async function redrawAfterEdit(page) {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+End');
  await page.evaluate(() => {
    const scene = document.querySelector('#graph svg .swg-scene');
    window.__redraw = new Promise((resolve) => {
      let t0 = null;
      addEventListener('keydown', (e) => { if (t0 == null) t0 = performance.now(); }, { capture: true, once: true });
      const obs = new MutationObserver(() => {
        if (t0 == null || !scene.querySelector('[data-state]')) return;
        obs.disconnect();
        const built = performance.now();
        requestAnimationFrame(() => setTimeout(() => resolve({ t0, built, painted: performance.now() }), 0));
      });
      obs.observe(scene, { childList: true });
    });
  });
  await page.keyboard.press('Space');
  const r = await page.evaluate(() => window.__redraw);
  return { editToBuiltMs: r.built - r.t0, editToPaintedMs: r.painted - r.t0 };
}

async function main() {
  const server = await serve();
  const b = await browser();
  const out = { date: new Date().toISOString(), host: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, chromium: b.version() }, runs: RUNS, sizes };
  try {
    // (a), (b): fresh page loads of the default playground (first example).
    const loads = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await freshPage(b, server.url);
      await page.waitForFunction(() => window.__marks.editor != null && window.__marks.graph != null, null, { timeout: 60000 });
      loads.push(await page.evaluate(() => ({ editor: window.__marks.editor, graph: window.__marks.graph })));
      if (page.errors.length) throw new Error(page.errors.join('\n'));
      await page.context().close();
    }
    out.load = loads;

    // (c): 200-state machine. Set through the URL fragment (as a share link
    // opens it), then measured in the page: the engine's StepwiseLayout call,
    // and a full redraw through the page's own path (edit -> debounce 300 ms
    // -> layout -> SVG), with the debounce subtracted.
    const big = chain200();
    const nBig = countStates(big);
    const bigText = JSON.stringify(big, null, 2);
    const c = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await freshPage(b, server.url + fragment(big));
      await page.waitForSelector('#engine-status.ready', { timeout: 60000 });
      await page.waitForFunction((n) => document.querySelectorAll('#graph svg [data-state]').length === n, nBig, { timeout: 60000 });
      const firstDrawn = await page.evaluate(() => window.__marks.graph);
      const layoutMs = await page.evaluate(async (text) => {
        const { sw } = window.__stepwiseDebug;
        const t0 = performance.now();
        await sw.layout(text);
        return performance.now() - t0;
      }, bigText);
      const redraw = await redrawAfterEdit(page);
      c.push({ firstDrawn, layoutMs, ...redraw });
      if (page.errors.length) throw new Error(page.errors.join('\n'));
      await page.context().close();
    }
    out.graph200 = { states: nBig, runs: c };

    // (d): 1,000 Pass states: open, run to the end, then time the Timeline
    // tab (click -> drawn -> painted) in the page.
    const long = pass1000();
    const d = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await freshPage(b, server.url + fragment(long));
      await page.waitForSelector('#engine-status.ready', { timeout: 60000 });
      await page.waitForFunction(() => document.querySelectorAll('#graph svg [data-state]').length === 1000, null, { timeout: 120000 });
      const firstDrawn = await page.evaluate(() => window.__marks.graph);
      const t0 = await page.evaluate(() => performance.now());
      await page.click('#start');
      await page.waitForFunction(() => {
        const e = window.__stepwiseDebug?.exec;
        return e && e.status === 'SUCCEEDED' && e.model && !document.getElementById('start').disabled;
      }, null, { timeout: 120000, polling: 20 });
      const runShown = (await page.evaluate(() => performance.now())) - t0;
      const events = await page.evaluate(() => window.__stepwiseDebug.exec.events.length);
      const tl = await page.evaluate(async (afterFrame) => {
        const host = document.getElementById('timeline');
        const t0 = performance.now();
        document.getElementById('tab-timeline').click(); // draws synchronously
        const t1 = performance.now();
        // eslint-disable-next-line no-new-func
        const t2 = await new Function(`return (${afterFrame})()`)();
        return { drawMs: t1 - t0, paintedMs: t2 - t0, nodes: host.querySelectorAll('*').length, bars: host.querySelectorAll('rect').length };
      }, AFTER_FRAME.toString());
      if (!tl.bars) throw new Error('the timeline drew nothing');
      d.push({ firstDrawn, runShown, events, ...tl });
      if (page.errors.length) throw new Error(page.errors.join('\n'));
      await page.context().close();
    }
    out.timeline1000 = { states: 1000, runs: d };
  } finally {
    await b.close();
    server.stop();
  }
  return out;
}

// table renders the medians as markdown.
function table(out) {
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB (${n.toLocaleString('en')} B)`;
  const ms = (xs) => `${round(median(xs))} ms`;
  const range = (xs) => `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;
  const row = (what, xs, note = '') => `| ${what} | ${ms(xs)} | ${range(xs)} | ${note} |`;
  const L = out.load, C = out.graph200.runs, D = out.timeline1000.runs;
  const DEBOUNCE = 300; // main.js scheduleLayout
  return [
    `Chromium ${out.host.chromium}, ${out.host.cpus} × ${out.host.cpu}, ${out.runs} fresh page loads per row (median, min–max).`,
    '',
    '| web/dist/stepwise.wasm | size |',
    '|---|---|',
    `| raw | ${kb(out.sizes.raw)} |`,
    `| gzip -9 | ${kb(out.sizes.gzip9)} |`,
    `| brotli q11 | ${kb(out.sizes.brotli11)} |`,
    '',
    '| measurement (performance.now() in the page) | median | min–max | note |',
    '|---|---|---|---|',
    row('(a) navigation → editor interactive', L.map((x) => x.editor), '.cm-content present and takes focus'),
    row('(b) navigation → graph drawn', L.map((x) => x.graph), 'first [data-state]; includes fetching and starting the wasm engine in a worker'),
    row(`(c) 200-state chain (${out.graph200.states} states with the Parallel branches): navigation → graph drawn`, C.map((x) => x.firstDrawn), 'opened from a share-link fragment; includes engine start'),
    row('(c) StepwiseLayout call alone', C.map((x) => x.layoutMs), 'page → worker → wasm → page'),
    row('(c) edit → graph redrawn and painted, minus the 300 ms debounce', C.map((x) => x.editToPaintedMs - DEBOUNCE), 'layout + SVG build + paint (the linter validates concurrently)'),
    row('(d) 1,000 Pass states: navigation → graph drawn', D.map((x) => x.firstDrawn), ''),
    row('(d) Start → run finished and shown', D.map((x) => x.runShown), `${D[0].events} events; includes polling the history`),
    row('(d) Timeline tab: click → drawn', D.map((x) => x.drawMs), `synchronous SVG build, ${D[0].nodes} elements`),
    row('(d) Timeline tab: click → painted', D.map((x) => x.paintedMs), 'to the next frame (style, layout, paint)'),
  ].join('\n');
}

main().then((out) => {
  out.table = table(out);
  writeFileSync(join(artifacts, 'measure.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(out.table);
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
