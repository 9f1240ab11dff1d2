// Light and dark. The page follows the system's colour scheme (prefers-color-scheme) until the
// header's toggle picks one, which is remembered in this browser. style.css does the rest: each
// colour is light-dark(light, dark), and html[data-theme] sets the scheme that chooses.

const KEY = 'theme';
const system = window.matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    // Storage may be refused (a privacy setting): the toggle then lasts for this page only.
    return null;
  }
}

export function currentTheme() {
  return document.documentElement.dataset.theme ?? (system.matches ? 'dark' : 'light');
}

// Applies the remembered choice, and wires `button` as the toggle: pressed means dark.
export function setUpTheme(button) {
  const choice = stored();
  if (choice) document.documentElement.dataset.theme = choice;
  const show = () => button.setAttribute('aria-pressed', String(currentTheme() === 'dark'));
  button.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      // See stored().
    }
    show();
  });
  system.addEventListener('change', show);
  show();
  button.hidden = false;
}
