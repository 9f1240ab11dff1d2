// Holdings and their valuation, shared by the portfolio and allocation pages. Every amount is
// computed exactly (decimal.js) and rounded once, for display, to cents.

import { api } from './api.js';
import * as dec from './decimal.js';

const MAX_SYMBOLS_PER_REQUEST = 20;

// Latest prices for `tickers`. Never throws for a server without market data: the pages then
// show holdings at cost. Result: { state: 'ok' | 'unavailable' | 'failed', prices, unknown, message }.
export async function loadQuotes(tickers, signal) {
  const unique = [...new Set(tickers)];
  const prices = new Map();
  const unknown = [];
  if (!unique.length) return { state: 'ok', prices, unknown, message: null };
  const chunks = [];
  for (let i = 0; i < unique.length; i += MAX_SYMBOLS_PER_REQUEST) {
    chunks.push(unique.slice(i, i + MAX_SYMBOLS_PER_REQUEST));
  }
  try {
    const answers = await Promise.all(chunks.map((chunk) => api.quotes(chunk, signal)));
    for (const answer of answers) {
      for (const [symbol, quote] of Object.entries(answer?.quotes ?? {})) {
        if (dec.isDecimal(quote?.price)) prices.set(symbol, quote);
      }
      unknown.push(...(answer?.unknown ?? []));
    }
    return { state: 'ok', prices, unknown, message: null };
  } catch (error) {
    if (error?.name === 'AbortError' || error?.code === 'session_expired') throw error;
    if (error?.code === 'not_configured') {
      return { state: 'unavailable', prices, unknown, message: 'Market prices are not available on this server, so holdings are shown at cost.' };
    }
    return { state: 'failed', prices, unknown, message: `Market prices could not be loaded (${error.message}), so holdings are shown at cost.` };
  }
}

// Each holding with its cost, and its market value and gain when its price is known.
export function value(assets, quotes) {
  const rows = assets.map((asset) => {
    const cost = dec.mul(asset.shares, asset.costbasis);
    const quote = quotes?.prices.get(asset.ticker) ?? null;
    if (!quote) return { asset, cost, price: null, marketValue: null, gain: null };
    const marketValue = dec.mul(asset.shares, quote.price);
    return { asset, cost, price: quote.price, marketValue, gain: dec.sub(marketValue, cost) };
  });
  const priced = rows.length > 0 && rows.every((row) => row.marketValue);
  const totalCost = dec.sum(rows.map((row) => row.cost));
  const totalValue = priced ? dec.sum(rows.map((row) => row.marketValue)) : null;
  return {
    rows,
    anyPriced: rows.some((row) => row.marketValue),
    totals: {
      cost: totalCost,
      marketValue: totalValue,
      gain: totalValue ? dec.sub(totalValue, totalCost) : null,
    },
  };
}

export const money = (amount) => dec.toString(dec.round(amount, 2));
export const signedMoney = (amount) => dec.signed(dec.round(amount, 2));

// Gain as a percentage of cost, "+12.34%"; empty when the cost is zero.
export function gainPercent(gain, cost) {
  const ratio = dec.div(dec.mul(gain, '100'), cost, 2);
  return ratio ? `${dec.signed(ratio)}%` : '';
}

export const tone = (amount) => (dec.sign(amount) > 0 ? 'up' : dec.sign(amount) < 0 ? 'down' : 'flat');
