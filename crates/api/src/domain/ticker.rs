//! A stock symbol, and what its suffix says: `BRK.B` is a US share class, `VOD.L` a London
//! listing quoted in pence, `SAP.DE` a Xetra listing in euros, `7203.T` a Tokyo one in yen. The
//! one place that knows each market-data provider's spelling of a symbol.

use rust_decimal::Decimal;

/// A stock symbol: 1 to 10 ASCII letters or digits, optionally a dot and a suffix that is an
/// exchange of [`EXCHANGES`] or, when it is any other single letter, a US share class.
/// Upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticker(String);

/// A market a ticker's suffix names.
#[derive(Debug, PartialEq, Eq)]
pub struct Exchange {
    /// What follows the dot, upper-case.
    pub suffix: &'static str,
    pub name: &'static str,
    /// The ISO 4217 code of the listing's currency.
    pub currency: &'static str,
    /// Whether prices are quoted in the currency's hundredth (London quotes pence, GBX).
    pub quoted_in_hundredths: bool,
    /// Stooq's market code, when Stooq has the market's daily history.
    stooq: Option<&'static str>,
}

const fn exchange(
    suffix: &'static str,
    name: &'static str,
    currency: &'static str,
    stooq: Option<&'static str>,
) -> Exchange {
    Exchange {
        suffix,
        name,
        currency,
        quoted_in_hundredths: false,
        stooq,
    }
}

/// The exchanges a suffix can name: Yahoo's and Finnhub's suffixes.
pub const EXCHANGES: [Exchange; 19] = [
    Exchange {
        quoted_in_hundredths: true,
        ..exchange("L", "London Stock Exchange", "GBP", Some("uk"))
    },
    exchange("T", "Tokyo Stock Exchange", "JPY", Some("jp")),
    exchange("DE", "Xetra", "EUR", Some("de")),
    exchange("HK", "Hong Kong Stock Exchange", "HKD", Some("hk")),
    exchange("PA", "Euronext Paris", "EUR", None),
    exchange("AS", "Euronext Amsterdam", "EUR", None),
    exchange("BR", "Euronext Brussels", "EUR", None),
    exchange("LS", "Euronext Lisbon", "EUR", None),
    exchange("IR", "Euronext Dublin", "EUR", None),
    exchange("MI", "Borsa Italiana", "EUR", None),
    exchange("MC", "Bolsa de Madrid", "EUR", None),
    exchange("VI", "Wiener Börse", "EUR", None),
    exchange("HE", "Nasdaq Helsinki", "EUR", None),
    exchange("SW", "SIX Swiss Exchange", "CHF", None),
    exchange("ST", "Nasdaq Stockholm", "SEK", None),
    exchange("CO", "Nasdaq Copenhagen", "DKK", None),
    exchange("OL", "Oslo Børs", "NOK", None),
    exchange("TO", "Toronto Stock Exchange", "CAD", None),
    exchange("AX", "Australian Securities Exchange", "AUD", None),
];

/// The currency of a US listing (no suffix, or a share class).
pub const US_CURRENCY: &str = "USD";

impl Ticker {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("This field may not be blank.".into());
        }
        let upper = raw.to_ascii_uppercase();
        let (base, suffix) = match upper.split_once('.') {
            Some((base, suffix)) => (base, Some(suffix)),
            None => (upper.as_str(), None),
        };
        let alphanumeric = |part: &str| part.bytes().all(|b| b.is_ascii_alphanumeric());
        let well_formed = (1..=10).contains(&base.len())
            && alphanumeric(base)
            && suffix.is_none_or(|s| {
                (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
            });
        if !well_formed {
            return Err(
                "A ticker is 1 to 10 letters or digits, optionally followed by a dot and \
                 a share class or an exchange (BRK.B, VOD.L, SAP.DE)."
                    .into(),
            );
        }
        if let Some(suffix) = suffix.filter(|s| s.len() > 1) {
            if find_exchange(suffix).is_none() {
                let known: Vec<String> =
                    EXCHANGES.iter().map(|e| format!(".{}", e.suffix)).collect();
                return Err(format!(
                    "“.{suffix}” names no exchange this app knows; use one of {}.",
                    known.join(", ")
                ));
            }
        }
        Ok(Self(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The symbol without its suffix.
    pub fn base(&self) -> &str {
        self.0.split_once('.').map_or(&self.0, |(base, _)| base)
    }

    fn suffix(&self) -> Option<&str> {
        self.0.split_once('.').map(|(_, suffix)| suffix)
    }

    /// The exchange the suffix names; `None` for a US listing.
    pub fn exchange(&self) -> Option<&'static Exchange> {
        self.suffix().and_then(find_exchange)
    }

    /// The US share class (`B` of `BRK.B`), if the suffix is one.
    pub fn share_class(&self) -> Option<&str> {
        self.suffix().filter(|_| self.exchange().is_none())
    }

    /// The ISO 4217 code of the currency the ticker is listed in.
    pub fn listing_currency(&self) -> &'static str {
        self.exchange().map_or(US_CURRENCY, |e| e.currency)
    }

    /// Whether quotes are in hundredths of [`Ticker::listing_currency`] (pence in London).
    pub fn quoted_in_hundredths(&self) -> bool {
        self.exchange().is_some_and(|e| e.quoted_in_hundredths)
    }

    /// A price as the providers quote it, in units of the listing currency: London's pence
    /// become pounds. Every price from a provider comes through here before it is kept.
    pub fn listing_price(&self, quoted: Decimal) -> Decimal {
        if self.quoted_in_hundredths() {
            quoted / Decimal::ONE_HUNDRED
        } else {
            quoted
        }
    }

    /// Stooq's symbol (`brk-b.us`, `vod.uk`, `sap.de`, `7203.jp`), or `None` for a market
    /// Stooq has no history of.
    pub fn stooq_symbol(&self) -> Option<String> {
        let base = self.base().to_ascii_lowercase();
        match (self.exchange(), self.share_class()) {
            (Some(exchange), _) => exchange.stooq.map(|market| format!("{base}.{market}")),
            (None, Some(class)) => Some(format!("{base}-{}.us", class.to_ascii_lowercase())),
            (None, None) => Some(format!("{base}.us")),
        }
    }

    /// Finnhub's symbol, which is this form (`BRK.B`, `VOD.L`, `7203.T`).
    pub fn finnhub_symbol(&self) -> &str {
        &self.0
    }
}

