// Faults: the server process is SIGKILLed in the middle of a bulk import, of a stage transition, of a
// burst of line saves and of a burst of Command Center intakes, then started again. Every acknowledged write is there, nothing half-done
// is visible, and `padu audit verify` passes.
//
// "In the middle" without timing games: a test connection holds a SHARE lock on the audit table, so
// the server's transaction does all its work and then waits at its audit append (the last statement
// before COMMIT); once PostgreSQL shows the server's backend waiting on that lock, the process is
// killed and the lock released. The transaction can never commit: its client is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresClone, usingPostgres } from '../../testing/harness.ts';
import { Client, runPadu, startServer, type ServerProcess } from '../../testing/processes.ts';
import { DEMO_PASSWORD } from '../seed.ts';

const skip = usingPostgres ? false : 'TEST_DATABASE_URL is not set: the fault tests kill a server on PostgreSQL';
let url = '';
let drop = async () => {};
let db: pg.Client;
let server: ServerProcess | undefined;

before(async () => {
  if (skip) return;
  const clone = await postgresClone();
  await clone.handle.close();
  ({ url, drop } = clone);
  db = new pg.Client({ connectionString: url });
  await db.connect();
});
after(async () => {
  await server?.stop();
  await db?.end();
  await drop();
});

const env = () => ({ DATABASE_URL: url });
const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  (await db.query(text, params)).rows as T[];
const one = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await q<T>(text, params))[0]!;

async function restart(): Promise<ServerProcess> {
  if (server && server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  server = await startServer(env());
  return server;
}
/** The running server, or a new one. */
const running = async () =>
  server && server.child.exitCode === null && server.child.signalCode === null ? server : restart();

/**
 * Hold the audit table so that writers block at their audit append; run `fire` (requests that
 * write); once `minWaiting` server backends wait on the lock, SIGKILL the server; release.
 */
async function killMidTransaction(fire: () => Promise<unknown> | void, minWaiting = 1): Promise<void> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE core_audit_log IN SHARE MODE');
    let outcome = 'no answer';
    void Promise.resolve(fire()).then(
      async (r) => (outcome = r instanceof Response ? `${r.status} ${await r.text()}` : String(r)),
      (e) => (outcome = String(e)),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { n } = await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(await locker.query('SELECT pg_backend_pid() AS p')).rows[0].p],
      );
      if (n >= minWaiting) break;
      if (Date.now() > deadline)
        throw new Error(`no writer reached the audit append (answer: ${outcome}):\n${server?.log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await server!.kill();
  } finally {
    await locker.query('ROLLBACK');
    await locker.end();
  }
  // the killed process's backends end (their transactions roll back) once they see the socket closed
  for (let i = 0; i < 200; i++) {
    const { n } = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
    );
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function auditVerifies(): void {
  const r = runPadu(['audit', 'verify'], env());
  assert.equal(r.status, 0, `padu audit verify: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /OK/);
}

