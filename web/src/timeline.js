// timeline.js draws the execution as a Gantt chart: one bar per state visit
// from StateEntered to StateExited on the execution's clock, one row per
// Map iteration / Parallel branch, retries as markers. Shared with the embed.

import { fmtDuration } from './history.js';

const NS = 'http://www.w3.org/2000/svg';

export const TIMELINE_CSS = `
.swt { display: block; font-family: var(--sw-font, system-ui, sans-serif); }
.swt .row-bg { fill: transparent; }
.swt .row-bg.odd { fill: var(--sw-row-alt, rgba(0,0,0,.025)); }
.swt .rlabel { font-size: 11.5px; fill: var(--sw-muted, #5f6b7a); }
.swt .axis line { stroke: var(--sw-grid, #e3e6eb); }
.swt .axis text { font-size: 10px; fill: var(--sw-muted, #5f6b7a); }
.swt .bar { cursor: pointer; }
.swt .bar rect.b { rx: 3; fill: var(--sw-ok, #1d8102); }
.swt .bar.failed rect.b { fill: var(--sw-bad, #d91515); }
.swt .bar.caught rect.b { fill: var(--sw-warn, #d97706); }
.swt .bar.retried rect.b { fill: var(--sw-retry, #b7950b); }
.swt .bar.running rect.b { fill: var(--sw-accent, #0972d3); }
.swt .bar.container rect.b { fill-opacity: .28; stroke-width: 1; stroke: currentColor; }
.swt .bar text { font-size: 10.5px; fill: var(--sw-fg, #16191f); pointer-events: none; }
.swt .bar text.in { fill: #fff; font-weight: 600; }
.swt .bar:hover rect.b, .swt .bar:focus-visible rect.b { stroke: var(--sw-focus, #0972d3); stroke-width: 2; }
.swt .bar:focus { outline: none; }
.swt .bar.sel rect.b { stroke: var(--sw-fg, #16191f); stroke-width: 2; }
.swt .fail-mark { fill: var(--sw-bad, #d91515); stroke: var(--sw-bg, #fff); stroke-width: 1; }
.swt .gap { stroke: var(--sw-bg, #fff); stroke-width: 2; }
.swt .note { font-size: 11px; fill: var(--sw-muted, #5f6b7a); font-style: italic; }
`;

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs || {}) if (attrs[k] != null) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// rowKeyOf places a visit: its Map iteration path plus the Parallel branch it
// sits in (from the layout's parent links).
function rowOf(v, parents) {
  const branch = parents.get(v.name);
  const key = v.lane + '|' + (branch ? branch.id : '');
  let label = v.lane || '';
  if (branch && branch.label) label = (label ? label + ' › ' : '') + branch.label;
  return { key, label: label || 'Execution' };
}

