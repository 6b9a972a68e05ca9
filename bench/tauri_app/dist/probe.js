// The measurements of examples/ipc_probe/probe.js, on Tauri 2's own API
// (`withGlobalTauri`: window.__TAURI__.core / .event). Same calls, same
// sizes, same order, same result keys, so scripts/bench.sh compares them.
(async () => {
  const { invoke } = window.__TAURI__.core;
  const { listen, once } = window.__TAURI__.event;
  invoke('probe_loaded');
  const results = {};

  // Large payloads both ways.
  const big = 'x'.repeat(10 * 1024 * 1024);
  let t = performance.now();
  results.big_request = await invoke('probe_len', { data: big });
  results.big_request_ms = performance.now() - t;
  t = performance.now();
  const blob = await invoke('probe_blob', { size: 10 * 1024 * 1024 });
  results.big_response = blob.length;
  results.big_response_ms = performance.now() - t;

  // Events: Rust -> page burst.
  let ticks = 0;
  let lastTick = -1;
  let inOrder = true;
  const unlisten = await listen('tick', (e) => {
    if (e.payload.n !== lastTick + 1) inOrder = false;
    lastTick = e.payload.n;
    ticks += 1;
  });
  t = performance.now();
  // Registered before the burst is asked for: Tauri may run the listen and
  // the command concurrently, and an event with no listener yet is lost.
  let doneResolve;
  const done = new Promise((resolve) => { doneResolve = resolve; });
  await once('ticks-done', doneResolve);
  await invoke('probe_ticks', { n: 10000 });
  await done;
  results.ticks = ticks;
  results.ticks_in_order = inOrder;
  results.ticks_ms = performance.now() - t;
  unlisten();

  // Round trips, sequential.
  const times = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await invoke('probe_echo', { text: 'x' });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  t = performance.now();
  for (let i = 0; i < 1000; i++) await invoke('probe_echo', { text: 'x' });
  results.sequential_1000_ms = performance.now() - t;
  results.rtt_p50_ms = times[100];
  results.rtt_p99_ms = times[198];
  t = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => invoke('probe_add', { a: i, b: 1 })));
  results.concurrent_1000_ms = performance.now() - t;

  // Inside the app: UI-thread hops (timed in Rust).
  const hops = await invoke('probe_hops', { n: 2000 });
  results.hop_p50_us = hops.p50_us;
  results.hop_p99_us = hops.p99_us;

  document.getElementById('status').textContent = 'done: ' + Object.keys(results).length + ' checks reported';
  await invoke('probe_report', { report: results });
})().catch((e) => {
  document.getElementById('status').textContent = 'probe failed: ' + e;
  window.__TAURI__.core.invoke('probe_report', { report: { fatal: String(e && e.message || e) } });
});
