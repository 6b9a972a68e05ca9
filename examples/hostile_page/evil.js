// A compromised dependency: tries everything it should not be able to do,
// then reports what came back.
(async () => {
  const tk = window.__TRAYKIT__;
  const results = {};
  const raw = [];
  tk.onMessage((m) => raw.push(m));
  const sealed = [];
  window.addEventListener('message', (e) => {
    if (e.data && typeof e.data.sealed === 'string') sealed.push(e.data.sealed);
  });
  const error = async (p) => {
    try { return { ok: await p }; } catch (e) { return { code: e.code, message: e.message, data: e.data }; }
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // The next raw message from the core with no id (errors the core could
  // not tie to a request), after `send` runs.
  const nextOrphanError = async (send) => {
    const n = raw.length;
    send();
    for (let i = 0; i < 500; i++) {
      const hit = raw.slice(n).flat().find((m) => m && m.id === null && m.error);
      if (hit) return hit.error;
      await sleep(10);
    }
    return 'timeout';
  };
  const nextWithId = async (id, send) => {
    const n = raw.length;
    send();
    for (let i = 0; i < 500; i++) {
      const hit = raw.slice(n).flat().find((m) => m && m.id === id);
      if (hit) return hit;
      await sleep(10);
    }
    return 'timeout';
  };

  try {
    // The legit window's idle latency first; everything below is the attack.
    await sleep(1500);
    results.phase_start = await error(tk.invoke('hostile.phase', { phase: 1 }));
    // Warm up: the first call mounts the isolation frame.
    results.hook_rewrite = await tk.invoke('hostile.echo', { a: 1 });
    const frame = document.querySelector('iframe[src^="traykit-isolation:"]');
    results.frame_mounted = !!frame;
    const viaFrame = (text) => frame.contentWindow.postMessage({ traykit: 'isolation', tag: -1, text }, '*');

    // The frame's document (and its key) is out of reach.
    try { results.frame_readable = !!frame.contentWindow.document.body.innerHTML; } catch (e) { results.frame_readable = false; }
    try {
      await fetch('traykit-isolation://localhost/');
      results.frame_fetch = 'read';
    } catch (e) { results.frame_fetch = 'blocked'; }

    // 1. Methods no capability grants this window.
    results.ungranted = await error(tk.invoke('hostile.secret'));
    results.ungranted_builtin = await error(tk.invoke('app.quit'));
    results.other_window = await error(tk.invoke('window.close', { label: 'legit' }));

    // 2. Forged ids (sent raw, through the frame).
    results.forged_object_id = await nextOrphanError(() =>
      viaFrame(JSON.stringify({ jsonrpc: '2.0', id: { forged: 1 }, method: 'hostile.secret' })));
    results.forged_string_id = await nextWithId('legit:1', () =>
      viaFrame(JSON.stringify({ jsonrpc: '2.0', id: 'legit:1', method: 'hostile.secret' })));

    // 3. Oversized and deeply nested JSON.
    results.oversized = await nextOrphanError(() =>
      viaFrame(JSON.stringify({ jsonrpc: '2.0', id: 9001, method: 'hostile.echo', params: { pad: 'x'.repeat(2 << 20) } })));
    const depth = 5000;
    results.deep = await nextOrphanError(() =>
      viaFrame('{"jsonrpc":"2.0","id":9002,"method":"hostile.secret","params":' + '['.repeat(depth) + ']'.repeat(depth) + '}'));

    // 4. Floods: one batch over the length limit; more requests at once than
    // may run; more calls than the rate allows.
    const longBatch = [];
    for (let i = 0; i < 1000; i++) longBatch.push({ jsonrpc: '2.0', id: 10000 + i, method: 'hostile.secret' });
    results.long_batch = await nextOrphanError(() => viaFrame(JSON.stringify(longBatch)));
    const slow = await Promise.all(Array.from({ length: 40 }, () => error(tk.invoke('hostile.slow'))));
    results.in_flight = {
      ok: slow.filter((r) => 'ok' in r).length,
      refused: slow.filter((r) => r.code === -32002 && /max_in_flight/.test(r.message)).length,
    };
    const flood = [];
    for (let b = 0; b < 3; b++) {
      const batch = [];
      for (let i = 0; i < 90; i++) batch.push({ jsonrpc: '2.0', id: 20000 + b * 100 + i, method: 'hostile.echo', params: {} });
      flood.push(batch);
    }
    const n = raw.length;
    flood.forEach((batch) => viaFrame(JSON.stringify(batch)));
    for (let i = 0; i < 500 && raw.slice(n).flat().filter((m) => m && typeof m.id === 'number' && m.id >= 20000).length < 270; i++) await sleep(10);
    const replies = raw.slice(n).flat(2).filter((m) => m && typeof m.id === 'number' && m.id >= 20000);
    results.rate = {
      replies: replies.length,
      ok: replies.filter((m) => 'result' in m).length,
      refused: replies.filter((m) => m.error && m.error.code === -32002 && /rate/.test(m.error.message)).length,
    };

    // 5. Prototype pollution, both ways.
    const poison = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
    const echoed = await tk.invoke('hostile.echo', poison);
    results.proto = {
      global_polluted: ({}).polluted !== undefined || Object.prototype.polluted !== undefined,
      result_inherits: echoed.polluted !== undefined,
      result_prototype_is_object: Object.getPrototypeOf(echoed) === Object.prototype,
      result_keeps_key: Object.keys(echoed).includes('__proto__'),
    };

    // 6. Around the isolation frame: straight to the transport, through the
    // bridge's raw post (a post of its own, without the bridge's secret,
    // is dropped by the host before the core).
    results.bypass = await nextOrphanError(() =>
      tk.post(JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'hostile.echo', params: {} })));
    results.bypass_secret = await nextOrphanError(() =>
      tk.post(JSON.stringify({ jsonrpc: '2.0', id: 78, method: 'hostile.secret' })));

    // 7. Replays and forgeries of a genuine sealed message.
    sealed.length = 0;
    await tk.invoke('hostile.echo', { replay: 'me' });
    const genuine = sealed[sealed.length - 1];
    results.captured = typeof genuine === 'string';
    results.replay = await nextOrphanError(() => tk.post(genuine));
    const body = genuine.slice('traykit-isolation:v1:'.length);
    const flipped = body.slice(0, 40) + (body[40] === 'A' ? 'B' : 'A') + body.slice(41);
    results.tampered = await nextOrphanError(() => tk.post('traykit-isolation:v1:' + flipped));

    // 8. The hook's veto.
    results.hook_blocked = await error(tk.invoke('hostile.hook_blocked'));

    // 9. CSP: the page's own inline script ran (allowed by its hash);
    // injected ones and eval do not.
    results.inline_ran = window.inlineRan === true;
    const s = document.createElement('script');
    s.textContent = 'window.injectedRan = true;';
    document.body.appendChild(s);
    await sleep(50);
    results.injected_ran = window.injectedRan === true;
    try { results.eval_ran = eval('true'); } catch (e) { results.eval_ran = false; }

    // 10. A frame nested in the page mounts the isolation frame itself
    // (sandboxed: an opaque origin; or same-origin) to get a call sealed.
    // The page's own second mount, timed alike, is the control.
    const mountTimed = (src) => new Promise((resolve) => {
      const f = document.createElement('iframe');
      f.setAttribute('sandbox', 'allow-scripts');
      f.src = src;
      window.addEventListener('message', (e) => {
        if (e.source === f.contentWindow && e.data && e.data.ready) resolve(true);
      });
      f.addEventListener('load', () => setTimeout(() => resolve(false), 2000));
      document.body.appendChild(f);
    });
    results.top_mount_ready = await mountTimed('traykit-isolation://localhost/');
    const nested = (sandboxed) => new Promise((resolve) => {
      const f = document.createElement('iframe');
      if (sandboxed) f.setAttribute('sandbox', 'allow-scripts');
      f.srcdoc = '<!doctype html><body><script src="traykit://localhost/nested.js"></script></body>';
      window.addEventListener('message', (e) => {
        if (e.source === f.contentWindow && e.data && e.data.nestedReport) resolve(e.data.nestedReport);
      });
      document.body.appendChild(f);
    });
    for (const [key, sandboxed] of [['nested_sandboxed', true], ['nested_same_origin', false]]) {
      const r = await nested(sandboxed);
      const out = { ready: r.ready === true, sealed: typeof r.sealed === 'string' };
      if (out.sealed) {
        const reply = await nextWithId('nested', () => window.ipc.postMessage(r.sealed));
        out.reply = reply === 'timeout' ? reply : (reply.error || reply.result);
      }
      results[key] = out;
    }

    // 11. A folder on disk (`--assets-dir`): nothing outside it is served,
    // however the path is spelled; a symlink inside it to a file inside
    // it is.
    {
      const paths = ['/ok.txt', '/inside.txt', '/%2Fetc%2Fpasswd', '/%2fetc/passwd', '/out.txt', '/up/secret.txt',
        '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%252e%252e/secret.txt', '/ok.txt%00', '/..%5csecret.txt'];
      results.dir = {};
      for (const p of paths) {
        try {
          const r = await fetch('traykit://localhost' + p);
          const body = await r.text();
          results.dir[p] = { status: r.status, leaked: /SECRET|root:/.test(body), body: r.ok ? body : undefined };
        } catch (e) {
          results.dir[p] = { error: String(e) };
        }
      }
    }

    // 12. Documents that are not HTML but run script (SVG, XHTML) get the
    // policy too: their inline scripts do not run. Parser-inserted scripts
    // have run by the frame's load event; the document must have loaded.
    const scriptRan = (src) => new Promise((resolve) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.addEventListener('load', () => {
        const root = f.contentDocument && f.contentDocument.documentElement;
        resolve(root ? { loaded: root.localName, ran: root.getAttribute('data-ran') === 'yes' } : { loaded: null });
      });
      document.body.appendChild(f);
    });
    results.svg_script = await scriptRan('evil.svg');
    results.xhtml_script = await scriptRan('evil.xhtml');

    // 13. A call whose message the core refuses whole still settles: its
    // promise rejects with the refusal's code instead of hanging.
    results.oversized_invoke = await error(tk.invoke('hostile.echo', { pad: 'x'.repeat(2 << 20) }));

    // 14. The worst message these limits allow, and a flood of big ones.
    // A 700 KB batch of `1`s (sealed, just under max_message_bytes): refused
    // while it is scanned (it once cost ~800 B of memory per input byte).
    results.worst_batch = await nextOrphanError(() => viaFrame('[' + '1,'.repeat(350000) + '1]'));
    // 200 messages of ~900 KB straight at the transport (180 MB in all):
    // each is refused — by the host's queue budget, the backlog, the byte
    // rate, or isolation once admitted — and every one is answered.
    {
      const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hostile.echo', params: { pad: 'x'.repeat(900 * 1024) } });
      const n = raw.length;
      for (let i = 0; i < 200; i++) tk.post(big);
      const orphans = () => raw.slice(n).flat().filter((m) => m && m.id === null && m.error);
      for (let i = 0; i < 3000 && orphans().length < 200; i++) await sleep(10);
      const codes = orphans().map((m) => m.error.code);
      results.flood = {
        answered: codes.length,
        limit: codes.filter((c) => c === -32002).length,
        isolation: codes.filter((c) => c === -32004).length,
      };
    }
    results.phase_end = await error(tk.invoke('hostile.phase', { phase: 2 }));

    // Still served after all of that.
    results.after = await error(tk.invoke('hostile.echo', { still: 'here' }));
  } catch (e) {
    results.fatal = String(e && e.stack || e);
  }
  await tk.invoke('hostile.report', results);
})();
