// The portfolio: holdings table with market value and gain when prices are known, totals, and
// add / edit / delete with the API's field errors shown inline.

import { api } from '../api.js';
import { localToday } from '../dates.js';
import { field, formError, h, loadInto, onSubmit, whilePending } from '../dom.js';
import { gainPercent, loadQuotes, money, signedMoney, tone, value } from '../holdings.js';

const FIELDS = ['ticker', 'shares', 'costbasis', 'buy'];

function holdingFields(prefix, asset = {}) {
  return [
    field({ prefix, name: 'ticker', label: 'Ticker', value: asset.ticker ?? '', required: true, maxlength: 5, autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', hint: '1–5 letters or digits, e.g. VTI' }),
    field({ prefix, name: 'shares', label: 'Shares', value: asset.shares ?? '', required: true, inputmode: 'decimal', autocomplete: 'off', hint: 'Up to 5 decimals' }),
    field({ prefix, name: 'costbasis', label: 'Cost basis per share', value: asset.costbasis ?? '', required: true, inputmode: 'decimal', autocomplete: 'off', hint: 'Price paid per share, up to 2 decimals' }),
    field({ prefix, name: 'buy', label: 'Buy date', type: 'date', value: asset.buy ?? '', required: true, max: localToday() }),
  ];
}

const trimmed = (values) => Object.fromEntries(FIELDS.map((name) => [name, String(values[name] ?? '').trim()]));

export function portfolioPage(main, { signal, announce }) {
  const state = { assets: [], quotes: null, editing: null, confirming: null };
  const area = h('div', { class: 'holdings', 'data-testid': 'holdings' });
  const quotesNote = h('p', { class: 'notice', 'data-testid': 'quotes-note', role: 'status', hidden: true });

  const addForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-title', 'data-testid': 'add-holding' },
    h('h2', { id: 'add-title' }, 'Add a holding'),
    h('div', { class: 'field-grid' }, holdingFields('add')),
    formError(),
    h('button', { type: 'submit' }, 'Add holding'),
  );
  onSubmit(addForm, 'Adding…', async (values) => {
    const created = await api.createAsset(trimmed(values));
    addForm.reset();
    announce(`Added ${created.ticker}.`);
    await refresh();
    addForm.elements.namedItem('ticker').focus();
  });

  main.append(
    h('h1', { tabindex: '-1' }, 'Portfolio'),
    h('section', { 'aria-labelledby': 'holdings-title' }, h('h2', { id: 'holdings-title', class: 'visually-hidden' }, 'Holdings'), quotesNote, area),
    addForm,
  );

  async function fetchQuotes() {
    const tickers = state.assets.map((asset) => asset.ticker);
    const known = state.quotes?.state === 'ok' && tickers.every((t) => state.quotes.prices.has(t) || state.quotes.unknown.includes(t));
    if (known) return;
    quotesNote.hidden = !tickers.length;
    quotesNote.textContent = 'Loading market prices…';
    try {
      state.quotes = await loadQuotes(tickers, signal);
    } catch {
      return;
    }
    if (signal.aborted) return;
    renderTable();
  }

  async function refresh() {
    const assets = await api.listAssets(signal);
    if (signal.aborted) return;
    state.assets = assets;
    renderTable();
    fetchQuotes();
  }

  function renderTable() {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const editorFocus = state.editing?.row.contains(document.activeElement) ? document.activeElement : null;

    const quotes = state.quotes;
    const unknown = quotes?.unknown.filter((t) => state.assets.some((a) => a.ticker === t)) ?? [];
    const notes = [quotes?.message, unknown.length ? `No market price is known for ${unknown.join(', ')}.` : null].filter(Boolean);
    quotesNote.hidden = !notes.length;
    quotesNote.textContent = notes.join(' ');

    if (!state.assets.length) {
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-holdings' }, 'No holdings yet. Add your first one below.'));
      return;
    }
    const valued = value(state.assets, quotes);
    const withQuotes = valued.anyPriced;
    const columns = withQuotes ? 9 : 6;
    const head = h(
      'tr',
      null,
      h('th', { scope: 'col' }, 'Ticker'),
      h('th', { scope: 'col', class: 'num' }, 'Shares'),
      h('th', { scope: 'col', class: 'num' }, 'Cost basis / share'),
      h('th', { scope: 'col' }, 'Buy date'),
      h('th', { scope: 'col', class: 'num' }, 'Cost'),
      withQuotes ? [h('th', { scope: 'col', class: 'num' }, 'Price'), h('th', { scope: 'col', class: 'num' }, 'Market value'), h('th', { scope: 'col', class: 'num' }, 'Gain')] : null,
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
    );
    const body = h('tbody');
    for (const row of valued.rows) {
      const { asset } = row;
      body.append(
        h(
          'tr',
          { 'data-testid': 'holding-row', 'data-ticker': asset.ticker, 'data-id': asset.id },
          h('th', { scope: 'row', 'data-col': 'ticker', 'data-label': 'Ticker' }, asset.ticker),
          h('td', { class: 'num', 'data-col': 'shares', 'data-label': 'Shares' }, asset.shares),
          h('td', { class: 'num', 'data-col': 'costbasis', 'data-label': 'Cost basis / share' }, asset.costbasis),
          h('td', { 'data-col': 'buy', 'data-label': 'Buy date' }, h('time', { datetime: asset.buy }, asset.buy)),
          h('td', { class: 'num', 'data-col': 'cost', 'data-label': 'Cost' }, money(row.cost)),
          withQuotes
            ? [
                h('td', { class: 'num', 'data-col': 'price', 'data-label': 'Price' }, row.price ?? '—'),
                h('td', { class: 'num', 'data-col': 'value', 'data-label': 'Market value' }, row.marketValue ? money(row.marketValue) : '—'),
                h('td', { class: `num ${row.gain ? tone(row.gain) : ''}`, 'data-col': 'gain', 'data-label': 'Gain' }, row.gain ? gainText(row.gain, row.cost) : '—'),
              ]
            : null,
          h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, actions(asset))),
        ),
      );
      if (state.editing?.id === asset.id) {
        state.editing.cell.colSpan = columns;
        body.append(state.editing.row);
      }
    }
    const { totals } = valued;
    const foot = h(
      'tr',
      { 'data-testid': 'totals' },
      h('th', { scope: 'row' }, 'Total'),
      h('td', { colspan: 3 }),
      h('td', { class: 'num', 'data-testid': 'total-cost', 'data-label': 'Cost' }, money(totals.cost)),
      withQuotes
        ? [
            h('td'),
            h('td', { class: 'num', 'data-testid': 'total-value', 'data-label': 'Market value' }, totals.marketValue ? money(totals.marketValue) : '—'),
            h('td', { class: `num ${totals.gain ? tone(totals.gain) : ''}`, 'data-testid': 'total-gain', 'data-label': 'Gain' }, totals.gain ? gainText(totals.gain, totals.cost) : '—'),
          ]
        : null,
      h('td'),
    );
    area.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'holdings-caption', tabindex: '0' },
        h(
          'table',
          { class: 'stack-table', 'data-testid': 'holdings-table' },
          h('caption', { id: 'holdings-caption' }, `Holdings (${state.assets.length})`),
          h('thead', null, head),
          body,
          h('tfoot', null, foot),
        ),
      ),
    );
    if (editorFocus?.isConnected) editorFocus.focus();
    else if (focusKey) area.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function gainText(gain, cost) {
    const percent = gainPercent(gain, cost);
    return [signedMoney(gain), percent ? h('span', { class: 'pct' }, ` (${percent})`) : null];
  }

  function actions(asset) {
    const label = `${asset.ticker} bought ${asset.buy}`;
    if (state.confirming === asset.id) {
      const yes = h('button', { type: 'button', class: 'danger', 'data-focus-key': `confirm-${asset.id}` }, 'Delete');
      const no = h('button', { type: 'button', class: 'secondary', 'data-focus-key': `keep-${asset.id}` }, 'Keep');
      yes.addEventListener('click', () =>
        whilePending(yes, 'Deleting…', async () => {
          no.disabled = true;
          try {
            await api.deleteAsset(asset.id);
            state.confirming = null;
            announce(`Deleted ${asset.ticker}.`);
            await refresh();
            addForm.elements.namedItem('ticker').focus();
          } catch (error) {
            if (error?.code !== 'session_expired') announce(`Could not delete ${asset.ticker}: ${error.message}`, 'error');
            no.disabled = false;
          }
        }),
      );
      no.addEventListener('click', () => {
        state.confirming = null;
        renderTable();
        area.querySelector(`[data-focus-key="delete-${asset.id}"]`)?.focus();
      });
      return h('span', { class: 'confirm', role: 'group', 'aria-label': `Confirm deleting ${label}` }, h('span', null, `Delete ${asset.ticker}?`), yes, no);
    }
    const edit = h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${label}`, 'data-focus-key': `edit-${asset.id}` }, 'Edit');
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete ${label}`, 'data-focus-key': `delete-${asset.id}` }, 'Delete');
    edit.addEventListener('click', () => openEditor(asset));
    remove.addEventListener('click', () => {
      state.confirming = asset.id;
      renderTable();
      area.querySelector(`[data-focus-key="keep-${asset.id}"]`)?.focus();
    });
    return [edit, remove];
  }

  function openEditor(asset) {
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = h(
      'form',
      { class: 'editor', 'aria-label': `Edit ${asset.ticker} bought ${asset.buy}`, 'data-testid': 'edit-holding' },
      h('div', { class: 'field-grid' }, holdingFields('edit', asset)),
      formError(),
      h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save changes'), cancel),
    );
    const close = () => {
      state.editing = null;
      renderTable();
      area.querySelector(`[data-focus-key="edit-${asset.id}"]`)?.focus();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    onSubmit(form, 'Saving…', async (values) => {
      const changes = Object.fromEntries(Object.entries(trimmed(values)).filter(([name, text]) => text !== String(asset[name])));
      if (Object.keys(changes).length) {
        const saved = await api.updateAsset(asset.id, changes);
        announce(`Saved ${saved.ticker}.`);
      }
      state.editing = null;
      await refresh();
      area.querySelector(`[data-focus-key="edit-${asset.id}"]`)?.focus();
    });
    const cell = h('td', { colspan: 6 }, form);
    state.editing = { id: asset.id, row: h('tr', { class: 'editor-row' }, cell), cell };
    state.confirming = null;
    renderTable();
    form.elements.namedItem('ticker').focus();
  }

  loadInto(area, {
    label: 'your holdings',
    signal,
    load: () => api.listAssets(signal),
    render: (assets) => {
      state.assets = assets;
      renderTable();
      fetchQuotes();
    },
  });
}