function niceStep(span, target) {
  const raw = span / target;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * renderTimeline draws model (from history.analyze) into host, replacing its
 * content. layout (optional) names Parallel branches. onSelect(visit) fires
 * on a bar click. Returns the SVG.
 */
export function renderTimeline(host, model, { layout, onSelect, selected, width } = {}) {
  host.replaceChildren();
  if (!model || !model.visits.length) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No state visits yet. Start an execution to see its timeline.';
    host.appendChild(p);
    return null;
  }
  // branch container of each state, from the layout
  const parents = new Map();
  if (layout) {
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const n of layout.nodes) {
      const p = byId.get(n.parent);
      if (p && p.kind === 'branch') {
        const owner = byId.get(p.parent);
        // a Map's iterations are named by the lane ("Items #3"); a branch by its Parallel
        const label = owner && owner.kind === 'map' ? '' : `${owner ? owner.name + ' › ' : ''}${p.label}`;
        if (n.name) parents.set(n.name, { id: p.id, label });
      }
    }
  }
  const rows = new Map();
  for (const v of model.visits) {
    const r = rowOf(v, parents);
    if (!rows.has(r.key)) rows.set(r.key, { ...r, visits: [] });
    rows.get(r.key).visits.push(v);
  }
  const W = Math.max(480, width || host.clientWidth || 800);
  const LW = Math.min(240, Math.max(140, Math.round(W * 0.24)));
  const RH = 24, TOP = 26, CH = 6.1; // row height, axis height, label character width
  const span = (model.tEnd - model.t0) * 1000;
  // When the whole run took no time (a virtual clock with no waits), order
  // bars by event id so they stay readable.
  const ordinal = span <= 0;
  const lastId = model.events[model.events.length - 1].id || 1;
  const plotW = W - LW - 16;
  const xOf = ordinal
    ? (ev) => LW + ((ev.id - 1) / Math.max(1, lastId - 1)) * plotW
    : (t) => LW + ((t - model.t0) * 1000 / span) * plotW;
  // Lay bars out first: a bar (with its label) that would overlap an earlier
  // one in the same row goes to a sub-row below, so nothing is drawn on top
  // of anything else, even when many visits share an instant.
  const lines = []; // {row, first, bars: [...], end}
  for (const row of rows.values()) {
    const mine = [];
    for (const v of row.visits) {
      const container = v.type === 'Map' || v.type === 'Parallel';
      const endEv = v.exited || model.events[model.events.length - 1];
      const x1 = ordinal ? xOf(v.events[0]) : xOf(v.start);
      const x2 = ordinal ? xOf(endEv) : xOf(v.end ?? model.tEnd);
      const w = Math.max(3, x2 - x1);
      const dur = v.end != null ? (v.end - v.start) * 1000 : null;
      const label = v.name + (dur != null && !ordinal && dur > 0 ? ` · ${fmtDuration(dur)}` : '');
      const lw = label.length * CH + 10;
      const inside = lw < w;
      let lx = inside ? x1 + 6 : x1 + w + 5;
      let anchor = 'start';
      if (!inside && lx + lw > W - 4) { lx = x1 - 5; anchor = 'end'; }
      const left = anchor === 'end' ? x1 - lw : x1;
      const right = inside ? x1 + w : anchor === 'end' ? x1 + w : lx + lw;
      let line = mine.find((l) => l.end <= left - 2);
      if (!line) {
        line = { row, first: mine.length === 0, bars: [], end: -Infinity };
        mine.push(line);
      }
      line.bars.push({ v, x1, w, label, lx, anchor, inside, container, dur });
      line.end = Math.max(line.end, right);
    }
    lines.push(...mine);
  }
  const H = TOP + lines.length * RH + 8;
  const svg = el('svg', { class: 'swt', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Execution timeline' }, host);
  const axis = el('g', { class: 'axis' }, svg);
  if (ordinal) {
    el('text', { class: 'note', x: LW, y: 14 }, svg).textContent =
      'Every state ran at the same instant of the virtual clock: bars follow the event order.';
  } else {
    const step = niceStep(span, Math.max(2, Math.floor(plotW / 110)));
    for (let t = 0; t <= span + 1e-9; t += step) {
      const x = LW + (t / span) * plotW;
      el('line', { x1: x, x2: x, y1: TOP - 6, y2: H }, axis);
      const tx = el('text', { x: x + 3, y: 14 }, axis);
      tx.textContent = t === 0 ? '0' : fmtDuration(t);
      if (x + 60 > W) { tx.setAttribute('x', x - 3); tx.setAttribute('text-anchor', 'end'); }
    }
  }
  let band = -1;
  lines.forEach((line, i) => {
    const y = TOP + i * RH;
    if (line.first) band++;
    el('rect', { class: 'row-bg' + (band % 2 ? ' odd' : ''), x: 0, y, width: W, height: RH }, svg);
    if (line.first) {
      const lab = el('text', { class: 'rlabel', x: 8, y: y + RH / 2 + 4 }, svg);
      const maxc = Math.floor((LW - 14) / 6.4);
      const text = line.row.label;
      lab.textContent = text.length > maxc ? '…' + text.slice(text.length - maxc + 1) : text;
      if (text.length > maxc) el('title', {}, lab).textContent = text;
    }
    for (const b of line.bars) {
      const { v } = b;
      const g = el('g', {
        class: `bar ${v.outcome}${b.container ? ' container' : ''}${selected === v.id ? ' sel' : ''}`,
        tabindex: '0', role: 'button', 'data-visit': v.id,
        'aria-label': `${v.name}: ${v.outcome}`,
      }, svg);
      el('rect', { class: 'b', x: b.x1, y: y + 5, width: b.w, height: RH - 10 }, g);
      // retries: a gap and a marker at each failure within the visit
      for (const f of v.failures) {
        const fx = ordinal ? xOf(model.byId.get(f.id)) : xOf(f.at);
        el('line', { class: 'gap', x1: fx, x2: fx, y1: y + 5, y2: y + RH - 5 }, g);
        const m = el('path', { class: 'fail-mark', d: `M${fx},${y + 1} l4,4 l-4,4 l-4,-4 z` }, g);
        el('title', {}, m).textContent = `${f.error}${f.cause ? ': ' + f.cause : ''}`;
      }
      const t = el('text', { x: b.lx, y: y + RH / 2 + 3.5, 'text-anchor': b.anchor }, g);
      if (b.inside && !b.container) t.setAttribute('class', 'in');
      t.textContent = b.label;
      el('title', {}, g).textContent = `${v.name} (${v.type}) — ${v.outcome}` +
        (b.dur != null ? `\n${fmtDuration(b.dur)}` : '') +
        (v.failures.length ? `\n${v.failures.length} failure(s): ${v.failures.map((f) => f.error).join(', ')}` : '');
      const pick = () => onSelect && onSelect(v);
      g.addEventListener('click', pick);
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
    }
  });
  return svg;
}
