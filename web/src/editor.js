// editor.js builds the CodeMirror editors: the definition (JSON, linted by
// the engine's ValidateStateMachineDefinition) and the small input editor.

import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter, forEachDiagnostic } from '@codemirror/lint';
import { undo, redo, indentWithTab } from '@codemirror/commands';
import { oneDark } from '@codemirror/theme-one-dark';
import { parse, locate } from './jsonpos.js';
import { jsonata } from './jsonata.js';

const themeSlot = new Compartment();

/** isDark tells whether the page currently shows the dark theme. */
export function isDark() {
  const t = document.documentElement.dataset.theme;
  if (t) return t === 'dark';
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

const base = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--surface)', borderRight: '1px solid var(--border)', color: 'var(--faint)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--accent-soft)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent-soft) 45%, transparent)' },
  '.cm-tooltip': { borderRadius: '6px', overflow: 'hidden' },
  // The completion list keeps its description box (a child placed beside
  // it) visible.
  '.cm-tooltip.cm-tooltip-autocomplete': { overflow: 'visible' },
  '.cm-tooltip-autocomplete > ul': { borderRadius: '6px' },
  '.cm-completionInfo': { fontFamily: 'var(--font)', fontSize: '12.5px', padding: '6px 9px', maxWidth: '320px' },
  '.cm-diagnostic': { fontFamily: 'var(--font)', fontSize: '12.5px', maxWidth: '520px' },
  '.cm-diagnosticSource': { fontFamily: 'var(--mono)', opacity: '.75' },
});

function themeExt() {
  return isDark() ? [oneDark, base] : [base];
}

/** retheme switches every editor in views to the page's current theme. */
export function retheme(views) {
  for (const v of views) v.dispatch({ effects: themeSlot.reconfigure(themeExt()) });
}

/**
 * definitionEditor creates the definition editor in parent.
 * validate(text) resolves AWS-style diagnostics or null (engine not ready);
 * onChange(text) and onCursor(pos) report edits and cursor moves.
 */
export function definitionEditor(parent, { doc, validate, onChange, onCursor, onLint, onRun }) {
  const syntax = jsonParseLinter();
  const lint = linter(async (view) => {
    const text = view.state.doc.toString();
    const jsonDiags = syntax(view);
    if (jsonDiags.length) {
      onLint && onLint(jsonDiags.length, 'json');
      return jsonDiags.map((d) => ({ ...d, source: 'JSON' }));
    }
    let diags;
    try {
      diags = await validate(text);
    } catch (e) {
      diags = [{ severity: 'ERROR', code: e.name || 'Error', message: e.message, location: '' }];
    }
    if (!diags) return [];
    if (view.state.doc.toString() !== text) return []; // stale: a newer run follows
    const root = parse(text);
    const out = diags.map((d) => {
      const r = locate(root, d.location);
      const to = Math.max(r.to, r.from + 1);
      return {
        from: Math.min(r.from, text.length), to: Math.min(to, text.length),
        severity: (d.severity || 'ERROR').toUpperCase() === 'WARNING' ? 'warning' : 'error',
        source: d.code || undefined,
        message: d.message + (d.location ? `\nat ${d.location}` : ''),
      };
    });
    onLint && onLint(out.length, 'asl');
    return out;
  }, { delay: 250 });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        EditorView.lineWrapping,
        json(),
        jsonata(),
        lint,
        lintGutter(),
        keymap.of([
          indentWithTab,
          { key: 'Shift-Alt-f', run: (v) => { formatDoc(v); return true; } },
          { key: 'Mod-Enter', run: () => { onRun && onRun(); return true; } },
        ]),
        themeSlot.of(themeExt()),
        EditorView.contentAttributes.of({ 'aria-label': 'State machine definition (JSON)' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
          if (u.selectionSet || u.docChanged) onCursor(u.state.selection.main.head);
        }),
      ],
    }),
  });
  return view;
}

/** inputEditor creates the small JSON editor for the execution input. */
export function inputEditor(parent, { doc, onChange, onRun }) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        json(),
        linter(jsonParseLinter(), { delay: 250 }),
        keymap.of([indentWithTab, { key: 'Mod-Enter', run: () => { onRun && onRun(); return true; } }]),
        themeSlot.of(themeExt()),
        EditorView.contentAttributes.of({ 'aria-label': 'Execution input (JSON)' }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
}

/** setDoc replaces the whole text of view (one undoable change). */
export function setDoc(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** formatDoc pretty-prints the JSON in view; false when it does not parse. */
export function formatDoc(view) {
  const text = view.state.doc.toString();
  let v;
  try { v = JSON.parse(text); } catch { return false; }
  const pretty = JSON.stringify(v, null, 2);
  if (pretty !== text) setDoc(view, pretty);
  return true;
}

/** selectRange selects [from, to) and scrolls it into view. */
export function selectRange(view, from, to) {
  view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  view.focus();
}

/** countDiagnostics counts the current lint diagnostics of view. */
export function countDiagnostics(view) {
  let n = 0;
  forEachDiagnostic(view.state, () => n++);
  return n;
}

export { undo, redo };
