// Runs in a frame nested inside the hostile page (issue 12, item 9): it
// mounts the isolation frame itself and asks it to seal a call, then hands
// whatever it got to the page. The frame must refuse to serve it: only the
// window's top-level page may use the isolation frame.
(() => {
  const report = (r) => window.parent.postMessage({ nestedReport: r }, '*');
  const f = document.createElement('iframe');
  f.setAttribute('sandbox', 'allow-scripts');
  f.src = 'traykit-isolation://localhost/';
  let ready = false;
  window.addEventListener('message', (e) => {
    if (e.source !== f.contentWindow || !e.data || e.data.traykit !== 'isolation') return;
    if (e.data.ready) {
      ready = true;
      const text = JSON.stringify({ jsonrpc: '2.0', id: 'nested', method: 'hostile.nested' });
      f.contentWindow.postMessage({ traykit: 'isolation', tag: 1, text }, '*');
    } else if (typeof e.data.sealed === 'string') {
      report({ ready, sealed: e.data.sealed });
    } else {
      report({ ready, rejected: String(e.data.rejected) });
    }
  });
  // A mounted frame says `ready` as its document runs, before (or just
  // after) its load event; the page's own mount of the same frame, timed
  // the same way, is the control that this is long enough.
  f.addEventListener('load', () => setTimeout(() => { if (!ready) report({ ready: false }); }, 2000));
  document.body.appendChild(f);
})();
