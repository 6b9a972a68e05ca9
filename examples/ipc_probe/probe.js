// Exercises the bridge from a real page and reports what it saw to the core.
(async () => {
  const tk = window.__TRAYKIT__;
  tk.notify('probe.loaded');
  const results = {};
  const raw = [];
  tk.onMessage((m) => raw.push(m));
  const error = async (p) => {
    try { await p; return { ok: true }; } catch (e) { return { code: e.code, message: e.message, data: e.data }; }
  };
  // The next raw message the core sends (for replies with no pending call).
  const nextRaw = () => new Promise((resolve) => {
    const n = raw.length;
    const poll = () => (raw.length > n ? resolve(raw[n]) : setTimeout(poll, 5));
    poll();
  });

  results.label = tk.label;
  results.echo = await tk.invoke('probe.echo', { text: 'hi' });
  results.positional = await tk.invoke('probe.add', [2, 3]);
  results.named = await tk.invoke('probe.add', { a: 40, b: 2 });
  results.unknown = await error(tk.invoke('probe.nope'));
  results.denied = await error(tk.invoke('probe.secret'));
  results.bad_params = await error(tk.invoke('probe.add', { a: 'x' }));
  results.app_error = await error(tk.invoke('probe.fail'));
  results.panic = await error(tk.invoke('probe.panic'));
  results.builtin_denied = await error(tk.invoke('app.quit'));

  // Raw JSON-RPC edge cases, straight to the transport.
  let next = nextRaw(); window.__TRAYKIT__.post('{"jsonrpc":"2.0","method":');
  results.parse_error = await next;
  next = nextRaw(); window.__TRAYKIT__.post('[]');
  results.empty_batch = await next;
  next = nextRaw();
  window.__TRAYKIT__.post(JSON.stringify([
    { jsonrpc: '2.0', id: 900, method: 'probe.echo', params: { text: 'a' } },
    { jsonrpc: '2.0', method: 'probe.echo', params: { text: 'notification' } },
    { jsonrpc: '2.0', id: 901, method: 'probe.nope' },
    { jsonrpc: '2.0', id: 902, method: 'probe.add', params: [1, 1] },
    7,
  ]));
  results.batch = await next;
  // A batch of only notifications gets nothing: the next thing that arrives
  // is the answer to the request sent after it.
  next = nextRaw();
  window.__TRAYKIT__.post(JSON.stringify([{ jsonrpc: '2.0', method: 'probe.echo', params: { text: 'n' } }]));
  window.__TRAYKIT__.post(JSON.stringify({ jsonrpc: '2.0', id: 903, method: 'probe.echo', params: { text: 'after' } }));
  results.after_notifications = await next;

  // Large payloads both ways.
  const big = 'x'.repeat(10 * 1024 * 1024);
  let t = performance.now();
  results.big_request = await tk.invoke('probe.len', { data: big });
  results.big_request_ms = performance.now() - t;
  t = performance.now();
  const blob = await tk.invoke('probe.blob', { size: 10 * 1024 * 1024 });
  results.big_response = blob.length;
  results.big_response_ms = performance.now() - t;

  // Events: Rust → page burst, page → Rust, page → page (itself).
  let ticks = 0;
  let lastTick = -1;
  let inOrder = true;
  const unlisten = await tk.listen('tick', (e) => {
    if (e.payload.n !== lastTick + 1) inOrder = false;
    lastTick = e.payload.n;
    ticks += 1;
  });
  t = performance.now();
  const done = new Promise((resolve) => tk.once('ticks-done', resolve));
  await tk.invoke('probe.ticks', { n: 10000 });
  await done;
  results.ticks = ticks;
  results.ticks_in_order = inOrder;
  results.ticks_ms = performance.now() - t;
  await unlisten();
  results.denied_event = await error(tk.listen('forbidden', () => {}));
  const echoed = new Promise((resolve) => tk.once('page-note', (e) => resolve(e)));
  await tk.emit('page-note', { from: 'page' });
  results.self_event = await echoed;
  results.rust_saw_page_event = await tk.invoke('probe.page_events');

  // Round trips, sequential.
  const times = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await tk.invoke('probe.echo', { text: 'x' });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  t = performance.now();
  for (let i = 0; i < 1000; i++) await tk.invoke('probe.echo', { text: 'x' });
  results.sequential_1000_ms = performance.now() - t;
  results.rtt_p50_ms = times[100];
  results.rtt_p99_ms = times[198];
  // The page clock ticks in whole milliseconds: time blocks of 50 calls and
  // take percentiles of the per-call mean of each block.
  const blocks = [];
  for (let b = 0; b < 40; b++) {
    const s = performance.now();
    for (let i = 0; i < 50; i++) await tk.invoke('probe.echo', { text: 'x' });
    blocks.push(((performance.now() - s) / 50) * 1000);
  }
  blocks.sort((a, b) => a - b);
  results.rtt_block_p50_us = blocks[20];
  results.rtt_block_p90_us = blocks[36];
  t = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => tk.invoke('probe.add', [i, 1])));
  results.concurrent_1000_ms = performance.now() - t;

  // Inside the app: UI-thread hops and actor messages (timed in Rust).
  const hops = await tk.invoke('probe.hops', { n: 2000 });
  results.hop_p50_us = hops.p50_us;
  results.hop_p99_us = hops.p99_us;
  const actors = await tk.invoke('probe.actors', { n: 100000 });
  results.actor_msgs_per_s = actors.msgs_per_s;
  results.actor_send_p50_us = actors.send_p50_us;
  results.actor_send_p99_us = actors.send_p99_us;

  // Store → page: Rust sets a watched key, the page reports each change.
  await tk.listen('store.changed', (e) => tk.invoke('probe.store_seen', { value: e.payload.value }));
  await tk.invoke('store.watch', { store: 'probe', prefix: 'bench.' });
  const lat = await tk.invoke('probe.store_bench', { n: 200 });
  lat.sort((a, b) => a - b);
  results.store_watch_p50_us = lat[100];
  results.store_watch_p99_us = lat[198];

  results.secret_calls = await tk.invoke('probe.secret_calls');
  document.getElementById('status').textContent = 'done: ' + Object.keys(results).length + ' checks reported';
  await tk.invoke('probe.report', results);
})().catch((e) => {
  document.getElementById('status').textContent = 'probe failed: ' + e;
  window.__TRAYKIT__.invoke('probe.report', { fatal: String(e && e.message || e) });
});
