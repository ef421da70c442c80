// jsonata.js adds JSONata support to the definition editor: `{% ... %}`
// expressions inside JSON strings get their own highlighting (delimiters,
// functions, variables, $states, literals), and typing inside one completes
// the JSONata 2.x built-ins, Step Functions' own functions, `$states.`
// fields and the variables the definition's Assign fields bind.
//
// No maintained CodeMirror/Lezer JSONata grammar is published on npm, so the
// highlighting is a small tokenizer run over the visible JSON strings and
// applied as decorations on top of the JSON language.

import { EditorView, ViewPlugin, Decoration } from '@codemirror/view';
import { RangeSetBuilder } from '@codemirror/state';
import { syntaxTree } from '@codemirror/language';
import { jsonLanguage } from '@codemirror/lang-json';

/**
 * FUNCTIONS lists every function a JSONata expression in Step Functions can
 * call: the JSONata 2.x built-ins except $eval (which Step Functions does not
 * support) and Step Functions' own. Each entry is [name, signature, summary].
 */
export const FUNCTIONS = [
  // String
  ['$string', '$string(arg[, prettify])', 'Casts arg to a string; objects and arrays become JSON.'],
  ['$length', '$length(str)', 'The number of characters in str.'],
  ['$substring', '$substring(str, start[, length])', 'The part of str from start (0-based; negative counts from the end), length characters long.'],
  ['$substringBefore', '$substringBefore(str, chars)', 'The part of str before the first occurrence of chars.'],
  ['$substringAfter', '$substringAfter(str, chars)', 'The part of str after the first occurrence of chars.'],
  ['$uppercase', '$uppercase(str)', 'str in upper case.'],
  ['$lowercase', '$lowercase(str)', 'str in lower case.'],
  ['$trim', '$trim(str)', 'str with surrounding whitespace removed and inner runs collapsed to one space.'],
  ['$pad', '$pad(str, width[, char])', 'str padded to width with char (negative width pads on the left).'],
  ['$contains', '$contains(str, pattern)', 'Whether str contains pattern (a string or a regex).'],
  ['$split', '$split(str, separator[, limit])', 'Splits str into an array of substrings at separator (a string or a regex).'],
  ['$join', '$join(array[, separator])', 'Joins an array of strings with separator.'],
  ['$match', '$match(str, pattern[, limit])', 'Matches str against a regex: an array of {match, index, groups}.'],
  ['$replace', '$replace(str, pattern, replacement[, limit])', 'Replaces occurrences of pattern (a string or a regex) in str.'],
  ['$base64encode', '$base64encode(str)', 'Base64-encodes str (UTF-8).'],
  ['$base64decode', '$base64decode(str)', 'Decodes a Base64 string (UTF-8).'],
  ['$encodeUrlComponent', '$encodeUrlComponent(str)', 'Percent-encodes str as a URL component.'],
  ['$encodeUrl', '$encodeUrl(str)', 'Percent-encodes str as a full URL.'],
  ['$decodeUrlComponent', '$decodeUrlComponent(str)', 'Decodes a percent-encoded URL component.'],
  ['$decodeUrl', '$decodeUrl(str)', 'Decodes a percent-encoded URL.'],
  // Numeric
  ['$number', '$number(arg)', 'Casts arg to a number (numeric strings, booleans).'],
  ['$abs', '$abs(number)', 'The absolute value of number.'],
  ['$floor', '$floor(number)', 'number rounded down.'],
  ['$ceil', '$ceil(number)', 'number rounded up.'],
  ['$round', '$round(number[, precision])', 'number rounded half to even, to precision decimal places.'],
  ['$power', '$power(base, exponent)', 'base raised to exponent.'],
  ['$sqrt', '$sqrt(number)', 'The square root of number.'],
  ['$formatNumber', '$formatNumber(number, picture[, options])', 'Formats number with an XPath decimal picture, e.g. "#,##0.00".'],
  ['$formatBase', '$formatBase(number[, radix])', 'number as a string in radix 2-36.'],
  ['$formatInteger', '$formatInteger(number, picture)', 'Formats an integer with an XPath integer picture (e.g. "w" for words).'],
  ['$parseInteger', '$parseInteger(string, picture)', 'Parses an integer written in an XPath integer picture.'],
  // Aggregation
  ['$sum', '$sum(array)', 'The sum of an array of numbers.'],
  ['$max', '$max(array)', 'The largest number of an array.'],
  ['$min', '$min(array)', 'The smallest number of an array.'],
  ['$average', '$average(array)', 'The mean of an array of numbers.'],
  // Boolean
  ['$boolean', '$boolean(arg)', 'Casts arg to a boolean (JSONata truthiness).'],
  ['$not', '$not(arg)', 'The logical negation of arg.'],
  ['$exists', '$exists(arg)', 'Whether arg evaluates to a value (a missing field does not).'],
  // Array
  ['$count', '$count(array)', 'The number of items in array.'],
  ['$append', '$append(array1, array2)', 'array1 followed by array2.'],
  ['$sort', '$sort(array[, function])', 'array sorted; function($l, $r) returns true to swap.'],
  ['$reverse', '$reverse(array)', 'array in reverse order.'],
  ['$shuffle', '$shuffle(array)', 'array in random order.'],
  ['$distinct', '$distinct(array)', 'array without duplicate values.'],
  ['$zip', '$zip(array1, ...)', 'Convolves arrays: [[a1, b1], [a2, b2], ...].'],
  // Object
  ['$keys', '$keys(object)', 'The keys of object (or of the objects of an array).'],
  ['$lookup', '$lookup(object, key)', 'The value of key in object.'],
  ['$spread', '$spread(object)', 'object split into an array of one-key objects.'],
  ['$merge', '$merge(array)', 'Merges an array of objects into one (later keys win).'],
  ['$sift', '$sift(object, function)', 'The entries of object for which function($v, $k) is true.'],
  ['$each', '$each(object, function)', 'An array of function($v, $k) over the entries of object.'],
  ['$error', '$error(message)', 'Throws an error with message.'],
  ['$assert', '$assert(condition, message)', 'Throws an error with message when condition is false.'],
  ['$clone', '$clone(value)', 'A deep copy of value.'],
  ['$type', '$type(value)', 'The type of value: "null", "number", "string", "boolean", "array", "object" or "function".'],
  // Date and time
  ['$now', '$now([picture[, timezone]])', 'The start time of the evaluation as an ISO 8601 timestamp.'],
  ['$millis', '$millis()', 'The start time of the evaluation in milliseconds since the epoch.'],
  ['$fromMillis', '$fromMillis(number[, picture[, timezone]])', 'Milliseconds since the epoch as an ISO 8601 timestamp.'],
  ['$toMillis', '$toMillis(timestamp[, picture])', 'An ISO 8601 timestamp as milliseconds since the epoch.'],
  // Higher-order
  ['$map', '$map(array, function)', 'An array of function($v, $i, $a) applied to every item.'],
  ['$filter', '$filter(array, function)', 'The items of array for which function($v, $i, $a) is true.'],
  ['$single', '$single(array[, function])', 'The one item that matches function; an error when none or several do.'],
  ['$reduce', '$reduce(array, function[, init])', 'Folds array with function($acc, $v) starting from init.'],
  // Step Functions
  ['$partition', '$partition(array, size)', 'Step Functions: array split into chunks of size.'],
  ['$range', '$range(start, end, step)', 'Step Functions: the numbers from start to end (inclusive) by step.'],
  ['$hash', '$hash(data, algorithm)', 'Step Functions: the hex hash of data with MD5, SHA-1, SHA-256, SHA-384 or SHA-512.'],
  ['$random', '$random([seed])', 'Step Functions: a random number in [0, 1); the same seed gives the same number.'],
  ['$uuid', '$uuid()', 'Step Functions: a random version 4 UUID.'],
  ['$parse', '$parse(jsonString)', 'Step Functions: the value a JSON string encodes.'],
];

