// history.js turns GetExecutionHistory events into what the views need:
// per-state outcomes for painting the graph, visits (one per StateEntered)
// for the timeline and inspector, and table rows. Events are linked by
// previousEventId, which is how concurrent Map iterations and Parallel
// branches are told apart.

const FAIL_TYPES = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed',
  'MapStateFailed', 'ParallelStateFailed', 'MapRunFailed',
]);
const SCHEDULE_TYPES = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

/** detailsOf returns the one *EventDetails object of an event (or null). */
export function detailsOf(ev) {
  for (const k in ev) if (k.endsWith('EventDetails')) return ev[k];
  return null;
}

/** analyze derives the views' model from the events of one execution. */
export function analyze(events, status) {
  const byId = new Map();
  const visits = [];
  const visitById = new Map();
  const t0 = events.length ? events[0].timestamp : 0;
  let tEnd = t0;
  for (const ev of events) {
    byId.set(ev.id, ev);
    const prev = byId.get(ev.previousEventId);
    const det = detailsOf(ev) || {};
    ev._visit = prev?._visit ?? null; // id of the StateEntered event this belongs to
    ev._lane = prev?._lane ?? ''; // map iteration path, e.g. "Items#3"
    if (ev.timestamp > tEnd) tEnd = ev.timestamp;
    if (ev.type === 'MapIterationStarted') {
      // The previous event may belong to a sibling iteration: name the lane
      // from the Map state's own visit.
      let mv = visitById.get(ev._visit);
      while (mv && !(mv.type === 'Map' && mv.name === det.name)) mv = visitById.get(mv.parentVisit);
      const outer = mv ? mv.lane : ev._lane;
      if (mv) ev._visit = mv.id;
      ev._lane = (outer ? outer + ' › ' : '') + `${det.name} #${det.index}`;
    }
    if (ev.type.endsWith('StateEntered')) {
      const v = {
        id: ev.id, name: det.name, type: ev.type.slice(0, -'StateEntered'.length),
        parentVisit: ev._visit, lane: ev._lane,
        start: ev.timestamp, end: null, exited: null, failures: [], attempts: 0, outcome: null, events: [ev],
      };
      visits.push(v);
      visitById.set(ev.id, v);
      ev._visit = ev.id;
      ev._state = det.name;
      continue;
    }
    if (ev.type.endsWith('StateExited')) {
      let v = visitById.get(ev._visit);
      while (v && v.name !== det.name) v = visitById.get(v.parentVisit);
      if (v) {
        v.end = ev.timestamp;
        v.exited = ev;
        v.events.push(ev);
        ev._visit = v.id;
        ev._lane = v.lane;
      }
      ev._state = det.name;
      continue;
    }
    // Map/Parallel state-level events belong to the nearest Map/Parallel visit.
    const m = /^(Map|Parallel)State/.exec(ev.type) || /^(Map)(Iteration|Run)/.exec(ev.type);
    let v = visitById.get(ev._visit);
    if (m) {
      while (v && v.type !== m[1]) v = visitById.get(v.parentVisit);
      if (v && ev.type.startsWith('Map') && /^Map(State|Run)/.test(ev.type)) ev._lane = v.lane;
      if (v && /^MapIteration(Succeeded|Failed|Aborted)/.test(ev.type)) ev._lane = v.lane;
    }
    if (v) {
      v.events.push(ev);
      ev._state = v.name;
      if (SCHEDULE_TYPES.has(ev.type)) v.attempts++;
      if (FAIL_TYPES.has(ev.type) && (!m || ev.type === v.type + 'StateFailed')) {
        v.failures.push({ at: ev.timestamp, error: det.error || '', cause: det.cause || '', id: ev.id });
      }
      if (!v.resource && det.resource) v.resource = det.resource;
    }
  }
  const last = events[events.length - 1];
  const finished = last && /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(last.type);
  const execStatus = status || (finished ? last.type.slice(9).toUpperCase().replace('TIMEDOUT', 'TIMED_OUT') : 'RUNNING');
  const outcomes = {};
  for (const v of visits) {
    if (v.exited) {
      const lastFailAfterLastTry = v.failures.length > 0 && lastTaskEventIsFailure(v);
      v.outcome = lastFailAfterLastTry ? 'caught' : v.failures.length ? 'retried' : 'succeeded';
    } else if (execStatus === 'RUNNING') {
      v.outcome = 'running';
      v.end = null;
    } else {
      v.outcome = 'failed';
      v.end = tEnd;
    }
    outcomes[v.name] = merge(outcomes[v.name], v.outcome);
  }
  // edges taken: consecutive visits linked by previousEventId
  const taken = new Set();
  for (const v of visits) {
    const prevEv = byId.get(v.events[0].previousEventId);
    if (prevEv && prevEv.type.endsWith('StateExited')) {
      const from = detailsOf(prevEv)?.name;
      if (from) taken.add(from + '->' + v.name);
    } else if (prevEv && prevEv.type === 'ExecutionStarted') {
      taken.add('start->' + v.name);
    }
  }
  if (last && last.type === 'ExecutionSucceeded') {
    const p = byId.get(last.previousEventId);
    if (p && p.type.endsWith('StateExited')) taken.add(detailsOf(p).name + '->end');
  }
  return { events, visits, outcomes, taken, t0, tEnd, status: execStatus, byId };
}

