window.__TAURI__.core.invoke('probe_second_loaded');
