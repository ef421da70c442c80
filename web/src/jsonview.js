// jsonview.js renders a JSON value as highlighted, indented HTML (escaped).

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** jsonHTML returns pretty-printed, syntax-coloured HTML for value. */
export function jsonHTML(value) {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  return esc(text).replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (m, str, colon, lit, num) => {
      if (str) return colon ? `<span class="k">${str}</span>${colon}` : `<span class="s">${str}</span>`;
      if (lit) return `<span class="b">${lit}</span>`;
      return `<span class="n">${num}</span>`;
    },
  );
}