test(
  'SIGKILL during a burst of line saves: every acknowledged save is there, with its audit record and totals',
  { skip },
  async () => {
    const s = await running();
    const op = new Client(s.base);
    assert.equal((await op.login('dinkes.operator', DEMO_PASSWORD)).status, 200);
    const sub = await one<{ id: number }>(
      `SELECT sk.id FROM bud_sub_kegiatan sk
       JOIN bud_stage st ON st.pemda_id = sk.pemda_id AND st.id = sk.stage_id AND st.status = 'open'
       JOIN md_organisation o ON o.pemda_id = sk.pemda_id AND o.id = sk.opd_id AND o.short_name = 'dinkes'
      WHERE sk.status = 'draft' ORDER BY sk.ceiling - sk.planned DESC LIMIT 1`,
    );
    const item = await one<{ id: number }>(
      `SELECT i.id FROM cat_item i
       JOIN cat_item_account a ON a.pemda_id = i.pemda_id AND a.item_id = i.id AND a.version = i.current_version
      WHERE i.year = 2027 AND i.active AND a.account_code = '5.1.02.01.01.0024' ORDER BY i.id LIMIT 1`,
    );
    const line = { account_code: '5.1.02.01.01.0024', item_id: item.id, factors: [{ v: '1', u: 'Buah' }] };
    const maxBefore = (await one<{ m: string }>('SELECT coalesce(max(id), 0)::text AS m FROM bud_line')).m;

    const acked: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await op.req('POST', `/api/v1/budget/sub-kegiatan/${sub.id}/lines`, line);
          if (r.status === 201) acked.push(String(((await r.json()) as { id: number | string }).id));
          else throw new Error(`save refused ${r.status}: ${await r.text()}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('save refused')) throw err;
          return; // connection reset by the kill: not acknowledged
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) workers.push(worker());
    while (acked.length < 30) await new Promise((r) => setTimeout(r, 10));
    await killMidTransaction(() => {}, 1);
    stop = true;
    await Promise.all(workers);
    assert.ok(acked.length >= 30);

    await restart();
    const lines = await q<{ id: number }>('SELECT id FROM bud_line WHERE sub_kegiatan_id = $1 AND id > $2', [
      sub.id,
      maxBefore,
    ]);
    const present = new Set(lines.map((l) => String(l.id)));
    assert.deepEqual(
      acked.filter((id) => !present.has(id)),
      [],
      'every acknowledged save is present',
    );
    // nothing half-done: each line has its audit record, and the maintained totals match the lines
    const audited = await q<{ entity_id: string }>(
      `SELECT entity_id FROM core_audit_log WHERE entity = 'bud_line' AND action = 'create' AND entity_id = ANY ($1)`,
      [[...present]],
    );
    assert.equal(audited.length, present.size);
    const totals = await one<{ planned: string; sum: string }>(
      `SELECT sk.planned::text, (SELECT coalesce(sum(total), 0) FROM bud_line l WHERE l.pemda_id = sk.pemda_id AND l.sub_kegiatan_id = sk.id)::text AS sum
       FROM bud_sub_kegiatan sk WHERE sk.id = $1`,
      [sub.id],
    );
    assert.equal(totals.planned, totals.sum);
    const ceilings = await q(
      `SELECT c.opd_id FROM bud_opd_ceiling c
      WHERE c.planned <> (SELECT coalesce(sum(sk.planned), 0) FROM bud_sub_kegiatan sk
                           WHERE sk.pemda_id = c.pemda_id AND sk.stage_id = c.stage_id AND sk.opd_id = c.opd_id)`,
    );
    assert.deepEqual(ceilings, [], "every OPD's planned equals the sum of its sub kegiatan");
    auditVerifies();
  },
);

test(
  'SIGKILL during a burst of Command Center intakes: every acknowledged incident is there with its audit record; none half-saved',
  { skip },
  async () => {
    const s = await running();
    const op = new Client(s.base);
    assert.equal((await op.login('cc_operator', DEMO_PASSWORD)).status, 200);
    const kec = await one<{ id: number }>(`SELECT id FROM md_region WHERE kind = 'kecamatan' ORDER BY code LIMIT 1`);
    const cat = await one<{ id: number }>(`SELECT id FROM cc_category WHERE code = 'HWN'`);
    const maxBefore = (await one<{ m: string }>('SELECT coalesce(max(id), 0)::text AS m FROM cc_incident')).m;
    const body = {
      kecamatan_id: kec.id,
      category_id: cat.id,
      description: 'Ular masuk rumah (uji gangguan)',
      confirm_new: true,
    };
    const acked: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await op.req('POST', '/api/v1/cc/incidents', body);
          if (r.status === 201) acked.push(String(((await r.json()) as { incident_id: number }).incident_id));
          else throw new Error(`intake refused ${r.status}: ${await r.text()}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('intake refused')) throw err;
          return; // connection reset by the kill: not acknowledged
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) workers.push(worker());
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 10));
    await killMidTransaction(() => {}, 1);
    stop = true;
    await Promise.all(workers);

    await restart();
    const rows = await q<{ id: number; events: number }>(
      `SELECT i.id, (SELECT count(*)::int FROM cc_event e WHERE e.pemda_id = i.pemda_id AND e.incident_id = i.id) AS events
         FROM cc_incident i WHERE i.id > $1`,
      [maxBefore],
    );
    const present = new Set(rows.map((r) => String(r.id)));
    assert.deepEqual(
      acked.filter((id) => !present.has(id)),
      [],
      'every acknowledged incident is present',
    );
    // nothing half-done: each saved incident has its timeline and its audit record
    assert.deepEqual(
      rows.filter((r) => r.events === 0).map((r) => r.id),
      [],
    );
    const audited = await q<{ entity_id: string }>(
      `SELECT entity_id FROM core_audit_log WHERE entity = 'cc_incident' AND action = 'create' AND entity_id = ANY ($1)`,
      [[...present]],
    );
    assert.equal(audited.length, present.size);
    auditVerifies();
  },
);

