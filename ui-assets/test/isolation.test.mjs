// isolation.js: the isolation frame's runtime, in a fake sandboxed frame.
// Messages are sealed with WebCrypto and opened here with the same key, the
// way the core opens them (actors/src/isolation.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

const RUNTIME = readFileSync(new URL('../isolation.js', import.meta.url), 'utf8');
const PREFIX = 'traykit-isolation:v1:';

// `top` is the window's top-level page: the parent itself, unless the frame
// was mounted by a frame nested in the page.
function frame(hookSource, session = 3, { nested = false } = {}) {
  const raw = webcrypto.getRandomValues(new Uint8Array(32));
  const keyB64 = Buffer.from(raw).toString('base64');
  const listeners = [];
  const replies = [];
  const parent = { postMessage: (msg) => replies.push(JSON.parse(JSON.stringify(msg))) };
  const context = vm.createContext({
    crypto: webcrypto, atob, btoa, TextEncoder, BigInt, DataView, Uint8Array, Promise, JSON, Error, setTimeout,
    addEventListener: (type, f) => { if (type === 'message') listeners.push(f); },
    parent,
    top: nested ? { postMessage() {} } : parent,
  });
  vm.runInContext('globalThis.window = globalThis', context);
  if (hookSource) vm.runInContext(hookSource, context);
  vm.runInContext(`(${RUNTIME.trim().replace(/;$/, '')})(${JSON.stringify(keyB64)}, ${session});`, context);
  const send = (tag, text, source = parent) =>
    listeners.forEach((f) => f({ source, data: { traykit: 'isolation', tag, text } }));
  const settled = async (n) => {
    for (let i = 0; i < 200 && replies.length < n; i++) await new Promise((r) => setTimeout(r, 1));
    return replies;
  };
  const open = async (sealed) => {
    assert.ok(sealed.startsWith(PREFIX));
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const key = await webcrypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
    const plain = new Uint8Array(await webcrypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, key, bytes.subarray(12)));
    const view = new DataView(plain.buffer);
    return { session: view.getBigUint64(0), seq: view.getBigUint64(8), text: new TextDecoder().decode(plain.subarray(16)) };
  };
  return { send, settled, open, replies };
}

test('announces itself, then seals what the hook returns, numbered in order', async () => {
  const f = frame('window.__TRAYKIT_ISOLATION_HOOK__ = (p) => { p.params = { checked: true }; return p; };');
  f.send(1, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'a' }));
  f.send(2, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'b' }));
  const [ready, one, two] = await f.settled(3);
  assert.deepEqual(ready, { ready: true, traykit: 'isolation' });
  assert.equal(one.tag, 1);
  const a = await f.open(one.sealed);
  const b = await f.open(two.sealed);
  assert.deepEqual([a.session, a.seq, b.seq], [3n, 1n, 2n]);
  assert.deepEqual(JSON.parse(a.text), { jsonrpc: '2.0', id: 1, method: 'a', params: { checked: true } });
  assert.equal(JSON.parse(b.text).method, 'b');
});

test("Tauri's hook name works, and async hooks keep the order", async () => {
  const f = frame(`window.__TAURI_ISOLATION_HOOK__ = (p) => new Promise((r) => setTimeout(() => r(p), p.id === 1 ? 20 : 0));`);
  f.send(1, '{"jsonrpc":"2.0","id":1,"method":"slow"}');
  f.send(2, '{"jsonrpc":"2.0","id":2,"method":"fast"}');
  const [, first, second] = await f.settled(3);
  assert.equal(first.tag, 1);
  assert.equal(JSON.parse((await f.open(first.sealed)).text).method, 'slow');
  assert.equal((await f.open(second.sealed)).seq, 2n);
});

test('a hook that throws or returns nothing refuses, and so does a missing hook', async () => {
  const f = frame(`window.__TRAYKIT_ISOLATION_HOOK__ = (p) => { if (p.method === 'x') throw new Error('not x'); return p.method === 'y' ? null : p; };`);
  f.send(1, '{"jsonrpc":"2.0","id":1,"method":"x"}');
  f.send(2, '{"jsonrpc":"2.0","id":2,"method":"y"}');
  f.send(3, '{"jsonrpc":"2.0","id":3,"method":"z"}');
  const [, x, y, z] = await f.settled(4);
  assert.match(x.rejected, /not x/);
  assert.match(y.rejected, /refused/);
  assert.equal((await f.open(z.sealed)).seq, 1n, 'refused messages use no sequence number');
  const none = frame(null);
  none.send(1, '{"jsonrpc":"2.0","id":1,"method":"a"}');
  const [, r] = await none.settled(2);
  assert.match(r.rejected, /defines no hook/);
});

test('only the parent page is listened to', async () => {
  const f = frame('window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;');
  f.send(1, '{"jsonrpc":"2.0","id":1,"method":"a"}', { postMessage() {} });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.replies.length, 1, 'only the ready announcement');
});

test('a frame mounted by a nested frame, not the page, announces nothing and seals nothing', async () => {
  const f = frame('window.__TRAYKIT_ISOLATION_HOOK__ = (p) => p;', 3, { nested: true });
  f.send(1, '{"jsonrpc":"2.0","id":1,"method":"a"}');
  // Same wait as the test above, where the ready announcement does arrive.
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(f.replies, []);
});