const leaf = (info) => ({ info });

/**
 * STATES describes the `$states` reserved variable: each field's summary and,
 * for context, the members of the Step Functions context object.
 */
export const STATES = {
  input: leaf("The state's input."),
  result: leaf("The result of the Task, Parallel or Map state, when it succeeded (in Output and Assign)."),
  errorOutput: leaf("The error output {Error, Cause}, in a Catch's Output and Assign."),
  context: {
    info: 'The context object: the execution, state, state machine, task token and Map item.',
    fields: {
      Execution: {
        info: 'The running execution.',
        fields: {
          Id: leaf('The execution ARN.'), Input: leaf("The execution's input."), Name: leaf("The execution's name."),
          RoleArn: leaf("The execution's IAM role."), StartTime: leaf('When the execution started (ISO 8601).'),
          RedriveCount: leaf('How many times the execution was redriven.'), RedriveTime: leaf('When the execution was last redriven.'),
        },
      },
      State: {
        info: 'The current state.',
        fields: {
          EnteredTime: leaf('When the state was entered (ISO 8601).'), Name: leaf("The state's name."),
          RetryCount: leaf('How many retries have run for this state.'),
        },
      },
      StateMachine: { info: 'The state machine.', fields: { Id: leaf('The state machine ARN.'), Name: leaf("The state machine's name.") } },
      Task: { info: 'The Task state.', fields: { Token: leaf('The task token (.waitForTaskToken integrations).') } },
      Map: {
        info: 'The Map iteration (in ItemSelector).',
        fields: {
          Item: {
            info: 'The item being processed.',
            fields: {
              Index: leaf("The item's position, from 0."), Value: leaf("The item's value."),
              Key: leaf("The object's key (a JSON object's items, or an S3 object's key)."), Source: leaf('Where the item came from (Distributed Map).'),
            },
          },
        },
      },
    },
  },
};

