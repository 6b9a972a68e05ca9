// The counter plugin's page API, injected into every page by the plugin
// (PluginSetup::page_script), after the bridge and before the page's own
// scripts.
(() => {
  const tk = window.__TRAYKIT__;
  window.counter = Object.freeze({
    add: (by) => tk.invoke('counter.add', { by }),
    get: () => tk.invoke('counter.get'),
    reset: () => tk.invoke('counter.reset'),
  });
})();
