window.__TRAYKIT__.notify('probe.second_loaded');
