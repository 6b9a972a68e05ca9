// Two windows show and edit one setting; every change, wherever it is made,
// reaches both.
(async () => {
  const tk = window.__TRAYKIT__;
  document.getElementById('who').textContent = 'window ' + tk.label;
  const show = (v) => { document.getElementById('color').textContent = String(v); };
  await tk.listen('store.changed', (e) => {
    show(e.payload.value);
    tk.invoke('sync.saw', { window: tk.label, key: e.payload.key, value: e.payload.value });
  });
  await tk.invoke('store.watch', { store: 'settings', prefix: 'ui.' });
  show(await tk.invoke('store.get', { store: 'settings', key: 'ui.color' }));
  await tk.listen('sync.go', async (e) => {
    await tk.invoke('store.set', { store: 'settings', key: 'ui.color', value: e.payload });
  });
  await tk.invoke('sync.ready', { window: tk.label });
})();
