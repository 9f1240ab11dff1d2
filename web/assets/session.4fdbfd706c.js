// The signed-in user's tokens, kept in sessionStorage: they survive reloads and deep links in
// this tab, and are gone when the tab closes (see web/README.md for the trade-off).

const KEYS = { access: 'fattore.access', refresh: 'fattore.refresh', username: 'fattore.username' };

function read(key) {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value == null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled (private mode quotas): the session then lasts until the next reload.
  }
}

export const session = {
  get access() {
    return read(KEYS.access);
  },
  get refresh() {
    return read(KEYS.refresh);
  },
  get username() {
    return read(KEYS.username);
  },
  get loggedIn() {
    return Boolean(read(KEYS.refresh) || read(KEYS.access));
  },
  start({ access, refresh, username }) {
    write(KEYS.access, access);
    write(KEYS.refresh, refresh);
    write(KEYS.username, username);
  },
  // Every refresh hands out a new refresh token too; the old one is used up.
  rotate({ access, refresh }) {
    write(KEYS.access, access);
    write(KEYS.refresh, refresh);
  },
  end() {
    Object.values(KEYS).forEach((key) => write(key, null));
  },
};
