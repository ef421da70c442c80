// Stepwise's glue around jsonata-js (run by jsonata.go). Everything that
// would read the outside world comes from Go: __now, __random, __uuid.
(function () {
  var RealDate = Date;
  function StepwiseDate() {
    if (!(this instanceof StepwiseDate)) {
      return new RealDate(__now()).toString();
    }
    if (arguments.length === 0) {
      return new RealDate(__now());
    }
    var args = [null];
    for (var i = 0; i < arguments.length; i++) args.push(arguments[i]);
    return new (Function.prototype.bind.apply(RealDate, args))();
  }
  StepwiseDate.prototype = RealDate.prototype;
  StepwiseDate.UTC = RealDate.UTC;
  StepwiseDate.parse = RealDate.parse;
  StepwiseDate.now = function () { return __now(); };
  Date = StepwiseDate;
  Math.random = function () { return __random(); };
})();

var window = { btoa: __btoa, atob: __atob };

function __fail(message) {
  // errors of Step Functions' own functions carry no JSONata code
  return { code: '', message: message };
}

function __isArray(a) { return Array.isArray(a); }

// Step Functions' functions, added to every expression.
var __sfnFunctions = {
  partition: [function (arr, size) {
    if (!__isArray(arr)) throw __fail('The first argument of $partition must be an array');
    if (typeof size !== 'number' || size <= 0 || Math.floor(size) !== size) throw __fail('The chunk size argument of $partition must be a positive integer');
    var out = [];
    for (var i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
    return out;
  }, '<an:a>'],
  range: [function (start, end, step) {
    if (Math.floor(start) !== start || Math.floor(end) !== end || Math.floor(step) !== step) throw __fail('The arguments of $range must be integers');
    if (step === 0) throw __fail('The step argument of $range cannot be zero');
    var out = [];
    out.sequence = true;
    if (step > 0) { for (var i = start; i <= end; i += step) out.push(i); }
    else { for (var j = start; j >= end; j += step) out.push(j); }
    if (out.length > 1000) throw __fail('The $range function cannot produce more than 1000 items');
    return out;
  }, '<nnn:a>'],
  hash: [function (value, algorithm) {
    return __hash(value, algorithm);
  }, '<ss:s>'],
  random: [function (seed) {
    if (seed === undefined) return __random();
    // a seeded generator: the same seed gives the same number
    var s = Math.floor(seed) % 2147483647;
    if (s <= 0) s += 2147483646;
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  }, '<n?:n>'],
  uuid: [function () { return __uuid(); }, '<:s>'],
  parse: [function (text) {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw __fail('The $parse function could not parse the string as JSON: ' + text);
    }
  }, '<s:j>']
};

var __cache = new Map();
var __steps = 0;
var __stepLimit = 0;
var __depth = 0;

function __entry() {
  if (++__depth > __maxDepth) {
    throw { code: 'U1001', message: 'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.' };
  }
  if (++__steps > __stepLimit) {
    throw { code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop' };
  }
}

function __exit() {
  __depth--;
}

function __compile(src) {
  var e = jsonata(src);
  for (var name in __sfnFunctions) {
    e.registerFunction(name, __sfnFunctions[name][0], __sfnFunctions[name][1]);
  }
  e.assign('eval', undefined);
  e.assign(Symbol.for('jsonata.__evaluate_entry'), __entry);
  e.assign(Symbol.for('jsonata.__evaluate_exit'), __exit);
  return e;
}

function __get(src) {
  var e = __cache.get(src);
  if (e === undefined) {
    e = __compile(src);
    if (__cache.size >= 256) __cache.clear();
    __cache.set(src, e);
  }
  return e;
}

function __kind(v) {
  if (v === undefined) return { kind: 'undefined' };
  if (typeof v === 'function' || (v && (v._jsonata_lambda || v._jsonata_function))) return { kind: 'function' };
  return { kind: 'json', json: JSON.stringify(v, function (k, x) {
    if (x && (x._jsonata_lambda || x._jsonata_function)) return '';
    return x;
  }) };
}

// __eval evaluates src with the variables in the JSON text bindings. The
// result is filled in when the promise settles, which goja does before the
// call returns to Go.
function __eval(src, bindings, input) {
  var out = {};
  var e;
  try {
    e = __get(src);
  } catch (err) {
    out.error = err;
    return out;
  }
  __steps = 0;
  __stepLimit = __maxSteps();
  __depth = 0;
  e.evaluate(input === '' ? undefined : JSON.parse(input), JSON.parse(bindings)).then(function (v) {
    try {
      var k = __kind(v);
      out.kind = k.kind;
      out.json = k.json;
    } catch (err) {
      out.error = err;
    }
  }, function (err) { out.error = err; });
  return out;
}

// __inspect parses src: {error} or {vars: names of the variables read}.
function __inspect(src) {
  var e;
  try {
    e = jsonata(src);
  } catch (err) {
    return { error: err };
  }
  var seen = {};
  var vars = [];
  (function walk(n) {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) { for (var i = 0; i < n.length; i++) walk(n[i]); return; }
    if (n.type === 'variable' && typeof n.value === 'string' && n.value !== '' && !seen[n.value]) {
      seen[n.value] = true;
      vars.push(n.value);
    }
    for (var k in n) {
      if (k !== 'position' && Object.prototype.hasOwnProperty.call(n, k)) walk(n[k]);
    }
  })(e.ast());
  return { vars: vars };
}
