// traykit page-side bridge: JSON-RPC 2.0 over wry's IPC.
//
// A classic script: the core injects it into every page's main frame before
// the page's own scripts run. It defines `window.__TRAYKIT__`:
//   page -> core: window.ipc.postMessage("<secret> <seq>\n" + JSON text of a
//                 request, notification or batch). The secret is this
//                 webview's, bound by the host as the parameter
//                 __TRAYKIT_SECRET__ of a function around this script: only
//                 this closure knows it (sub-frames get no bridge), and the
//                 host drops whatever arrives without it. `seq` numbers the
//                 message, so that a refusal of a whole message (id null,
//                 `error.data.message` = seq) rejects exactly its calls.
//   core -> page: window.__TRAYKIT__.receive(text), where text is the JSON
//                 of one response/notification object or of an array of
//                 them: a string this bridge JSON.parses, never a JavaScript
//                 literal (in a literal a "__proto__" key would set the
//                 object's prototype).
(function () {
  'use strict';

  // Evaluated twice (injected again, or also included by the page): keep the
  // first instance, since it owns the pending requests and listeners.
  if (window.__TRAYKIT__) return;

  // eslint-disable-next-line no-undef
  var secret = typeof __TRAYKIT_SECRET__ === 'string' ? __TRAYKIT_SECRET__ : '';
  var meta = window.__TRAYKIT_META__ || {};
  var label = typeof meta.label === 'string' ? meta.label : '';

  /** A JSON-RPC error from the core (or from sending to it). */
  class TraykitError extends Error {
    constructor(message, code, data) {
      super(message);
      this.name = 'TraykitError';
      this.code = code;
      this.data = data;
    }
  }

  // JSON-RPC "Internal error", used when a message cannot even be sent.
  // Errors made here carry a `data.kind` as the core's do (ipc::codes).
  var INTERNAL_ERROR = -32603;
  var INTERNAL_ERROR_KIND = 'internal_error';

  var nextId = 1;
  var pending = new Map(); // request id -> { resolve, reject, seq }
  var nextSeq = 1;
  var bySeq = new Map(); // message seq -> Set of the request ids it carried
  var queue = []; // serialized messages waiting for this tick's flush: { text, id }

  function buildMessage(method, params, id) {
    if (typeof method !== 'string' || method === '') {
      throw new TypeError('traykit: method must be a non-empty string');
    }
    var msg = { jsonrpc: '2.0' };
    if (id !== undefined) msg.id = id;
    msg.method = method;
    if (params !== undefined && params !== null) {
      if (typeof params !== 'object') {
        throw new TypeError('traykit: params must be an object or an array');
      }
      msg.params = params;
    }
    return msg;
  }

  // Serialize now rather than at flush time, so that one unserializable
  // message (a cycle, a BigInt) fails its own call instead of its whole batch.
  function enqueue(msg) {
    var text = JSON.stringify(msg);
    if (queue.length === 0) queueMicrotask(flush);
    queue.push({ text: text, id: msg.id });
  }

  // Everything queued in one tick goes out as one postMessage: the plain
  // message when alone, a JSON-RPC batch (array) otherwise.
  function flush() {
    var batch = queue;
    queue = [];
    if (batch.length === 0) return;
    var wire = batch.length === 1
      ? batch[0].text
      : '[' + batch.map(function (m) { return m.text; }).join(',') + ']';
    var ids = batch.filter(function (m) { return m.id !== undefined; }).map(function (m) { return m.id; });
    try {
      if (isolationUrl) {
        isolationSend(wire, ids);
      } else {
        postToCore(wire, ids);
      }
    } catch (err) {
      console.error('traykit: could not send to the core', err);
      batch.forEach(function (m) {
        if (m.id !== undefined) {
          settle(m.id, null, { code: INTERNAL_ERROR, message: 'traykit: could not send: ' + (err && err.message), data: { kind: INTERNAL_ERROR_KIND } });
        }
      });
    }
  }

  // Posts one message in its envelope and remembers which calls it carries.
  function postToCore(text, ids) {
    var seq = nextSeq++;
    window.ipc.postMessage(secret + ' ' + seq + '\n' + text);
    if (ids.length > 0) {
      var set = new Set();
      ids.forEach(function (id) {
        var p = pending.get(id);
        if (p) {
          p.seq = seq;
          set.add(id);
        }
      });
      if (set.size > 0) bySeq.set(seq, set);
    }
    return seq;
  }

  // The core refused message `seq` whole: its calls reject with the core's
  // error, the others are untouched.
  function refuseMessage(seq, error) {
    var ids = bySeq.get(seq);
    if (!ids) {
      console.error('traykit: the core refused a message', seq, error);
      return;
    }
    bySeq.delete(seq);
    ids.forEach(function (id) { settle(id, null, error); });
  }

  // --- isolation pattern ----------------------------------------------------
  // When the app turns it on, messages go to the core only through the app's
  // isolation frame: a sandboxed iframe (an origin of its own, so this page
  // cannot read it) whose hook checks each message and which seals it with
  // a key this page never sees. The core refuses anything unsealed.
  var isolationUrl = typeof meta.isolation === 'string' ? meta.isolation : null;
  var HOOK_REJECTED = -32005;
  var HOOK_REJECTED_KIND = 'rejected_by_hook';
  var iso = null; // { frame, ready, waiting: [messages], tags: Map(tag -> [ids]), nextTag }

  function mountIsolationFrame() {
    var f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    f.setAttribute('aria-hidden', 'true');
    f.setAttribute('tabindex', '-1');
    f.style.display = 'none';
    f.src = isolationUrl;
    iso.frame = f;
    (document.body || document.documentElement).appendChild(f);
  }

  function isolationSend(wire, ids) {
    if (!iso) {
      iso = { frame: null, ready: false, waiting: [], tags: new Map(), nextTag: 1 };
      if (document.documentElement) mountIsolationFrame();
      else document.addEventListener('DOMContentLoaded', mountIsolationFrame, { once: true });
    }
    var tag = iso.nextTag++;
    iso.tags.set(tag, ids);
    var msg = { traykit: 'isolation', tag: tag, text: wire };
    if (iso.ready) iso.frame.contentWindow.postMessage(msg, '*');
    else iso.waiting.push(msg);
  }

  if (isolationUrl) {
    window.addEventListener('message', function (event) {
      if (!iso || !iso.frame || event.source !== iso.frame.contentWindow) return;
      var d = event.data;
      if (!d || d.traykit !== 'isolation') return;
      if (d.ready) {
        iso.ready = true;
        iso.waiting.splice(0).forEach(function (m) { iso.frame.contentWindow.postMessage(m, '*'); });
        return;
      }
      var ids = iso.tags.get(d.tag) || [];
      iso.tags.delete(d.tag);
      if (typeof d.sealed === 'string') {
        try {
          postToCore(d.sealed, ids);
        } catch (err) {
          console.error('traykit: could not send to the core', err);
          ids.forEach(function (id) {
            settle(id, null, { code: INTERNAL_ERROR, message: 'traykit: could not send: ' + (err && err.message), data: { kind: INTERNAL_ERROR_KIND } });
          });
        }
      } else {
        ids.forEach(function (id) {
          settle(id, null, { code: HOOK_REJECTED, message: String(d.rejected || 'refused by the isolation frame'), data: { kind: HOOK_REJECTED_KIND } });
        });
      }
    });
  }

  function settle(id, result, error) {
    var p = pending.get(id);
    if (!p) {
      console.warn('traykit: response to an unknown request id', id);
      return;
    }
    pending.delete(id);
    if (p.seq !== undefined) {
      var ids = bySeq.get(p.seq);
      if (ids) {
        ids.delete(id);
        if (ids.size === 0) bySeq.delete(p.seq);
      }
    }
    if (error) {
      p.reject(new TraykitError(String(error.message), error.code, error.data));
    } else {
      p.resolve(result === undefined ? null : result);
    }
  }

  function invoke(method, params) {
    return new Promise(function (resolve, reject) {
      // A throw in here (bad arguments, unserializable params) rejects.
      var msg = buildMessage(method, params, nextId);
      enqueue(msg);
      nextId += 1;
      pending.set(msg.id, { resolve: resolve, reject: reject });
    });
  }

  function notify(method, params) {
    enqueue(buildMessage(method, params));
  }

  // Raw text to the core as this page's message, in its envelope but
  // otherwise as given (not through the isolation frame: the core refuses
  // it unsealed when isolation is on). For tools and tests of the core's
  // decoder; answers arrive through onMessage. Returns the message's seq.
  function post(text) {
    if (typeof text !== 'string') throw new TypeError('traykit: post takes a string');
    return postToCore(text, []);
  }

  // --- events ---------------------------------------------------------------

  // event name -> { handlers: Set, ready: Promise } ; `ready` settles when the
  // core has answered the `event.listen` sent for the first local listener.
  var subscriptions = new Map();

  function checkEventName(event) {
    if (typeof event !== 'string' || event === '') {
      throw new TypeError('traykit: event name must be a non-empty string');
    }
  }

  // Registers synchronously (so `once` can remove itself even if an event
  // arrives before the subscription is confirmed) and returns the unlisten
  // function together with the promise the public API hands out.
  function addListener(event, handler) {
    checkEventName(event);
    if (typeof handler !== 'function') {
      throw new TypeError('traykit: handler must be a function');
    }
    var sub = subscriptions.get(event);
    if (!sub) {
      sub = { handlers: new Set(), ready: null };
      subscriptions.set(event, sub);
      var thisSub = sub;
      sub.ready = invoke('event.listen', { event: event }).catch(function (err) {
        if (subscriptions.get(event) === thisSub) subscriptions.delete(event);
        throw err;
      });
    }
    // A fresh wrapper per call: the same function listened twice is two
    // listeners, each removed by its own unlisten.
    var entry = function (e) { return handler(e); };
    sub.handlers.add(entry);

    var removed = false;
    function unlisten() {
      if (removed) return Promise.resolve();
      removed = true;
      sub.handlers.delete(entry);
      if (sub.handlers.size > 0 || subscriptions.get(event) !== sub) {
        return Promise.resolve();
      }
      subscriptions.delete(event);
      return invoke('event.unlisten', { event: event }).then(
        function () {},
        function (err) { console.error('traykit: event.unlisten failed for "' + event + '"', err); }
      );
    }
    return { unlisten: unlisten, ready: sub.ready.then(function () { return unlisten; }) };
  }

  function listen(event, handler) {
    try {
      return addListener(event, handler).ready;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function once(event, handler) {
    try {
      var l = addListener(event, function (e) {
        l.unlisten();
        return handler(e);
      });
      return l.ready;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function emit(event, payload) {
    try {
      checkEventName(event);
    } catch (err) {
      return Promise.reject(err);
    }
    return invoke('event.emit', { event: event, payload: payload === undefined ? null : payload });
  }

  function emitTo(target, event, payload) {
    try {
      checkEventName(event);
      if (typeof target !== 'string') throw new TypeError('traykit: target must be a window label');
    } catch (err) {
      return Promise.reject(err);
    }
    return invoke('event.emit_to', {
      target: target,
      event: event,
      payload: payload === undefined ? null : payload,
    });
  }

  function dispatch(params) {
    var sub = subscriptions.get(params.event);
    if (!sub) return;
    Array.from(sub.handlers).forEach(function (h) {
      // A handler removed by an earlier one during this dispatch is skipped.
      if (!sub.handlers.has(h)) return;
      var e = {
        event: params.event,
        payload: params.payload === undefined ? null : params.payload,
        source: params.source === undefined ? null : params.source,
      };
      try {
        var r = h(e);
        if (r && typeof r.then === 'function') {
          r.then(null, function (err) { console.error('traykit: listener for "' + e.event + '" failed', err); });
        }
      } catch (err) {
        console.error('traykit: listener for "' + e.event + '" threw', err);
      }
    });
  }

  // --- from the core -------------------------------------------------------

  function receiveOne(msg) {
    if (!msg || typeof msg !== 'object') {
      console.error('traykit: ignoring a malformed message from the core', msg);
      return;
    }
    if (typeof msg.method === 'string') {
      if (msg.method === 'event' && msg.params && typeof msg.params.event === 'string') {
        dispatch(msg.params);
      } else if (msg.method === 'events' && msg.params && typeof msg.params.event === 'string' &&
                 Array.isArray(msg.params.payloads)) {
        // A run of one event's payloads, coalesced by the core: each is
        // dispatched as its own event, in order.
        var run = msg.params;
        for (var k = 0; k < run.payloads.length; k++) {
          dispatch({ event: run.event, payload: run.payloads[k], source: run.source });
        }
      } else {
        console.warn('traykit: ignoring an unknown notification from the core', msg.method);
      }
      return;
    }
    if (msg.id === null || msg.id === undefined) {
      // The core could not (or did not) read the message's ids: when it
      // names the message, its calls reject; otherwise there is no call to
      // tie it to.
      var e = msg.error;
      if (e && typeof e === 'object' && e.data && typeof e.data === 'object' &&
          typeof e.data.message === 'number') {
        refuseMessage(e.data.message, e);
      } else {
        console.error('traykit: the core reported an error for no request', msg.error);
      }
      return;
    }
    settle(msg.id, msg.result, msg.error);
  }

  // Observers of every raw message from the core (devtools, tests).
  var observers = [];

  function onMessage(handler) {
    if (typeof handler !== 'function') throw new TypeError('traykit: onMessage needs a function');
    observers.push(handler);
    return function () {
      var i = observers.indexOf(handler);
      if (i >= 0) observers.splice(i, 1);
    };
  }

  function receiveSafely(msg) {
    try {
      receiveOne(msg);
    } catch (err) {
      console.error('traykit: failed to handle a message from the core', err, msg);
    }
  }

  function receive(message) {
    // The core sends JSON text (see the header); a value is accepted too.
    if (typeof message === 'string') message = JSON.parse(message);
    observers.slice().forEach(function (observe) {
      try {
        observe(message);
      } catch (err) {
        console.error('traykit: an onMessage observer threw', err);
      }
    });
    var items = Array.isArray(message) ? message : [message];
    // The core coalesces what it sends in one evaluation; a JSON-RPC batch
    // response travels as an array inside that array.
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (Array.isArray(item)) {
        for (var j = 0; j < item.length; j++) receiveSafely(item[j]);
      } else {
        receiveSafely(item);
      }
    }
  }

  var api = Object.freeze({
    label: label,
    invoke: invoke,
    notify: notify,
    post: post,
    listen: listen,
    once: once,
    emit: emit,
    emitTo: emitTo,
    receive: receive,
    onMessage: onMessage,
    TraykitError: TraykitError,
  });
  // Not writable: the core calls receive() on this exact object.
  Object.defineProperty(window, '__TRAYKIT__', { value: api, enumerable: true });
})();
