#!/usr/bin/env bash
# The ledger row of scripts/bench, runnable alone: 10,000 transactions (buys, sells, dividends
# and a few splits over 20 tickers) across ten years of daily closes (20 tickers and SPY, every
# weekday of 2016-2025), imported through the API, then GET /api/portfolio/positions/ and a
# ten-year GET /api/portfolio/performance/ timed with curl, BENCH_LEDGER_TIMES times each.
# Prints one markdown row per backend and request; asserts nothing.
#
#   scripts/bench.d/ledger.sh target/release/api /tmp/ledger-bench [postgres://.../db]
set -euo pipefail

api_bin=$1
work=$2
pg_url=${3:-}
times=${BENCH_LEDGER_TIMES:-20}
mkdir -p "$work"

# Closes: a random walk per ticker from 100 (SPY from 200), every weekday, two places.
awk 'BEGIN {
    srand(7); print "symbol,date,close"
    for (t = 0; t <= 20; t++) price[t] = (t == 20 ? 200 : 100)
    for (d = 0; d < 3653; d++) {
        secs = mktime("2016 01 01 12 00 00") + d * 86400
        if (strftime("%u", secs) > 5) continue
        day = strftime("%Y-%m-%d", secs)
        for (t = 0; t <= 20; t++) {
            price[t] *= 1 + (rand() - 0.4995) * 0.04
            printf "%s,%s,%.2f\n", (t == 20 ? "SPY" : "T" t), day, price[t]
        }
    }
}' >"$work/closes.csv"

# The ledger: sales never exceed the holding, as the API requires.
awk -v n=10000 'BEGIN {
    srand(11); print "type,ticker,date,quantity,price,fee,amount,ratio"
    start = mktime("2016 01 04 12 00 00")
    for (i = 0; i < n; i++) {
        day = strftime("%Y-%m-%d", start + int(i * 3650 / n) * 86400)
        t = int(rand() * 20); ticker = "T" t; r = rand()
        if (i % 2000 == 1999) { printf "SPLIT,%s,%s,,,,,2\n", ticker, day; held[t] *= 2 }
        else if (r < 0.25 && held[t] >= 2) {
            q = int(held[t] / 2); held[t] -= q
            printf "SELL,%s,%s,%d,%.2f,1.00,,\n", ticker, day, q, 50 + rand() * 100
        } else if (r < 0.35 && held[t] > 0) printf "DIVIDEND,%s,%s,,,,%.2f,\n", ticker, day, 1 + rand() * 20
        else {
            q = 1 + int(rand() * 20); held[t] += q
            printf "BUY,%s,%s,%d,%.2f,0.50,,\n", ticker, day, q, 50 + rand() * 100
        }
    }
}' >"$work/ledger.csv"

# stats_ms URL TOKEN -> "median max" in milliseconds over $times requests
stats_ms() {
    local url=$1 token=$2
    for _ in $(seq "$times"); do
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
    done | sort -g | awk '{ v[NR] = $1 * 1000 } END { printf "%.0f %.0f", v[int((NR + 1) / 2)], v[NR] }'
}

run() { # label database_url port
    local label=$1 url=$2 port=$3 base="http://127.0.0.1:$3" body token started
    DATABASE_URL=$url "$api_bin" migrate >/dev/null 2>&1
    DATABASE_URL=$url "$api_bin" import-closes "$work/closes.csv" >/dev/null
    (cd "$work" && RUST_LOG=warn DATABASE_URL=$url API_LISTEN=127.0.0.1:$port HISTORY_PROVIDER=none \
        WALLSTREET_SCHEDULER=false exec "$api_bin" serve 2>"$work/api-$port.log") &
    local pid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "$base/api/health" && break; sleep 0.1; done
    body='{"username":"ledger-bench","password":"quiet-lantern-meadow-42"}'
    curl -sf -o /dev/null -X POST "$base/api/users/" -H 'Content-Type: application/json' -d "$body"
    token=$(curl -sf -X POST "$base/api/token/" -H 'Content-Type: application/json' -d "$body" |
        sed -n 's/.*"access":"\([^"]*\)".*/\1/p')
    started=$(date +%s.%N)
    curl -sf -o "$work/import-$port.json" -X POST "$base/api/transactions/import/" \
        -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' --data-binary @"$work/ledger.csv"
    local import_s created
    import_s=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    created=$(sed -n 's/.*"created":\([0-9]*\).*/\1/p' "$work/import-$port.json")
    local positions performance
    read -r -a positions <<<"$(stats_ms "$base/api/portfolio/positions/" "$token")"
    read -r -a performance <<<"$(stats_ms "$base/api/portfolio/performance/?from=2016-01-04&to=2025-12-31" "$token")"
    printf '| %s: GET /api/portfolio/positions/ | %s | %s | %s transactions imported in %s s |\n' \
        "$label" "${positions[0]}" "${positions[1]}" "$created" "$import_s"
    printf '| %s: GET /api/portfolio/performance/ (ten years) | %s | %s | |\n' \
        "$label" "${performance[0]}" "${performance[1]}"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

printf '\n| ledger of 10,000 transactions, 10 years of closes | median ms | max ms (%s requests) | |\n' "$times"
printf '|---|---|---|---|\n'
run SQLite "sqlite://$work/ledger.sqlite3" 18821
if [ -n "$pg_url" ]; then
    run PostgreSQL "$pg_url" 18822
fi
