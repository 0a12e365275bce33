// Benchmark support: each entry measures Padu and a bare baseline doing the same work on the same
// machine and database, and the report prints both with their ratio (Padu / baseline).
import autocannon from 'autocannon';

export interface Measure {
  /** What the number is: 'req/s' (higher is better) or 'ms' (lower is better). */
  unit: 'req/s' | 'ms' | 'MB';
  value: number;
}

export interface BenchEntry {
  name: string;
  padu: () => Promise<Measure>;
  baseline?: () => Promise<Measure>;
  note?: string;
}

export interface Row {
  name: string;
  padu: Measure;
  baseline?: Measure;
  note?: string;
}

export async function httpLoad(
  url: string,
  opts: {
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
    method?: 'GET' | 'POST';
    body?: string;
  } = {},
): Promise<Measure> {
  const r = await autocannon({
    url,
    connections: opts.connections ?? 20,
    duration: opts.seconds ?? 5,
    headers: opts.headers,
    method: opts.method ?? 'GET',
    body: opts.body,
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { unit: 'req/s', value: r.requests.average };
}

/** Median wall time of `fn` over `runs` runs after one warm-up. */
export async function timeIt(fn: () => Promise<unknown>, runs = 5): Promise<Measure> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { unit: 'ms', value: times[Math.floor(times.length / 2)]! };
}

export function report(rows: Row[], title: string): string {
  const fmt = (m?: Measure) => (m ? `${m.value >= 100 ? m.value.toFixed(0) : m.value.toFixed(2)} ${m.unit}` : '—');
  const ratio = (r: Row) => {
    if (!r.baseline) return '—';
    // express as "how many times the baseline's cost": for throughput, baseline/padu
    const x = r.padu.unit === 'req/s' ? r.baseline.value / r.padu.value : r.padu.value / r.baseline.value;
    return `${x.toFixed(2)}×`;
  };
  const lines = [
    `## ${title}`,
    '',
    '| benchmark | Padu | bare baseline | cost ratio (Padu ÷ baseline) | note |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.padu)} | ${fmt(r.baseline)} | ${ratio(r)} | ${r.note ?? ''} |`),
  ];
  return lines.join('\n');
}

/** The event loop's delay over an import (in-process profiles): p99, max and the longest stalls seen. */
export function eventLoopLine(h: { percentile(p: number): number; max: number }, stalls: number[]): string {
  const longest = [...stalls].sort((a, b) => b - a).slice(0, 8);
  return `event loop: p99 delay ${(h.percentile(99) / 1e6).toFixed(0)} ms, max ${(h.max / 1e6).toFixed(0)} ms; longest stalls ${longest
    .map((g) => g.toFixed(0))
    .join(', ')} ms`;
}
