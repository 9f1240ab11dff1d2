// The portfolio: holdings table with market value and gain from the server's summary (every
// figure computed and rounded there), totals, add / edit / delete with the API's field errors
// shown inline, and the holdings as CSV: download, and upload with a dry-run preview first.

import { api } from '../api.js';
import { localToday } from '../dates.js';
import { field, formError, h, loadInto, onSubmit, whilePending } from '../dom.js';
import { MISSING, money, number, signedMoney, signedPercent } from '../money.js';
import { tone } from '../tone.js';

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
  const state = { summary: null, editing: null, confirming: null };
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
    csvCard({ announce, refresh: () => refresh() }),
  );

  async function refresh() {
    const summary = await api.summary(signal);
    if (signal.aborted) return;
    state.summary = summary;
    renderTable();
  }

  function renderTable() {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const editorFocus = state.editing?.row.contains(document.activeElement) ? document.activeElement : null;

    const { holdings, totals } = state.summary;
    const withQuotes = holdings.some((row) => row.price != null);
    const unpriced = [...new Set(holdings.filter((row) => row.price == null).map((row) => row.ticker))];
    const notes = [];
    if (holdings.length && !withQuotes) notes.push('Market prices are not available right now, so holdings are shown at cost.');
    else if (unpriced.length) notes.push(`No market price is known now for ${unpriced.join(', ')}; the totals leave ${unpriced.length === 1 ? 'it' : 'them'} out.`);
    quotesNote.hidden = !notes.length;
    quotesNote.textContent = notes.join(' ');

    if (!holdings.length) {
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-holdings' }, 'No holdings yet. Add your first one below.'));
      return;
    }
    const columns = withQuotes ? 10 : 6;
    const head = h(
      'tr',
      null,
      h('th', { scope: 'col' }, 'Ticker'),
      h('th', { scope: 'col', class: 'num' }, 'Shares'),
      h('th', { scope: 'col', class: 'num' }, 'Cost basis / share'),
      h('th', { scope: 'col' }, 'Buy date'),
      h('th', { scope: 'col', class: 'num' }, 'Cost'),
      withQuotes ? [h('th', { scope: 'col', class: 'num' }, 'Price'), h('th', { scope: 'col', class: 'num' }, 'Market value'), h('th', { scope: 'col', class: 'num' }, 'Gain'), h('th', { scope: 'col', class: 'num' }, 'Day change')] : null,
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
    );
    const body = h('tbody');
    for (const row of holdings) {
      const asset = row;
      body.append(
        h(
          'tr',
          { 'data-testid': 'holding-row', 'data-ticker': asset.ticker, 'data-id': asset.id },
          h('th', { scope: 'row', 'data-col': 'ticker', 'data-label': 'Ticker' }, asset.ticker),
          h('td', { class: 'num', 'data-col': 'shares', 'data-label': 'Shares' }, number(asset.shares)),
          h('td', { class: 'num', 'data-col': 'costbasis', 'data-label': 'Cost basis / share' }, money(asset.costbasis)),
          h('td', { 'data-col': 'buy', 'data-label': 'Buy date' }, h('time', { datetime: asset.buy }, asset.buy)),
          h('td', { class: 'num', 'data-col': 'cost', 'data-label': 'Cost' }, money(row.cost)),
          withQuotes
            ? [
                h('td', { class: 'num', 'data-col': 'price', 'data-label': 'Price' }, money(row.price)),
                h('td', { class: 'num', 'data-col': 'value', 'data-label': 'Market value' }, money(row.market_value)),
                h('td', { class: `num ${row.gain ? tone(row.gain) : ''}`, 'data-col': 'gain', 'data-label': 'Gain' }, row.gain ? gainText(row.gain, row.gain_percent) : MISSING),
                h('td', { class: `num ${row.day_change ? tone(row.day_change) : ''}`, 'data-col': 'day-change', 'data-label': 'Day change' }, signedMoney(row.day_change)),
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
    const foot = h(
      'tr',
      { 'data-testid': 'totals' },
      h('th', { scope: 'row' }, 'Total'),
      h('td', { colspan: 3 }),
      h('td', { class: 'num', 'data-testid': 'total-cost', 'data-label': 'Cost' }, money(totals.cost)),
      withQuotes
        ? [
            h('td'),
            h('td', { class: 'num', 'data-testid': 'total-value', 'data-label': 'Market value' }, money(totals.market_value)),
            h('td', { class: `num ${totals.gain ? tone(totals.gain) : ''}`, 'data-testid': 'total-gain', 'data-label': 'Gain' }, totals.gain ? gainText(totals.gain, totals.gain_percent) : MISSING),
            h('td', { class: `num ${totals.day_change ? tone(totals.day_change) : ''}`, 'data-testid': 'total-day-change', 'data-label': 'Day change' }, signedMoney(totals.day_change)),
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
          h('caption', { id: 'holdings-caption' }, `Holdings (${holdings.length})`),
          h('thead', null, head),
          body,
          h('tfoot', null, foot),
        ),
      ),
    );
    if (editorFocus?.isConnected) editorFocus.focus();
    else if (focusKey) area.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function gainText(gain, percent) {
    return [signedMoney(gain), percent ? h('span', { class: 'pct' }, ` (${signedPercent(percent)})`) : null];
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
    load: () => api.summary(signal),
    render: (summary) => {
      state.summary = summary;
      renderTable();
    },
  });
}

// Download the holdings as CSV, or upload a file: a dry run first shows what would be added
// (or every problem by row), then the import itself.
function csvCard({ announce, refresh }) {
  const download = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-csv' }, 'Download holdings (CSV)');
  download.addEventListener('click', () =>
    whilePending(download, 'Preparing…', async () => {
      try {
        const blob = await api.exportAssets();
        const link = h('a', { href: URL.createObjectURL(blob), download: 'holdings.csv', hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      } catch (error) {
        if (error?.code !== 'session_expired') announce(`Could not download: ${error.message}`, 'error');
      }
    }),
  );
  const fileField = field({ prefix: 'csv', name: 'file', label: 'CSV file', type: 'file', accept: '.csv,text/csv', hint: 'Columns ticker (or symbol), shares (or quantity, qty), costbasis (or price, unit price) and buy (or date); header names in any order.' });
  const preview = h('div', { class: 'import-preview', 'data-testid': 'import-preview', role: 'status' });
  const confirm = h('button', { type: 'button', hidden: true, 'data-testid': 'confirm-import' }, 'Import');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'csv-title', 'data-testid': 'csv-import' },
    h('h2', { id: 'csv-title' }, 'Import and export'),
    h('p', null, download),
    fileField,
    formError(),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Preview import'), confirm),
    preview,
  );
  let text = null;
  // A preview stands for the file it was made from: choosing another one asks for a new preview.
  form.elements.namedItem('file').addEventListener('change', () => {
    confirm.hidden = true;
    preview.replaceChildren();
  });
  const report = (result, done) => {
    if (result.errors.length) {
      return [
        h('p', null, `Nothing ${done ? 'was' : 'would be'} imported: the file has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}.`),
        h('ul', { class: 'import-errors' }, result.errors.map((e) => h('li', null, `Row ${e.row}, ${e.field}: ${e.message}`))),
      ];
    }
    const verb = done ? 'Imported' : 'Would import';
    return [h('p', null, `${verb} ${result.created} holding${result.created === 1 ? '' : 's'}; ${result.skipped} already present ${result.skipped === 1 ? 'is' : 'are'} skipped.`)];
  };
  onSubmit(form, 'Checking…', async () => {
    const file = form.elements.namedItem('file').files?.[0];
    confirm.hidden = true;
    preview.replaceChildren();
    if (!file) throw new Error('Choose a CSV file first.');
    text = await file.text();
    const result = await api.importAssets(text, { dryRun: true });
    preview.replaceChildren(...report(result, false));
    confirm.hidden = result.errors.length > 0 || result.created === 0;
    if (!confirm.hidden) confirm.focus();
  });
  confirm.addEventListener('click', () =>
    whilePending(confirm, 'Importing…', async () => {
      try {
        const result = await api.importAssets(text, { dryRun: false });
        preview.replaceChildren(...report(result, true));
        confirm.hidden = true;
        form.reset();
        if (!result.errors.length) {
          announce(`Imported ${result.created} holding${result.created === 1 ? '' : 's'}.`);
          await refresh();
        }
      } catch (error) {
        if (error?.code !== 'session_expired') preview.replaceChildren(h('p', { class: 'form-error' }, error.message));
      }
    }),
  );
  return form;
}
