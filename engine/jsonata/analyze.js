// __analyze parses src and reports what Step Functions checks before it
// accepts an expression (run by analyze.go): {error} for a syntax error,
// otherwise {top: names read from the context item at the top level ("$"
// for the item itself), root: whether "$$" is read, states: fields of
// $states read}.
function __analyze(src) {
  var e;
  try {
    e = jsonata(src);
  } catch (err) {
    return { error: err };
  }
  var top = [], seenTop = {}, states = [], seenStates = {}, root = false;
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
        if (n.value === '$') root = true;
        else if (n.value === '' && atTop) addTop('$');
        break;
      case 'lambda':
        // The body reads the context of the caller: the top level.
        walk(n.body, true);
        return;
      case 'transform':
        walkChildren(n, false);
        return;
    }
    walkChildren(n, atTop);
  }
  walk(e.ast(), true);
  return { top: top, root: root, states: states };
}
