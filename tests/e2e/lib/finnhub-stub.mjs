// A stand-in for Finnhub's quote and company-profile endpoints on loopback, so the api's real
// price client runs with known prices and no network. Unknown symbols answer as Finnhub does:
// all zeros for a quote, `{}` for a profile. Setting `refuseQuotes` makes every quote a 401,
// as Finnhub answers a revoked key.

import { createServer } from 'node:http';

export async function startFinnhubStub(prices) {
  const requests = [];
  const stub = { refuseQuotes: false };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://stub');
    requests.push({ path: url.pathname, symbol: url.searchParams.get('symbol'), token: req.headers['x-finnhub-token'] });
    if (url.pathname === '/stock/profile2') {
      const symbol = url.searchParams.get('symbol')?.toUpperCase();
      const body = prices[symbol] ? JSON.stringify({ name: `${symbol} Corporation`, marketCapitalization: 2874123.5, ticker: symbol }) : '{}';
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      return;
    }
    if (url.pathname !== '/quote') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (stub.refuseQuotes) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"Invalid API key"}');
      return;
    }
    const price = prices[url.searchParams.get('symbol')?.toUpperCase()];
    // The raw JSON number, as Finnhub sends it; the api keeps every digit.
    const body = price
      ? `{"c":${price},"d":1.5,"dp":0.75,"h":${price},"l":${price},"o":${price},"pc":${price},"t":1700000000}`
      : '{"c":0,"d":null,"dp":null,"h":0,"l":0,"o":0,"pc":0,"t":0}';
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(stub, {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  });
}