/** assignedNames returns the sorted names bound by every Assign field of a definition (text or value). */
export function assignedNames(def) {
  if (typeof def === 'string') {
    try { def = JSON.parse(def); } catch { return []; }
  }
  const names = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, c] of Object.entries(v)) {
      if (k === 'Assign' && c && typeof c === 'object' && !Array.isArray(c)) {
        for (const n of Object.keys(c)) names.add(n.endsWith('.$') ? n.slice(0, -2) : n);
      }
      walk(c);
    }
  };
  walk(def);
  return [...names].sort();
}

const KEYWORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/**
 * tokens splits the source of a JSONata expression, as written inside a JSON
 * string (so quotes may be escaped as \"), into highlight tokens
 * {from, to, type} with offsets relative to src. Unknown characters are
 * skipped, so any text tokenizes.
 */
export function tokens(src) {
  const out = [];
  let i = 0;
  const push = (from, to, type) => { if (to > from) out.push({ from, to, type }); };
  while (i < src.length) {
    const c = src[i];
    const rest = src.slice(i);
    let m;
    if (/\s/.test(c)) { i++; continue; }
    if (rest.startsWith('/*')) {
      const end = src.indexOf('*/', i + 2);
      const to = end < 0 ? src.length : end + 2;
      push(i, to, 'comment'); i = to; continue;
    }
    if (rest.startsWith('\\"') || c === "'") {
      // A string literal: \"...\" (escaped in the JSON) or '...'.
      const close = c === "'" ? "'" : '\\"';
      let j = i + (c === "'" ? 1 : 2);
      while (j < src.length && !src.startsWith(close, j)) j += src[j] === '\\' && close === "'" ? 2 : 1;
      const to = Math.min(src.length, j + close.length);
      push(i, to, 'string'); i = to; continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const to = end < 0 ? src.length : end + 1;
      push(i, to, 'field'); i = to; continue;
    }
    if ((m = /^\$[A-Za-z0-9_]*/.exec(rest))) {
      const name = m[0];
      const call = /^\s*\(/.test(src.slice(i + name.length));
      push(i, i + name.length, name === '$states' ? 'states' : call && name.length > 1 ? 'fn' : 'var');
      i += name.length; continue;
    }
    if ((m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest))) { push(i, i + m[0].length, 'number'); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      push(i, i + m[0].length, KEYWORDS.has(m[0]) ? 'keyword' : 'field');
      i += m[0].length; continue;
    }
    if ((m = /^(:=|!=|<=|>=|~>|\?:|\?\?|\.\.|[-+*/%&=<>!?:;,.|^#@~(){}[\]])/.exec(rest))) {
      push(i, i + m[0].length, /[(){}[\],;]/.test(m[0]) ? 'punct' : 'op');
      i += m[0].length; continue;
    }
    i++;
  }
  return out;
}

/**
 * expressionIn finds the JSONata expression in the raw content of a JSON
 * string (without its quotes): {open, close} offsets of `{%` and `%}`, or
 * null when the string is not an expression. Like Step Functions, the string
 * must start with `{%` and end with `%}`.
 */
export function expressionIn(content) {
  if (!content.startsWith('{%') || !content.endsWith('%}') || content.length < 4) return null;
  return { open: 0, close: content.length - 2 };
}

const marks = {};
for (const t of ['expr', 'delim', 'fn', 'var', 'states', 'string', 'number', 'keyword', 'field', 'op', 'punct', 'comment']) {
  marks[t] = Decoration.mark({ class: `cm-jsonata-${t}` });
}

function decorate(view) {
  const b = new RangeSetBuilder();
  const { state } = view;
  for (const { from, to } of view.visibleRanges) {
    syntaxTree(state).iterate({
      from, to,
      enter(node) {
        if (node.name !== 'String') return;
        const text = state.sliceDoc(node.from, node.to);
        if (text.length < 2 || !text.endsWith('"')) return;
        const content = text.slice(1, -1);
        const e = expressionIn(content);
        if (!e) return;
        const base = node.from + 1;
        // Marks must be added in order: the expression background spans the
        // whole expression; token marks nest inside it.
        const ranges = [[base, base + content.length, 'expr'], [base, base + 2, 'delim']];
        for (const t of tokens(content.slice(2, e.close))) ranges.push([base + 2 + t.from, base + 2 + t.to, t.type]);
        ranges.push([base + e.close, base + e.close + 2, 'delim']);
        ranges.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
        for (const [f, t, type] of ranges) b.add(f, t, marks[type]);
      },
    });
  }
  return b.finish();
}

const highlighter = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = decorate(view); }
  update(u) {
    if (u.docChanged || u.viewportChanged || syntaxTree(u.startState) !== syntaxTree(u.state)) this.decorations = decorate(u.view);
  }
}, { decorations: (v) => v.decorations });

