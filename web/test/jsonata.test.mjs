// Unit tests of the playground's JSONata editor support (src/jsonata.js) and
// of the inspector's variable scopes (variablesAt in src/history.js). Pure
// JS: no engine needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorState } from '@codemirror/state';
import { CompletionContext } from '@codemirror/autocomplete';
import { json } from '@codemirror/lang-json';
import { FUNCTIONS, STATES, assignedNames, tokens, expressionIn, complete } from '../src/jsonata.js';
import { analyze, variablesAt } from '../src/history.js';

test('the function list is JSONata 2.x without $eval, plus Step Functions\' own', () => {
  const names = FUNCTIONS.map((f) => f[0]);
  assert.equal(new Set(names).size, names.length, 'no duplicates');
  assert.ok(!names.includes('$eval'));
  for (const n of ['$sum', '$map', '$string', '$filter', '$reduce', '$sift', '$each', '$formatNumber', '$fromMillis',
    '$toMillis', '$base64decode', '$decodeUrl', '$parseInteger', '$single', '$zip', '$assert', '$type', '$distinct',
    '$clone', '$partition', '$range', '$hash', '$random', '$uuid', '$parse']) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(names.length, 69); // 64 JSONata 2.x built-ins besides $eval, 5 more from Step Functions
  for (const [n, sig, info] of FUNCTIONS) {
    assert.ok(sig.startsWith(n + '('), sig);
    assert.ok(info.length > 5, n);
  }
});

test('assignedNames finds every Assign, nested and JSONPath-style', () => {
  const def = {
    StartAt: 'A',
    States: {
      A: { Type: 'Pass', Assign: { total: 1, 'who.$': '$.name' }, Next: 'C' },
      C: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Assign: { picked: true }, Next: 'M' }], Default: 'M' },
      M: {
        Type: 'Map', Assign: { results: '{% $states.result %}' },
        ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true, Assign: { inner: 1 } } } },
        Catch: [{ ErrorEquals: ['States.ALL'], Assign: { err: '{% $states.errorOutput %}' }, Next: 'A' }],
        End: true,
      },
    },
  };
  assert.deepEqual(assignedNames(JSON.stringify(def)), ['err', 'inner', 'picked', 'results', 'total', 'who']);
  assert.deepEqual(assignedNames('{not json'), []);
});

test('tokens and expressionIn', () => {
  assert.deepEqual(expressionIn('{% 1 %}'), { open: 0, close: 5 });
  assert.equal(expressionIn('{% 1'), null);
  assert.equal(expressionIn(' {% 1 %}'), null);
  const src = String.raw` $sum($states.input.items.(price * qty)) > 10 and $x = \"a\" or 'b' /* c */ `;
  const got = tokens(src).map((t) => [src.slice(t.from, t.to), t.type]);
  assert.deepEqual(got, [
    ['$sum', 'fn'], ['(', 'punct'], ['$states', 'states'], ['.', 'op'], ['input', 'field'], ['.', 'op'], ['items', 'field'],
    ['.', 'op'], ['(', 'punct'], ['price', 'field'], ['*', 'op'], ['qty', 'field'], [')', 'punct'], [')', 'punct'],
    ['>', 'op'], ['10', 'number'], ['and', 'keyword'], ['$x', 'var'], ['=', 'op'], ['\\"a\\"', 'string'],
    ['or', 'keyword'], ["'b'", 'string'], ['/* c */', 'comment'],
  ]);
  // Anything tokenizes, unterminated literals included.
  for (const s of ['\\"', "'", '/*', '`', '$', '{%%}', '\u00e9\u{1f600}']) tokens(s);
});

// completeAt runs the completion source with the cursor at the | in doc.
function completeAt(doc, explicit = false) {
  const pos = doc.indexOf('|');
  const state = EditorState.create({ doc: doc.replace('|', ''), extensions: [json()] });
  return complete(new CompletionContext(state, pos, explicit));
}

test('completion inside {% %}: functions, variables, $states and its fields', () => {
  const def = (expr) => `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"total":1},"Output":"${expr}","End":true}}}`;
  let r = completeAt(def('{% $su| %}'));
  const labels = r.options.map((o) => o.label);
  assert.ok(labels.includes('$sum') && labels.includes('$substring') && labels.includes('$total') && labels.includes('$states'));
  assert.ok(!labels.includes('$eval'));
  assert.equal(r.from, def('{% $su| %}').indexOf('|') - 3);
  assert.equal(r.options.find((o) => o.label === '$sum').detail, '(array)');

  r = completeAt(def('{% $states.| %}'));
  assert.deepEqual(r.options.map((o) => o.label), ['input', 'result', 'errorOutput', 'context']);
  r = completeAt(def('{% $states.context.| %}'));
  assert.deepEqual(r.options.map((o) => o.label), ['Execution', 'State', 'StateMachine', 'Task', 'Map']);
  r = completeAt(def('{% $states.context.Execution.St| %}'));
  assert.deepEqual(r.options.map((o) => o.label), Object.keys(STATES.context.fields.Execution.fields));
  assert.equal(r.from, def('{% $states.context.Execution.St| %}').indexOf('|') - 2);
  r = completeAt(def('{% $states.context.Map.Item.| %}'));
  assert.deepEqual(r.options.map((o) => o.label), ['Index', 'Value', 'Key', 'Source']);

  // Not in an expression: nothing.
  assert.equal(completeAt(def('$su|')), null);
  assert.equal(completeAt(def('{% 1 %} $su|')), null);
  assert.equal(completeAt(`{"StartAt": "A|"}`), null);
  assert.equal(completeAt(`{"a": 1|}`), null);
  // An explicit request (Ctrl-Space) with no $ yet offers everything.
  assert.ok(completeAt(def('{% | %}'), true).options.length > 69);
});

