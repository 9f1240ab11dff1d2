-- wrk script for scripts/bench: POST /api/token/ with a new made-up username every time (so no
-- username throttle applies), counting the answers by status across all threads.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    counts = {}
    sent = 0
end

function request()
    sent = sent + 1
    local body = string.format('{"username":"flood-%d-%d","password":"guess-guess-guess"}',
        math.random(1000000000), sent)
    return wrk.format("POST", "/api/token/", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("counts")) do
            total[status] = (total[status] or 0) + count
        end
    end
    local parts = {}
    for status, count in pairs(total) do
        table.insert(parts, status .. ": " .. count)
    end
    table.sort(parts)
    io.write("statuses " .. table.concat(parts, ", ") .. "\n")
end
