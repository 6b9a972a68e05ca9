// The app's isolation hook: it sees every message a page sends before the
// core does, and may refuse (throw / return null) or rewrite it. Tauri's
// hook name works too.
window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  const calls = Array.isArray(payload) ? payload : [payload];
  for (const call of calls) {
    if (call && call.method === 'hostile.hook_blocked') {
      throw new Error('hostile.hook_blocked is not allowed by the isolation app');
    }
    if (call && call.method === 'hostile.echo' && call.params && typeof call.params === 'object' && !Array.isArray(call.params)) {
      call.params.checked_by_hook = true;
    }
  }
  return payload;
};
