// The baseline of the rush benchmark, in its own process: bare Fastify (logging as Padu does in
// production) with one route that inserts one bud_line row of the same shape with `pg` — no
// session, no CSRF, no validation, no pricing, no ceiling, no audit. BARE_ROWS holds one row per
// Pemda and BARE_SUBS the Pemda (row index) of each sub kegiatan id the load names, so that with
// two Pemda the rows carry each Pemda's pemda_id in the same split as Padu's saves.
import Fastify from 'fastify';
import pg from 'pg';

// the same number of connections as a Padu process (PADU_DB_POOL, set by bench/rush.ts from Padu's config)
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PADU_DB_POOL) });
const app = Fastify({ logger: { level: process.env.PADU_LOG_LEVEL ?? 'info' } });
const rows = JSON.parse(process.env.BARE_ROWS!) as Array<Record<string, unknown>>;
const bySub = new Map(Object.entries(JSON.parse(process.env.BARE_SUBS ?? '{}') as Record<string, number>));
const cols = Object.keys(rows[0]!);
const text = `INSERT INTO bud_line (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
app.post<{ Params: { id: string } }>('/api/v1/budget/sub-kegiatan/:id/lines', async (req, reply) => {
  const row = rows[bySub.get(req.params.id) ?? 0]!;
  const r = await pool.query(
    text,
    cols.map((c) => row[c]),
  );
  void req.body;
  return reply.code(201).send(r.rows[0]);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
