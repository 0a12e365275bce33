// The load generator of the rush benchmark, in its own process: autocannon with N connections,
// each request from the next operator in turn (its session cookie, CSRF token, sub kegiatan and
// body — the body names its own Pemda's catalogue item), so that on average every operator has one
// save in flight. With several server processes (`bases`), autocannon gives connection i to
// bases[i % bases.length]: the connections are split evenly over the ports, as a round-robin
// (layer-4, keep-alive) load balancer would. It is one autocannon instance, so all latencies land
// in one histogram and p50/p99 are those of every request, whichever process served it (no
// percentiles averaged). With `warmup` > 0 the same load runs that many seconds first, unmeasured
// (a server in the November rush is warm: its JIT compiled, its pools and prepared statements made);
// the caller counts the warm-up's saves in CPU per save, since its CPU samples span both. Prints one
// JSON result line.
import fs from 'node:fs';
import autocannon from 'autocannon';

interface Op {
  path: string;
  headers: Record<string, string>;
  body: string;
}
const cfg = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as {
  bases: string[];
  connections: number;
  seconds: number;
  warmup: number;
  ops: Op[];
};
let next = 0;
const result = await autocannon({
  // autocannon takes an array of URLs (its README: "More than one URL is allowed"); its types say string
  url: (cfg.bases.length === 1 ? cfg.bases[0]! : cfg.bases) as string,
  connections: cfg.connections,
  duration: cfg.seconds,
  ...(cfg.warmup > 0 ? { warmup: { connections: cfg.connections, duration: cfg.warmup } } : {}),
  timeout: 120, // s: on a loaded machine a save may wait long; count it rather than drop it
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        const op = cfg.ops[next++ % cfg.ops.length]!;
        return {
          ...req,
          method: 'POST',
          path: op.path,
          headers: { ...op.headers, 'content-type': 'application/json' },
          body: op.body,
        };
      },
    },
  ],
});
console.log(
  JSON.stringify({
    ok: result['2xx'],
    warmupOk: (result as { warmup?: { '2xx': number } }).warmup?.['2xx'] ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
  }),
);
