// The engine in a Web Worker (see load({worker: true}) in stepwise.js):
// calls come in as messages, events and tasks go out as messages, so a
// 10,000-item Map never freezes the page.
import { startEngine, engineHost } from './stepwise.js';

let host = null;

self.onmessage = async ({ data }) => {
  if (data.type === 'start') {
    try {
      const core = await startEngine(new URL(data.base));
      host = engineHost(core, {
        onEvent: (executionArn, event) => self.postMessage({ type: 'event', executionArn, event }),
        onTask: (task) => self.postMessage({ type: 'task', task }),
      });
      self.postMessage({ type: 'ready' });
    } catch (e) {
      self.postMessage({ type: 'failed', message: String(e && e.message || e) });
    }
    return;
  }
  if (data.type === 'call') {
    try {
      const result = host[data.method](...data.args);
      self.postMessage({ type: 'result', id: data.id, result });
    } catch (e) {
      self.postMessage({ type: 'result', id: data.id, error: String(e && e.message || e) });
    }
  }
};
