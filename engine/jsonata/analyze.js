// __analyze parses src and reports what Step Functions checks before it
// accepts an expression (run by analyze.go): {error} for a syntax error,
// otherwise {top: names read from the context item at the top level ("$"
// for the item itself), root: whether "$$" is read, states: fields of
// $states read, read: variables read that the expression does not bind
// itself (function names included)}.
function __analyze(src) {
  var e;
  try {
    e = jsonata(src);
  } catch (err) {
    return { error: err };
  }
  var top = [], seenTop = {}, states = [], seenStates = {}, root = false;
  var read = [], seenRead = {}, bound = {};
  (function bind(n) {
    // Names the expression binds itself: lambda parameters and ":=".
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) { for (var i = 0; i < n.length; i++) bind(n[i]); return; }
    if (n.type === 'lambda' && Array.isArray(n.arguments)) {
      for (var a = 0; a < n.arguments.length; a++) bound[n.arguments[a].value] = true;
    }
    if (n.type === 'bind' && n.lhs && n.lhs.type === 'variable') bound[n.lhs.value] = true;
    for (var k in n) {
      if (k !== 'position' && Object.prototype.hasOwnProperty.call(n, k)) bind(n[k]);
    }
  })(e.ast());
  function addTop(name) {
    if (!seenTop[name]) { seenTop[name] = true; top.push(name); }
  }
  // A path step's filters, sort terms and groups read the value of that
  // step, never the top-level context.
  var relative = { stages: true, predicate: true, group: true };
  function walkChildren(n, atTop) {
    for (var k in n) {
      if (k === 'position' || k === 'value' || k === 'type' || !Object.prototype.hasOwnProperty.call(n, k)) continue;
      walk(n[k], atTop && !relative[k]);
    }
  }
  function walk(n, atTop) {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) { for (var i = 0; i < n.length; i++) walk(n[i], atTop); return; }
    switch (n.type) {
      case 'path':
        var steps = n.steps || [];
        if (steps.length > 1 && steps[0].type === 'variable' && steps[0].value === 'states' && steps[1].type === 'name') {
          if (!seenStates[steps[1].value]) { seenStates[steps[1].value] = true; states.push(steps[1].value); }
        }
        // Only the first step reads the context; later steps read the
        // value before them.
        for (var j = 0; j < steps.length; j++) walk(steps[j], atTop && j === 0);
        walk(n.group, false);
        return;
      case 'name':
        if (atTop && typeof n.value === 'string') addTop(n.value);
        break;
      case 'variable':
        if (typeof n.value === 'string' && n.value !== '' && n.value !== '$' && !bound[n.value] && !seenRead[n.value]) {
          seenRead[n.value] = true;
          read.push(n.value);
        }
        if (n.value === '$') root = true;
        else if (n.value === '' && atTop) addTop('$');
        break;
      case 'lambda':
        // The body reads the context of the caller: the top level.
        walk(n.body, true);
        return;
      case 'function':
      case 'partial':
        // The function's name is written before its arguments.
        walk(n.procedure, atTop);
        walk(n.arguments, atTop);
        return;
      case 'bind':
        walk(n.rhs, atTop);
        return;
      case 'transform':
        walkChildren(n, false);
        return;
    }
    walkChildren(n, atTop);
  }
  walk(e.ast(), true);
  return { top: top, root: root, states: states, read: read };
}
