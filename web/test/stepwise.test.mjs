// Drives the JS API end to end in Node (make test runs it after make wasm):
// create, start, describe, history, registerTask, events, mocks, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../stepwise.js';

const roleArn = 'arn:aws:iam::123456789012:role/stepwise';
const sw = await load();

const definition = JSON.stringify({
  StartAt: 'Greet',
  States: {
    Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello, {}!', $.name)" }, Next: 'Nap' },
    Nap: { Type: 'Wait', Seconds: 86400, End: true },
  },
});

test('create, start, describe and history', async () => {
  const { stateMachineArn } = await sw.create({ name: 'hello', definition, roleArn });
  assert.match(stateMachineArn, /:stateMachine:hello$/);
  const { executionArn } = await sw.start({ stateMachineArn, name: 'run-1', input: '{"name":"Ada"}' });
  const d = await sw.describe(executionArn);
  assert.equal(d.status, 'SUCCEEDED');
  assert.equal(d.output, '{"greeting":"Hello, Ada!"}');
  // A day's Wait ends at once on the virtual clock, with AWS's timestamps.
  assert.equal(d.stopDate - d.startDate, 86400);
  const m = await sw.describe(stateMachineArn);
  assert.equal(m.name, 'hello');
  const { events } = await sw.history(executionArn);
  assert.deepEqual(events.map((e) => e.type), [
    'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded',
  ]);
  const page = await sw.history({ executionArn, maxResults: 2, reverseOrder: true });
  assert.deepEqual(page.events.map((e) => e.id), [6, 5]);
  assert.ok(page.nextToken);
});

test('errors reject with the AWS code and message', async () => {
  await assert.rejects(sw.create({ name: 'bad name', definition, roleArn }), { name: 'InvalidName', message: "Invalid Name: 'bad name'" });
  await assert.rejects(sw.create({ name: 'broken', definition: '{"StartAt":"X","States":{}}', roleArn }), (e) => {
    assert.equal(e.name, 'InvalidDefinition');
    assert.match(e.message, /SCHEMA_VALIDATION_FAILED|MISSING_TRANSITION_TARGET/);
    return true;
  });
  await assert.rejects(sw.describe('arn:aws:states:us-east-1:123456789012:execution:hello:nope'), { name: 'ExecutionDoesNotExist' });
  await assert.rejects(sw.invoke('NoSuchOperation', {}), { name: 'UnknownOperationException' });
});

test('registerTask runs a JS function for a Task state; a thrown error fails it', async () => {
  const calls = [];
  await sw.registerTask('arn:aws:states:::lambda:invoke', async (input, context) => {
    calls.push(context.stateName);
    if (input.n < 0) {
      const e = new Error('n must not be negative');
      e.name = 'NegativeError';
      throw e;
    }
    await new Promise((r) => setTimeout(r, 5));
    return { doubled: input.n * 2 };
  });
  const seen = [];
  const off = sw.onEvent(({ executionArn, event }) => { if (executionArn.endsWith(':double:ok')) seen.push(event.type); });
  const { stateMachineArn } = await sw.create({
    name: 'double', roleArn,
    definition: JSON.stringify({
      StartAt: 'Double',
      States: { Double: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'n.$': '$.n' }, End: true } },
    }),
  });
  const ok = await sw.start({ stateMachineArn, name: 'ok', input: '{"n":21}' });
  const bad = await sw.start({ stateMachineArn, name: 'bad', input: '{"n":-1}' });
  const until = async (arn) => {
    for (let i = 0; i < 200; i++) {
      const d = await sw.describe(arn);
      if (d.status !== 'RUNNING') return d;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('still running');
  };
  const d1 = await until(ok.executionArn);
  assert.equal(d1.status, 'SUCCEEDED');
  assert.equal(d1.output, '{"doubled":42}');
  const d2 = await until(bad.executionArn);
  assert.equal(d2.status, 'FAILED');
  assert.equal(d2.error, 'NegativeError');
  assert.equal(d2.cause, 'n must not be negative');
  assert.deepEqual(calls, ['Double', 'Double']);
  off();
  assert.deepEqual(seen, ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  await sw.registerTask('arn:aws:states:::lambda:invoke', null);
});

test('a Step Functions Local mock config serves a test case', async () => {
  await sw.loadMockConfig({
    StateMachines: { mocked: { TestCases: { Happy: { Charge: 'Charged' } } } },
    MockedResponses: { Charged: { 0: { Return: { receipt: 'r-1' } } } },
  });
  const { stateMachineArn } = await sw.create({
    name: 'mocked', roleArn,
    definition: JSON.stringify({ StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } }),
  });
  const { executionArn } = await sw.start({ stateMachineArn: stateMachineArn + '#Happy', input: '{}' });
  const d = await sw.describe(executionArn);
  assert.equal(d.status, 'SUCCEEDED');
  assert.equal(d.output, '{"receipt":"r-1"}');
  await assert.rejects(sw.loadMockConfig('{"StateMachines": 3}'), { name: 'ValidationException' });
  await sw.loadMockConfig(null);
});

