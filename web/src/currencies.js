// Currencies by name: the report currencies offered on the Accounts page, and what a code is
// called in the reader's language ("EUR" is "Euro" in English, "Euro" in German, "euro" in
// French), from the browser's own Intl data.

// The euro and the currencies the European Central Bank publishes a daily reference rate for:
// the server fetches its rates from the ECB (FX_PROVIDER=ecb), so a report in any of these
// converts without a rate imported by hand.
export const REPORT_CURRENCIES = [
  'AUD', 'BGN', 'BRL', 'CAD', 'CHF', 'CNY', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'HUF', 'IDR', 'ILS', 'INR',
  'ISK', 'JPY', 'KRW', 'MXN', 'MYR', 'NOK', 'NZD', 'PHP', 'PLN', 'RON', 'SEK', 'SGD', 'THB', 'TRY', 'USD', 'ZAR',
];

// Where the setting is (the Accounts page's "Report in"), for the pages that show its currency.
export const REPORT_CURRENCY_ID = 'report-currency';
export const REPORT_CURRENCY_LINK = `/accounts#${REPORT_CURRENCY_ID}`;

let names = null;

// "Euro" for "EUR"; the code itself where the browser has no name for it.
export function currencyName(code) {
  try {
    names ??= new Intl.DisplayNames(undefined, { type: 'currency' });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

// "Euro (EUR)": the name a person knows, with the code the figures are labelled with.
export const currencyLabel = (code) => {
  const name = currencyName(code);
  return name === code ? code : `${name} (${code})`;
};
