// Stepwise in JavaScript: AWS Step Functions run by the Go engine compiled
// to WebAssembly, on a page's main thread, in a Web Worker or in Node.
//
//   import { load } from './stepwise.js';
//   const sw = await load({ worker: true });
//   const { stateMachineArn } = await sw.create({ name: 'hello', definition, roleArn });
//   const { executionArn } = await sw.start({ stateMachineArn, input: '{}' });
//   const { events } = await sw.history({ executionArn });
//
// Every function takes and returns AWS's request and response shapes and
// returns a Promise. A failure rejects with an Error whose name is the AWS
// error code (InvalidDefinition, ExecutionDoesNotExist ...) and whose
// message is AWS's message.

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

// Where stepwise.wasm and wasm_exec.js are, by default: dist/ beside this file.
const defaultBase = new URL('./dist/', import.meta.url);

/**
 * Loads the engine and returns the API object.
 * @param {{base?: string|URL, worker?: boolean, wasm?: BufferSource}} [options]
 *   base: the folder holding stepwise.wasm and wasm_exec.js;
 *   worker: run the engine in a Web Worker (browsers only), so long runs never block the page;
 *   wasm: the module's bytes, when the caller has them already.
 */
export async function load(options = {}) {
  const base = new URL(options.base ?? defaultBase, isNode ? undefined : globalThis.location?.href);
  if (options.worker && typeof Worker !== 'undefined' && !isNode) {
    return makeAPI(await workerTransport(base));
  }
  return makeAPI(directTransport(await startEngine(base, options.wasm)));
}

// startEngine instantiates the wasm module in this realm and returns the
// global it registers (see wasm/browser/main.go).
export async function startEngine(base, bytes) {
  if (!globalThis.Go) {
    await import(new URL('wasm_exec.js', base).href);
  }
  const go = new globalThis.Go();
  const url = new URL('stepwise.wasm', base);
  let instance;
  if (bytes) {
    ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
  } else if (isNode) {
    const { readFile } = await import('node:fs/promises');
    ({ instance } = await WebAssembly.instantiate(await readFile(url), go.importObject));
  } else {
    ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
  }
  const ready = new Promise((resolve) => { globalThis.__stepwiseReady = resolve; });
  go.run(instance); // resolves only when the program exits, which it does not
  await ready;
  return globalThis.__stepwise;
}

// engineHost drives the raw engine global: it re-arms the real-time clock's
// timer after every call and hands events and tasks to the callbacks.
export function engineHost(core, { onEvent, onTask }) {
  let timer = null;
  const arm = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const ms = core.nextWake();
    if (ms >= 0) {
      timer = setTimeout(() => { timer = null; core.advance(); arm(); }, Math.min(ms, 2 ** 31 - 1));
      // A pending timer must not keep Node alive on its own.
      timer.unref?.();
    }
  };
  core.onEvent((executionArn, event) => onEvent(executionArn, event));
  core.onTask((task) => onTask(task));
  return {
    invoke(op, request) {
      const r = core.invoke(op, request);
      arm();
      return r.code === undefined ? { response: r.response } : { code: r.code, message: r.message };
    },
    handle(resource, on) { core.handle(resource, on); },
    mockConfig(json) { return core.mockConfig(json); },
    clock(mode, scale) { core.clock(mode, scale); arm(); },
  };
}

// A transport runs engine calls somewhere and reports events and tasks:
// { call(method, ...args) -> Promise, listen({onEvent, onTask}), close() }.
function directTransport(core) {
  let handlers = { onEvent() {}, onTask() {} };
  const host = engineHost(core, {
    // Callbacks arrive while the engine runs: defer them, so a listener
    // that calls the engine does not re-enter it.
    onEvent: (arn, ev) => queueMicrotask(() => handlers.onEvent(arn, ev)),
    onTask: (task) => queueMicrotask(() => handlers.onTask(task)),
  });
  return {
    call: async (method, ...args) => host[method](...args),
    listen(h) { handlers = h; },
    close() {},
  };
}

async function workerTransport(base) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 1;
  let handlers = { onEvent() {}, onTask() {} };
  const started = new Promise((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(e.message || 'the engine worker failed to start'));
    worker.onmessage = ({ data }) => {
      switch (data.type) {
        case 'ready': resolve(); break;
        case 'failed': reject(new Error(data.message)); break;
        case 'event': handlers.onEvent(data.executionArn, data.event); break;
        case 'task': handlers.onTask(data.task); break;
        case 'result': {
          const p = pending.get(data.id);
          pending.delete(data.id);
          if (data.error) p.reject(new Error(data.error));
          else p.resolve(data.result);
          break;
        }
      }
    };
  });
  worker.postMessage({ type: 'start', base: base.href });
  await started;
  return {
    call(method, ...args) {
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'call', id, method, args });
      });
    },
    listen(h) { handlers = h; },
    close() { worker.terminate(); },
  };
}

function awsError(code, message) {
  const e = new Error(message);
  e.name = code;
  return e;
}