test('a routing file: mock, fail and handler routes; handlers by name or state name', async () => {
  const calls = [];
  await sw.registerTask('price', async (input, context) => { calls.push(`price:${context.stateName}`); return { total: input.qty * 7 }; });
  await sw.registerTask('Audit', async () => { calls.push('Audit'); return 'audited'; });
  await sw.loadMockConfig({
    Routes: [
      { State: 'Price', Handler: 'price' },
      { State: 'Notify', Mock: { 0: { Return: 'sent' } } },
      { Resource: 'arn:aws:states:::dynamodb:*', Fail: { Error: 'NotRouted', Cause: 'no DynamoDB' } },
    ],
  });
  const { stateMachineArn } = await sw.create({
    name: 'routed', roleArn,
    definition: JSON.stringify({ StartAt: 'Price', States: {
      Price: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'qty.$': '$.qty' }, ResultPath: '$.price', Next: 'Notify' },
      Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', ResultPath: '$.notify', Next: 'Audit' },
      Audit: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ResultPath: '$.audit', Next: 'Store' },
      Store: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true },
    } }),
  });
  const { executionArn } = await sw.start({ stateMachineArn, input: '{"qty":3}' });
  let d;
  for (let i = 0; i < 200; i++) {
    d = await sw.describe(executionArn);
    if (d.status !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(d.status, 'FAILED');
  assert.equal(d.error, 'NotRouted');
  assert.equal(d.cause, 'no DynamoDB');
  assert.deepEqual(calls, ['price:Price', 'Audit']);
  const { events } = await sw.history(executionArn);
  const exited = events.filter((e) => e.type === 'TaskStateExited').map((e) => e.stateExitedEventDetails.output);
  assert.equal(exited.at(-1), '{"qty":3,"price":{"total":21},"notify":"sent","audit":"audited"}');
  await assert.rejects(sw.loadMockConfig({ Routes: [{ State: 'X' }] }), {
    name: 'ValidationException', message: 'mock config: Routes[0]: needs one of Mock, Handler, Http, Fail',
  });
  await sw.loadMockConfig(null);
  await sw.registerTask('price', null);
  await sw.registerTask('Audit', null);
});

test('real-time clock, scaled: a Wait fires from a timer', async () => {
  await sw.setClock({ mode: 'real', scale: 1000 });
  const { stateMachineArn } = await sw.create({
    name: 'waiter', roleArn,
    definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 20, End: true } } }),
  });
  const { executionArn } = await sw.start({ stateMachineArn, input: '{}' });
  assert.equal((await sw.describe(executionArn)).status, 'RUNNING');
  let d;
  for (let i = 0; i < 300; i++) {
    d = await sw.describe(executionArn);
    if (d.status !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(d.status, 'SUCCEEDED');
  await sw.setClock({ mode: 'virtual' });
});

test('serveActivity works an activity: ActivityStarted names the worker, a throw fails the task', async () => {
  const { activityArn } = await sw.invoke('CreateActivity', { name: 'review' });
  const def = JSON.stringify({
    StartAt: 'Review',
    States: { Review: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 60, End: true } },
  });
  const { stateMachineArn } = await sw.create({ name: 'reviewer', definition: def, roleArn });
  const seen = [];
  const stop = sw.serveActivity(activityArn, async (input, { taskToken }) => {
    seen.push(taskToken);
    if (input.reject) throw Object.assign(new Error('not good enough'), { name: 'Rejected' });
    return { reviewed: input.doc };
  }, { workerName: 'node-worker' });
  try {
    const waitEnd = async (executionArn) => {
      for (let i = 0; i < 400; i++) {
        const d = await sw.describe(executionArn);
        if (d.status !== 'RUNNING') return d;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error('the execution did not end');
    };
    const ok = await sw.start({ stateMachineArn, input: '{"doc":"spec.md"}' });
    let d = await waitEnd(ok.executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.output, '{"reviewed":"spec.md"}');
    const { events } = await sw.history(ok.executionArn);
    assert.deepEqual(events.map((e) => e.type), [
      'ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    assert.equal(events[3].activityStartedEventDetails.workerName, 'node-worker');

    const bad = await sw.start({ stateMachineArn, input: '{"reject":true}' });
    d = await waitEnd(bad.executionArn);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'Rejected');
    assert.equal(d.cause, 'not good enough');
    assert.equal(seen.length, 2);
  } finally {
    stop();
  }
});
