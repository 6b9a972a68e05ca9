// Tells the app the page is up: its first call, the end of an open.
window.__TRAYKIT__.invoke('warm.ready', {});
