// index.js: the ES module delegates to window.__TRAYKIT__ at call time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPage, CoreError } from '../test-support/page.mjs';
import * as api from '../index.js';

test('index.js works when imported before the bridge exists, and delegates to it', async (t) => {
  assert.equal(globalThis.__TRAYKIT__, undefined);
  await assert.rejects(api.invoke('x'), /traykit\.js was not injected/);

  const page = createPage({
    label: 'panel',
    methods: {
      add: ([a, b]) => a + b,
      fail: () => {
        throw new CoreError(5, 'nope');
      },
    },
  });
  globalThis.__TRAYKIT__ = page.window.__TRAYKIT__;
  t.after(() => delete globalThis.__TRAYKIT__);

  assert.equal(api.label(), 'panel');
  // Still batched: the wrappers call the bridge synchronously.
  assert.deepEqual(await Promise.all([api.invoke('add', [1, 2]), api.invoke('add', [3, 4])]), [3, 7]);
  assert.equal(page.posts.length, 1);

  const err = await api.invoke('fail').catch((e) => e);
  assert.ok(err instanceof api.TraykitError, 'instanceof works for the injected class');
  assert.equal(err.code, 5);
  assert.ok(!(new Error('x') instanceof api.TraykitError));

  const seen = [];
  const unlisten = await api.listen('e', (e) => seen.push(e.payload));
  await api.once('e', (e) => seen.push(`once ${e.payload}`));
  await api.emit('e', 1);
  await api.emitTo('panel', 'e', 2);
  await unlisten();
  await api.emit('e', 3);
  assert.deepEqual(seen, [1, 'once 1', 2]);
  api.notify('bye');
  await page.idle();
  assert.deepEqual(page.sentFlat.at(-1), { jsonrpc: '2.0', method: 'bye' });
});
