// Entry point: the page shell, client-side routes (History API; the proxy answers deep links
// with index.html) and the signed-in / signed-out navigation.

import { ACCOUNT_PAGES, withAccount } from './accounts.8bc8d8f9ba.js';
import { api, onSessionLost } from './api.7e53e00667.js';
import { append, h } from './dom.ccf23a358f.js';
import { accountsPage } from './pages-accounts.acdeba5121.js';
import { allocationPage } from './pages-allocation.a875d97f56.js';
import { loginPage, registerPage } from './pages-auth.f1f9e96ac6.js';
import { performancePage } from './pages-performance.4157b2e88b.js';
import { portfolioPage } from './pages-portfolio.78a3366291.js';
import { realizedPage } from './pages-realized.6d8844a075.js';
import { transactionsPage } from './pages-transactions.eb8857e8b0.js';
import { wallstreetPage } from './pages-wallstreet.719029e68f.js';
import { watchlistPage } from './pages-watchlist.b42a18c74e.js';
import { session } from './session.0568d11bcd.js';
import { setUpTheme } from './theme.c654862819.js';

const APP_NAME = 'Fattore Street';

const routes = {
  '/login': { title: 'Log in', page: loginPage, guest: true },
  '/register': { title: 'Create an account', page: registerPage, guest: true },
  '/portfolio': { title: 'Portfolio', page: portfolioPage, auth: true },
  '/transactions': { title: 'Transactions', page: transactionsPage, auth: true },
  '/realized': { title: 'Realized gains', page: realizedPage, auth: true },
  '/performance': { title: 'Performance', page: performancePage, auth: true },
  // The performance page's old address.
  '/history': { redirect: '/performance' },
  '/allocation': { title: 'Allocation', page: allocationPage, auth: true },
  '/accounts': { title: 'Accounts', page: accountsPage, auth: true },
  '/watchlist': { title: 'Watch list', page: watchlistPage, auth: true },
  '/wallstreet': { title: 'Wall Street', page: wallstreetPage, auth: true },
};

const NAV_SIGNED_IN = [
  ['/portfolio', 'Portfolio'],
  ['/transactions', 'Transactions'],
  ['/realized', 'Realized gains'],
  ['/performance', 'Performance'],
  ['/allocation', 'Allocation'],
  ['/accounts', 'Accounts'],
  ['/watchlist', 'Watch list'],
  ['/wallstreet', 'Wall Street'],
];
const NAV_SIGNED_OUT = [
  ['/login', 'Log in'],
  ['/register', 'Register'],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const account = document.getElementById('account');
const toast = document.getElementById('toast');
setUpTheme(document.getElementById('theme-toggle'));

let flash = null;
let controller = null;
let toastTimer = null;

function announce(message, kind = 'info') {
  clearTimeout(toastTimer);
  toast.textContent = message;
  toast.dataset.kind = kind;
  toastTimer = setTimeout(() => {
    toast.textContent = '';
  }, 6000);
}

// `focusId`: the control to give focus on the new page (a filter that redrew it), instead of
// its heading.
function navigate(to, { replace = false, focusId = null } = {}) {
  const target = new URL(to, window.location.origin);
  const path = target.pathname + target.search + target.hash;
  if (replace) window.history.replaceState(null, '', path);
  else if (path !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.pushState(null, '', path);
  }
  render({ focus: true, focusId });
}

function renderChrome(path) {
  const links = session.loggedIn ? NAV_SIGNED_IN : NAV_SIGNED_OUT;
  nav.replaceChildren(
    h(
      'ul',
      null,
      // The ledger pages keep the tab's account choice.
      links.map(([href, label]) => h('li', null, h('a', { href: ACCOUNT_PAGES.has(href) ? withAccount(href) : href, 'aria-current': href === path ? 'page' : null }, label))),
    ),
  );
  if (session.loggedIn) {
    const logout = h('button', { type: 'button', class: 'link' }, 'Log out');
    logout.addEventListener('click', async () => {
      const { refresh } = session;
      session.end();
      flash = 'You have logged out.';
      navigate('/login');
      // Best effort: an unreachable server or an already-ended session leaves nothing to undo.
      if (refresh) await api.logout(refresh).catch(() => {});
    });
    account.replaceChildren(h('span', { class: 'who', 'data-testid': 'signed-in-as' }, session.username ?? ''), logout);
  } else {
    account.replaceChildren();
  }
}

function notFound(container) {
  append(container,
    h('h1', { tabindex: '-1' }, 'Page not found'),
    h('p', null, 'There is nothing at this address. ', h('a', { href: '/' }, 'Go to the start page'), '.'),
  );
}

function render({ focus = false, focusId = null } = {}) {
  controller?.abort();
  controller = new AbortController();

  let path = window.location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(window.location.search);
  if (path === '/') {
    navigate(session.loggedIn ? '/portfolio' : '/login', { replace: true });
    return;
  }
  const route = routes[path];
  if (route?.redirect) {
    navigate(route.redirect + window.location.search, { replace: true });
    return;
  }
  if (route?.auth && !session.loggedIn) {
    navigate(`/login?next=${encodeURIComponent(path + window.location.search)}`, { replace: true });
    return;
  }
  if (route?.guest && session.loggedIn) {
    navigate('/portfolio', { replace: true });
    return;
  }
  if (route && window.location.pathname !== path) {
    window.history.replaceState(null, '', path + window.location.search);
  }
  // A ledger page without `?account=` shows the account chosen last in this tab (all without
  // one); with it, that becomes the choice.
  if (ACCOUNT_PAGES.has(path)) {
    if (params.get('account')) session.account = params.get('account');
    else if (session.account) {
      params.set('account', session.account);
      window.history.replaceState(null, '', withAccount(path + window.location.search));
    }
  }

  document.title = route ? `${route.title} · ${APP_NAME}` : `Page not found · ${APP_NAME}`;
  renderChrome(path);
  main.replaceChildren();
  main.dataset.page = route ? path.slice(1) : 'not-found';
  const context = {
    signal: controller.signal,
    params,
    navigate,
    announce,
    takeFlash: () => {
      const message = flash;
      flash = null;
      return message;
    },
  };
  (route?.page ?? notFound)(main, context);
  // Move focus to the new page's heading so screen readers announce it, unless the page
  // already put it somewhere useful (a form's first field) or a control asked to keep it.
  const keep = focusId ? document.getElementById(focusId) : null;
  if (keep && main.contains(keep)) keep.focus();
  else if (focus && !main.contains(document.activeElement)) main.querySelector('h1')?.focus();
}

// Same-origin links navigate in place; modified clicks and other origins behave as usual.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => render({ focus: true }));

onSessionLost(() => {
  if (window.location.pathname === '/login') return;
  flash = 'Your session has expired. Please log in again.';
  const here = window.location.pathname + window.location.search;
  navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
});

document.documentElement.classList.add('js');
render();
