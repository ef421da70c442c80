// main.js wires the playground: editors, graph, run controls and the tabs.

import { Graph, GRAPH_CSS } from './graph.js';
import { renderTimeline, TIMELINE_CSS } from './timeline.js';
import { analyze, detailsOf, fmtTime, fmtDuration, variablesAt } from './history.js';
import { definitionEditor, inputEditor, setDoc, formatDoc, selectRange, retheme, isDark, undo, redo } from './editor.js';
import { loadEngine, ensureMachine, fullHistory, machineArns, sanitizeName } from './engine.js';
import { encodeSession, decodeSession, saveLocal, loadLocal } from './share.js';
import { Mocks } from './mocks.js';
import { jsonHTML } from './jsonview.js';

const $ = (id) => document.getElementById(id);
const css = document.createElement('style');
css.textContent = GRAPH_CSS + TIMELINE_CSS;
document.head.appendChild(css);

const HELLO = {
  Comment: 'A Hello World example of the Amazon States Language using Pass states',
  StartAt: 'Hello',
  States: {
    Hello: { Type: 'Pass', Result: 'Hello', Next: 'World' },
    World: { Type: 'Pass', Result: 'World', End: true },
  },
};

const app = {
  sw: null,
  layout: null,
  exec: null, // {arn, machineArn, status, model, events, paused, clock, flow}
  selected: null, // state name
  selectedVisit: null,
  mocks: new Mocks(),
  definition: '',
  input: '{}',
  machineName: 'Playground',
  busy: false,
};

// ---------- toast ----------
let toastTimer;
function toast(msg, bad = false) {
  const t = $('toast');
  t.textContent = msg;
  t.classList.toggle('bad', bad);
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), bad ? 6000 : 2600);
}

// ---------- editors ----------
const defView = definitionEditor($('editor'), {
  doc: '',
  validate: async (text) => {
    if (!app.sw) return null;
    const r = await app.sw.validate(text);
    return r.diagnostics || [];
  },
  onChange: (text) => {
    app.definition = text;
    scheduleLayout();
    scheduleSave();
  },
  onCursor: (pos) => {
    const n = nodeAt(pos);
    graph.highlight(n ? n.id : null);
  },
  onLint: (n, kind) => {
    const el = $('diag-count');
    el.textContent = n ? `${n} ${kind === 'json' ? 'JSON error' : 'problem'}${n > 1 ? 's' : ''}` : 'Valid';
    el.className = 'diag-count ' + (n ? 'bad' : 'ok');
  },
  onRun: () => start(false),
});
const inView = inputEditor($('input-editor'), {
  doc: '{}',
  onChange: (text) => { app.input = text; scheduleSave(); },
  onRun: () => start(false),
});

function nodeAt(pos) {
  if (!app.layout) return null;
  let best = null;
  for (const n of app.layout.nodes) {
    if (n.from == null || n.to == null) continue;
    if (pos >= n.from && pos <= n.to && (!best || n.to - n.from < best.to - best.from)) best = n;
  }
  return best;
}

// ---------- graph ----------
const graph = new Graph($('graph'), {
  padBottom: 52,
  onSelect: (n) => {
    if (n.from != null) selectRange(defView, n.from, n.to);
    selectState(n.name, null, false);
  },
});
$('zoom-in').onclick = () => graph.zoom(1.25);
$('zoom-out').onclick = () => graph.zoom(0.8);
$('fit').onclick = () => graph.fit();

let layoutTimer;
function scheduleLayout() {
  clearTimeout(layoutTimer);
  layoutTimer = setTimeout(relayout, 300);
}

async function relayout() {
  const text = app.definition;
  const msg = $('graph-msg');
  try {
    JSON.parse(text);
  } catch (e) {
    graph.stale(true);
    msg.textContent = 'The definition is not valid JSON: ' + e.message + ' — showing the last good graph.';
    msg.hidden = false;
    return;
  }
  if (!app.sw) return;
  try {
    const layout = await app.sw.layout(text);
    if (text !== app.definition) return;
    const first = !app.layout;
    app.layout = layout;
    graph.render(layout, { fit: first });
    msg.hidden = true;
    if (app.exec?.model) graph.paint(app.exec.model.outcomes, app.exec.model.taken);
    if (app.selected) graph.select(app.selected);
    const n = nodeAt(defView.state.selection.main.head);
    graph.highlight(n ? n.id : null);
    refreshStateLists();
  } catch (e) {
    graph.stale(true);
    msg.textContent = `${e.name || 'Error'}: ${e.message}`;
    msg.hidden = false;
  }
}

function stateNodes() {
  return (app.layout?.nodes || []).filter((n) => n.name && n.kind !== 'branch' && n.kind !== 'start' && n.kind !== 'end');
}

function refreshStateLists() {
  const sel = $('run-to');
  const cur = sel.value;
  sel.replaceChildren(new Option('state…', ''));
  for (const n of stateNodes()) sel.add(new Option(n.name, n.name));
  sel.value = cur;
  renderTasks();
}

