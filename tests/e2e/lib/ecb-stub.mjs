// A stand-in for the European Central Bank's data API on loopback
// (`/service/data/EXR/D.USD.EUR.SP00.A?startPeriod=YYYY-MM-DD&endPeriod=YYYY-MM-DD&format=csvdata`),
// the api's FX_URL: one euro in each currency, as CSV with the ECB's columns. A currency given
// as a rate (`{ USD: '1.08' }`) has it on every weekday of the range asked; one given rates by
// date (`{ GBP: { '2024-01-02': '0.86', '2024-06-12': '0.84' } }`) has rows on those dates only,
// and the api takes the latest before a day for the days between. A range with no row answers
// 404 "No results found.", as the ECB does for a holiday or an unknown currency.

import { createServer } from 'node:http';

const HEADER = 'KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function startEcbStub(rates) {
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://stub');
    const key = url.pathname.match(/^\/service\/data\/EXR\/D\.([A-Z]{3})\.EUR\.SP00\.A$/);
    const [first, last] = ['startPeriod', 'endPeriod'].map((name) => url.searchParams.get(name) ?? '');
    if (!key || !DATE.test(first) || !DATE.test(last) || url.searchParams.get('format') !== 'csvdata') {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request');
      return;
    }
    const currency = key[1];
    requests.push({ currency, first, last });
    const given = rates[currency];
    const days = [];
    if (given && typeof given === 'object') {
      for (const [date, rate] of Object.entries(given).sort()) {
        if (date >= first && date <= last) days.push([date, rate]);
      }
    } else if (given) {
      for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
        if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push([d.toISOString().slice(0, 10), given]);
      }
    }
    if (!days.length) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('No results found.');
      return;
    }
    const rows = days.map(([date, rate]) => `EXR.D.${currency}.EUR.SP00.A,D,${currency},EUR,SP00,A,${date},${rate},A`);
    res.writeHead(200, { 'Content-Type': 'text/csv' }).end(`${HEADER}\r\n${rows.join('\r\n')}\r\n`);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}/service/data/EXR`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  };
}
