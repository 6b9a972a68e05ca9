// tauri-compat.js: Tauri v2's page internals on top of traykit.js.
//
// `tauri` below replays exactly what @tauri-apps/api 2.12.5 (core.js and
// event.js) does with those internals, so these tests need no npm package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { createPage, CoreError, plain, TAURI_COMPAT_JS } from '../test-support/page.mjs';

function tauriApi(window) {
  const invoke = (cmd, args = {}, options) => window.__TAURI_INTERNALS__.invoke(cmd, args, options);
  const transformCallback = (cb, once = false) => window.__TAURI_INTERNALS__.transformCallback(cb, once);
  async function _unlisten(event, eventId) {
    window.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener(event, eventId);
    await invoke('plugin:event|unlisten', { event, eventId });
  }
  async function listen(event, handler, options) {
    const target = typeof options?.target === 'string'
      ? { kind: 'AnyLabel', label: options.target }
      : (options?.target ?? { kind: 'Any' });
    return invoke('plugin:event|listen', { event, target, handler: transformCallback(handler) })
      .then((eventId) => async () => _unlisten(event, eventId));
  }
  async function once(event, handler, options) {
    return listen(event, (eventData) => {
      void _unlisten(event, eventData.id);
      handler(eventData);
    }, options);
  }
  async function emit(event, payload) {
    await invoke('plugin:event|emit', { event, payload });
  }
  async function emitTo(target, event, payload) {
    const eventTarget = typeof target === 'string' ? { kind: 'AnyLabel', label: target } : target;
    await invoke('plugin:event|emit_to', { target: eventTarget, event, payload });
  }
  return { invoke, listen, once, emit, emitTo };
}

function compatPage(opts = {}) {
  const page = createPage({
    label: 'main',
    compat: true,
    methods: {
      greet: ({ name }) => `hello ${name}`,
      echo: (params) => params,
      fail: () => {
        throw new CoreError(-32000, 'it failed', { why: 'test' });
      },
    },
    ...opts,
  });
  return { page, tauri: tauriApi(page.window) };
}

const sentMethods = (page) => page.sentFlat.map((m) => m.method);

test('invoke becomes a JSON-RPC request with the args as params', async () => {
  const { page, tauri } = compatPage();
  assert.equal(await tauri.invoke('greet', { name: 'tauri' }), 'hello tauri');
  assert.deepEqual(plain(await tauri.invoke('echo')), {});
  assert.deepEqual(plain(await page.window.__TAURI_INTERNALS__.invoke('echo', null)), {});
  assert.deepEqual(page.sentFlat, [
    { jsonrpc: '2.0', id: 1, method: 'greet', params: { name: 'tauri' } },
    { jsonrpc: '2.0', id: 2, method: 'echo', params: {} },
    { jsonrpc: '2.0', id: 3, method: 'echo', params: {} },
  ]);
});

test('a failing command rejects with the TraykitError itself', async () => {
  const { page, tauri } = compatPage();
  const err = await tauri.invoke('fail').catch((e) => e);
  assert.ok(err instanceof page.window.__TRAYKIT__.TraykitError);
  assert.equal(err.message, 'it failed');
  assert.equal(err.code, -32000);
  assert.deepEqual(plain(err.data), { why: 'test' });
});

test('raw payloads become number arrays; Maps and __TAURI_TO_IPC_KEY__ serialize as in Tauri', async () => {
  const { page, tauri } = compatPage();
  assert.deepEqual(plain(await tauri.invoke('echo', new Uint8Array([1, 2, 255]))), [1, 2, 255]);
  assert.deepEqual(plain(await tauri.invoke('echo', new Uint8Array([9, 8, 7]).buffer)), [9, 8, 7]);
  const view = new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3);
  assert.deepEqual(plain(await tauri.invoke('echo', view)), [1, 2]);
  // Made inside the page too (another realm than this test's).
  assert.deepEqual(plain(await tauri.invoke('echo', page.run('new Uint16Array([258]).buffer'))), [2, 1]);

  class Size {
    constructor(w, h) {
      Object.assign(this, { w, h });
    }
    __TAURI_TO_IPC_KEY__() {
      return { Logical: { width: this.w, height: this.h } };
    }
  }
  const args = { bytes: new Uint8Array([5]), map: new Map([['k', 1]]), size: new Size(3, 4), n: 1 };
  assert.deepEqual(plain(await tauri.invoke('echo', args)), {
    bytes: [5],
    map: { k: 1 },
    size: { Logical: { width: 3, height: 4 } },
    n: 1,
  });
  assert.deepEqual(page.sentFlat[0].params, [1, 2, 255]);
});

