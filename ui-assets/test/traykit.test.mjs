// traykit.js: the JSON-RPC bridge, against a fake window and a fake core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPage, CoreError, plain, tick, SECRET, TRAYKIT_JS } from '../test-support/page.mjs';

test('label comes from __TRAYKIT_META__, or is empty without it', () => {
  assert.equal(createPage({ label: 'settings' }).window.__TRAYKIT__.label, 'settings');
  assert.equal(createPage({ label: null }).window.__TRAYKIT__.label, '');
});

test('a single invoke sends one plain request and resolves with the result', async () => {
  const page = createPage({ methods: { add: ({ a, b }) => a + b } });
  const result = await page.window.__TRAYKIT__.invoke('add', { a: 2, b: 3 });
  assert.equal(result, 5);
  assert.deepEqual(page.sent, [{ jsonrpc: '2.0', id: 1, method: 'add', params: { a: 2, b: 3 } }]);
});

test('params may be omitted, an object or an array', async () => {
  const page = createPage({ methods: { echo: (p) => p ?? 'none' } });
  const T = page.window.__TRAYKIT__;
  assert.equal(await T.invoke('echo'), 'none');
  assert.deepEqual(plain(await T.invoke('echo', [1, 'two'])), [1, 'two']);
  assert.deepEqual(plain(await T.invoke('echo', { k: 'v' })), { k: 'v' });
  const [noParams, array, object] = page.sent;
  assert.equal('params' in noParams, false);
  assert.deepEqual(array.params, [1, 'two']);
  assert.deepEqual(object.params, { k: 'v' });
});

test('ids are increasing integers', async () => {
  const page = createPage({ methods: { m: () => 1 } });
  const T = page.window.__TRAYKIT__;
  await T.invoke('m');
  await T.invoke('m');
  await Promise.all([T.invoke('m'), T.invoke('m')]);
  assert.deepEqual(page.sentFlat.map((m) => m.id), [1, 2, 3, 4]);
});

test('an error response rejects with a TraykitError carrying code and data', async () => {
  const page = createPage({
    methods: {
      fail: () => {
        throw new CoreError(-32000, 'disk full', { free: 0 });
      },
    },
  });
  const T = page.window.__TRAYKIT__;
  const err = await T.invoke('fail').then(
    () => assert.fail('should have rejected'),
    (e) => e,
  );
  assert.ok(err instanceof T.TraykitError);
  assert.ok(err instanceof page.run('Error'));
  assert.equal(err.name, 'TraykitError');
  assert.equal(err.message, 'disk full');
  assert.equal(err.code, -32000);
  assert.deepEqual(plain(err.data), { free: 0 });

  const missing = await T.invoke('nope').catch((e) => e);
  assert.equal(missing.code, -32601);
  assert.equal(missing.data, undefined);
});

test('three invokes in one tick go out as one batch of three', async () => {
  const page = createPage({ methods: { double: ([n]) => n * 2 } });
  const T = page.window.__TRAYKIT__;
  const results = await Promise.all([T.invoke('double', [1]), T.invoke('double', [2]), T.invoke('double', [3])]);
  assert.deepEqual(results, [2, 4, 6]);
  assert.equal(page.posts.length, 1);
  const [batch] = page.sent;
  assert.ok(Array.isArray(batch));
  assert.deepEqual(batch.map((m) => [m.id, m.method, m.params]), [
    [1, 'double', [1]],
    [2, 'double', [2]],
    [3, 'double', [3]],
  ]);
});

test('responses are matched by id, whatever their order', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  const a = T.invoke('a');
  const b = T.invoke('b');
  await tick();
  T.receive([
    { jsonrpc: '2.0', id: 2, result: 'B' },
    { jsonrpc: '2.0', id: 1, result: 'A' },
  ]);
  assert.deepEqual(await Promise.all([a, b]), ['A', 'B']);
});

test('notify sends a request without id, in the same coalescing queue', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  assert.equal(T.notify('log', { line: 'hi' }), undefined);
  await tick();
  assert.deepEqual(page.sent, [{ jsonrpc: '2.0', method: 'log', params: { line: 'hi' } }]);

  const p = T.invoke('x');
  T.notify('ping');
  await tick();
  assert.equal(page.posts.length, 2);
  const batch = page.sent[1];
  assert.deepEqual(batch, [
    { jsonrpc: '2.0', id: 1, method: 'x' },
    { jsonrpc: '2.0', method: 'ping' },
  ]);
  T.receive({ jsonrpc: '2.0', id: 1, result: null });
  assert.equal(await p, null);
});

