// The live clients of the Command Center benchmark, in their own process (so that parsing 500
// streams does not share the server's event loop): connects N SSE clients to the operations room,
// prints READY, then records when each client receives each "acknowledged" event (epoch ms, sub-ms
// precision) and prints them as one JSON line once every client has seen `changes` of them.
import { connectSse, type SseClient } from '../src/testing/sse.ts';

const cfg = JSON.parse(process.argv[2]!) as { url: string; cookie: string; clients: number; changes: number };
const clients: SseClient[] = [];
for (let i = 0; i < cfg.clients; i += 50)
  clients.push(
    ...(await Promise.all(
      Array.from({ length: Math.min(50, cfg.clients - i) }, () => connectSse(cfg.url, { cookie: cfg.cookie })),
    )),
  );
if (clients.some((c) => c.status !== 200)) throw new Error('a live client was refused');
process.stdout.write('READY\n');
const acked = (c: SseClient) => c.events.filter((e) => e.data?.status === 'acknowledged');
const deadline = Date.now() + 120_000;
while (clients.some((c) => acked(c).length < cfg.changes)) {
  if (Date.now() > deadline) throw new Error('live clients: not every event arrived within 120 s');
  await new Promise((r) => setTimeout(r, 20));
}
const at: Record<string, number[]> = {};
for (const c of clients)
  for (const e of acked(c)) (at[String(e.data!.assignment_id)] ??= []).push(performance.timeOrigin + e.receivedAt);
process.stdout.write(`${JSON.stringify(at)}\n`);
for (const c of clients) c.close();
process.exit(0);