test('plugin:event|listen subscribes through traykit and resolves with an event id', async () => {
  const { page, tauri } = compatPage();
  const seen = [];
  const unlisten = await tauri.listen('ping', (e) => seen.push(plain(e)));
  assert.equal(typeof unlisten, 'function');
  assert.deepEqual(page.sentFlat, [{ jsonrpc: '2.0', id: 1, method: 'event.listen', params: { event: 'ping' } }]);

  page.deliver('ping', { n: 1 }, 'other');
  assert.equal(seen.length, 1);
  const [e] = seen;
  assert.deepEqual(Object.keys(e).sort(), ['event', 'id', 'payload']);
  assert.equal(e.event, 'ping');
  assert.deepEqual(e.payload, { n: 1 });
  assert.equal(typeof e.id, 'number');
  assert.ok(page.window.__TAURI_INTERNALS__.callbacks.has(e.id), 'the event id is the handler callback id');
});

test('emit and emitTo map to event.emit / event.emit_to, and the echo reaches listen()', async () => {
  const { page, tauri } = compatPage();
  const seen = [];
  await tauri.listen('ping', (e) => seen.push(e.payload));
  assert.equal(await tauri.emit('ping', { n: 1 }), undefined);
  await tauri.emitTo('main', 'ping', 2);
  await tauri.emitTo({ kind: 'WebviewWindow', label: 'main' }, 'ping', 3);
  await tauri.emitTo({ kind: 'Any' }, 'ping', 4);
  await tauri.emitTo('someone-else', 'ping', 5);
  assert.deepEqual(plain(seen), [{ n: 1 }, 2, 3, 4]);
  const calls = page.sentFlat.filter((m) => m.method.startsWith('event.emit'));
  assert.deepEqual(calls.map((m) => [m.method, m.params]), [
    ['event.emit', { event: 'ping', payload: { n: 1 } }],
    ['event.emit_to', { target: 'main', event: 'ping', payload: 2 }],
    ['event.emit_to', { target: 'main', event: 'ping', payload: 3 }],
    ['event.emit', { event: 'ping', payload: 4 }],
    ['event.emit_to', { target: 'someone-else', event: 'ping', payload: 5 }],
  ]);
  assert.ok(sentMethods(page).every((m) => !m.startsWith('plugin:')), 'plugin:event commands never reach the core');
});

test('unlisten unregisters the callback and sends event.unlisten for the last listener', async () => {
  const { page, tauri } = compatPage();
  const seenA = [];
  const seenB = [];
  const unA = await tauri.listen('ping', (e) => seenA.push(e.payload));
  const unB = await tauri.listen('ping', (e) => seenB.push(e.payload));
  const callbacks = page.window.__TAURI_INTERNALS__.callbacks;
  assert.equal(callbacks.size, 2);

  await unA();
  assert.equal(callbacks.size, 1);
  page.deliver('ping', 1);
  assert.deepEqual([seenA, seenB], [[], [1]]);
  assert.equal(sentMethods(page).includes('event.unlisten'), false);

  await unB();
  assert.equal(callbacks.size, 0);
  assert.deepEqual(sentMethods(page), ['event.listen', 'event.unlisten']);
  assert.deepEqual(page.sentFlat.at(-1).params, { event: 'ping' });
  assert.equal(page.listening.has('ping'), false);
});

test('unregisterListener alone stops delivery at once', async () => {
  const { page, tauri } = compatPage();
  const seen = [];
  const un = await tauri.listen('ping', (e) => seen.push(e.payload));
  page.deliver('ping', 1);
  const id = page.window.__TAURI_INTERNALS__.callbacks.keys().next().value;
  page.window.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener('ping', id);
  page.deliver('ping', 2);
  assert.deepEqual(seen, [1]);
  await un(); // the plugin:event|unlisten that follows is harmless
  await page.idle();
  assert.deepEqual(sentMethods(page), ['event.listen', 'event.unlisten']);
  assert.equal(page.logs.warn.length, 0);
});