/// The listing currency of a stored ticker; one that does not parse (none is stored) is taken
/// as a US one.
pub fn listing_currency_of(raw: &str) -> &'static str {
    Ticker::parse(raw).map_or(US_CURRENCY, |ticker| ticker.listing_currency())
}

fn find_exchange(suffix: &str) -> Option<&'static Exchange> {
    EXCHANGES.iter().find(|e| e.suffix == suffix)
}

impl std::fmt::Display for Ticker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_forms_are_upper_cased() {
        for (raw, stored) in [
            ("brk1", "BRK1"),
            ("VTI", "VTI"),
            (" brk.b ", "BRK.B"),
            ("vod.l", "VOD.L"),
            ("SAP.de", "SAP.DE"),
            ("7203.T", "7203.T"),
            ("0700.HK", "0700.HK"),
            ("ABCDEFGHIJ", "ABCDEFGHIJ"),
            ("GOOGL", "GOOGL"),
        ] {
            assert_eq!(Ticker::parse(raw).unwrap().as_str(), stored, "{raw:?}");
        }
    }

    #[test]
    fn invalid_forms_are_refused_with_the_reason() {
        for bad in [
            "",
            "ABCDEFGHIJK",
            "ÄPL",
            "A B",
            ".L",
            "VOD.",
            "VOD..L",
            "VOD.L.X",
            "BRK.1",
            "VOD.LON",
            "BRK-B",
            "A/B",
        ] {
            assert!(Ticker::parse(bad).is_err(), "{bad:?}");
        }
        let unknown = Ticker::parse("SAP.XX").unwrap_err();
        assert!(unknown.contains("“.XX” names no exchange"), "{unknown}");
        assert!(unknown.contains(".DE"), "{unknown}");
    }

    #[test]
    fn a_one_letter_suffix_is_an_exchange_when_the_table_has_it_else_a_share_class() {
        let cases = [
            ("BRK.B", None, Some("B")),
            ("VOD.L", Some("L"), None),
            ("7203.T", Some("T"), None),
            ("SAP.DE", Some("DE"), None),
            ("SPY", None, None),
        ];
        for (raw, exchange, class) in cases {
            let ticker = Ticker::parse(raw).unwrap();
            assert_eq!(ticker.exchange().map(|e| e.suffix), exchange, "{raw}");
            assert_eq!(ticker.share_class(), class, "{raw}");
        }
    }

    #[test]
    fn each_provider_has_its_own_spelling() {
        let cases = [
            ("BRK.B", Some("brk-b.us"), "BRK.B"),
            ("VOD.L", Some("vod.uk"), "VOD.L"),
            ("SAP.DE", Some("sap.de"), "SAP.DE"),
            ("7203.T", Some("7203.jp"), "7203.T"),
            ("SPY", Some("spy.us"), "SPY"),
            ("AIR.PA", None, "AIR.PA"),
        ];
        for (raw, stooq, finnhub) in cases {
            let ticker = Ticker::parse(raw).unwrap();
            assert_eq!(ticker.stooq_symbol().as_deref(), stooq, "{raw}");
            assert_eq!(ticker.finnhub_symbol(), finnhub, "{raw}");
        }
    }

    #[test]
    fn the_suffix_gives_the_listing_currency_and_london_quotes_pence() {
        let cases = [
            ("AAPL", "USD", false),
            ("BRK.B", "USD", false),
            ("VOD.L", "GBP", true),
            ("SAP.DE", "EUR", false),
            ("AIR.PA", "EUR", false),
            ("ASML.AS", "EUR", false),
            ("NESN.SW", "CHF", false),
            ("RY.TO", "CAD", false),
            ("7203.T", "JPY", false),
        ];
        for (raw, currency, hundredths) in cases {
            let ticker = Ticker::parse(raw).unwrap();
            assert_eq!(ticker.listing_currency(), currency, "{raw}");
            assert_eq!(ticker.quoted_in_hundredths(), hundredths, "{raw}");
        }
    }

    #[test]
    fn every_exchange_suffix_is_unique_upper_case_and_parses() {
        for (i, exchange) in EXCHANGES.iter().enumerate() {
            assert!(EXCHANGES[i + 1..]
                .iter()
                .all(|e| e.suffix != exchange.suffix));
            assert_eq!(exchange.suffix, exchange.suffix.to_ascii_uppercase());
            assert_eq!(exchange.currency.len(), 3);
            let ticker = Ticker::parse(&format!("X.{}", exchange.suffix)).unwrap();
            assert_eq!(ticker.exchange(), Some(exchange));
        }
    }
}