test('bad arguments reject (invoke) or throw (notify) and send nothing', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  await assert.rejects(T.invoke(''), { name: 'TypeError' });
  await assert.rejects(T.invoke('m', 42), { name: 'TypeError' });
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(T.invoke('m', cyclic), { name: 'TypeError' });
  assert.throws(() => T.notify('m', 'str'), { name: 'TypeError' });
  // A good request in the same tick still goes out, alone.
  const ok = T.invoke('fine');
  await tick();
  assert.deepEqual(page.sent, [{ jsonrpc: '2.0', id: 1, method: 'fine' }]);
  T.receive({ jsonrpc: '2.0', id: 1, result: true });
  assert.equal(await ok, true);
});

test('a failing postMessage rejects the requests of that batch', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  page.window.ipc.postMessage = () => {
    throw new Error('no ipc');
  };
  const err = await T.invoke('m').catch((e) => e);
  assert.ok(err instanceof T.TraykitError);
  assert.equal(err.code, -32603);
  assert.deepEqual(plain(err.data), { kind: 'internal_error' });
  assert.match(err.message, /no ipc/);
});

test('a response with id null rejects nothing and is logged', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  let settled = false;
  const p = T.invoke('m').finally(() => (settled = true));
  await tick();
  T.receive({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  await tick();
  assert.equal(settled, false);
  assert.equal(page.logs.error.length, 1);
  assert.equal(page.logs.error[0][1].message, 'Parse error');
  T.receive({ jsonrpc: '2.0', id: 1, result: 'late' });
  assert.equal(await p, 'late');
});

test('every message goes out in the envelope, numbered in order', async () => {
  const page = createPage({ methods: { m: () => 1 } });
  const T = page.window.__TRAYKIT__;
  await T.invoke('m');
  await Promise.all([T.invoke('m'), T.invoke('m')]);
  T.notify('m');
  await tick();
  assert.deepEqual(page.seqs, [1, 2, 3]);
  // The secret is the bridge's alone: not on window, not on the API.
  assert.equal(JSON.stringify(Object.keys(page.window)).includes(SECRET), false);
  assert.equal(Object.values(T).some((v) => v === SECRET), false);
  assert.equal(page.run('typeof __TRAYKIT_SECRET__'), 'undefined');
});

test('a refusal naming a message rejects exactly its calls, with the core error', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  const outcome = (p) => p.then((v) => ({ ok: v }), (e) => ({ code: e.code, message: e.message, data: plain(e.data) }));
  // Message 1: a batch of two calls; message 2: one call.
  const batch = [outcome(T.invoke('a')), outcome(T.invoke('b'))];
  await tick();
  const single = outcome(T.invoke('c'));
  await tick();
  assert.deepEqual(page.seqs, [1, 2]);
  const refusal = { code: -32002, message: 'limit exceeded: a batch of 2 calls is over the 1 call limit (IpcLimits::max_batch)', data: { kind: 'too_large', message: 1 } };
  T.receive({ jsonrpc: '2.0', id: null, error: refusal });
  assert.deepEqual(await Promise.all(batch), [plain(refusal), plain(refusal)]);
  // Message 2 is untouched and still answered normally.
  T.receive({ jsonrpc: '2.0', id: 3, result: 'c' });
  assert.deepEqual(await single, { ok: 'c' });
  // A second refusal of the same (settled) message is logged, not thrown.
  T.receive({ jsonrpc: '2.0', id: null, error: refusal });
  assert.equal(page.logs.error.length, 1);
});