test('once (which unlistens by the id it receives) fires once', async () => {
  const { page, tauri } = compatPage();
  const seen = [];
  await tauri.once('ready', (e) => seen.push(e.payload));
  await tauri.emit('ready', 'a');
  await tauri.emit('ready', 'b');
  await page.idle();
  assert.deepEqual(seen, ['a']);
  assert.equal(page.listening.has('ready'), false);
  assert.equal(page.window.__TAURI_INTERNALS__.callbacks.size, 0);
});

test('a refused subscription rejects listen and drops its callback', async () => {
  const { page } = compatPage({ manual: true });
  const tauri = tauriApi(page.window);
  const p = tauri.listen('secret', () => {});
  await page.idle();
  page.window.__TRAYKIT__.receive({ jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'not allowed' } });
  await assert.rejects(p, { message: 'not allowed' });
  assert.equal(page.window.__TAURI_INTERNALS__.callbacks.size, 0);
});

test('unknown plugin:event commands reject locally', async () => {
  const { page, tauri } = compatPage();
  await assert.rejects(tauri.invoke('plugin:event|frobnicate', {}), { code: -32601 });
  assert.equal(page.posts.length, 0);
});

test('transformCallback, runCallback and unregisterCallback', () => {
  const { page } = compatPage();
  const I = page.window.__TAURI_INTERNALS__;
  const got = [];
  const a = I.transformCallback((d) => got.push(['a', d]));
  const b = I.transformCallback((d) => got.push(['b', d]), true);
  assert.notEqual(a, b);
  assert.ok(Number.isInteger(a) && Number.isInteger(b));
  assert.ok(I.callbacks.has(a) && I.callbacks.has(b));

  I.runCallback(a, 1);
  I.runCallback(a, 2);
  I.runCallback(b, 3);
  I.runCallback(b, 4); // once: gone after the first run
  assert.deepEqual(got, [['a', 1], ['a', 2], ['b', 3]]);
  assert.equal(I.callbacks.has(b), false);
  assert.equal(page.logs.warn.length, 1);

  I.unregisterCallback(a);
  I.runCallback(a, 5);
  assert.equal(got.length, 3);
  assert.equal(I.callbacks.size, 0);

  // Tauri's Channel calls transformCallback with no callback at all.
  const c = I.transformCallback(undefined);
  I.runCallback(c, 6);
});

test('metadata, convertFileSrc, isTauri and path constants', () => {
  const { page } = compatPage();
  const I = page.window.__TAURI_INTERNALS__;
  assert.deepEqual(plain(I.metadata), {
    currentWindow: { label: 'main' },
    currentWebview: { windowLabel: 'main', label: 'main' },
  });
  assert.equal(I.convertFileSrc('/home/me/a b.png'), 'asset://localhost/%2Fhome%2Fme%2Fa%20b.png');
  assert.equal(I.convertFileSrc('/x', 'stream'), 'stream://localhost/%2Fx');
  assert.equal(page.window.isTauri, true);
  assert.deepEqual(plain(I.plugins.path), { sep: '/', delimiter: ':' });
});

test('evaluating tauri-compat.js twice keeps the first instance', async () => {
  const { page, tauri } = compatPage();
  const seen = [];
  await tauri.listen('ping', (e) => seen.push(e.payload));
  const internals = page.window.__TAURI_INTERNALS__;
  page.run(TAURI_COMPAT_JS);
  assert.equal(page.window.__TAURI_INTERNALS__, internals);
  assert.equal(internals.callbacks.size, 1);
  page.deliver('ping', 1);
  assert.deepEqual(seen, [1]);
});

test('without traykit.js it logs and defines nothing', () => {
  const errors = [];
  const context = vm.createContext({ console: { error: (...a) => errors.push(a) } });
  vm.runInContext('globalThis.window = globalThis', context);
  vm.runInContext(TAURI_COMPAT_JS, context);
  assert.equal(context.__TAURI_INTERNALS__, undefined);
  assert.equal(errors.length, 1);
});
