// The notes popup: commands to change notes, an event to stay in sync with
// every other place that changes them (the tray menu, other windows).
const tk = window.__TRAYKIT__;
const list = document.getElementById('notes');
const empty = document.getElementById('empty');
const error = document.getElementById('error');

function showError(e) {
  error.hidden = !e;
  error.textContent = e ? `${e.message} (code ${e.code})` : '';
}

function render(notes) {
  list.replaceChildren(...notes.map((note) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = note.text;
    const remind = document.createElement('button');
    remind.className = 'quiet';
    remind.title = 'Remind me';
    remind.textContent = '🔔';
    remind.onclick = () => tk.invoke('notes.remind', { id: note.id }).then(() => showError(null), showError);
    const del = document.createElement('button');
    del.className = 'quiet';
    del.title = 'Delete';
    del.textContent = '✕';
    del.onclick = () => tk.invoke('notes.delete', { id: note.id }).then(() => showError(null), showError);
    li.append(text, remind, del);
    return li;
  }));
  empty.hidden = notes.length > 0;
}

document.getElementById('add').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('text');
  try {
    await tk.invoke('notes.add', { text: input.value });
    input.value = '';
    showError(null);
  } catch (e) {
    showError(e);
  }
});

// Listen first, then load: no change can slip between the two.
tk.listen('notes-changed', (e) => render(e.payload))
  .then(() => tk.invoke('notes.list'))
  .then(render, showError);