test('a refusal after some calls of its message settled rejects only the rest', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  const a = T.invoke('a');
  const b = T.invoke('b').catch((e) => e);
  await tick();
  T.receive({ jsonrpc: '2.0', id: 1, result: 'a' });
  assert.equal(await a, 'a');
  T.receive({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error', data: { kind: 'parse_error', message: 1 } } });
  const err = await b;
  assert.equal(err.code, -32700);
  assert.deepEqual(plain(err.data), { kind: 'parse_error', message: 1 });
  assert.equal(page.logs.warn.length, 0);
});

test('post sends raw text in the envelope and tracks no call', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  assert.equal(T.post('{"jsonrpc":"2.0","method":'), 1);
  assert.deepEqual(page.posts, ['{"jsonrpc":"2.0","method":']);
  assert.throws(() => T.post(5), { name: 'TypeError' });
  T.receive({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error', data: { kind: 'parse_error', message: 1 } } });
  assert.equal(page.logs.error.length, 1);
});

test('listen sends event.listen once for two handlers; event.unlisten only after the last', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const seenA = [];
  const seenB = [];
  const unA = await T.listen('tick', (e) => seenA.push(plain(e)));
  const unB = await T.listen('tick', (e) => seenB.push(plain(e)));
  const eventCalls = () => page.sentFlat.filter((m) => m.method.startsWith('event.'));
  assert.deepEqual(eventCalls().map((m) => [m.method, m.params]), [['event.listen', { event: 'tick' }]]);

  page.deliver('tick', { n: 1 }, 'other');
  const expected = { event: 'tick', payload: { n: 1 }, source: 'other' };
  assert.deepEqual(seenA, [expected]);
  assert.deepEqual(seenB, [expected]);

  await unA();
  await page.idle();
  assert.equal(eventCalls().length, 1, 'no event.unlisten while a handler remains');
  page.deliver('tick', 2);
  assert.equal(seenA.length, 1);
  assert.equal(seenB.length, 2);

  await unB();
  assert.deepEqual(eventCalls().map((m) => [m.method, m.params]), [
    ['event.listen', { event: 'tick' }],
    ['event.unlisten', { event: 'tick' }],
  ]);
  assert.equal(page.listening.has('tick'), false);
  await unB(); // twice is harmless
  await page.idle();
  assert.equal(eventCalls().length, 2);

  // Listening again subscribes again.
  await T.listen('tick', () => {});
  assert.equal(eventCalls().at(-1).method, 'event.listen');
});

test('the same function listened twice is two listeners', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  let calls = 0;
  const handler = () => calls++;
  const un1 = await T.listen('e', handler);
  await T.listen('e', handler);
  page.deliver('e', null);
  assert.equal(calls, 2);
  await un1();
  page.deliver('e', null);
  assert.equal(calls, 3);
});

test('listen resolves only once the core confirmed, and rejects when it refuses', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  let resolved = false;
  const p = T.listen('x', () => {}).then((un) => ((resolved = true), un));
  await tick();
  assert.equal(resolved, false);
  T.receive({ jsonrpc: '2.0', id: 1, result: null });
  assert.equal(typeof (await p), 'function');

  const refused = T.listen('forbidden', () => {});
  await tick();
  T.receive({ jsonrpc: '2.0', id: 2, error: { code: -32001, message: 'not allowed' } });
  await assert.rejects(refused, { message: 'not allowed', code: -32001 });
  // The failed subscription is forgotten: the next listen asks again.
  T.listen('forbidden', () => {}).catch(() => {});
  await tick();
  assert.deepEqual(page.sent.at(-1), { jsonrpc: '2.0', id: 3, method: 'event.listen', params: { event: 'forbidden' } });
});

test('once fires once and then unsubscribes', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const seen = [];
  await T.once('ready', (e) => seen.push(e.payload));
  page.deliver('ready', 1);
  page.deliver('ready', 2);
  assert.deepEqual(seen, [1]);
  await page.idle();
  assert.equal(page.sentFlat.at(-1).method, 'event.unlisten');
  assert.equal(page.listening.has('ready'), false);
});

test('once fires once even for two events in one message', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const seen = [];
  await T.once('ready', (e) => seen.push(e.payload));
  const ev = (n) => ({ jsonrpc: '2.0', method: 'event', params: { event: 'ready', payload: n, source: null } });
  T.receive([ev(1), ev(2)]);
  assert.deepEqual(seen, [1]);
});

test('an events run dispatches each payload in order, once() included', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const all = [];
  const first = [];
  await T.listen('tick', (e) => all.push(plain(e)));
  await T.once('tick', (e) => first.push(e.payload));
  T.receive([
    { jsonrpc: '2.0', method: 'events', params: { event: 'tick', source: 'w2', payloads: [1, { n: 2 }, 3] } },
    { jsonrpc: '2.0', method: 'events', params: { event: 'unheard', source: null, payloads: [0] } },
  ]);
  assert.deepEqual(all, [
    { event: 'tick', payload: 1, source: 'w2' },
    { event: 'tick', payload: { n: 2 }, source: 'w2' },
    { event: 'tick', payload: 3, source: 'w2' },
  ]);
  assert.deepEqual(first, [1]);
});

test('a listener removed by another during a dispatch is not called', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const calls = [];
  let unSecond;
  await T.listen('e', () => {
    calls.push('first');
    unSecond();
  });
  unSecond = await T.listen('e', () => calls.push('second'));
  page.deliver('e', null);
  page.deliver('e', null);
  assert.deepEqual(calls, ['first', 'first']);
});

test('a throwing listener does not stop the others and is logged', async () => {
  const page = createPage();
  const T = page.window.__TRAYKIT__;
  const order = [];
  await T.listen('boom', () => {
    order.push('first');
    throw new Error('listener bug');
  });
  await T.listen('boom', () => order.push('second'));
  page.deliver('boom', null);
  assert.deepEqual(order, ['first', 'second']);
  assert.equal(page.logs.error.length, 1);
  assert.equal(page.logs.error[0][1].message, 'listener bug');
});

