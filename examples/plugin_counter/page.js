// Uses the counter plugin through its page script, and reports what it saw.
(async () => {
  const report = {};
  const error = async (p) => {
    try { return { ok: await p }; } catch (e) { return { code: e.code, message: e.message }; }
  };
  try {
    report.script = typeof window.counter === 'object';
    report.first = await window.counter.add(2);
    report.second = await window.counter.add(3);
    report.get = await window.counter.get();
    // Not granted by the plugin's capability (nor by the app's).
    report.reset = await error(window.counter.reset());
    report.after_reset = await window.counter.get();
  } catch (e) {
    report.fatal = String(e && (e.message || e));
  }
  await window.__TRAYKIT__.invoke('demo.report', report);
})();
