// mocks.js answers Task states in the browser. Each Task resource gets one
// handler registered with sw.registerTask; what it does is read at call time
// from the Tasks tab settings, so editing a mock never needs re-registering:
//   echo    return the task input (the default, so any machine runs)
//   result  return a fixed JSON result
//   error   fail with an error name and cause
//   js      run the user's async (input, context) => {...} body
//   fetch   send an HTTP Task's request for real (the engine's HTTP
//           client: the browser's fetch, so CORS applies); HTTP Tasks only
//   callback  wait: the page lists the task with its token and the user
//           answers it with Send success / Send failure (SendTaskSuccess /
//           SendTaskFailure), as a person or another program would; the
//           default for .waitForTaskToken resources
// With a Step Functions Local mock config loaded and a test case chosen, the
// config answers first, like SFN Local does for "<arn>#<TestCase>".

export class Mocks {
  constructor() {
    /** Settings by Task state name. @type {Record<string, {mode:string, result?:string, error?:string, cause?:string, code?:string}>} */
    this.tasks = {};
    this.mockConfig = null; // parsed SFN Local config
    this.testCase = '';
    this.machineName = '';
    this.registered = new Set();
    this.calls = new Map(); // "execution|state" -> invocations so far
    this.compiled = new Map(); // code -> function
    /** onCallback({token, stateName, executionArn, input}) is told of every task waiting in callback mode. */
    this.onCallback = null;
  }

  /** toJSON is what Share/Export keep. */
  toJSON() {
    return { tasks: this.tasks, mockConfig: this.mockConfig, testCase: this.testCase || undefined };
  }

  /** fromJSON restores what toJSON gave. */
  fromJSON(o) {
    this.tasks = (o && o.tasks) || {};
    this.mockConfig = (o && o.mockConfig) || null;
    this.testCase = (o && o.testCase) || '';
  }

  /** setting returns the settings of a Task state (created with the resource's default mode). */
  setting(state, resource = '') {
    return this.tasks[state] || (this.tasks[state] = { mode: resource.endsWith('.waitForTaskToken') ? 'callback' : 'echo' });
  }

  /** testCases lists the test cases the mock config has for machine name. */
  testCases(name) {
    const sm = this.mockConfig?.StateMachines || {};
    const m = sm[name] || (Object.keys(sm).length === 1 ? Object.values(sm)[0] : null);
    return m ? Object.keys(m.TestCases || {}) : [];
  }

  /**
   * sync brings the engine in line with the settings before a start: the
   * mock config goes to the engine (sw.loadMockConfig) and every Task state
   * gets a handler by its name, except HTTP Tasks set to fetch, which the
   * engine sends itself. The engine asks a chosen test case first, so the
   * handlers answer only the states the test case does not mock.
   * tasks: [{resource, states: [name]}].
   */
  async sync(sw, tasks) {
    const native = typeof sw.loadMockConfig === 'function';
    const cfgText = this.mockConfig ? JSON.stringify(this.mockConfig) : '';
    if (native && cfgText !== this.loadedConfig) {
      await sw.loadMockConfig(cfgText || null);
      this.loadedConfig = cfgText;
    }
    for (const { resource, states } of tasks) {
      for (const state of states) {
        const want = this.setting(state, resource).mode !== 'fetch';
        if (want === this.registered.has(state)) continue;
        if (want) {
          this.registered.add(state);
          await sw.registerTask(state, (input, context) => this.run(resource, input, context));
        } else {
          this.registered.delete(state);
          await sw.registerTask(state, null);
        }
      }
    }
  }

  /** mockedStates is the set of Task states the test case mocks. */
  mockedStates(name, testCase) {
    if (!testCase) return new Set();
    const sm = this.mockConfig?.StateMachines || {};
    const m = sm[name] || (Object.keys(sm).length === 1 ? Object.values(sm)[0] : null);
    return new Set(Object.keys(m?.TestCases?.[testCase] || {}));
  }

  async run(resource, input, context) {
    const fromConfig = this._fromConfig(context);
    if (fromConfig) return fromConfig();
    // settings are per Task state: states sharing a resource (lambda:invoke) differ
    const s = this.setting(context?.stateName || resource, resource);
    switch (s.mode) {
      case 'callback':
        // The answer comes from SendTaskSuccess/SendTaskFailure with the
        // token; this handler never settles, so the bridge sends nothing.
        this.onCallback?.({ token: context.taskToken, stateName: context.stateName, executionArn: context.executionArn, input });
        return new Promise(() => {});
      case 'result':
        return JSON.parse(s.result || 'null');
      case 'error': {
        const e = new Error(s.cause || '');
        e.name = s.error || 'States.TaskFailed';
        throw e;
      }
      case 'js': {
        const code = s.code || 'return input;';
        let fn = this.compiled.get(code);
        if (!fn) {
          // The body is the user's own code, typed into their own page.
          const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
          fn = new AsyncFunction('input', 'context', code);
          this.compiled.set(code, fn);
        }
        return fn(input, context);
      }
      default:
        return input;
    }
  }

  _fromConfig(context) {
    if (!this.mockConfig || !this.testCase) return null;
    const state = context?.stateName ?? context?.State?.Name;
    const execution = context?.executionArn ?? context?.Execution?.Id ?? '';
    if (!state) return null;
    const sms = this.mockConfig.StateMachines || {};
    const sm = sms[this.machineName] || (Object.keys(sms).length === 1 ? Object.values(sms)[0] : null);
    const respName = sm?.TestCases?.[this.testCase]?.[state];
    if (!respName) return null;
    const resp = this.mockConfig.MockedResponses?.[respName];
    if (!resp) return null;
    const key = execution + '|' + state;
    const n = this.calls.get(key) || 0;
    this.calls.set(key, n + 1);
    let hit = null;
    let lastKey = -1;
    for (const [k, v] of Object.entries(resp)) {
      const [a, b] = k.split('-').map(Number);
      if (n >= a && n <= (Number.isNaN(b) || b === undefined ? a : b)) hit = v;
      if (a > lastKey) lastKey = a;
    }
    // past the last listed invocation, SFN Local repeats the last response
    if (!hit) hit = resp[Object.keys(resp).find((k) => Number(k.split('-')[0]) === lastKey)];
    if (!hit) return null;
    return () => {
      if (hit.Throw) {
        const e = new Error(hit.Throw.Cause || '');
        e.name = hit.Throw.Error || 'States.TaskFailed';
        throw e;
      }
      return hit.Return;
    };
  }
}