// ---------- session (share, local storage, import/export) ----------
function session() {
  return {
    definition: app.definition,
    input: app.input,
    machineName: app.machineName,
    mocks: app.mocks.toJSON(),
  };
}

let saveTimer;
function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => saveLocal(session()), 400);
}

function applySession(s, { keepView = false } = {}) {
  if (!s) return;
  let def = s.definition;
  if (def && typeof def !== 'string') def = JSON.stringify(def, null, 2);
  let input = s.input;
  if (input != null && typeof input !== 'string') input = JSON.stringify(input, null, 2);
  app.mocks.fromJSON(s.mocks || {});
  app.machineName = sanitizeName(s.machineName || 'Playground');
  $('machine-name').value = app.machineName;
  app.definition = def || JSON.stringify(HELLO, null, 2);
  app.input = input ?? '{}';
  setDoc(defView, app.definition);
  setDoc(inView, app.input);
  if (!keepView) app.layout = null;
  resetExecution();
  relayout();
  renderTasks();
}

$('share').onclick = async () => {
  const frag = await encodeSession(session());
  const url = location.href.split('#')[0] + '#' + frag;
  history.replaceState(null, '', url);
  try {
    await navigator.clipboard.writeText(url);
    toast(`Link copied (${url.length.toLocaleString()} characters)`);
  } catch {
    toast('The link is in the address bar');
  }
};

$('export').onclick = () => {
  let definition;
  try { definition = JSON.parse(app.definition); } catch { definition = app.definition; }
  let input;
  try { input = JSON.parse(app.input); } catch { input = app.input; }
  const data = { stepwise: 1, machineName: app.machineName, definition, input, mocks: app.mocks.toJSON() };
  const blob = new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${app.machineName}.stepwise.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
};
$('import').onclick = () => $('import-file').click();
$('import-file').onchange = async (ev) => {
  const f = ev.target.files[0];
  ev.target.value = '';
  if (!f) return;
  try {
    const o = JSON.parse(await f.text());
    if (o.States || o.StartAt) applySession({ definition: o, input: app.input, mocks: app.mocks.toJSON(), machineName: app.machineName });
    else applySession(o);
    toast(`Opened ${f.name}`);
  } catch (e) {
    toast(`Cannot open ${f.name}: ${e.message}`, true);
  }
};

// ---------- examples ----------
let examples = [];
async function loadExamples() {
  try {
    const r = await fetch('examples/index.json');
    if (!r.ok) return;
    examples = await r.json();
    const sel = $('example');
    for (const ex of examples) {
      const o = new Option(ex.title, ex.id);
      o.title = ex.description || '';
      sel.add(o);
    }
  } catch { /* no examples: the picker stays empty */ }
}
async function openExample(id) {
  const ex = examples.find((e) => e.id === id);
  if (!ex) return;
  try {
    const r = await fetch('examples/' + (ex.file || `${ex.id}.json`));
    const e = await r.json();
    applySession({
      definition: e.definition, input: e.input ?? {}, machineName: e.id,
      mocks: { tasks: e.tasks || {}, mockConfig: e.mockConfig || null, testCase: e.testCase || '' },
    });
    $('example').value = id;
  } catch (err) {
    toast(`Cannot open the example: ${err.message}`, true);
  }
}
$('example').onchange = (ev) => { if (ev.target.value) openExample(ev.target.value); };

// ---------- theme ----------
$('theme').onclick = () => {
  const next = isDark() ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('stepwise.theme', next); } catch { /* ignore */ }
  retheme([defView, inView]);
};
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => retheme([defView, inView]));

// ---------- format, undo, redo ----------
$('format').onclick = () => { if (!formatDoc(defView)) toast('Fix the JSON first: it does not parse', true); };
$('undo').onclick = () => { undo(defView); defView.focus(); };
$('redo').onclick = () => { redo(defView); defView.focus(); };

// ---------- tabs ----------
const tabs = [...document.querySelectorAll('[role="tab"]')];
function showTab(tab, focus = false) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', on);
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  if (tab.id === 'tab-timeline') drawTimeline();
  if (tab.id === 'tab-runs') refreshRuns();
  if (tab.id === 'tab-inspector') renderInspector();
}
for (const t of tabs) {
  t.onclick = () => showTab(t);
  t.onkeydown = (e) => {
    const i = tabs.indexOf(t);
    const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : null;
    if (j == null) return;
    e.preventDefault();
    showTab(tabs[(j + tabs.length) % tabs.length], true);
  };
}
const currentTab = () => tabs.find((t) => t.getAttribute('aria-selected') === 'true');

