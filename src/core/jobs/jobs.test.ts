// Core's import jobs: progress and the end are recorded per Pemda and kind; an exception ends the
// job failed with the caller's error result; a running job not updated for two minutes lost its
// process and reads as interrupted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { getJob, startJob } from './jobs.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

type Result = { ok: true; n: number } | { ok: false; reason: string };
const onError = (reason: string): Result => ({ ok: false, reason });

async function settled(kind: string, id: number) {
  for (let i = 0; i < 100; i++) {
    const job = await getJob<Result>(t.db, t.pemdaId, kind, id);
    if (job?.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('the job ends');
}

test('a job records its progress and its result, under its kind and Pemda only', async () => {
  const actor = { pemdaId: t.pemdaId, userId: 1 };
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const job = await startJob(
    t.db,
    actor,
    { kind: 'test:a', year: 2027 },
    async (progress) => {
      progress(3, 10, 'validate');
      await gate;
      return { ok: true, n: 10 } as Result;
    },
    onError,
  );
  await new Promise((r) => setTimeout(r, 50));
  const running = await getJob<Result>(t.db, t.pemdaId, 'test:a', job.id);
  assert.deepEqual(
    { status: running?.status, phase: running?.phase, done: running?.done, total: running?.total, year: running?.year },
    { status: 'running', phase: 'validate', done: 3, total: 10, year: 2027 },
  );
  assert.equal(await getJob(t.db, t.pemdaId, 'test:b', job.id), undefined);
  assert.equal(await getJob(t.db, t.pemdaId + 1000, 'test:a', job.id), undefined);
  release();
  assert.deepEqual(await job.finished, { ok: true, n: 10 });
  const done = await settled('test:a', job.id);
  assert.equal(done?.status, 'done');
  assert.deepEqual(done?.result, { ok: true, n: 10 });
});

test('an exception ends the job failed; a job not updated for two minutes reads as interrupted', async () => {
  const actor = { pemdaId: t.pemdaId, userId: 1 };
  const boom = await startJob(
    t.db,
    actor,
    { kind: 'test:c' },
    async () => {
      throw new Error('disk full');
    },
    onError,
  );
  await assert.rejects(boom.finished, /disk full/);
  const failed = await settled('test:c', boom.id);
  assert.equal(failed?.status, 'failed');
  assert.deepEqual(failed?.result, { ok: false, reason: 'disk full' });

  const stuck = await startJob(t.db, actor, { kind: 'test:d' }, () => new Promise<Result>(() => {}), onError);
  assert.equal((await getJob(t.db, t.pemdaId, 'test:d', stuck.id))?.status, 'running');
  await t.db
    .updateTable('core_import_job')
    .set({ updated_at: new Date(Date.now() - 3 * 60_000) })
    .where('pemda_id', '=', t.pemdaId)
    .where('id', '=', stuck.id)
    .execute();
  assert.equal((await getJob(t.db, t.pemdaId, 'test:d', stuck.id))?.status, 'interrupted');
});
