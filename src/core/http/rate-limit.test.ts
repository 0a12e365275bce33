import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { backoffAttempt, backoffDelay, backoffReset, hitRateLimit, refundRateLimit } from './rate-limit.ts';
import { AppError } from '../errors.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const retryAfter = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 0;
  } catch (err) {
    assert.ok(err instanceof AppError && err.status === 429, String(err));
    return (err.details as { retry_after: number }).retry_after;
  }
};

test('back-off: free attempts, then a delay that doubles after each failure, capped; success resets', async () => {
  const opts = { free: 3, baseSeconds: 2, maxSeconds: 60, forgetSeconds: 3600 };
  let now = Date.parse('2026-01-01T00:00:00Z');
  const key = 'test:backoff';
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now)), 0, `attempt ${i} allowed`);
    // how long until the next attempt is allowed? (and an attempt before then is refused)
    const wait = await backoffDelay(t.db, t.pemdaId, key, now);
    if (wait) assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now)), wait);
    delays.push(wait);
    now += wait * 1000;
  }
  assert.deepEqual(delays, [0, 0, 2, 4, 8, 16, 32, 60]);
  await backoffReset(t.db, t.pemdaId, key);
  assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now)), 0);
  assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now)), 0);
});

test('back-off: failures older than forgetSeconds are forgotten', async () => {
  const opts = { free: 1, baseSeconds: 10, maxSeconds: 60, forgetSeconds: 100 };
  const now = Date.parse('2026-01-01T00:00:00Z');
  const key = 'test:forget';
  await backoffAttempt(t.db, t.pemdaId, key, opts, now);
  assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now + 1000)), 9);
  await backoffAttempt(t.db, t.pemdaId, key, opts, now + 10_000); // second failure: 20 s
  assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now + 11_000)), 19);
  // long after: starts over at the first delay
  await backoffAttempt(t.db, t.pemdaId, key, opts, now + 500_000);
  assert.equal(await retryAfter(backoffAttempt(t.db, t.pemdaId, key, opts, now + 501_000)), 9);
});

test('fixed window: a refund gives a hit back', async () => {
  const w = { windowSeconds: 3600, max: 2 };
  await hitRateLimit(t.db, t.pemdaId, 'test:w', w);
  await hitRateLimit(t.db, t.pemdaId, 'test:w', w);
  await refundRateLimit(t.db, t.pemdaId, 'test:w', w);
  await hitRateLimit(t.db, t.pemdaId, 'test:w', w);
  assert.ok((await retryAfter(hitRateLimit(t.db, t.pemdaId, 'test:w', w))) > 0);
});