// ---------- splitter ----------
{
  const sp = $('splitter');
  const appEl = document.querySelector('.app');
  const setPct = (p) => {
    p = Math.min(80, Math.max(20, p));
    appEl.style.setProperty('--graph-h', p + '%');
    try { localStorage.setItem('stepwise.split', String(p)); } catch { /* ignore */ }
  };
  const saved = Number(localStorage.getItem('stepwise.split'));
  if (saved) appEl.style.setProperty('--graph-h', saved + '%');
  sp.onpointerdown = (e) => {
    sp.setPointerCapture(e.pointerId);
    const r = appEl.getBoundingClientRect();
    sp.onpointermove = (m) => setPct(((m.clientY - r.top) / r.height) * 100);
    sp.onpointerup = () => { sp.onpointermove = null; };
  };
  sp.onkeydown = (e) => {
    const cur = parseFloat(getComputedStyle(appEl).getPropertyValue('--graph-h')) || 52;
    if (e.key === 'ArrowUp') { setPct(cur - 4); e.preventDefault(); }
    if (e.key === 'ArrowDown') { setPct(cur + 4); e.preventDefault(); }
  };
}

// ---------- execution ----------
function setStatus(status, paused) {
  const p = $('exec-status');
  const label = status ? (paused && status === 'RUNNING' ? 'PAUSED' : status) : '';
  p.textContent = label ? label.replace('_', ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()) : 'No execution';
  p.className = 'pill ' + label;
  const running = status === 'RUNNING';
  $('step').disabled = !(running && paused);
  $('continue').disabled = !(running && paused);
  $('reset').disabled = !status;
  $('start').disabled = !app.sw;
  $('start-paused').disabled = !app.sw;
  renderCallbacks();
}

function setClock(epochSec) {
  if (epochSec == null) { $('clock').textContent = '—'; return; }
  const t0 = app.exec?.model?.t0;
  const full = fmtTime(epochSec);
  $('clock').textContent = full.slice(11) + (t0 != null ? ` · +${fmtDuration(Math.max(0, (epochSec - t0) * 1000))}` : '');
  $('clock').parentElement.title = `The execution's clock: ${full} (virtual: waits take no real time)`;
}

function resetExecution() {
  app.exec = null;
  app.selectedVisit = null;
  graph.paint(null);
  setStatus(null);
  setClock(null);
  renderEvents();
  drawTimeline();
  renderInspector();
}
$('reset').onclick = () => resetExecution();

function parseInput() {
  try {
    JSON.parse(app.input);
    return app.input;
  } catch (e) {
    toast('The input is not valid JSON: ' + e.message, true);
    showTab($('tab-input'));
    return null;
  }
}

async function start(paused) {
  if (!app.sw || app.busy) return;
  const input = parseInput();
  if (input == null) return;
  app.busy = true;
  try {
    app.machineName = sanitizeName($('machine-name').value || app.machineName);
    const machineArn = await ensureMachine(app.sw, app.machineName, app.definition);
    app.mocks.machineName = app.machineName;
    app.mocks.testCase = $('test-case').value;
    await app.mocks.sync(app.sw, taskResources());
    const target = app.mocks.testCase && app.mocks.mockConfig ? `${machineArn}#${app.mocks.testCase}` : machineArn;
    const req = { stateMachineArn: target, input };
    const r = paused
      ? await app.sw.invoke('StepwiseStartExecution', { ...req, paused: true })
      : await app.sw.start(req);
    app.exec = { arn: r.executionArn, machineArn, status: 'RUNNING', paused, model: null, events: [], flow: null };
    app.selectedVisit = null;
    setStatus('RUNNING', paused);
    if (paused) await refresh();
    else await follow();
    $('run-count').textContent = '';
  } catch (e) {
    toast(`${e.name || 'Error'}: ${e.message}`, true);
  } finally {
    app.busy = false;
    setStatus(app.exec?.status, app.exec?.paused);
  }
}
$('start').onclick = () => start(false);
$('start-paused').onclick = () => start(true);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// follow polls a running execution until it ends, repainting as events come.
async function follow() {
  const exec = app.exec;
  for (let i = 0; exec === app.exec; i++) {
    await refresh();
    if (exec.status !== 'RUNNING') break;
    await sleep(i < 10 ? 60 : 250);
  }
}

async function step(req) {
  const exec = app.exec;
  if (!exec || app.busy) return;
  app.busy = true;
  try {
    for (let i = 0; i < 2000 && exec === app.exec; i++) {
      const r = await app.sw.invoke('StepwiseStepExecution', { executionArn: exec.arn, ...req });
      exec.clock = r.clock;
      exec.status = r.status;
      if (!req.loop || r.status !== 'RUNNING') break;
      if (r.waiting === 'task') await sleep(15); // a JS task is still working
    }
    await refresh();
  } catch (e) {
    toast(`${e.name || 'Error'}: ${e.message}`, true);
  } finally {
    app.busy = false;
    setStatus(exec.status, exec.paused);
  }
}
$('step').onclick = () => step({ steps: 1 });
$('continue').onclick = () => step({ steps: 100000, loop: true });
$('run-to').onchange = async (ev) => {
  const name = ev.target.value;
  if (!name) return;
  if (!app.exec || app.exec.status !== 'RUNNING' || !app.exec.paused) await start(true);
  if (app.exec && app.exec.status === 'RUNNING') await step({ steps: 100000, untilState: name });
  ev.target.value = '';
};