test('receive handles an array mixing responses and events', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  const a = T.invoke('a');
  const b = T.invoke('b');
  const events = [];
  T.listen('e1', (e) => events.push(plain(e)));
  T.listen('e2', (e) => events.push(plain(e)));
  await tick();
  assert.deepEqual(page.sent[0].map((m) => m.id), [1, 2, 3, 4]);
  T.receive([
    { jsonrpc: '2.0', id: 3, result: null },
    { jsonrpc: '2.0', id: 4, result: null },
    { jsonrpc: '2.0', method: 'event', params: { event: 'e1', payload: 'x', source: 'w2' } },
    { jsonrpc: '2.0', id: 1, result: 'A' },
    { jsonrpc: '2.0', method: 'event', params: { event: 'e2', payload: [1], source: null } },
    { jsonrpc: '2.0', id: 2, error: { code: 7, message: 'no' } },
    { jsonrpc: '2.0', method: 'event', params: { event: 'unheard', payload: 0, source: null } },
  ]);
  assert.equal(await a, 'A');
  await assert.rejects(b, { code: 7, message: 'no' });
  assert.deepEqual(events, [
    { event: 'e1', payload: 'x', source: 'w2' },
    { event: 'e2', payload: [1], source: null },
  ]);
  assert.equal(page.logs.error.length, 0);
});

test('emit and emitTo invoke event.emit / event.emit_to; the core echoes to listeners', async () => {
  const page = createPage({ label: 'main' });
  const T = page.window.__TRAYKIT__;
  const seen = [];
  await T.listen('hello', (e) => seen.push(plain(e)));
  assert.equal(await T.emit('hello', { n: 1 }), null);
  assert.equal(await T.emitTo('main', 'hello', 'direct'), null);
  await T.emitTo('elsewhere', 'hello', 'not for us');
  await T.emit('hello');
  const calls = page.sentFlat.filter((m) => m.method.startsWith('event.emit'));
  assert.deepEqual(calls.map((m) => [m.method, m.params]), [
    ['event.emit', { event: 'hello', payload: { n: 1 } }],
    ['event.emit_to', { target: 'main', event: 'hello', payload: 'direct' }],
    ['event.emit_to', { target: 'elsewhere', event: 'hello', payload: 'not for us' }],
    ['event.emit', { event: 'hello', payload: null }],
  ]);
  assert.deepEqual(seen, [
    { event: 'hello', payload: { n: 1 }, source: 'main' },
    { event: 'hello', payload: 'direct', source: 'main' },
    { event: 'hello', payload: null, source: 'main' },
  ]);
});

test('evaluating traykit.js twice keeps the first instance and its pending requests', async () => {
  const page = createPage({ manual: true });
  const first = page.window.__TRAYKIT__;
  const p = first.invoke('slow');
  page.run(TRAYKIT_JS);
  assert.equal(page.window.__TRAYKIT__, first);
  await tick();
  page.window.__TRAYKIT__.receive({ jsonrpc: '2.0', id: 1, result: 'done' });
  assert.equal(await p, 'done');
  // The API object cannot be replaced or tampered with by the page.
  page.run('window.__TRAYKIT__ = null; try { window.__TRAYKIT__.receive = null } catch (e) {}');
  assert.equal(page.window.__TRAYKIT__, first);
  assert.equal(typeof first.receive, 'function');
});

test('unknown ids and notifications are logged, not thrown', () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  T.receive({ jsonrpc: '2.0', id: 99, result: 1 });
  T.receive({ jsonrpc: '2.0', method: 'mystery', params: {} });
  T.receive(null);
  assert.equal(page.logs.warn.length, 2);
  assert.equal(page.logs.error.length, 1);
});

test('a batch response nested in a coalesced delivery settles every request', async () => {
  const page = createPage({ manual: true });
  const T = page.window.__TRAYKIT__;
  const a = T.invoke('a');
  const b = T.invoke('b');
  const seen = [];
  T.onMessage((m) => seen.push(m));
  await tick();
  const batch = [
    { jsonrpc: '2.0', id: 2, result: 'B' },
    { jsonrpc: '2.0', id: 1, result: 'A' },
  ];
  T.receive([batch, { jsonrpc: '2.0', method: 'event', params: { event: 'x', payload: 1, source: null } }]);
  assert.equal(await a, 'A');
  assert.equal(await b, 'B');
  assert.equal(seen.length, 1, 'observers see each delivery once, as sent');
  assert.deepEqual(plain(seen[0][0]), batch);
  assert.equal(page.logs.error.length, 0);
});