/**
 * stringAt returns the JSON string the position pos is inside, as
 * {start, text} where start is the offset after the opening quote and text
 * the raw content up to pos; null outside strings. JSON strings cannot span
 * lines, so scanning the line is exact.
 */
export function stringAt(state, pos) {
  const line = state.doc.lineAt(pos);
  const s = line.text.slice(0, pos - line.from);
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (start < 0) { if (s[i] === '"') start = i + 1; continue; }
    if (s[i] === '\\') { i++; continue; }
    if (s[i] === '"') start = -1;
  }
  if (start < 0) return null;
  return { start: line.from + start, text: s.slice(start) };
}

let namesCache = { doc: null, names: [] };
function variablesOf(state) {
  if (namesCache.doc !== state.doc) namesCache = { doc: state.doc, names: assignedNames(state.doc.toString()) };
  return namesCache.names;
}

// Choosing a function inserts its parentheses and puts the cursor between
// them (after them for a function without arguments).
const FN_OPTIONS = FUNCTIONS.map(([label, sig, info]) => ({
  label, detail: sig.slice(label.length), info, type: 'function',
  apply: (view, completion, from, to) => {
    const hasParen = view.state.sliceDoc(to, to + 1) === '(';
    const insert = hasParen ? label : label + '()';
    const cursor = from + label.length + (hasParen ? 1 : sig.endsWith('()') ? 2 : 1);
    view.dispatch({ changes: { from, to, insert }, selection: { anchor: cursor } });
  },
}));