async function refresh() {
  const exec = app.exec;
  if (!exec) return;
  const [desc, events] = await Promise.all([app.sw.describe({ executionArn: exec.arn }), fullHistory(app.sw, exec.arn)]);
  if (exec !== app.exec) return;
  exec.status = desc.status;
  exec.events = events;
  exec.model = analyze(events, desc.status);
  exec.flow = null;
  graph.paint(exec.model.outcomes, exec.model.taken);
  setStatus(exec.status, exec.paused);
  setClock(exec.clock ?? (events.length ? events[events.length - 1].timestamp : null));
  renderEvents();
  const tab = currentTab()?.id;
  if (tab === 'tab-timeline') drawTimeline();
  if (tab === 'tab-inspector') renderInspector();
  if (tab === 'tab-runs') refreshRuns();
}

// ---------- events table ----------
const EVENT_LIMIT = 1000;
let showAllEvents = false;
function renderEvents() {
  const body = $('events-body');
  body.replaceChildren();
  const events = app.exec?.events || [];
  $('events-empty').hidden = events.length > 0;
  $('ev-count').textContent = events.length ? String(events.length) : '';
  if (!events.length) return;
  const t0 = events[0].timestamp;
  const shown = showAllEvents ? events : events.slice(0, EVENT_LIMIT);
  const frag = document.createDocumentFragment();
  for (const ev of shown) {
    const tr = document.createElement('tr');
    tr.className = 'ev' + (/Failed|TimedOut|Aborted/.test(ev.type) ? ' fail' : /^Execution(Succeeded)/.test(ev.type) ? ' ok' : '');
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', 'false');
    tr.dataset.id = ev.id;
    const cells = [
      [String(ev.id), 'num'],
      [ev.type, 'type'],
      [ev._state || '', ''],
      [resourceLabel(ev), 'res'],
      [Math.round((ev.timestamp - t0) * 1000).toLocaleString(), 'num'],
      [fmtTime(ev.timestamp), 'mono'],
    ];
    for (const [text, cls] of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      if (cls === 'res') td.title = text;
      tr.appendChild(td);
    }
    const toggle = () => {
      const open = tr.getAttribute('aria-expanded') === 'true';
      tr.setAttribute('aria-expanded', String(!open));
      if (open) { tr.nextSibling?.classList.contains('detail') && tr.nextSibling.remove(); return; }
      const d = document.createElement('tr');
      d.className = 'detail';
      const td = document.createElement('td');
      td.colSpan = 6;
      const pre = document.createElement('pre');
      pre.className = 'json';
      const det = detailsOf(ev);
      const clean = {};
      for (const k in ev) if (!k.startsWith('_')) clean[k] = ev[k];
      pre.innerHTML = jsonHTML(det ? expandPayloads(det) : clean);
      td.appendChild(pre);
      d.appendChild(td);
      tr.after(d);
      if (ev._state) selectState(ev._state, ev._visit, true);
    };
    tr.onclick = toggle;
    tr.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } };
    frag.appendChild(tr);
  }
  body.appendChild(frag);
  if (events.length > shown.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 6;
    const b = document.createElement('button');
    b.className = 'btn small';
    b.textContent = `Show all ${events.length.toLocaleString()} events`;
    b.onclick = () => { showAllEvents = true; renderEvents(); };
    td.appendChild(b);
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

// resourceLabel names a Task event's resource as the console does (lambda:invoke).
function resourceLabel(ev) {
  const d = detailsOf(ev);
  if (!d || !d.resource) return '';
  return d.resourceType && !d.resource.startsWith('arn:') ? `${d.resourceType}:${d.resource}` : d.resource;
}

// expandPayloads shows JSON-text payloads (input, output, parameters) as JSON.
function expandPayloads(det) {
  const out = {};
  for (const [k, v] of Object.entries(det)) {
    if (typeof v === 'string' && /^(input|output|parameters)$/.test(k)) {
      try { out[k] = JSON.parse(v); continue; } catch { /* keep text */ }
    }
    out[k] = v;
  }
  return out;
}

// ---------- timeline ----------
function drawTimeline() {
  const host = $('timeline');
  if (currentTab()?.id !== 'tab-timeline') return;
  renderTimeline(host, app.exec?.model, {
    layout: app.layout,
    selected: app.selectedVisit,
    width: host.clientWidth - 4,
    onSelect: (v) => selectState(v.name, v.id, true),
  });
}
new ResizeObserver(() => drawTimeline()).observe($('timeline'));

// ---------- inspector ----------
function selectState(name, visitId, reveal) {
  app.selected = name;
  app.selectedVisit = visitId;
  graph.select(stateNodes().find((n) => n.name === name)?.id ?? null);
  if (reveal) {
    const n = stateNodes().find((x) => x.name === name);
    if (n) graph.reveal(n.id);
  }
  for (const tr of document.querySelectorAll('#events-body tr.ev')) {
    const ev = app.exec?.model?.byId.get(Number(tr.dataset.id));
    tr.classList.toggle('sel', !!ev && ev._state === name && (visitId == null || ev._visit === visitId));
  }
  if (currentTab()?.id === 'tab-timeline') drawTimeline();
  if (app.exec && currentTab()?.id !== 'tab-events' && currentTab()?.id !== 'tab-timeline') showTab($('tab-inspector'));
  else if (currentTab()?.id === 'tab-inspector') renderInspector();
}

async function dataFlow(exec) {
  if (exec.flow) return exec.flow;
  try {
    const r = await app.sw.invoke('StepwiseGetDataFlow', { executionArn: exec.arn });
    exec.flow = r.steps || [];
  } catch {
    // Older engines: rebuild what the history shows (input and output only).
    exec.flow = exec.model.visits.map((v) => {
      const exitDet = v.exited ? detailsOf(v.exited) : null;
      const res = v.events.find((e) => /Succeeded$/.test(e.type) && e.type !== 'ExecutionSucceeded');
      const f = v.failures[v.failures.length - 1];
      return {
        stateName: v.name, stateType: v.type, enteredEventId: v.id, exitedEventId: v.exited?.id || 0,
        input: detailsOf(v.events[0])?.input, result: res ? detailsOf(res)?.output : undefined,
        output: exitDet?.output, error: f?.error, cause: f?.cause,
      };
    });
  }
  return exec.flow;
}

const STAGES = [
  ['input', 'Input'], ['afterInputPath', 'After InputPath'], ['afterParameters', 'After Parameters'],
  ['result', 'Result'], ['afterResultSelector', 'After ResultSelector'], ['afterResultPath', 'After ResultPath'],
  ['output', 'Output'],
];

// queryLanguageOf returns the query language of the state called name in the
// current definition: its own QueryLanguage, else the top level's.
function queryLanguageOf(name) {
  let def;
  try { def = JSON.parse(app.definition); } catch { return 'JSONPath'; }
  const top = def?.QueryLanguage || 'JSONPath';
  const find = (states) => {
    for (const [n, st] of Object.entries(states || {})) {
      if (n === name) return st;
      for (const sub of [...(st?.Branches || []), st?.ItemProcessor, st?.Iterator]) {
        const f = sub && find(sub.States);
        if (f) return f;
      }
    }
    return null;
  };
  return find(def?.States)?.QueryLanguage || top;
}

async function renderInspector() {
  const host = $('inspector');
  const exec = app.exec;
  const name = app.selected;
  if (!exec || !name) {
    host.innerHTML = '<p class="empty">Select a state on the graph, a bar on the timeline or an event to see how its data flowed.</p>';
    return;
  }
  let flow;
  try { flow = await dataFlow(exec); } catch (e) { host.textContent = e.message; return; }
  if (exec !== app.exec || name !== app.selected) return;
  const steps = flow.filter((s) => s.stateName === name);
  host.replaceChildren();
  const head = document.createElement('div');
  head.className = 'insp-head';
  const h = document.createElement('h3');
  h.textContent = name;
  head.appendChild(h);
  if (!steps.length) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'This state has not run in this execution.';
    host.append(head, p);
    return;
  }
  let idx = steps.findIndex((s) => s.enteredEventId === app.selectedVisit);
  if (idx < 0) idx = steps.length - 1;
  const s = steps[idx];
  const type = document.createElement('span');
  type.className = 'type';
  type.textContent = s.stateType;
  head.appendChild(type);
  if (steps.length > 1) {
    const sel = document.createElement('select');
    sel.setAttribute('aria-label', 'Visit');
    steps.forEach((x, i) => sel.add(new Option(`Visit ${i + 1} of ${steps.length} (event ${x.enteredEventId})`, String(i))));
    sel.value = String(idx);
    sel.onchange = () => { app.selectedVisit = steps[Number(sel.value)].enteredEventId; renderInspector(); };
    head.appendChild(sel);
  }
  const grid = document.createElement('div');
  grid.className = 'flow';
  const card = (title, text, cls = '') => {
    const c = document.createElement('section');
    c.className = 'stage ' + cls;
    const h4 = document.createElement('h4');
    h4.textContent = title;
    const pre = document.createElement('pre');
    pre.className = 'json';
    if (text == null) {
      c.classList.add('skipped');
      c.append(h4);
      grid.appendChild(c);
      return;
    } else {
      try { pre.innerHTML = jsonHTML(typeof text === 'string' ? JSON.parse(text) : text); } catch { pre.textContent = String(text); }
    }
    c.append(h4, pre);
    grid.appendChild(c);
  };
  // A JSONata state has no InputPath, Parameters, ResultSelector or
  // ResultPath: only the stages it has are shown.
  const jsonata = queryLanguageOf(name) === 'JSONata';
  for (const [k, title] of STAGES) {
    if (jsonata && s[k] == null && k.startsWith('after')) continue;
    card(title, s[k]);
  }
  // Variables: what this visit's Assign bound (its StateExited event) and
  // what it could read when it ran, from the history.
  const vars = exec.model ? variablesAt(exec.model, s.enteredEventId) : null;
  if (vars && (vars.assigned || Object.keys(vars.scope).length)) {
    card('Variables assigned', vars.assigned, 'vars assigned');
    if (vars.truncated) grid.lastChild.title = 'assignedVariablesDetails.truncated: the values were cut to the event size limit';
    card('Variables in scope', vars.scope, 'vars scope');
    grid.lastChild.title = 'The variables this state could read when it ran: the assignments before it in its thread, and the outer scope of a Parallel branch or Map iteration';
  }
  if (s.error || s.cause) {
    const c = document.createElement('section');
    c.className = 'stage error';
    c.innerHTML = '<h4>Error</h4>';
    const pre = document.createElement('pre');
    pre.className = 'json';
    pre.textContent = `${s.error || ''}${s.cause ? '\n\n' + s.cause : ''}`;
    c.appendChild(pre);
    grid.appendChild(c);
  }
  host.append(head, grid);
}

