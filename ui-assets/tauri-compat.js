// Tauri v2 compatibility for traykit pages.
//
// A classic script, injected after traykit.js when the app opts in. It fills
// in the globals that the unmodified npm package `@tauri-apps/api` (v2) calls,
// so a page bundled against it talks to the traykit core:
//   window.__TAURI_INTERNALS__: invoke, transformCallback, unregisterCallback,
//     runCallback, callbacks, convertFileSrc, metadata, plugins.path
//   window.__TAURI_EVENT_PLUGIN_INTERNALS__: unregisterListener
//   window.isTauri (read by isTauri() in @tauri-apps/api/core)
// The `plugin:event|*` commands are served here on top of __TRAYKIT__'s
// listen/emit/emitTo and never reach the core; every other command becomes a
// JSON-RPC request `{ method: cmd, params: args }`.
(function () {
  'use strict';

  var T = window.__TRAYKIT__;
  if (!T) {
    console.error('tauri-compat.js: window.__TRAYKIT__ is missing; inject traykit.js first');
    return;
  }
  // Evaluated twice: keep the first instance (it owns the callbacks).
  if (window.__TAURI_INTERNALS__ && window.__TAURI_INTERNALS__.__traykit) return;

  // --- callbacks (transformCallback & co.) --------------------------------

  var callbacks = new Map(); // id -> function(data)
  var nextCallbackId = 1;

  function transformCallback(callback, once) {
    var id = nextCallbackId++;
    callbacks.set(id, function (data) {
      if (once) callbacks.delete(id);
      return callback && callback(data);
    });
    return id;
  }

  function unregisterCallback(id) {
    callbacks.delete(id);
  }

  function runCallback(id, data) {
    var cb = callbacks.get(id);
    if (cb) {
      cb(data);
    } else {
      console.warn('[TAURI] Couldn\'t find callback id ' + id + '.');
    }
  }

  // --- arguments -------------------------------------------------------------

  // What Tauri's IPC does to arguments before sending them, minus the binary
  // transport: raw payloads (ArrayBuffer / typed arrays) become number arrays,
  // Maps become objects, and objects with `__TAURI_TO_IPC_KEY__` (dpi sizes,
  // Channel, user classes) serialize through it. Type tags are compared
  // rather than instanceof, which fails across realms (iframes, tests).
  var SERIALIZE_TO_IPC_FN = '__TAURI_TO_IPC_KEY__';

  function bytes(value) {
    if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') {
      return Array.from(new Uint8Array(value));
    }
    if (ArrayBuffer.isView(value)) {
      return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    return null;
  }

  function toIpc(args) {
    // The replacer also sees the root value, so a raw payload is covered too.
    return JSON.parse(JSON.stringify(args, function (_key, value) {
      if (value === null || typeof value !== 'object') return value;
      var b = bytes(value);
      if (b) return b;
      if (Object.prototype.toString.call(value) === '[object Map]') {
        return Object.fromEntries(value.entries());
      }
      if (typeof value[SERIALIZE_TO_IPC_FN] === 'function') return value[SERIALIZE_TO_IPC_FN]();
      return value;
    }));
  }

  // --- the event plugin ---------------------------------------------------------

  // eventId -> { active, unlisten: Promise<traykit unlisten fn>, detached }.
  // The eventId is the handler's callback id, as in Tauri's own mock: handlers
  // receive it as `id`, and once() passes it back to unlisten itself.
  var listeners = new Map();

  function eventListen(args) {
    var id = args.handler;
    // Tauri's `target` option filters by the event's target window; traykit
    // events carry their source, not their target, and the core only sends a
    // window the events addressed to it, so every target is treated as Any.
    var entry = { active: true, unlisten: null, detached: null };
    entry.unlisten = T.listen(args.event, function (e) {
      // Cleared synchronously by unregisterListener, while the traykit
      // unlisten is still on its way.
      if (entry.active) runCallback(id, { event: e.event, id: id, payload: e.payload });
    });
    listeners.set(id, entry);
    return entry.unlisten.then(
      function () { return id; },
      function (err) {
        if (listeners.get(id) === entry) listeners.delete(id);
        unregisterCallback(id);
        throw err;
      }
    );
  }

  // Called twice per unlisten in Tauri (unregisterListener, then the
  // plugin:event|unlisten command): both get the same promise, which settles
  // once traykit has unsubscribed.
  function detach(eventId) {
    unregisterCallback(eventId);
    var entry = listeners.get(eventId);
    if (!entry) return Promise.resolve(null);
    if (!entry.detached) {
      entry.active = false;
      entry.detached = entry.unlisten
        .then(function (unlisten) { return unlisten(); }, function () {}) // a failed listen has nothing to undo
        .then(function () {
          if (listeners.get(eventId) === entry) listeners.delete(eventId);
          return null;
        });
    }
    return entry.detached;
  }

  // Tauri's EventTarget: a label string, or { kind, label? }. Kinds with a
  // label address that window; Any and App have no traykit equivalent but a
  // broadcast (App would mean Rust listeners only), so they are broadcast.
  function emitTo(args) {
    var target = args.target;
    var label = typeof target === 'string' ? target : target && target.label;
    if (typeof label === 'string') return T.emitTo(label, args.event, args.payload);
    return T.emit(args.event, args.payload);
  }

  function eventPlugin(cmd, args) {
    switch (cmd) {
      case 'plugin:event|listen': return eventListen(args);
      case 'plugin:event|unlisten': return detach(args.eventId);
      case 'plugin:event|emit': return T.emit(args.event, args.payload);
      case 'plugin:event|emit_to': return emitTo(args);
      default:
        return Promise.reject(new T.TraykitError('tauri-compat: unsupported command ' + cmd, -32601));
    }
  }

  // --- invoke ------------------------------------------------------------------

  // `options` (custom headers) has no JSON-RPC counterpart and is ignored.
  // Rejections are the TraykitError itself: Tauri rejects with the command's
  // error value, and pages read `.message` (and traykit adds `.code`/`.data`).
  function invoke(cmd, args, _options) {
    try {
      var params = toIpc(args === undefined || args === null ? {} : args);
      if (typeof cmd === 'string' && cmd.indexOf('plugin:event|') === 0) {
        return Promise.resolve(eventPlugin(cmd, params || {}));
      }
      return T.invoke(cmd, params);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function convertFileSrc(filePath, protocol) {
    return (protocol || 'asset') + '://localhost/' + encodeURIComponent(filePath);
  }

  var internals = window.__TAURI_INTERNALS__ || {};
  Object.assign(internals, {
    __traykit: true,
    invoke: invoke,
    transformCallback: transformCallback,
    unregisterCallback: unregisterCallback,
    runCallback: runCallback,
    callbacks: callbacks,
    convertFileSrc: convertFileSrc,
    metadata: {
      currentWindow: { label: T.label },
      currentWebview: { windowLabel: T.label, label: T.label },
    },
    // Read by sep()/delimiter() in @tauri-apps/api/path; traykit is Linux-only.
    plugins: { path: { sep: '/', delimiter: ':' } },
  });
  window.__TAURI_INTERNALS__ = internals;

  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = Object.assign(window.__TAURI_EVENT_PLUGIN_INTERNALS__ || {}, {
    unregisterListener: function (_event, eventId) {
      // Synchronous part first (stop delivering), the traykit unlisten follows.
      detach(eventId);
    },
  });

  window.isTauri = true;
})();
