// The main page: mounts the iframes, waits for each to report its attempts,
// checks that refused messages settle their calls, and reports to the app.
(async () => {
  const tk = window.__TRAYKIT__;
  const q = new URLSearchParams(location.search);
  const out = { isolated: q.get('isolated') === 'true', frames: {} };
  const raw = [];
  tk.onMessage((m) => raw.push(m));
  const outcome = (p) => p.then((ok) => ({ ok }), (e) => ({ code: e.code, message: e.message, data: e.data }));
  // Long enough never to fire when the bridge settles a call; it is there so
  // a hanging call reports "timeout" instead of hanging the probe.
  const orTimeout = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), 20000))]);
  try {
    out.main_call = await outcome(tk.invoke('frames.hit', { from: 'main' }));
    // A main-page script posting around the bridge has no secret either.
    window.ipc.postMessage(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'frames.hit', params: { from: 'main:ipc' } }));
    window.webkit.messageHandlers.ipc.postMessage(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'frames.hit', params: { from: 'main:handler' } }));

    // Sub-frames: each reports what it tried.
    const frames = [
      ['same', 'same.html?kind=same', null],
      ['sandboxed_same', 'same.html?kind=sandboxed_same', 'allow-scripts'],
    ];
    const cross = q.get('cross');
    if (cross) {
      frames.push(['cross', cross + '?kind=cross', null]);
      frames.push(['sandboxed_cross', cross + '?kind=sandboxed_cross', 'allow-scripts']);
    }
    const reported = new Promise((resolve) => {
      window.addEventListener('message', (e) => {
        if (e.data && e.data.probe === 'frame') {
          out.frames[e.data.kind] = e.data.tried;
          if (Object.keys(out.frames).length === frames.length) resolve();
        }
      });
    });
    for (const [, src, sandbox] of frames) {
      const f = document.createElement('iframe');
      if (sandbox) f.setAttribute('sandbox', sandbox);
      f.src = src;
      document.body.appendChild(f);
    }
    out.frames_reported = (await orTimeout(reported.then(() => true))) === true;

    // Every refused message settles its calls, with the core's code.
    out.oversized = await orTimeout(outcome(tk.invoke('frames.echo', { pad: 'x'.repeat(300 * 1024) })));
    const batch = [];
    for (let i = 0; i < 12; i++) batch.push(orTimeout(outcome(tk.invoke('frames.echo', { i }))));
    out.long_batch = await Promise.all(batch);
    const n = raw.length;
    const seq = tk.post('{"jsonrpc":"2.0","id":5,"method":');
    for (let i = 0; i < 500 && !raw.slice(n).flat().some((m) => m && m.id === null); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const parse = raw.slice(n).flat().find((m) => m && m.id === null);
    out.parse = parse ? { code: parse.error.code, message_seq: parse.error.data && parse.error.data.message, seq } : 'timeout';
    // And the page is still served.
    out.after = await outcome(tk.invoke('frames.echo', { still: 'here' }));
  } catch (e) {
    out.fatal = String((e && e.stack) || e);
  }
  await tk.invoke('frames.report', out);
})();