// ---------- callbacks ----------
// Tasks in "Wait for callback" mode wait here until the user answers them
// with the same API calls a worker would make.
app.callbacks = new Map(); // token -> {token, stateName, executionArn, input}
app.mocks.onCallback = (cb) => {
  app.callbacks.set(cb.token, cb);
  renderCallbacks();
};

function renderCallbacks() {
  const host = $('callbacks');
  const list = [...app.callbacks.values()].filter((c) => c.executionArn === app.exec?.arn && app.exec?.status === 'RUNNING');
  host.hidden = list.length === 0;
  if (!list.length) { host.replaceChildren(); return; }
  const have = new Set([...host.querySelectorAll('.callback')].map((e) => e.dataset.token));
  if (have.size === list.length && list.every((c) => have.has(c.token))) return;
  host.replaceChildren();
  for (const cb of list) {
    const box = document.createElement('section');
    box.className = 'callback';
    box.dataset.token = cb.token;
    box.setAttribute('aria-label', `${cb.stateName} waits for a callback`);
    box.innerHTML = `<div class="cb-head"><span class="cb-dot" aria-hidden="true"></span><b></b> waits for a callback
      <span class="cb-token" title="The task token ($$.Task.Token)">token <code></code></span>
      <button class="btn small cb-copy" type="button">Copy token</button></div>
      <div class="cb-body">
        <label class="cb-out"><span>Output</span><textarea rows="3" spellcheck="false" aria-label="Callback output (JSON)"></textarea></label>
        <button class="btn small primary cb-ok" type="button">Send success</button>
        <span class="cb-sep"></span>
        <label><span>Error</span><input class="cb-err" type="text" spellcheck="false" value="Rejected" aria-label="Callback error"></label>
        <label><span>Cause</span><input class="cb-cause" type="text" spellcheck="false" aria-label="Callback cause"></label>
        <button class="btn small cb-fail" type="button">Send failure</button>
      </div>`;
    box.querySelector('b').textContent = cb.stateName;
    box.querySelector('code').textContent = cb.token;
    const ta = box.querySelector('textarea');
    ta.value = '{\n  "approved": true\n}';
    box.querySelector('.cb-copy').onclick = async () => {
      try { await navigator.clipboard.writeText(cb.token); toast('Token copied'); } catch { toast('Copy failed: select the token instead', true); }
    };
    const send = async (op, req) => {
      try {
        await app.sw.invoke(op, { taskToken: cb.token, ...req });
        app.callbacks.delete(cb.token);
        renderCallbacks();
      } catch (e) {
        toast(`${op}: ${e.name || 'Error'}: ${e.message}`, true);
        if (e.name === 'TaskTimedOut' || e.name === 'InvalidToken') { app.callbacks.delete(cb.token); renderCallbacks(); }
      }
    };
    box.querySelector('.cb-ok').onclick = () => {
      try { JSON.parse(ta.value); } catch (e) { toast('The output is not valid JSON: ' + e.message, true); ta.focus(); return; }
      send('SendTaskSuccess', { output: ta.value });
    };
    box.querySelector('.cb-fail').onclick = () => send('SendTaskFailure', {
      error: box.querySelector('.cb-err').value, cause: box.querySelector('.cb-cause').value,
    });
    host.appendChild(box);
  }
}