/**
 * complete is the completion source for `{% %}` expressions: `$states.`
 * paths, then functions, variables and $states for a `$` word.
 */
export function complete(ctx) {
  const str = stringAt(ctx.state, ctx.pos);
  if (!str) return null;
  const open = str.text.lastIndexOf('{%');
  if (open < 0 || str.text.indexOf('%}', open + 2) >= 0) return null;
  const expr = str.text.slice(open + 2);
  let m = /\$states((?:\.[A-Za-z0-9_]*)+)$/.exec(expr);
  if (m) {
    const parts = m[1].slice(1).split('.');
    const partial = parts.pop();
    let node = { fields: STATES };
    for (const p of parts) node = node.fields?.[p];
    if (!node || !node.fields) return null;
    return {
      from: ctx.pos - partial.length,
      options: Object.entries(node.fields).map(([label, f]) => ({
        label, type: f.fields ? 'namespace' : 'property', info: f.info, detail: parts.length ? `$states.${parts.join('.')}` : '$states',
      })),
      validFor: /^[A-Za-z0-9_]*$/,
    };
  }
  m = /\$[A-Za-z0-9_]*$/.exec(expr);
  if (!m && !ctx.explicit) return null;
  const word = m ? m[0] : '';
  const vars = variablesOf(ctx.state).map((n) => ({ label: '$' + n, type: 'variable', detail: 'variable', info: 'Bound by an Assign field of this definition.', boost: 2 }));
  return {
    from: ctx.pos - word.length,
    options: [
      { label: '$states', type: 'keyword', detail: 'reserved', info: 'input, result, errorOutput and context of this state.', boost: 3 },
      ...vars,
      ...FN_OPTIONS,
    ],
    validFor: /^\$[A-Za-z0-9_]*$/,
  };
}

const theme = EditorView.baseTheme({
  '.cm-jsonata-expr': { fontStyle: 'normal' },
  // The JSON string colour must not win inside an expression, whichever way
  // the syntax-highlight spans nest with these.
  '.cm-jsonata-expr span:not([class*="cm-jsonata-"])': { color: 'inherit' },
  '&light .cm-jsonata-expr': { backgroundColor: 'rgba(124, 58, 237, 0.07)', color: '#1f2937' },
  '&dark .cm-jsonata-expr': { backgroundColor: 'rgba(167, 139, 250, 0.12)', color: '#e5e7eb' },
  '.cm-jsonata-delim': { fontWeight: '700' },
  '&light .cm-jsonata-delim': { color: '#7c3aed' },
  '&dark .cm-jsonata-delim': { color: '#c4b5fd' },
  '&light .cm-jsonata-fn': { color: '#1d4ed8' },
  '&dark .cm-jsonata-fn': { color: '#93c5fd' },
  '&light .cm-jsonata-var': { color: '#b45309' },
  '&dark .cm-jsonata-var': { color: '#fbbf24' },
  '.cm-jsonata-states': { fontWeight: '600' },
  '&light .cm-jsonata-states': { color: '#be185d' },
  '&dark .cm-jsonata-states': { color: '#f9a8d4' },
  '&light .cm-jsonata-string': { color: '#047857' },
  '&dark .cm-jsonata-string': { color: '#6ee7b7' },
  '&light .cm-jsonata-number': { color: '#0e7490' },
  '&dark .cm-jsonata-number': { color: '#67e8f9' },
  '&light .cm-jsonata-keyword': { color: '#9333ea' },
  '&dark .cm-jsonata-keyword': { color: '#d8b4fe' },
  '&light .cm-jsonata-op': { color: '#6b7280' },
  '&dark .cm-jsonata-op': { color: '#9ca3af' },
  '.cm-jsonata-comment': { fontStyle: 'italic', opacity: '0.7' },
});

/** jsonata returns the editor extensions: highlighting, completion and their theme. */
export function jsonata() {
  return [highlighter, jsonLanguage.data.of({ autocomplete: complete }), theme];
}
