// The load generator of the rush benchmark, in its own process: autocannon with N connections,
// each request from the next operator in turn (its session cookie, CSRF token and sub kegiatan), so
// that on average every operator has one save in flight. Prints one JSON result line.
import fs from 'node:fs';
import autocannon from 'autocannon';

interface Op {
  path: string;
  headers: Record<string, string>;
}
const cfg = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as {
  base: string;
  connections: number;
  seconds: number;
  ops: Op[];
  body: string;
};
let next = 0;
const result = await autocannon({
  url: cfg.base,
  connections: cfg.connections,
  duration: cfg.seconds,
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
          body: cfg.body,
        };
      },
    },
  ],
});
console.log(
  JSON.stringify({
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
  }),
);