// ---------- tasks ----------
function taskResources() {
  return (app.layout?.nodes || [])
    .filter((n) => n.type === 'Task' && n.resource)
    .map((n) => ({ resource: n.resource, states: [n.name] }));
}

let taskSig = '';
function renderTasks() {
  const list = taskResources();
  $('task-count').textContent = list.length ? String(list.length) : '';
  // test cases
  const tc = $('test-case');
  const cases = app.mocks.testCases(app.machineName);
  const want = app.mocks.testCase;
  tc.replaceChildren(new Option('none (use the settings below)', ''));
  for (const c of cases) tc.add(new Option(c, c));
  tc.value = cases.includes(want) ? want : '';
  $('clear-mock').hidden = !app.mocks.mockConfig;
  const mocked = app.mocks.mockedStates(app.machineName, tc.value);
  $('mock-info').textContent = app.mocks.mockConfig
    ? `Mock config loaded: ${Object.keys(app.mocks.mockConfig.MockedResponses || {}).length} mocked responses for ${Object.keys(app.mocks.mockConfig.StateMachines || {}).join(', ') || 'no machine'}. ` +
      (tc.value ? `Executions start as "${app.machineName}#${tc.value}": the test case answers the Task states it mocks (dimmed below), the settings answer the others.` : 'Choose a test case to use it.')
    : 'Each Task resource below answers with its setting when an execution calls it.';
  const sig = JSON.stringify(list);
  const dim = () => {
    for (const box of $('tasks').querySelectorAll('section.task')) {
      box.classList.toggle('mocked', mocked.has(box.dataset.state));
    }
  };
  if (sig === taskSig) { dim(); return; }
  taskSig = sig;
  const host = $('tasks');
  host.replaceChildren();
  if (!list.length) {
    host.innerHTML = '<p class="empty">This state machine has no Task states.</p>';
    return;
  }
  list.forEach(({ resource, states }, i) => {
    const s = app.mocks.setting(states[0], resource);
    const box = document.createElement('section');
    box.className = 'task';
    box.dataset.state = states[0];
    box.innerHTML = `<header><b></b><code></code></header><div class="modes" role="radiogroup" aria-label="Answer"></div><div class="body"></div><div class="err" role="alert"></div>`;
    box.querySelector('b').textContent = states.join(', ');
    box.querySelector('code').textContent = resource;
    const modes = box.querySelector('.modes');
    const body = box.querySelector('.body');
    const err = box.querySelector('.err');
    const modeList = [['echo', 'Echo input'], ['result', 'Result JSON'], ['error', 'Error'], ['js', 'JS function'], ['callback', 'Wait for callback']];
    if (resource === 'arn:aws:states:::http:invoke') modeList.push(['fetch', 'Send with fetch']);
    for (const [m, label] of modeList) {
      const l = document.createElement('label');
      l.innerHTML = `<input type="radio" name="mode-${i}" value="${m}"> ${label}`;
      const r = l.querySelector('input');
      r.checked = s.mode === m;
      r.onchange = () => { s.mode = m; draw(); scheduleSave(); };
      modes.appendChild(l);
    }
    const draw = () => {
      body.replaceChildren();
      err.textContent = '';
      if (s.mode === 'result') {
        const ta = document.createElement('textarea');
        ta.rows = 4;
        ta.setAttribute('aria-label', `Result of ${resource}`);
        ta.value = s.result ?? '{\n  "ok": true\n}';
        s.result = ta.value;
        ta.oninput = () => {
          s.result = ta.value;
          try { JSON.parse(ta.value); err.textContent = ''; } catch (e) { err.textContent = 'Not valid JSON: ' + e.message; }
          scheduleSave();
        };
        body.appendChild(ta);
      } else if (s.mode === 'error') {
        const row = document.createElement('div');
        row.className = 'row';
        const e1 = document.createElement('input');
        e1.type = 'text'; e1.placeholder = 'Error (e.g. States.TaskFailed)'; e1.value = s.error ?? 'States.TaskFailed';
        e1.setAttribute('aria-label', 'Error name');
        const e2 = document.createElement('input');
        e2.type = 'text'; e2.placeholder = 'Cause'; e2.value = s.cause ?? '';
        e2.setAttribute('aria-label', 'Cause');
        s.error = e1.value;
        e1.oninput = () => { s.error = e1.value; scheduleSave(); };
        e2.oninput = () => { s.cause = e2.value; scheduleSave(); };
        row.append(e1, e2);
        body.appendChild(row);
      } else if (s.mode === 'fetch') {
        const p = document.createElement('p');
        p.className = 'hint';
        p.textContent = "The engine sends the request with the browser's fetch and returns AWS's HTTP Task output (StatusCode, StatusText, Headers, ResponseBody); a status outside 2xx fails with States.Http.StatusCode.<code>. Only APIs that allow this page's origin (CORS) answer; the others fail with States.Http.Socket.";
        body.appendChild(p);
      } else if (s.mode === 'callback') {
        const p = document.createElement('p');
        p.className = 'hint';
        p.textContent = 'The task waits, as it would for a person or another program, until you answer it in the bar above the panel with Send success or Send failure (SendTaskSuccess / SendTaskFailure with its token), or its TimeoutSeconds / HeartbeatSeconds run out.';
        body.appendChild(p);
      } else if (s.mode === 'js') {
        const a = document.createElement('div');
        a.className = 'sig';
        a.textContent = 'async (input, context) => {';
        const ta = document.createElement('textarea');
        ta.rows = 5;
        ta.spellcheck = false;
        ta.setAttribute('aria-label', `JavaScript body for ${resource}`);
        ta.value = s.code ?? '// context: {stateName, executionArn, attempt}. To fail the task:\n// throw Object.assign(new Error("the cause"), { name: "MyError" });\nreturn { ...input, handledBy: context.stateName };';
        s.code = ta.value;
        ta.oninput = () => {
          s.code = ta.value;
          try {
            const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
            new AsyncFunction('input', 'context', ta.value);
            err.textContent = '';
          } catch (e) { err.textContent = e.message; }
          scheduleSave();
        };
        const b = document.createElement('div');
        b.className = 'sig';
        b.textContent = '}';
        body.append(a, ta, b);
      }
    };
    draw();
    host.appendChild(box);
  });
  dim();
}
$('machine-name').onchange = (e) => { app.machineName = sanitizeName(e.target.value); e.target.value = app.machineName; renderTasks(); scheduleSave(); };
$('test-case').onchange = (e) => { app.mocks.testCase = e.target.value; renderTasks(); scheduleSave(); };
$('load-mock').onclick = () => $('mock-file').click();
$('clear-mock').onclick = () => { app.mocks.mockConfig = null; app.mocks.testCase = ''; renderTasks(); scheduleSave(); };
$('mock-file').onchange = async (ev) => {
  const f = ev.target.files[0];
  ev.target.value = '';
  if (!f) return;
  try {
    const cfg = JSON.parse(await f.text());
    if (!cfg.StateMachines || !cfg.MockedResponses) throw new Error('expected "StateMachines" and "MockedResponses"');
    app.mocks.mockConfig = cfg;
    const names = Object.keys(cfg.StateMachines);
    if (names.length === 1 && !names.includes(app.machineName)) {
      app.machineName = sanitizeName(names[0]);
      $('machine-name').value = app.machineName;
    }
    app.mocks.testCase = app.mocks.testCases(app.machineName)[0] || '';
    renderTasks();
    scheduleSave();
    toast(`Mock config loaded from ${f.name}`);
  } catch (e) {
    toast(`Cannot use ${f.name}: ${e.message}`, true);
  }
};

