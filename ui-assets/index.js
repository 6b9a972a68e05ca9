// ES module API for bundled frontends. It holds no state: every call goes to
// `window.__TRAYKIT__` (defined by the injected traykit.js) at call time, so
// importing this module before that script has run is fine.

function bridge() {
  const t = globalThis.__TRAYKIT__;
  if (!t) throw new Error('traykit: window.__TRAYKIT__ is missing (traykit.js was not injected)');
  return t;
}

// The async wrappers turn a missing bridge into a rejection; the call into the
// bridge still happens synchronously, so same-tick requests are still batched.
export const invoke = async (method, params) => bridge().invoke(method, params);
export const notify = (method, params) => bridge().notify(method, params);
export const post = (text) => bridge().post(text);
export const listen = async (event, handler) => bridge().listen(event, handler);
export const once = async (event, handler) => bridge().once(event, handler);
export const emit = async (event, payload) => bridge().emit(event, payload);
export const emitTo = async (label, event, payload) => bridge().emitTo(label, event, payload);
export const label = () => bridge().label;
export const onMessage = (handler) => bridge().onMessage(handler);

/**
 * The injected script's error class cannot be imported before it exists, so
 * this stand-in answers `instanceof` for it as well as for itself.
 */
export class TraykitError extends Error {
  constructor(message, code, data) {
    super(message);
    this.name = 'TraykitError';
    this.code = code;
    this.data = data;
  }

  static [Symbol.hasInstance](value) {
    const real = globalThis.__TRAYKIT__ && globalThis.__TRAYKIT__.TraykitError;
    return (real !== undefined && value instanceof real) || Function.prototype[Symbol.hasInstance].call(this, value);
  }
}