function makeAPI(transport) {
  const listeners = new Set();
  const tasks = new Map();

  const invoke = async (operation, request = {}) => {
    const r = await transport.call('invoke', operation, JSON.stringify(request));
    if (r.code !== undefined) throw awsError(r.code, r.message);
    return JSON.parse(r.response);
  };

  const runTask = async (task) => {
    // A routing file's handler route names the function; otherwise the
    // resource, then the state name, chose it.
    const fn = task.handler ? tasks.get(task.handler) : tasks.get(task.resource) ?? tasks.get(task.stateName);
    try {
      if (!fn) throw awsError('States.TaskFailed', `no function is registered for ${task.handler || task.resource}`);
      const context = {
        stateName: task.stateName, executionArn: task.executionArn,
        stateMachineArn: task.stateMachineArn, attempt: task.attempt, taskToken: task.token,
      };
      const result = await fn(task.input, context);
      await invoke('SendTaskSuccess', { taskToken: task.token, output: JSON.stringify(result === undefined ? null : result) });
    } catch (err) {
      const error = err && err.name ? String(err.name) : 'Error';
      const cause = err && err.message !== undefined ? String(err.message) : String(err);
      try {
        await invoke('SendTaskFailure', { taskToken: task.token, error: error.slice(0, 256), cause: cause.slice(0, 32768) });
      } catch { /* the execution has ended meanwhile (stopped, timed out) */ }
    }
  };

  transport.listen({
    onEvent(executionArn, event) {
      const detail = { executionArn, event: JSON.parse(event) };
      for (const cb of listeners) {
        try { cb(detail); } catch (e) { console.error(e); }
      }
    },
    onTask(task) { runTask(JSON.parse(task)); },
  });

  const arnOf = (x, field) => (typeof x === 'string' ? { [field]: x } : x);

  return {
    invoke,
    /** CreateStateMachine. */
    create: (request) => invoke('CreateStateMachine', request),
    /** StartExecution (a `#TestCase` suffix on the ARN picks a mock test case). */
    start: (request) => invoke('StartExecution', request),
    /** DescribeExecution or DescribeStateMachine, chosen by the ARN. */
    describe(arnOrRequest) {
      const req = typeof arnOrRequest === 'string' ? null : arnOrRequest;
      const arn = req ? (req.executionArn ?? req.stateMachineArn) : arnOrRequest;
      if (/:(execution|express):/.test(arn ?? '')) return invoke('DescribeExecution', req ?? { executionArn: arn });
      return invoke('DescribeStateMachine', req ?? { stateMachineArn: arn });
    },
    /** GetExecutionHistory (an execution ARN alone gives the first page). */
    history: (request) => invoke('GetExecutionHistory', arnOf(request, 'executionArn')),
    /** ValidateStateMachineDefinition. */
    validate: (definition) => invoke('ValidateStateMachineDefinition', { definition }),
    /** The graph layout of a definition (StepwiseLayout). */
    layout: async (definition) => (await invoke('StepwiseLayout', { definition })).layout,
    /**
     * Serves a Task resource, a state name, or a routing file's handler
     * name (routes with "Handler": name) with a function: fn(input, context) returns
     * the result (or a Promise of it); a thrown Error fails the task with
     * the error's name as the error and its message as the cause.
     */
    registerTask(resource, fn) {
      if (typeof fn === 'function') tasks.set(resource, fn);
      else tasks.delete(resource);
      return transport.call('handle', resource, typeof fn === 'function');
    },
    /** Loads a routing file or a Step Functions Local mock configuration (object or JSON text; null clears it). */
    async loadMockConfig(config) {
      const text = config == null ? '' : typeof config === 'string' ? config : JSON.stringify(config);
      const err = await transport.call('mockConfig', text);
      if (err) throw awsError('ValidationException', err);
    },
    /**
     * Works an activity as an activity worker in any language would: polls
     * GetActivityTask for activityArn, runs fn(input, {taskToken, workerName})
     * and answers SendTaskSuccess, or SendTaskFailure with a thrown error's
     * name and message. The engine answers GetActivityTask at once, so the
     * worker sleeps until an ActivityScheduled event wakes it. Returns stop().
     */
    serveActivity(activityArn, fn, { workerName = 'stepwise-js-worker' } = {}) {
      let stopped = false;
      let wake = null;
      const unsubscribe = (() => {
        const cb = ({ event }) => { if (event.type === 'ActivityScheduled' && wake) wake(); };
        listeners.add(cb);
        return () => listeners.delete(cb);
      })();
      (async () => {
        while (!stopped) {
          let task;
          try {
            task = await invoke('GetActivityTask', { activityArn, workerName });
          } catch (e) {
            console.error(`serveActivity ${activityArn}:`, e);
            break;
          }
          if (!task.taskToken) {
            // Sleep until a task is scheduled (or a second passes: a task
            // scheduled before this worker started left no event to hear).
            await new Promise((r) => { wake = r; setTimeout(r, 1000); });
            wake = null;
            continue;
          }
          try {
            const result = await fn(JSON.parse(task.input), { taskToken: task.taskToken, workerName });
            await invoke('SendTaskSuccess', { taskToken: task.taskToken, output: JSON.stringify(result === undefined ? null : result) });
          } catch (err) {
            const error = err && err.name ? String(err.name) : 'Error';
            const cause = err && err.message !== undefined ? String(err.message) : String(err);
            try {
              await invoke('SendTaskFailure', { taskToken: task.taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32768) });
            } catch { /* the task timed out or its execution ended meanwhile */ }
          }
        }
      })();
      return () => { stopped = true; unsubscribe(); if (wake) wake(); };
    },
    /** Calls cb({executionArn, event}) for every history event; returns the unsubscribe function. */
    onEvent(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    /** {mode: 'virtual'} (the default: waits end at once) or {mode: 'real', scale: 10}. */
    setClock: ({ mode = 'virtual', scale = 1 } = {}) => transport.call('clock', mode, scale),
    close: () => transport.close(),
  };
}
