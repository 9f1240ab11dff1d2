// Wall Street: the week whose picks are open (this week until Monday's market open, then next
// week), your picks, the week in progress, last week's results and the leaderboards.

import { api } from './api.7e53e00667.js';
import { addDays, exchangeToday, formatDay, formatInstantWithExchange, sundayOf } from './dates.55a005ad75.js';
import { append, h, loadInto, whilePending } from './dom.ccf23a358f.js';
import { MISSING, money, signedPercent } from './money.18e4ea6ae7.js';
import { session } from './session.0568d11bcd.js';
import { tone } from './tone.64d4aca04b.js';

const PICKS_PER_WEEK = 3;

const toneOf = (text) => (text == null ? '' : tone(text));

// The open week: the current one while its picks are open, else the next that is.
async function findOpenWeek(current, signal) {
  const currentWeek = await api.week(current, signal);
  let week = currentWeek;
  for (let step = 0; step < 2 && !week.picks_open; step += 1) {
    week = await api.week(addDays(week.sunday, 7), signal);
  }
  return { week, currentWeek };
}

function section(id, title) {
  const heading = h('h2', { id: `${id}-title` }, title);
  const body = h('div', { class: 'section-body' });
  const element = h('section', { class: 'card', 'aria-labelledby': `${id}-title`, 'data-testid': id }, heading, body);
  return { element, heading, body };
}

