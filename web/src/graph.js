// graph.js draws a Stepwise Layout (the StepwiseLayout response) as SVG, with
// zoom, pan and fit, and paints states by execution outcome. Shared by the
// playground and the <stepwise-machine> embed, so it carries its own CSS
// (GRAPH_CSS) that both inject: one look in both places.

const NS = 'http://www.w3.org/2000/svg';

/** Outcome classes a state node can carry (see Graph.paint). */
export const OUTCOMES = ['running', 'succeeded', 'failed', 'caught', 'retried', 'not-reached'];

/**
 * GRAPH_CSS styles the SVG. Colours come from --sw-* custom properties with
 * light-theme fallbacks, so a host page themes it by setting variables.
 */
export const GRAPH_CSS = `
.swg { width: 100%; height: 100%; display: block; cursor: grab; user-select: none; touch-action: none;
  font-family: var(--sw-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); }
.swg.panning { cursor: grabbing; }
.swg.stale .swg-scene { opacity: .35; filter: grayscale(.6); transition: opacity .2s; }
.swg .c-parallel > rect, .swg .c-map > rect { fill: var(--sw-container-bg, #f6f7f9); stroke: var(--sw-container-border, #c5cad3); stroke-dasharray: 5 4; }
.swg .c-branch > rect { fill: var(--sw-branch-bg, rgba(255,255,255,.55)); stroke: var(--sw-branch-border, #dde1e7); }
.swg .c-label { font-size: 11px; font-weight: 600; fill: var(--sw-muted, #5f6b7a); letter-spacing: .02em; }
.swg .c-tag { font-size: 10px; font-weight: 700; fill: var(--sw-muted, #5f6b7a); text-transform: uppercase; letter-spacing: .06em; }
.swg .n-state rect.box { fill: var(--sw-node-bg, #fff); stroke: var(--sw-node-border, #b8c0cc); stroke-width: 1; }
.swg .n-state rect.accent { fill: var(--t, #64748b); }
.swg .n-state text.name { font-size: 12.5px; font-weight: 600; fill: var(--sw-fg, #16191f); }
.swg .n-state text.type { font-size: 10px; fill: var(--sw-muted, #5f6b7a); letter-spacing: .03em; }
.swg .n-state, .swg .n-term { cursor: pointer; }
.swg .n-state:hover rect.box { stroke: var(--sw-accent, #0972d3); }
.swg .n-state:focus { outline: none; }
.swg .n-state:focus-visible rect.box { stroke: var(--sw-focus, #0972d3); stroke-width: 3; }
.swg .n-state.hl rect.box { stroke: var(--sw-accent, #0972d3); stroke-width: 2.5; }
.swg .n-state.sel rect.box { stroke: var(--sw-accent, #0972d3); stroke-width: 2.5; filter: drop-shadow(0 0 4px var(--sw-accent-soft, rgba(9,114,211,.45))); }
.swg .n-term circle { fill: var(--sw-term-bg, #414d5c); stroke: none; }
.swg .n-term.end circle.outer { fill: none; stroke: var(--sw-term-bg, #414d5c); stroke-width: 2; }
.swg .n-term text { font-size: 9px; font-weight: 700; fill: var(--sw-term-fg, #fff); letter-spacing: .04em; }
.swg .edge path { fill: none; stroke: var(--sw-edge, #8d99a8); stroke-width: 1.4; }
.swg .edge.catch path { stroke: var(--sw-warn, #d97706); stroke-dasharray: 5 4; }
.swg .edge.default path { stroke-dasharray: 2 3; }
.swg .edge.taken path { stroke: var(--sw-ok, #1d8102); stroke-width: 2.2; }
.swg .elabel rect { fill: var(--sw-label-bg, #fff); stroke: var(--sw-label-border, #dde1e7); }
.swg .elabel text { font-size: 10.5px; fill: var(--sw-muted, #5f6b7a); font-family: var(--sw-mono, ui-monospace, SFMono-Regular, Menlo, monospace); }
.swg .elabel.catch text { fill: var(--sw-warn, #b45309); }
.swg .elabel.default text { font-style: italic; font-family: inherit; }
.swg marker path { fill: var(--sw-edge, #8d99a8); }
.swg marker.m-catch path { fill: var(--sw-warn, #d97706); }
.swg marker.m-taken path { fill: var(--sw-ok, #1d8102); }
.swg .t-Task { --t: #0972d3; } .swg .t-Pass { --t: #7d8998; } .swg .t-Choice { --t: #d97706; }
.swg .t-Wait { --t: #8b5cf6; } .swg .t-Succeed { --t: #1d8102; } .swg .t-Fail { --t: #d91515; }
.swg .t-Parallel { --t: #0e9f8e; } .swg .t-Map { --t: #4f46e5; }
.swg .n-state.succeeded rect.box { fill: var(--sw-ok-bg, #e9f7e6); stroke: var(--sw-ok, #1d8102); stroke-width: 1.6; }
.swg .n-state.failed rect.box { fill: var(--sw-bad-bg, #fdecec); stroke: var(--sw-bad, #d91515); stroke-width: 1.6; }
.swg .n-state.caught rect.box { fill: var(--sw-warn-bg, #fff4e0); stroke: var(--sw-warn, #d97706); stroke-width: 1.6; }
.swg .n-state.retried rect.box { fill: var(--sw-retry-bg, #fff9db); stroke: var(--sw-retry, #b7950b); stroke-width: 1.6; stroke-dasharray: 6 3; }
.swg .n-state.running rect.box { fill: var(--sw-run-bg, #e8f2fc); stroke: var(--sw-accent, #0972d3); stroke-width: 2; animation: swg-pulse 1.2s ease-in-out infinite; }
.swg .n-state.not-reached { opacity: .45; }
.swg .c-parallel.succeeded > rect, .swg .c-map.succeeded > rect { stroke: var(--sw-ok, #1d8102); }
.swg .c-parallel.failed > rect, .swg .c-map.failed > rect { stroke: var(--sw-bad, #d91515); }
.swg .c-parallel.caught > rect, .swg .c-map.caught > rect { stroke: var(--sw-warn, #d97706); }
.swg .c-parallel.running > rect, .swg .c-map.running > rect { stroke: var(--sw-accent, #0972d3); }
.swg .c-parallel.not-reached, .swg .c-map.not-reached { opacity: .55; }
.swg .badge rect { fill: var(--sw-badge-bg, #414d5c); }
.swg .badge text { font-size: 9.5px; font-weight: 700; fill: #fff; }
@keyframes swg-pulse { 50% { stroke-opacity: .35; } }
@media (prefers-reduced-motion: reduce) { .swg .n-state.running rect.box { animation: none; } }
`;

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  if (attrs) for (const k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// fitText shortens s so that it fits in width px at the given font size
// (an estimate: no layout pass needed, so drawing stays one cheap DOM build).
function fitText(s, width, size) {
  const max = Math.max(3, Math.floor(width / (size * 0.58)));
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

let uid = 0;

/**
 * Graph owns one <svg> inside host. onSelect(node) is called when a state is
 * clicked or activated with Enter/Space.
 */
export class Graph {
  constructor(host, { onSelect, interactive = true, label = 'State machine graph', wheelModifier = false, padBottom = 24 } = {}) {
    this.wheelModifier = wheelModifier;
    this.padBottom = padBottom;
    this.host = host;
    this.onSelect = onSelect || (() => {});
    this.id = 'swg' + ++uid;
    this.svg = el('svg', { class: 'swg', role: 'img', 'aria-label': label });
    host.appendChild(this.svg);
    const defs = el('defs', null, this.svg);
    for (const [cls, suffix] of [['', ''], ['m-catch', '-catch'], ['m-taken', '-taken']]) {
      const m = el('marker', {
        id: this.id + '-arrow' + suffix, class: cls, viewBox: '0 0 10 10', refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
      }, defs);
      el('path', { d: 'M0,0 L10,5 L0,10 z' }, m);
    }
    this.scene = el('g', { class: 'swg-scene' }, this.svg);
    this.view = { k: 1, x: 0, y: 0 };
    this.layout = null;
    this.nodes = new Map(); // id -> <g>
    this.userMoved = false;
    if (interactive) this._interact();
  }

  /** render draws layout (replacing what was drawn); keeps the view unless fit. */
  render(layout, { fit = false } = {}) {
    const first = !this.layout;
    this.layout = layout;
    this.svg.classList.remove('stale');
    this.scene.replaceChildren();
    this.nodes.clear();
    const gC = el('g', { class: 'containers' }, this.scene);
    const gE = el('g', { class: 'edges' }, this.scene);
    const gN = el('g', { class: 'nodes' }, this.scene);
    const gL = el('g', { class: 'labels' }, this.scene);
    for (const n of layout.nodes || []) {
      if (n.kind === 'parallel' || n.kind === 'map' || n.kind === 'branch') this._container(gC, n);
      else if (n.kind === 'start' || n.kind === 'end') this._terminal(gN, n);
      else this._state(gN, n);
    }
    for (const e of layout.edges || []) this._edge(gE, gL, e);
    this.edgeEls = gE;
    if (fit || first || !this.userMoved) this.fit();
    else this._apply();
  }

  _container(parent, n) {
    const g = el('g', { class: `c-${n.kind} t-${n.type || ''}`, 'data-id': n.id }, parent);
    if (n.kind !== 'branch') g.setAttribute('data-state', n.name || n.id);
    el('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: n.kind === 'branch' ? 6 : 10 }, g);
    if (n.kind === 'branch') {
      el('text', { class: 'c-label', x: n.x + 10, y: n.y + 16 }, g).textContent = n.label || '';
    } else {
      const tag = el('text', { class: 'c-tag', x: n.x + 12, y: n.y + 18 }, g);
      tag.textContent = n.type || n.kind;
      const name = el('text', { class: 'c-label', x: n.x + 12 + (n.type || n.kind).length * 7.2 + 8, y: n.y + 18 }, g);
      name.textContent = fitText(n.label || n.name || '', n.w - 90, 11);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', `${n.type} state ${n.name}`);
      this._clickable(g, n);
    }
    this.nodes.set(n.id, g);
  }

  _terminal(parent, n) {
    const g = el('g', { class: `n-term ${n.kind}`, 'data-id': n.id }, parent);
    const r = Math.min(n.w, n.h) / 2;
    const cx = n.x + n.w / 2, cy = n.y + n.h / 2;
    if (n.kind === 'end') {
      el('circle', { class: 'outer', cx, cy, r }, g);
      el('circle', { cx, cy, r: r - 4 }, g);
    } else {
      el('circle', { cx, cy, r }, g);
    }
    if (r >= 14) {
      const t = el('text', { x: cx, y: cy + 3, 'text-anchor': 'middle' }, g);
      t.textContent = n.kind === 'start' ? 'START' : 'END';
    }
    this.nodes.set(n.id, g);
  }

  _state(parent, n) {
    const g = el('g', {
      class: `n-state t-${n.type}`, 'data-id': n.id, 'data-state': n.name || n.id,
      tabindex: '0', role: 'button', 'aria-label': `${n.type} state ${n.name}`,
    }, parent);
    el('rect', { class: 'box', x: n.x, y: n.y, width: n.w, height: n.h, rx: 7 }, g);
    el('rect', { class: 'accent', x: n.x + 1, y: n.y + 5, width: 3.5, height: n.h - 10, rx: 1.75 }, g);
    const twoLines = n.h >= 36;
    const name = el('text', {
      class: 'name', x: n.x + n.w / 2 + 2, y: n.y + (twoLines ? n.h / 2 - 1 : n.h / 2 + 4), 'text-anchor': 'middle',
    }, g);
    name.textContent = fitText(n.label || n.name, n.w - 18, 12.5);
    if (twoLines) {
      const t = el('text', { class: 'type', x: n.x + n.w / 2 + 2, y: n.y + n.h / 2 + 12, 'text-anchor': 'middle' }, g);
      t.textContent = n.type + (n.terminal && n.type !== 'Succeed' && n.type !== 'Fail' ? ' · End' : '');
    }
    const title = el('title', null, g);
    title.textContent = `${n.name} (${n.type})${n.resource ? '\n' + n.resource : ''}`;
    this._clickable(g, n);
    this.nodes.set(n.id, g);
  }

  _clickable(g, n) {
    g.addEventListener('click', (ev) => {
      if (this._dragged) return;
      ev.stopPropagation();
      this.onSelect(n);
    });
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        this.onSelect(n);
      }
    });
  }

  _edge(gE, gL, e) {
    const pts = e.points || [];
    if (pts.length < 2) return;
    const g = el('g', { class: `edge ${e.kind}`, 'data-from': e.from, 'data-to': e.to }, gE);
    const d = roundedPath(pts, 6);
    const suffix = e.kind === 'catch' ? '-catch' : '';
    el('path', { d, 'marker-end': `url(#${this.id}-arrow${suffix})` }, g);
    if (e.label) {
      const lg = el('g', { class: `elabel ${e.kind}` }, gL);
      const text = fitText(e.label, 170, 10.5);
      const w = text.length * 6.3 + 12;
      const x = e.labelX ?? (pts[0][0] + pts[1][0]) / 2;
      const y = e.labelY ?? (pts[0][1] + pts[1][1]) / 2;
      el('rect', { x: x - w / 2, y: y - 9, width: w, height: 18, rx: 9 }, lg);
      const t = el('text', { x, y: y + 3.5, 'text-anchor': 'middle' }, lg);
      t.textContent = text;
      if (text !== e.label) el('title', null, lg).textContent = e.label;
    }
  }

  /** stale dims the drawing (the definition no longer parses). */
  stale(on) {
    this.svg.classList.toggle('stale', !!on);
  }

  /** highlight marks the state the editor cursor is in (null clears). */
  highlight(id) {
    if (this._hl === id) return;
    this.nodes.get(this._hl)?.classList.remove('hl');
    this._hl = id;
    this.nodes.get(id)?.classList.add('hl');
  }

  /** select marks the state shown in the inspector (null clears). */
  select(id) {
    this.nodes.get(this._sel)?.classList.remove('sel');
    this._sel = id;
    this.nodes.get(id)?.classList.add('sel');
  }

  /**
   * paint sets outcome classes: outcomes maps a state name to one of OUTCOMES.
   * States absent from the map are "not-reached" when any state has an
   * outcome; an empty/null map clears the painting. taken is a Set of
   * "from->to" edge keys the execution followed.
   */
  paint(outcomes, taken) {
    const any = outcomes && Object.keys(outcomes).length > 0;
    for (const g of this.nodes.values()) {
      const name = g.getAttribute('data-state');
      if (!name) continue;
      g.classList.remove(...OUTCOMES);
      if (!any) continue;
      g.classList.add(outcomes[name] || 'not-reached');
      const title = g.querySelector('title');
      if (title) {
        const base = title.textContent.split('\n— ')[0];
        title.textContent = outcomes[name] ? `${base}\n— ${outcomes[name]}` : base;
      }
    }
    if (this.edgeEls) {
      for (const g of this.edgeEls.children) {
        const key = g.getAttribute('data-from') + '->' + g.getAttribute('data-to');
        const on = !!(taken && taken.has(key)) && !g.classList.contains('catch');
        g.classList.toggle('taken', on);
        const p = g.firstChild;
        if (!g.classList.contains('catch')) p.setAttribute('marker-end', `url(#${this.id}-arrow${on ? '-taken' : ''})`);
      }
    }
  }

  /** fit scales and centres the drawing in the host. */
  fit() {
    if (!this.layout) return;
    const W = this.svg.clientWidth || this.host.clientWidth || 600;
    const H = this.svg.clientHeight || this.host.clientHeight || 400;
    const lw = Math.max(1, this.layout.width), lh = Math.max(1, this.layout.height);
    const pad = 24, padB = this.padBottom; // room for an overlay (the legend) at the bottom
    const k = Math.min(1.25, Math.max(0.1, Math.min((W - pad * 2) / lw, (H - pad - padB) / lh)));
    this.view = { k, x: (W - lw * k) / 2, y: Math.max(pad, (H - padB + pad - lh * k) / 2) };
    this.userMoved = false;
    this._apply();
  }

  /** zoom multiplies the scale by f around (cx, cy) in svg pixels (centre by default). */
  zoom(f, cx, cy) {
    const W = this.svg.clientWidth, H = this.svg.clientHeight;
    cx ??= W / 2;
    cy ??= H / 2;
    const k = Math.min(4, Math.max(0.08, this.view.k * f));
    const r = k / this.view.k;
    this.view = { k, x: cx - (cx - this.view.x) * r, y: cy - (cy - this.view.y) * r };
    this.userMoved = true;
    this._apply();
  }

  /** reveal pans so that node id is visible. */
  reveal(id) {
    const n = this.layout?.nodes?.find((x) => x.id === id);
    if (!n) return;
    const W = this.svg.clientWidth, H = this.svg.clientHeight;
    const { k } = this.view;
    const sx = n.x * k + this.view.x, sy = n.y * k + this.view.y;
    if (sx >= 0 && sy >= 0 && sx + n.w * k <= W && sy + n.h * k <= H) return;
    this.view.x = W / 2 - (n.x + n.w / 2) * k;
    this.view.y = H / 2 - (n.y + n.h / 2) * k;
    this._apply();
  }

  _apply() {
    const { k, x, y } = this.view;
    this.scene.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k.toFixed(4)})`);
  }

  _interact() {
    const svg = this.svg;
    svg.addEventListener('wheel', (ev) => {
      // Embedded in a page, a plain wheel scrolls the page; Ctrl/Cmd zooms.
      if (this.wheelModifier && !ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      const f = Math.exp(-ev.deltaY * (ev.ctrlKey ? 0.01 : 0.0015));
      this.zoom(f, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    let start = null;
    svg.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      start = { x: ev.clientX, y: ev.clientY, vx: this.view.x, vy: this.view.y, id: ev.pointerId };
      this._dragged = false;
    });
    svg.addEventListener('pointermove', (ev) => {
      if (!start || ev.pointerId !== start.id) return;
      const dx = ev.clientX - start.x, dy = ev.clientY - start.y;
      if (!this._dragged && Math.hypot(dx, dy) < 4) return;
      if (!this._dragged) {
        this._dragged = true;
        svg.setPointerCapture(ev.pointerId);
        svg.classList.add('panning');
      }
      this.view.x = start.vx + dx;
      this.view.y = start.vy + dy;
      this.userMoved = true;
      this._apply();
    });
    const end = () => {
      start = null;
      svg.classList.remove('panning');
      // let the click that ends a drag see _dragged, then clear it
      setTimeout(() => (this._dragged = false), 0);
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    if (typeof ResizeObserver !== 'undefined') {
      let last = '';
      new ResizeObserver(() => {
        const size = svg.clientWidth + 'x' + svg.clientHeight;
        if (size === last) return;
        last = size;
        if (!this.userMoved) this.fit();
      }).observe(svg);
    }
  }
}

// roundedPath draws a polyline with rounded corners (radius r).
function roundedPath(pts, r) {
  let d = `M${pts[0][0]},${pts[0][1]}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const [px, py] = pts[i - 1], [x, y] = pts[i], [nx, ny] = pts[i + 1];
    const d1 = Math.hypot(x - px, y - py), d2 = Math.hypot(nx - x, ny - y);
    const rr = Math.min(r, d1 / 2, d2 / 2);
    if (rr < 0.5) { d += ` L${x},${y}`; continue; }
    const ax = x - ((x - px) / d1) * rr, ay = y - ((y - py) / d1) * rr;
    const bx = x + ((nx - x) / d2) * rr, by = y + ((ny - y) / d2) * rr;
    d += ` L${ax.toFixed(1)},${ay.toFixed(1)} Q${x},${y} ${bx.toFixed(1)},${by.toFixed(1)}`;
  }
  const last = pts[pts.length - 1];
  return d + ` L${last[0]},${last[1]}`;
}