// A history as AWS records it: Assign in the first state, a Parallel whose
// branch reads and assigns, a Map whose iterations assign, then a last state.
function ev(id, prev, type, det) {
  const key = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : type.endsWith('StateExited') ? 'stateExitedEventDetails'
    : type === 'MapIterationStarted' ? 'mapIterationStartedEventDetails' : null;
  return { id, previousEventId: prev, type, timestamp: 1700000000 + id, ...(key ? { [key]: det } : {}) };
}
const vars = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)]));
const exited = (name, av) => ({ name, output: '{}', outputDetails: { truncated: false }, ...(av ? { assignedVariables: vars(av), assignedVariablesDetails: { truncated: false } } : {}) });

test('variablesAt: assigned variables and the scope along a thread, branches and iterations', () => {
  const events = [
    ev(1, 0, 'ExecutionStarted'),
    ev(2, 0, 'PassStateEntered', { name: 'Init' }),
    ev(3, 2, 'PassStateExited', exited('Init', { a: 1, b: 'x' })),
    ev(4, 3, 'ParallelStateEntered', { name: 'Fork' }),
    ev(5, 4, 'ParallelStateStarted'),
    ev(6, 5, 'PassStateEntered', { name: 'B1' }),
    ev(7, 5, 'PassStateEntered', { name: 'B2' }),
    ev(8, 6, 'PassStateExited', exited('B1', { local: 1 })),
    ev(9, 8, 'PassStateEntered', { name: 'B1b' }),
    ev(10, 7, 'PassStateExited', exited('B2', { other: 2 })),
    ev(11, 9, 'PassStateExited', exited('B1b')),
    ev(12, 11, 'ParallelStateSucceeded'),
    ev(13, 12, 'ParallelStateExited', exited('Fork', { b: 'y' })),
    ev(14, 13, 'MapStateEntered', { name: 'Loop' }),
    ev(15, 14, 'MapStateStarted', { length: 2 }),
    ev(16, 15, 'MapIterationStarted', { name: 'Loop', index: 0 }),
    ev(17, 16, 'PassStateEntered', { name: 'Item' }),
    ev(18, 17, 'MapIterationStarted', { name: 'Loop', index: 1 }),
    ev(19, 18, 'PassStateEntered', { name: 'Item' }),
    ev(20, 17, 'PassStateExited', exited('Item', { it: 0 })),
    ev(21, 20, 'PassStateEntered', { name: 'Item2' }),
    ev(22, 19, 'PassStateExited', exited('Item', { it: 1 })),
    ev(23, 22, 'PassStateEntered', { name: 'Item2' }),
    ev(24, 21, 'PassStateExited', exited('Item2')),
    ev(25, 23, 'PassStateExited', exited('Item2')),
    ev(26, 25, 'MapStateSucceeded'),
    ev(27, 26, 'MapStateExited', exited('Loop')),
    ev(28, 27, 'PassStateEntered', { name: 'Done' }),
    ev(29, 28, 'PassStateExited', exited('Done')),
    ev(30, 29, 'ExecutionSucceeded'),
  ];
  const model = analyze(events, 'SUCCEEDED');
  const at = (id) => variablesAt(model, id);
  assert.deepEqual(at(2), { assigned: { a: 1, b: 'x' }, truncated: false, scope: {} });
  assert.deepEqual(at(4).scope, { a: 1, b: 'x' });
  assert.deepEqual(at(4).assigned, { b: 'y' });
  // A branch sees the outer scope and its own earlier assignments, not its sibling's.
  assert.deepEqual(at(6).scope, { a: 1, b: 'x' });
  assert.deepEqual(at(9).scope, { a: 1, b: 'x', local: 1 });
  assert.deepEqual(at(7).scope, { a: 1, b: 'x' });
  assert.deepEqual(variablesAt(model, 999), { assigned: null, truncated: false, scope: {} });
  // Each Map iteration has its own thread.
  assert.deepEqual(at(17).scope, { a: 1, b: 'y' });
  assert.deepEqual(at(21).scope, { a: 1, b: 'y', it: 0 });
  assert.deepEqual(at(23).scope, { a: 1, b: 'y', it: 1 });
  assert.equal(at(21).assigned, null);
  assert.deepEqual(at(28).scope, { a: 1, b: 'y' });
});
