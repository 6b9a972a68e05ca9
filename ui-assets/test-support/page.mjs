// A fake page and a fake core for the node tests: traykit.js (and optionally
// tauri-compat.js) run in a `vm` context whose global is the page's `window`.
// `window.ipc.postMessage` checks the envelope the host checks ("<secret>
// <seq>\n" first) and records the text after it; unless `manual` is set, a
// small core answers them the way the Rust side does, in a later macrotask.
// traykit.js is evaluated the way the host injects it: inside a function
// whose parameter __TRAYKIT_SECRET__ is the webview's secret.
//
// Values created inside the context come from another realm (another
// Object.prototype), so compare them through `plain()`.
import vm from 'node:vm';
import { readFileSync } from 'node:fs';

const read = (name) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
export const TRAYKIT_JS = read('traykit.js');
export const TAURI_COMPAT_JS = read('tauri-compat.js');

/** The webview secret the fake host expects (a real one is random). */
export const SECRET = '00112233445566778899aabbccddeeff';

/** A deep copy in this realm, for deepStrictEqual. */
export const plain = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Lets pending microtasks and macrotasks (the fake core's answers) run. */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A JSON-RPC error a fake method throws. */
export class CoreError {
  constructor(code, message, data) {
    Object.assign(this, { code, message });
    if (data !== undefined) this.data = data;
  }
}

/**
 * @param {object} [opts]
 * @param {string} [opts.label]  the window label given in __TRAYKIT_META__ (none when null)
 * @param {boolean} [opts.compat]  also evaluate tauri-compat.js
 * @param {boolean} [opts.manual]  no fake core: the test calls receive() itself
 * @param {Record<string, Function>} [opts.methods]  app methods: params -> result, throw CoreError to fail
 */
export function createPage({ label = 'main', compat = false, manual = false, methods = {} } = {}) {
  const posts = []; // the text of every message given to postMessage, envelope removed
  const seqs = []; // the envelope's sequence number of each
  const logs = { error: [], warn: [] };
  const listening = new Set(); // events this window asked the core for
  let inflight = 0;

  const context = vm.createContext({
    queueMicrotask,
    console: {
      error: (...args) => logs.error.push(args),
      warn: (...args) => logs.warn.push(args),
      log: () => {},
    },
  });
  vm.runInContext('globalThis.window = globalThis', context);
  const window = context;
  if (label !== null) window.__TRAYKIT_META__ = { label };
  window.ipc = {
    postMessage(text) {
      if (typeof text !== 'string') throw new TypeError('postMessage takes a string');
      const envelope = new RegExp('^' + SECRET + ' ([0-9]+)\n').exec(text);
      if (!envelope) throw new Error('fake host: a post without the envelope: ' + text.slice(0, 80));
      seqs.push(Number(envelope[1]));
      text = text.slice(envelope[0].length);
      posts.push(text);
      if (!manual) {
        inflight += 1;
        setImmediate(() => {
          inflight -= 1;
          answer(JSON.parse(text));
        });
      }
    },
  };

  const eventMessage = (event, payload, source) => ({
    jsonrpc: '2.0',
    method: 'event',
    params: { event, payload, source },
  });

  function call(method, params) {
    switch (method) {
      case 'event.listen':
        listening.add(params.event);
        return { result: null };
      case 'event.unlisten':
        listening.delete(params.event);
        return { result: null };
      case 'event.emit':
        // Echoed to every listening window, the emitter included.
        return {
          result: null,
          events: listening.has(params.event) ? [eventMessage(params.event, params.payload, label)] : [],
        };
      case 'event.emit_to':
        return {
          result: null,
          events: params.target === label && listening.has(params.event)
            ? [eventMessage(params.event, params.payload, label)]
            : [],
        };
      default:
        if (!Object.hasOwn(methods, method)) {
          return { error: { code: -32601, message: `Method not found: ${method}` } };
        }
        try {
          return { result: methods[method](params) ?? null };
        } catch (err) {
          if (err instanceof CoreError) return { error: { ...err } };
          throw err;
        }
    }
  }

  function answer(incoming) {
    const out = [];
    for (const msg of Array.isArray(incoming) ? incoming : [incoming]) {
      const { result, error, events = [] } = call(msg.method, msg.params);
      out.push(...events);
      if (msg.id !== undefined) {
        out.push(error ? { jsonrpc: '2.0', id: msg.id, error } : { jsonrpc: '2.0', id: msg.id, result });
      }
    }
    if (out.length) window.__TRAYKIT__.receive(out.length === 1 ? out[0] : out);
  }

  vm.runInContext(`(function (__TRAYKIT_SECRET__) {\n${TRAYKIT_JS}\n})(${JSON.stringify(SECRET)});`, context, {
    filename: 'traykit.js',
    lineOffset: -1,
  });
  if (compat) vm.runInContext(TAURI_COMPAT_JS, context, { filename: 'tauri-compat.js' });

  return {
    window,
    posts,
    seqs,
    logs,
    listening,
    /** The posted messages, parsed (batches stay arrays). */
    get sent() {
      return posts.map((text) => JSON.parse(text));
    },
    /** Every posted message, batches flattened. */
    get sentFlat() {
      return posts.flatMap((text) => [JSON.parse(text)].flat());
    },
    /** The core sends an event to this window, as a notification. */
    deliver(event, payload, source = null) {
      window.__TRAYKIT__.receive(eventMessage(event, payload, source));
    },
    /** Evaluates code in the page. */
    run(code) {
      return vm.runInContext(code, context);
    },
    /** Waits until the page and the fake core have nothing left to do. */
    async idle() {
      for (let seen = -1; seen !== posts.length || inflight > 0; ) {
        seen = posts.length;
        await tick();
      }
    },
  };
}
