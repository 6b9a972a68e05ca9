// The settings page: autostart through `autostart.*`, logging through
// `log.write`. Both are built-ins granted by the app's capability.
const { invoke } = window.__TRAYKIT__;
const box = document.getElementById("autostart");
const status = document.getElementById("status");

async function refresh() {
  box.checked = await invoke("autostart.is_enabled");
}

box.addEventListener("change", async () => {
  await invoke(box.checked ? "autostart.enable" : "autostart.disable");
  await refresh();
  await invoke("log.write", { level: "info", message: "autostart changed", fields: { enabled: box.checked } });
});

document.getElementById("log").addEventListener("click", async () => {
  await invoke("log.write", { level: "warn", message: "hello from the settings page" });
  status.textContent = "written";
});

refresh().then(() => invoke("log.write", { level: "info", message: "settings page loaded" }));