test(
  'SIGKILL during a bulk import: none of its rows are visible; the same import then succeeds',
  { skip },
  async () => {
    const s = await running();
    const tim = new Client(s.base);
    assert.equal((await tim.login('tim_data', DEMO_PASSWORD)).status, 200);
    const rows = 3000;
    const csv =
      'jenis,kode,nama,satuan,harga,akun\n' +
      Array.from(
        { length: rows },
        (_, i) =>
          `SSH,9.9.99.99.${String(Math.floor(i / 1000)).padStart(2, '0')}.${String(i % 1000).padStart(4, '0')},Barang uji gangguan ${i},Buah,${1000 + i},5.1.02.01.01.0024`,
      ).join('\n');
    const count = async () =>
      Number((await one<{ n: string }>(`SELECT count(*) AS n FROM cat_item WHERE code LIKE '9.9.99.99.%'`)).n);
    assert.equal(await count(), 0);
    const send = (c: Client) =>
      fetch(`${c.base}/api/v1/catalogue/import?year=2027`, {
        method: 'POST',
        headers: { cookie: `padu_session=${c.cookie}`, 'x-csrf-token': c.csrf, 'content-type': 'text/csv' },
        body: csv,
      });
    let answered = false;
    await killMidTransaction(() => {
      send(tim).then(
        () => (answered = true),
        () => {},
      );
    });
    assert.equal(answered, false, 'the import was not acknowledged');

    const s2 = await restart();
    assert.equal(await count(), 0, 'nothing of the killed import is visible');
    const again = await send(tim.on(s2.base));
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(((await again.json()) as { created: number }).created, rows);
    assert.equal(await count(), rows);
    auditVerifies();
  },
);

test('SIGKILL during stage transitions (close, open next with its copy): all or nothing', { skip }, async () => {
  const s = await running();
  const tapd = new Client(s.base);
  assert.equal((await tapd.login('tapd', DEMO_PASSWORD)).status, 200);
  const open = await one<{ id: number; year: number }>(`SELECT id, year FROM bud_stage WHERE status = 'open'`);
  const snapshot = async () =>
    one<{ stages: string; open: string; lines: string }>(
      `SELECT (SELECT count(*) FROM bud_stage)::text AS stages,
              (SELECT string_agg(id::text, ',') FROM bud_stage WHERE status = 'open') AS open,
              (SELECT count(*) FROM bud_line)::text AS lines`,
    );

  // closing the open stage
  const before = await snapshot();
  await killMidTransaction(() => tapd.req('POST', `/api/v1/budget/stages/${open.id}/close`));
  let s2 = await restart();
  assert.deepEqual(await snapshot(), before, 'the stage is still open, nothing else changed');
  const closed = await tapd.on(s2.base).req('POST', `/api/v1/budget/stages/${open.id}/close`);
  assert.equal(closed.status, 200, await closed.clone().text());

  // opening the next stage, which copies every line of the year in one statement per table
  const kinds = (await q<{ kind: string }>('SELECT kind FROM bud_stage WHERE year = $1', [open.year])).map(
    (k) => k.kind,
  );
  const kind = kinds.includes('murni') ? 'pergeseran' : 'murni';
  const day = 86_400_000;
  const body = {
    year: open.year,
    kind,
    input_opens_at: new Date(Date.now() - day).toISOString(),
    input_closes_at: new Date(Date.now() + 14 * day).toISOString(),
  };
  const mid = await snapshot();
  await killMidTransaction(() => tapd.on(s2.base).req('POST', '/api/v1/budget/stages', body));
  s2 = await restart();
  assert.deepEqual(await snapshot(), mid, 'no half-copied stage: no new stage, no copied lines');
  const opened = await tapd.on(s2.base).req('POST', '/api/v1/budget/stages', body);
  assert.equal(opened.status, 201, await opened.clone().text());
  const copied = ((await opened.json()) as { copied: { lines: number } }).copied.lines;
  assert.ok(copied > 0);
  assert.equal(Number((await snapshot()).lines), Number(mid.lines) + copied);
  auditVerifies();
});
