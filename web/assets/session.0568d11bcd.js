// The signed-in user's tokens, kept in sessionStorage: they survive reloads and deep links in
// this tab, and are gone when the tab closes (see web/README.md for the trade-off).

// `account` is the ledger pages' account choice (an id; absent for all accounts), kept for the
// tab like the rest and dropped with it at logout.
const KEYS = { access: 'fattore.access', refresh: 'fattore.refresh', username: 'fattore.username', account: 'fattore.account' };

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
  get account() {
    return read(KEYS.account) ?? '';
  },
  set account(id) {
    write(KEYS.account, id ? String(id) : null);
  },
  get loggedIn() {
    return Boolean(read(KEYS.refresh) || read(KEYS.access));
  },
  start({ access, refresh, username }) {
    write(KEYS.access, access);
    write(KEYS.refresh, refresh);
    write(KEYS.username, username);
    write(KEYS.account, null);
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
