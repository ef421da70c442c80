// embed.js defines <stepwise-machine>, a state machine for documentation
// pages: its graph, a Run button and a timeline, run in the browser by the
// Stepwise engine (loaded from beside this file, in a Web Worker). No server.
//
//   <script type="module" src="/dist/embed.js"></script>
//   <stepwise-machine src="machine.json" input='{"a":1}'></stepwise-machine>
//   <stepwise-machine input='{}'><script type="application/json">{...}</script></stepwise-machine>
//   <stepwise-machine>{"StartAt": ...}</stepwise-machine>
//
// Attributes: src (a definition, or a playground example/export file with
// "definition", "input", "mockConfig", "testCase"), input (JSON), name,
// height (of the graph, default 340px), theme ("light" | "dark"; default:
// the reader's preference).

import { Graph, GRAPH_CSS } from './graph.js';
import { renderTimeline, TIMELINE_CSS } from './timeline.js';
import { analyze } from './history.js';
import { loadEngine, ensureMachine, fullHistory, sanitizeName } from './engine.js';
import { Mocks } from './mocks.js';

const LIGHT = `--bg:#fff;--fg:#16191f;--muted:#5f6b7a;--border:#dfe3e8;--surface-2:#f8f9fa;--accent:#0972d3;--accent-fg:#fff;
  --sw-fg:#16191f;--sw-muted:#5f6b7a;--sw-bg:#fff;--sw-accent:#0972d3;--sw-node-bg:#fff;--sw-node-border:#b8c0cc;
  --sw-container-bg:#f3f5f8;--sw-container-border:#c5cad3;--sw-branch-bg:rgba(255,255,255,.7);--sw-branch-border:#dde1e7;
  --sw-edge:#8d99a8;--sw-label-bg:#fff;--sw-label-border:#dde1e7;--sw-term-bg:#414d5c;--sw-term-fg:#fff;
  --sw-ok:#1d8102;--sw-bad:#d91515;--sw-warn:#d97706;--sw-retry:#b7950b;--sw-ok-bg:#e9f7e6;--sw-bad-bg:#fdecec;
  --sw-warn-bg:#fff4e0;--sw-retry-bg:#fff9db;--sw-run-bg:#e8f2fc;--sw-grid:#e6e9ee;--sw-row-alt:rgba(0,7,22,.025);--dot:#e8ebef;`;
const DARK = `--bg:#131f2e;--fg:#e3e8ef;--muted:#9aa7b8;--border:#2a3a4e;--surface-2:#182637;--accent:#539fe5;--accent-fg:#0b1420;
  --sw-fg:#e3e8ef;--sw-muted:#9aa7b8;--sw-bg:#131f2e;--sw-accent:#539fe5;--sw-node-bg:#1b2a3c;--sw-node-border:#43566d;
  --sw-container-bg:#101b28;--sw-container-border:#3b4d63;--sw-branch-bg:rgba(24,38,55,.7);--sw-branch-border:#2f4157;
  --sw-edge:#71839a;--sw-label-bg:#182637;--sw-label-border:#33465c;--sw-term-bg:#9aa7b8;--sw-term-fg:#0b1420;
  --sw-ok:#4cc35b;--sw-bad:#ff6b6b;--sw-warn:#f3a33c;--sw-retry:#e6c229;--sw-ok-bg:#173a22;--sw-bad-bg:#46191d;
  --sw-warn-bg:#43300f;--sw-retry-bg:#3d3611;--sw-run-bg:#16324f;--sw-grid:#243446;--sw-row-alt:rgba(255,255,255,.03);--dot:#1f2d3e;`;

const CSS = `
:host { display: block; ${LIGHT} color: var(--fg); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  border: 1px solid var(--border); border-radius: 10px; overflow: hidden; background: var(--bg); margin: 1.2em 0; }
@media (prefers-color-scheme: dark) { :host(:not([theme="light"])) { ${DARK} } }
:host([theme="dark"]) { ${DARK} }
.bar { display: flex; align-items: center; gap: 8px; padding: 8px 10px 8px 14px; border-bottom: 1px solid var(--border); }
.title { font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.spacer { flex: 1; }
button { display: inline-flex; align-items: center; gap: 6px; height: 30px; padding: 0 12px; border-radius: 15px; font: 600 12.5px inherit;
  font-family: inherit; cursor: pointer; border: 1px solid var(--border); background: var(--bg); color: var(--fg); }
button.run { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
button:disabled { opacity: .5; cursor: default; }
button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button svg { width: 12px; height: 12px; fill: currentColor; }
.icon { width: 30px; padding: 0; justify-content: center; }
.pill { font-size: 11.5px; font-weight: 700; padding: 2px 9px; border-radius: 11px; border: 1px solid var(--border); color: var(--muted); }
.pill.SUCCEEDED { color: var(--sw-ok); border-color: var(--sw-ok); }
.pill.FAILED, .pill.TIMED_OUT, .pill.ABORTED { color: var(--sw-bad); border-color: var(--sw-bad); }
.pill.RUNNING { color: var(--accent); border-color: var(--accent); }
.graph { position: relative; background-color: var(--bg); background-image: radial-gradient(var(--dot) 1px, transparent 1px); background-size: 18px 18px; }
.timeline { border-top: 1px solid var(--border); padding: 6px 8px; overflow-x: auto; }
.timeline:empty { display: none; }
.out { border-top: 1px solid var(--border); padding: 8px 14px; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; max-height: 160px; overflow: auto; margin: 0; background: var(--surface-2); }
.out:empty { display: none; }
.out.bad { color: var(--sw-bad); }
.empty { color: var(--muted); margin: 6px; font-size: 12px; }
.msg { padding: 16px; color: var(--sw-bad); }
`;