export function wallstreetPage(main, { signal, announce }) {
  const current = sundayOf(exchangeToday());
  const lastSunday = addDays(current, -7);

  const open = section('open-week', 'This week’s picks');
  const inPlay = section('in-play', 'In play');
  inPlay.element.hidden = true;
  const results = section('last-week', 'Last week’s results');
  const board = section('leaderboard', 'Leaderboard');

  append(main,
    h('h1', { tabindex: '-1' }, 'Wall Street'),
    h('p', { class: 'lede' }, 'Each week offers a few stocks. Pick up to three before Monday’s market open; at the end of the week picks are ranked by their percent change.'),
    open.element,
    inPlay.element,
    results.element,
    board.element,
  );

  function loadOpenWeek() {
    return loadInto(open.body, {
      label: 'this week’s options',
      signal,
      load: async () => {
        const { week, currentWeek } = await findOpenWeek(current, signal);
        const picks = await api.selections(week.sunday, signal);
        return { week, currentWeek, picks };
      },
      render: ({ week, currentWeek, picks }) => {
        open.heading.textContent = `Picks for the week of ${formatDay(week.sunday)}`;
        open.element.dataset.sunday = week.sunday;
        renderOpenWeek(week, picks);
        if (currentWeek.sunday !== week.sunday && currentWeek.options.length) loadInPlay(currentWeek);
      },
    });
  }

  function renderOpenWeek(week, initialPicks) {
    let picks = initialPicks;
    const error = h('p', { class: 'error-box', role: 'alert', 'data-testid': 'pick-error', hidden: true });
    const count = h('p', { class: 'picks-count', 'data-testid': 'picks-used', 'aria-live': 'polite', tabindex: '-1' });
    const optionList = h('ul', { class: 'options', 'data-testid': 'options' });
    const pickList = h('ol', { class: 'my-picks', 'data-testid': 'my-picks' });

    const showError = (message) => {
      error.textContent = message;
      error.hidden = !message;
    };

    async function reloadPicks() {
      picks = await api.selections(week.sunday, signal);
      draw();
    }

    // After a pick or removal the lists are redrawn; keyboard focus goes back where it was, or
    // to the pick count when that button is gone or disabled.
    async function act(button, busy, work) {
      const ticker = button.closest('[data-ticker]')?.dataset.ticker;
      const list = button.closest('ul, ol');
      await whilePending(button, busy, async () => {
        optionList.querySelectorAll('button').forEach((b) => {
          b.disabled = true;
        });
        try {
          await work();
          showError('');
          await reloadPicks();
        } catch (err) {
          if (err?.name === 'AbortError' || err?.code === 'session_expired') return;
          showError(err.message);
          if (err?.code === 'week_closed') {
            announce(err.message, 'error');
            loadOpenWeek();
          }
        }
      });
      draw();
      const again = list?.querySelector(`[data-ticker="${CSS.escape(ticker ?? '')}"] button`);
      if (again && !again.disabled) again.focus();
      else count.focus();
    }

    function draw() {
      count.textContent = `You have picked ${picks.length} of ${PICKS_PER_WEEK}.`;
      optionList.replaceChildren(
        ...week.options.map((option) => {
          const mine = picks.some((pick) => pick.option === option.id);
          let control = null;
          if (mine) control = h('span', { class: 'chosen' }, '✓ Your pick');
          else if (week.picks_open) {
            control = h('button', { type: 'button', 'aria-label': `Pick ${option.ticker}` }, 'Pick');
            control.addEventListener('click', () => act(control, 'Picking…', async () => {
              await api.pick(option.id);
              announce(`Picked ${option.ticker}.`);
            }));
          }
          return h(
            'li',
            { class: mine ? 'option picked' : 'option', 'data-testid': 'option', 'data-ticker': option.ticker },
            h('span', { class: 'ticker' }, option.ticker),
            h('span', { class: 'price' }, option.start_price ? `Start ${money(option.start_price)}` : 'Start price at market open'),
            control,
          );
        }),
      );
      pickList.replaceChildren(
        ...picks.map((pick) => {
          let remove = null;
          if (week.picks_open) {
            remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove pick ${pick.ticker}` }, 'Remove');
            remove.addEventListener('click', () => act(remove, 'Removing…', async () => {
              await api.unpick(pick.id);
              announce(`Removed ${pick.ticker}.`);
            }));
          }
          return h('li', { 'data-testid': 'my-pick', 'data-ticker': pick.ticker }, h('span', { class: 'ticker' }, pick.ticker), remove);
        }),
      );
      pickList.hidden = !picks.length;
      noPicks.hidden = Boolean(picks.length);
    }

    const noPicks = h('p', { class: 'empty' }, 'No picks yet.');
    if (!week.options.length) {
      append(open.body, h('p', { class: 'empty', 'data-testid': 'no-options' }, 'No stocks have been posted for this week yet. Check back soon.'));
      return;
    }
    append(open.body,
      h('p', null, week.picks_open ? `Pick up to ${PICKS_PER_WEEK}. Picks close ${formatInstantWithExchange(week.picks_close_at)}.` : 'Picks for this week are closed.'),
      optionList,
      error,
      h('h3', null, 'Your picks'),
      count,
      noPicks,
      pickList,
    );
    draw();
  }

  function loadInPlay(week) {
    inPlay.element.hidden = false;
    inPlay.heading.textContent = `In play: the week of ${formatDay(week.sunday)}`;
    loadInto(inPlay.body, {
      label: 'this week’s picks',
      signal,
      load: () => api.selections(week.sunday, signal),
      render: (picks) => {
        const picked = new Set(picks.map((p) => p.option));
        append(inPlay.body,
          h('p', null, `Picks closed ${formatInstantWithExchange(week.picks_close_at)}; results after ${formatInstantWithExchange(week.ends_at)}.`),
          optionsTable(week.options, picked, false),
        );
      },
    });
  }

  loadOpenWeek();

  results.heading.textContent = `Last week’s results: the week of ${formatDay(lastSunday)}`;
  loadInto(results.body, {
    label: 'last week’s results',
    signal,
    load: () =>
      Promise.all([api.week(lastSunday, signal), api.selections(lastSunday, signal), api.leaderboard({ sunday: lastSunday, pageSize: 10 }, signal)]),
    render: ([week, picks, weekly]) => {
      if (!week.options.length) {
        append(results.body, h('p', { class: 'empty' }, 'No game was played that week.'));
        return;
      }
      const picked = new Set(picks.map((p) => p.option));
      if (!week.closed) {
        append(results.body, h('p', { class: 'notice' }, `Results are not in yet; the week ended ${formatInstantWithExchange(week.ends_at)}.`), optionsTable(week.options, picked, false));
        return;
      }
      append(results.body,
        optionsTable(week.options, picked, true),
        h('h3', null, 'Players that week'),
        weekly.results.length
          ? rankingTable(weekly.results, ['Score', (e) => signedPercent(e.score), 'Picks', (e) => String(e.picks)], 'weekly-ranking')
          : h('p', { class: 'empty' }, 'Nobody picked that week.'),
      );
    },
  });

  loadLeaderboard(1);

  function loadLeaderboard(page) {
    board.heading.textContent = 'Leaderboard: all time';
    loadInto(board.body, {
      label: 'the leaderboard',
      signal,
      load: () => api.leaderboard({ page }, signal),
      render: (data) => {
        if (!data.results.length) {
          append(board.body, h('p', { class: 'empty', 'data-testid': 'leaderboard-empty' }, 'No weeks have been scored yet.'));
          return;
        }
        append(board.body,
          rankingTable(
            data.results,
            ['Total', (e) => signedPercent(e.total), 'Average', (e) => signedPercent(e.average), 'Weeks', (e) => String(e.weeks_played)],
            'all-time-ranking',
          ),
        );
        if (data.next || data.previous) {
          const previous = h('button', { type: 'button', class: 'secondary', disabled: !data.previous }, 'Previous page');
          const next = h('button', { type: 'button', class: 'secondary', disabled: !data.next }, 'Next page');
          previous.addEventListener('click', () => loadLeaderboard(page - 1));
          next.addEventListener('click', () => loadLeaderboard(page + 1));
          append(board.body, h('div', { class: 'buttons' }, previous, h('span', null, `Page ${page}`), next));
        }
      },
    });
  }
}

function optionsTable(options, picked, withResults) {
  const sorted = [...options].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.ticker.localeCompare(b.ticker));
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': 'Options', tabindex: '0' },
    h(
      'table',
      { class: 'stack-table', 'data-testid': withResults ? 'results-table' : 'week-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          withResults ? h('th', { scope: 'col', class: 'num' }, 'Rank') : null,
          h('th', { scope: 'col' }, 'Ticker'),
          h('th', { scope: 'col', class: 'num' }, 'Start'),
          withResults ? [h('th', { scope: 'col', class: 'num' }, 'End'), h('th', { scope: 'col', class: 'num' }, 'Change')] : null,
          h('th', { scope: 'col' }, 'Your pick'),
        ),
      ),
      h(
        'tbody',
        null,
        sorted.map((option) =>
          h(
            'tr',
            { 'data-ticker': option.ticker, class: picked.has(option.id) ? 'picked' : null },
            withResults ? h('td', { class: 'num', 'data-label': 'Rank' }, option.rank ?? MISSING) : null,
            h('th', { scope: 'row', 'data-label': 'Ticker' }, option.ticker),
            h('td', { class: 'num', 'data-label': 'Start' }, money(option.start_price)),
            withResults
              ? [
                  h('td', { class: 'num', 'data-label': 'End' }, money(option.end_price)),
                  h('td', { class: `num ${toneOf(option.percent_change)}`, 'data-label': 'Change' }, signedPercent(option.percent_change)),
                ]
              : null,
            h('td', null, picked.has(option.id) ? '★ Picked' : ''),
          ),
        ),
      ),
    ),
  );
}

// columns: ['Heading', (entry) => text, ...] after rank and player.
function rankingTable(entries, columns, testid) {
  const pairs = [];
  for (let i = 0; i < columns.length; i += 2) pairs.push([columns[i], columns[i + 1]]);
  const me = (session.username ?? '').toLowerCase();
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': 'Ranking', tabindex: '0' },
    h(
      'table',
      { class: 'stack-table', 'data-testid': testid },
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, 'Rank'), h('th', { scope: 'col' }, 'Player'), pairs.map(([title]) => h('th', { scope: 'col', class: 'num' }, title)))),
      h(
        'tbody',
        null,
        entries.map((entry) => {
          const mine = entry.username.toLowerCase() === me;
          return h(
            'tr',
            { class: mine ? 'me' : null, 'data-username': entry.username },
            h('td', { class: 'num', 'data-label': 'Rank' }, String(entry.rank)),
            h('th', { scope: 'row', 'data-label': 'Player' }, h('span', null, entry.username, mine ? ' (you)' : '')),
            pairs.map(([title, cell]) => h('td', { class: 'num', 'data-label': title }, cell(entry))),
          );
        }),
      ),
    ),
  );
}