// ---------- runs ----------
async function refreshRuns() {
  if (!app.sw) return;
  const rows = [];
  for (const arn of machineArns()) {
    try {
      const r = await app.sw.invoke('ListExecutions', { stateMachineArn: arn, maxResults: 100 });
      for (const e of r.executions || []) rows.push(e);
    } catch { /* machine gone */ }
  }
  rows.sort((a, b) => b.startDate - a.startDate);
  $('run-count').textContent = rows.length ? String(rows.length) : '';
  $('runs-empty').hidden = rows.length > 0;
  const body = $('runs-body');
  body.replaceChildren();
  for (const e of rows) {
    const tr = document.createElement('tr');
    tr.className = 'run' + (app.exec?.arn === e.executionArn ? ' current' : '');
    tr.tabIndex = 0;
    const dur = e.stopDate ? fmtDuration((e.stopDate - e.startDate) * 1000) : '—';
    const cells = [e.name, e.status, e.stateMachineArn.split(':').pop(), fmtTime(e.startDate), dur];
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (i === 1) td.className = 'st ' + c;
      if (i === 0) td.className = 'mono';
      tr.appendChild(td);
    });
    const open = () => reopen(e);
    tr.onclick = open;
    tr.onkeydown = (k) => { if (k.key === 'Enter') open(); };
    body.appendChild(tr);
  }
}