function lastTaskEventIsFailure(v) {
  for (let i = v.events.length - 1; i >= 0; i--) {
    const t = v.events[i].type;
    if (FAIL_TYPES.has(t)) return t === 'TaskFailed' || t === 'TaskTimedOut' || !/^(Map|Parallel)/.test(t) || t === v.type + 'StateFailed';
    if (SCHEDULE_TYPES.has(t) || /Succeeded$/.test(t)) return false;
  }
  return false;
}

// merge combines the outcomes of several visits of one state (loops, Map
// iterations): the most telling wins.
const RANK = { running: 6, failed: 5, caught: 4, retried: 3, succeeded: 2 };
function merge(a, b) {
  if (!a) return b;
  return (RANK[b] || 0) > (RANK[a] || 0) ? b : a;
}

/** resourceOf returns the resource an event names (Task events), or ''. */
export function resourceOf(ev) {
  const d = detailsOf(ev);
  return (d && d.resource) || '';
}

/** fmtTime formats epoch seconds as an ISO-like local time with milliseconds. */
export function fmtTime(sec) {
  const d = new Date(sec * 1000);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** fmtDuration formats milliseconds for people: 850 ms, 3.2 s, 4 min 5 s, 2 h 3 min, 3 d 4 h. */
export function fmtDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

// parseVars turns an assignedVariables map (name -> JSON text, as AWS
// records it) into name -> value; text that does not parse stays text.
function parseVars(av) {
  const out = {};
  for (const [k, text] of Object.entries(av || {})) {
    try { out[k] = JSON.parse(text); } catch { out[k] = text; }
  }
  return out;
}

/**
 * variablesAt tells what a visit (by its StateEntered event id) did with
 * variables: assigned is what its StateExited event's assignedVariables
 * bound (null when it bound none or has not exited), truncated is
 * assignedVariablesDetails.truncated, and scope is every variable the
 * state could read when it was entered: the assignments of the states
 * before it in its thread, in history order, and for the first state of a
 * Parallel branch or Map iteration, the scope the Parallel or Map state was
 * entered with (a Distributed Map's child workflows see none).
 */
export function variablesAt(model, visitId) {
  const visitById = new Map(model.visits.map((v) => [v.id, v]));
  // containerOf is the Map or Parallel visit whose branch or iteration a
  // visit runs in (null at the top level): the event before a branch's
  // first state belongs to the container; later states follow a
  // StateExited of the same branch. (analyze's parentVisit links every
  // visit to the one before it, so it cannot tell this.)
  const containers = new Map();
  const containerOf = (v) => {
    if (containers.has(v.id)) return containers.get(v.id);
    containers.set(v.id, null); // cycle guard
    let c = null;
    const prev = model.byId.get(v.events[0].previousEventId);
    if (prev && prev.type.endsWith('StateExited')) {
      const pv = visitById.get(prev._visit);
      c = pv ? containerOf(pv) : null;
    } else if (prev && prev.type !== 'ExecutionStarted') {
      c = visitById.get(prev._visit) || null;
    }
    containers.set(v.id, c);
    return c;
  };
  const scopeAt = (v, depth) => {
    if (!v || depth > 1000) return {};
    const container = containerOf(v);
    const chain = [];
    let ev = model.byId.get(v.events[0].previousEventId);
    for (let guard = 0; ev && guard < 1e6; guard++) {
      if (ev.type === 'ExecutionStarted') break;
      const pv = visitById.get(ev._visit);
      if (container && pv === container) break;
      if (ev.type.endsWith('StateExited') && pv) {
        // Same container and lane: an earlier state of this thread, not
        // one of a sibling Map iteration.
        if (containerOf(pv) !== container || pv.lane !== v.lane) break;
        const av = ev.stateExitedEventDetails?.assignedVariables;
        if (av) chain.push(av);
        ev = model.byId.get(pv.events[0].previousEventId);
        continue;
      }
      ev = model.byId.get(ev.previousEventId);
    }
    let scope = {};
    if (container && !container.events.some((e) => e.type === 'MapRunStarted')) scope = scopeAt(container, depth + 1);
    for (const av of chain.reverse()) Object.assign(scope, parseVars(av));
    return scope;
  };
  const v = visitById.get(visitId);
  if (!v) return { assigned: null, truncated: false, scope: {} };
  const det = v.exited?.stateExitedEventDetails;
  return {
    assigned: det?.assignedVariables ? parseVars(det.assignedVariables) : null,
    truncated: !!det?.assignedVariablesDetails?.truncated,
    scope: scopeAt(v, 0),
  };
}
