// Calls the `counter.add` command and follows the `counter-changed` event
// (also when another window or Rust changes the counter).
const { invoke, listen } = window.__TRAYKIT__;
const value = document.getElementById("value");
listen("counter-changed", (n) => { value.textContent = n; });
document.getElementById("add").addEventListener("click", () => invoke("counter.add", { by: 1 }));