async function reopen(e) {
  app.exec = { arn: e.executionArn, machineArn: e.stateMachineArn, status: e.status, paused: false, model: null, events: [], flow: null };
  await refresh();
  if (app.exec.status === 'RUNNING') app.exec.paused = true; // a paused run can be stepped again
  setStatus(app.exec.status, app.exec.paused);
  toast(`Reopened ${e.name}`);
}

// ---------- keyboard ----------
document.addEventListener('keydown', (e) => {
  if (e.key === 'F10' && !$('step').disabled) { e.preventDefault(); $('step').click(); }
  if (e.key === 'F8' && !$('continue').disabled) { e.preventDefault(); $('continue').click(); }
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) { e.preventDefault(); start(false); }
});

// ---------- boot ----------
async function boot() {
  setStatus(null);
  const examplesReady = loadExamples();
  const shared = await decodeSession(location.hash);
  if (shared) applySession(shared);
  else {
    const local = loadLocal();
    if (local && local.definition) applySession(local);
    else {
      await examplesReady;
      if (examples.length) await openExample(examples[0].id);
      else applySession({ definition: HELLO, input: {} });
    }
  }
  await examplesReady;
  const status = $('engine-status');
  try {
    app.sw = await loadEngine(import.meta.url);
    window.__stepwiseDebug = { sw: app.sw, editor: defView, get exec() { return app.exec; } }; // for the browser tests (web/e2e)
    app.sw.onEvent?.(({ executionArn }) => {
      if (app.exec && app.exec.arn === executionArn && !app.exec.paused) scheduleRefresh();
    });
    status.textContent = 'Engine ready';
    status.className = 'engine-status ready';
    setStatus(null);
    relayout();
    // re-run the linter now that the engine can validate
    defView.dispatch({ changes: { from: 0, to: 0, insert: '' } });
    setDoc(defView, app.definition);
  } catch (e) {
    console.error(e);
    status.textContent = 'Engine unavailable';
    status.title = `${e.message}\nBuild it with: make wasm`;
    status.className = 'engine-status error';
    const msg = $('graph-msg');
    msg.textContent = 'The Stepwise engine did not load (' + e.message + '). Build it with `make wasm` and serve web/.';
    msg.hidden = false;
  }
}

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; if (!app.busy) refresh(); }, 120);
}

boot();
