// Bounded load on one server with autocannon: `node load.cjs '<json options>'`, the bearer token in
// $BENCH_AUTH (never on the command line). Prints one JSON line: requests/s, exact latency percentiles
// (autocannon's own histogram keeps whole milliseconds only) and the status codes seen.
'use strict'
const autocannon = require('autocannon')

const options = JSON.parse(process.argv[2])
// The operation's required headers and media type come from the spec (bench/server_load.py).
const headers = { ...options.headers, authorization: `Bearer ${process.env.BENCH_AUTH}` }
const latencies = []
// Own clock: autocannon's result.duration counts whole ticks of its 1 s timer, not the last answer.
const started = process.hrtime.bigint()
let lastAnswer = started
const instance = autocannon({
  url: options.url,
  connections: options.connections,
  amount: options.amount,
  timeout: options.timeout,
  // Each connection cycles through the bodies: valid creates and invalid ones, mixed.
  requests: options.bodies.map((body) => ({ method: options.method, path: options.path, headers, body })),
  excludeErrorStats: false
}, (error, result) => {
  if (error) {
    console.error(String(error))
    process.exit(1)
  }
  latencies.sort((a, b) => a - b)
  const at = (q) => latencies.length ? latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] : null
  const statuses = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats || {})) statuses[code] = stat.count
  console.log(JSON.stringify({
    responses: latencies.length,
    seconds: Number(lastAnswer - started) / 1e9,
    rps: latencies.length / (Number(lastAnswer - started) / 1e9),
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    errors: result.errors,
    timeouts: result.timeouts,
    statuses
  }))
})
instance.on('response', (client, statusCode, bytes, responseTime) => {
  latencies.push(responseTime)
  lastAnswer = process.hrtime.bigint()
})
