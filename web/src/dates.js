// Calendar dates as the API writes them (YYYY-MM-DD), computed without the browser's own time
// zone getting in the way: day arithmetic happens in UTC.

const GAME_TIME_ZONE = 'America/New_York';

function parts(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

const iso = (utcDate) => utcDate.toISOString().slice(0, 10);

export function addDays(date, days) {
  const day = parts(date);
  day.setUTCDate(day.getUTCDate() + days);
  return iso(day);
}

// The same day `months` months earlier or later, or the month's last day when it is shorter
// (2024-03-31 minus one month is 2024-02-29).
export function addMonths(date, months) {
  const day = parts(date);
  const target = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day.getUTCDate(), lastDay));
  return iso(target);
}

// Today's date on the exchange's calendar (the game's weeks follow New York time).
export function exchangeToday(now = new Date()) {
  const fields = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: GAME_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
  return `${fields.year}-${fields.month}-${fields.day}`;
}

// The Sunday that starts the week containing `date`.
export function sundayOf(date) {
  return addDays(date, -parts(date).getUTCDay());
}

// "Sun, Nov 23, 2025" in the reader's language, for a YYYY-MM-DD date.
export function formatDay(date) {
  return parts(date).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

// An instant (RFC 3339) in the reader's own time zone.
export function formatInstant(instant) {
  return new Date(instant).toLocaleString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

// An instant in the reader's own time with the exchange's beside it, as people plan around
// either: "Mon, Dec 7, 3:30 PM GMT+1 (9:30 AM ET)".
export function formatInstantWithExchange(instant) {
  const exchange = new Date(instant).toLocaleTimeString(undefined, {
    timeZone: GAME_TIME_ZONE,
    hour: 'numeric',
    minute: '2-digit',
  });
  return `${formatInstant(instant)} (${exchange} ET)`;
}

// Today in the reader's own calendar, the latest buy date the API accepts (give or take a
// time zone): used as the date picker's maximum.
export function localToday(now = new Date()) {
  const offset = now.getTimezoneOffset() * 60_000;
  return new Date(now.getTime() - offset).toISOString().slice(0, 10);
}
