// A stand-in for Stooq's daily CSV on loopback (`/q/d/l/?s=aapl.us&i=d&d1=YYYYMMDD&d2=YYYYMMDD`):
// every weekday of the range closes at the symbol's stub price, so the history endpoint and
// its chart run with no network. A symbol given closes by date instead (`{ '2024-01-02':
// '50.00', ... }`) has rows on those dates only, as a ledger worked by hand lists them. Unknown
// symbols answer "No data", as Stooq does.

import { createServer } from 'node:http';

const day = (text) => new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T00:00:00Z`);

export async function startHistoryStub(prices) {
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://stub');
    const symbol = (url.searchParams.get('s') ?? '').replace(/\.us$/, '').toUpperCase();
    requests.push({ path: url.pathname, symbol });
    const price = prices[symbol];
    const rows = [];
    if (price && typeof price === 'object') {
      const [first, last] = ['d1', 'd2'].map((name) => day(url.searchParams.get(name)).toISOString().slice(0, 10));
      for (const [date, close] of Object.entries(price).sort()) {
        if (date >= first && date <= last) rows.push(`${date},${close},${close},${close},${close},1000`);
      }
    } else if (price) {
      for (let d = day(url.searchParams.get('d1')); d <= day(url.searchParams.get('d2')); d = new Date(d.getTime() + 86_400_000)) {
        if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
        const date = d.toISOString().slice(0, 10);
        rows.push(`${date},${price},${price},${price},${price},1000`);
      }
    }
    const body = rows.length ? `Date,Open,High,Low,Close,Volume\r\n${rows.join('\r\n')}\r\n` : 'No data';
    res.writeHead(200, { 'Content-Type': 'text/csv' }).end(body);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}/q/d/l/`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  };
}
