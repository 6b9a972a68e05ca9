// traykit's half of the isolation frame (the isolation pattern).
//
// Served inside a sandboxed <iframe> (origin of its own: the page cannot read
// this document or its key) together with the app's isolation application,
// which defines the hook. The core calls this function expression with the
// webview's key and this load's session number.
//
// Protocol with the page-side bridge (traykit.js), over postMessage:
//   frame -> page  { traykit: 'isolation', ready: true }
//   page  -> frame { traykit: 'isolation', tag, text }        text: JSON-RPC
//   frame -> page  { traykit: 'isolation', tag, sealed }      to window.ipc
//   frame -> page  { traykit: 'isolation', tag, rejected }    hook said no
// sealed = 'traykit-isolation:v1:' + base64(nonce(12) || AES-256-GCM(
//            session u64 BE || sequence u64 BE || UTF-8 text))
function (keyB64, session) {
  'use strict';
  // Only the window's top-level page may use this frame. A frame nested in
  // it (a sandboxed, cross-origin or even same-origin iframe of the page)
  // would otherwise get its messages sealed and so pass for the page. The
  // frame's CSP (`frame-ancestors`) keeps other origins from mounting it;
  // this keeps any frame but the top one from using it, and holds even
  // where a WebKit does not apply that directive. `parent` and `top` are
  // this frame's own properties: the page cannot redefine them here.
  function mountedByTop() {
    return window.parent !== window && window.parent === window.top;
  }
  if (!mountedByTop()) return;
  var PREFIX = 'traykit-isolation:v1:';
  var seq = 0n;
  var encoder = new TextEncoder();
  var raw = Uint8Array.from(atob(keyB64), function (c) { return c.charCodeAt(0); });
  var keyPromise = crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt']);

  function hook() {
    var h = window.__TRAYKIT_ISOLATION_HOOK__ || window.__TAURI_ISOLATION_HOOK__;
    return typeof h === 'function' ? h : null;
  }

  function toBase64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function reply(msg) {
    msg.traykit = 'isolation';
    window.parent.postMessage(msg, '*');
  }

  async function seal(text) {
    seq += 1n;
    var body = encoder.encode(text);
    var plain = new Uint8Array(16 + body.length);
    var view = new DataView(plain.buffer);
    view.setBigUint64(0, BigInt(session));
    view.setBigUint64(8, seq);
    plain.set(body, 16);
    var nonce = crypto.getRandomValues(new Uint8Array(12));
    var sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, await keyPromise, plain));
    var out = new Uint8Array(12 + sealed.length);
    out.set(nonce, 0);
    out.set(sealed, 12);
    return PREFIX + toBase64(out);
  }

  async function handle(tag, text) {
    var h = hook();
    if (!h) {
      reply({ tag: tag, rejected: 'the isolation application defines no hook (__TRAYKIT_ISOLATION_HOOK__)' });
      return;
    }
    var payload;
    try {
      payload = await h(JSON.parse(text));
    } catch (err) {
      reply({ tag: tag, rejected: 'the isolation hook refused the message: ' + (err && err.message ? err.message : String(err)) });
      return;
    }
    if (payload === undefined || payload === null || payload === false) {
      reply({ tag: tag, rejected: 'the isolation hook refused the message' });
      return;
    }
    var out = typeof payload === 'string' ? payload : JSON.stringify(payload);
    reply({ tag: tag, sealed: await seal(out) });
  }

  // One message at a time, in order: the hook may be async, and the core
  // sees messages in the order the page sent them.
  var chain = Promise.resolve();
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || !mountedByTop()) return;
    var d = event.data;
    if (!d || d.traykit !== 'isolation' || typeof d.text !== 'string') return;
    chain = chain.then(function () { return handle(d.tag, d.text); }).catch(function (err) {
      reply({ tag: d.tag, rejected: 'the isolation frame failed: ' + (err && err.message ? err.message : String(err)) });
    });
  });
  reply({ ready: true });
}