let count = 0;

class StepwiseMachine extends HTMLElement {
  static get observedAttributes() { return ['src', 'input']; }

  constructor() {
    super();
    this.num = ++count;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${GRAPH_CSS}${TIMELINE_CSS}${CSS}</style>
      <div class="bar"><span class="title"></span><span class="spacer"></span><span class="pill" role="status" aria-live="polite"></span>
        <button class="icon fit" type="button" aria-label="Fit the graph" title="Fit">⤢</button>
        <button class="run" type="button" disabled><svg viewBox="0 0 10 10" aria-hidden="true"><path d="M1 0l9 5-9 5z"/></svg>Run</button></div>
      <div class="graph"></div><div class="timeline"></div><pre class="out" aria-label="Execution output"></pre>`;
    this.$ = (s) => root.querySelector(s);
    this.mocks = new Mocks();
    this.graph = new Graph(this.$('.graph'), { onSelect: () => {}, label: 'State machine graph', wheelModifier: true });
    this.$('.run').onclick = () => this.run();
    this.$('.fit').onclick = () => this.graph.fit();
  }

  connectedCallback() {
    this.$('.graph').style.height = this.getAttribute('height') || '340px';
    if (!this.started) {
      this.started = true;
      // children (an inline definition) are parsed after the element opens
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => this.init(), { once: true });
      else queueMicrotask(() => this.init());
    }
  }

  attributeChangedCallback(name, old, value) {
    if (this.ready && old !== value) this.init();
  }

  async source() {
    const src = this.getAttribute('src');
    let o;
    if (src) {
      const r = await fetch(new URL(src, document.baseURI));
      if (!r.ok) throw new Error(`${src}: HTTP ${r.status}`);
      o = await r.json();
    } else {
      const script = this.querySelector('script[type="application/json"]');
      o = JSON.parse((script ? script.textContent : this.textContent).trim());
    }
    if (o && o.definition) return o; // a playground example or export file
    return { definition: o };
  }

  async init() {
    const pill = this.$('.pill');
    try {
      const spec = await this.source();
      const def = typeof spec.definition === 'string' ? spec.definition : JSON.stringify(spec.definition, null, 2);
      this.definition = def;
      const attr = this.getAttribute('input');
      this.input = attr != null ? attr : JSON.stringify(spec.input ?? {});
      this.mocks.mockConfig = spec.mockConfig || null;
      this.mocks.testCase = spec.testCase || '';
      this.name = sanitizeName(this.getAttribute('name') || spec.id || `Embedded-${this.num}`);
      this.$('.title').textContent = this.getAttribute('title') || spec.title || JSON.parse(def).Comment || this.name;
      pill.textContent = 'Loading…';
      this.sw = await loadEngine(import.meta.url);
      this.layout = await this.sw.layout(def);
      this.graph.render(this.layout, { fit: true });
      pill.textContent = 'Ready';
      this.$('.run').disabled = false;
      this.ready = true;
    } catch (e) {
      pill.textContent = 'Error';
      pill.className = 'pill FAILED';
      const m = document.createElement('div');
      m.className = 'msg';
      m.textContent = `${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`;
      this.$('.graph').replaceChildren(m);
    }
  }

  /** run starts an execution with the element's input and shows how it went. */
  async run() {
    const btn = this.$('.run');
    const pill = this.$('.pill');
    const out = this.$('.out');
    btn.disabled = true;
    try {
      const arn = await ensureMachine(this.sw, this.name, this.definition);
      this.mocks.machineName = this.name;
      const tasks = this.layout.nodes.filter((n) => n.type === 'Task' && n.resource).map((n) => ({ resource: n.resource, states: [n.name] }));
      await this.mocks.sync(this.sw, tasks);
      const target = this.mocks.mockConfig && this.mocks.testCase ? `${arn}#${this.mocks.testCase}` : arn;
      const { executionArn } = await this.sw.start({ stateMachineArn: target, input: this.input });
      pill.textContent = 'Running';
      pill.className = 'pill RUNNING';
      let desc;
      for (let i = 0; i < 400; i++) {
        desc = await this.sw.describe({ executionArn });
        if (desc.status !== 'RUNNING') break;
        await new Promise((r) => setTimeout(r, i < 10 ? 50 : 250));
      }
      const events = await fullHistory(this.sw, executionArn);
      const model = analyze(events, desc.status);
      this.graph.paint(model.outcomes, model.taken);
      renderTimeline(this.$('.timeline'), model, { layout: this.layout, width: this.clientWidth - 20 });
      pill.textContent = desc.status.charAt(0) + desc.status.slice(1).toLowerCase().replace('_', ' ');
      pill.className = 'pill ' + desc.status;
      out.classList.toggle('bad', desc.status !== 'SUCCEEDED');
      out.textContent = desc.status === 'SUCCEEDED'
        ? 'Output: ' + JSON.stringify(JSON.parse(desc.output ?? 'null'), null, 2)
        : `${desc.error || desc.status}${desc.cause ? ': ' + desc.cause : ''}`;
    } catch (e) {
      pill.textContent = 'Error';
      pill.className = 'pill FAILED';
      out.classList.add('bad');
      out.textContent = `${e.name}: ${e.message}`;
    } finally {
      btn.disabled = false;
    }
  }
}

if (!customElements.get('stepwise-machine')) customElements.define('stepwise-machine', StepwiseMachine);
