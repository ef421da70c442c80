// engine.js loads the Stepwise engine (web/stepwise.js, which runs the Go
// wasm build, in a Web Worker) and wraps the few API calls the playground
// and the embed share.

/** ROLE is the execution role every playground machine is created with. */
export const ROLE = 'arn:aws:iam::123456789012:role/StepwisePlayground';

let loading = null;

/**
 * loadEngine resolves the sw object of web/stepwise.js (once per page).
 * bundleUrl is import.meta.url of the bundle in web/dist/.
 */
export function loadEngine(bundleUrl = import.meta.url) {
  if (!loading) {
    loading = (async () => {
      const modUrl = new URL('../stepwise.js', bundleUrl).href;
      const mod = await import(/* @vite-ignore */ modUrl);
      const sw = await mod.load({ base: new URL('./', bundleUrl), worker: true });
      try { await sw.setClock({ mode: 'virtual' }); } catch { /* the default clock is fine */ }
      return sw;
    })();
    loading.catch(() => { loading = null; });
  }
  return loading;
}

const arnByName = new Map();
const defByArn = new Map();

/**
 * ensureMachine creates the state machine name with definition, or updates it
 * when it exists with another definition. Resolves its ARN.
 */
export async function ensureMachine(sw, name, definition) {
  let arn = arnByName.get(name);
  if (!arn) {
    try {
      const r = await sw.create({ name, definition, roleArn: ROLE, type: 'STANDARD' });
      arn = r.stateMachineArn;
      arnByName.set(name, arn);
      defByArn.set(arn, definition);
      return arn;
    } catch (e) {
      if (e.name !== 'StateMachineAlreadyExists') throw e;
      const list = await sw.invoke('ListStateMachines', {});
      arn = (list.stateMachines || []).find((m) => m.name === name)?.stateMachineArn;
      if (!arn) throw e;
      arnByName.set(name, arn);
    }
  }
  if (defByArn.get(arn) !== definition) {
    await sw.invoke('UpdateStateMachine', { stateMachineArn: arn, definition });
    defByArn.set(arn, definition);
  }
  return arn;
}

/** machines lists the ARNs this page created (for the Runs tab). */
export function machineArns() {
  return [...new Set(arnByName.values())];
}

/** fullHistory pages through GetExecutionHistory. */
export async function fullHistory(sw, executionArn) {
  const events = [];
  let nextToken;
  for (let i = 0; i < 1000; i++) {
    const r = await sw.history({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    events.push(...(r.events || []));
    nextToken = r.nextToken;
    if (!nextToken) break;
  }
  return events;
}

/** sanitizeName turns any text into a valid state machine name. */
export function sanitizeName(s) {
  const n = String(s || '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return n || 'Playground';
}
