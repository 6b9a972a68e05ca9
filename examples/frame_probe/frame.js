// A sub-frame's attempts at the app's IPC (same-origin and sandboxed frames
// load this; the cross-origin page carries the same code inline): every
// route to the script-message handler, then a report to the parent.
(function () {
  var kind = new URLSearchParams(location.search).get('kind') || 'same';
  var tried = [];
  var call = function (route) {
    return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'frames.hit', params: { from: kind + ':' + route } });
  };
  try {
    window.webkit.messageHandlers.ipc.postMessage(call('handler'));
    tried.push('handler');
  } catch (e) { tried.push('handler-failed:' + e); }
  // A guess at the envelope: the secret is not on any window.
  try {
    window.webkit.messageHandlers.ipc.postMessage('0 1\n' + call('guess'));
    tried.push('guess');
  } catch (e) { tried.push('guess-failed:' + e); }
  if (window.ipc) {
    try { window.ipc.postMessage(call('ipc')); tried.push('ipc'); } catch (e) { tried.push('ipc-failed:' + e); }
  }
  if (window.__TRAYKIT__) {
    window.__TRAYKIT__.invoke('frames.hit', { from: kind + ':bridge' }).catch(function () {});
    tried.push('bridge');
  }
  parent.postMessage({ probe: 'frame', kind: kind, tried: tried }, '*');
})();
