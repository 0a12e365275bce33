import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { AccessLog, headersOf } from './plumbing.ts';

test('headersOf: the headers helmet sets, once, with the CSP as configured', () => {
  const h = new Map(
    headersOf(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"] } } })),
  );
  assert.equal(h.get('Content-Security-Policy'), "default-src 'self'");
  assert.equal(h.get('X-Content-Type-Options'), 'nosniff');
  assert.equal(h.has('X-Powered-By'), false); // helmet removes it: not set
});

test('headersOf refuses a middleware that does not finish at once (its headers could depend on the request)', () => {
  assert.throws(() => headersOf((_req, _res, next) => void setImmediate(() => next())), /did not finish at once/);
});

test('AccessLog: one line per request, written when it completes, naming the request and its status', () => {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const log = {
    info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'info', obj, msg }),
    error: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'error', obj, msg }),
  };
  const req = { method: 'POST', url: '/api/v1/x', log } as unknown as FastifyRequest;
  const reply = { log, statusCode: 201, elapsedTime: 3.5 } as unknown as FastifyReply;
  const c = new AccessLog();
  c.incomingRequest();
  assert.equal(lines.length, 0);
  c.requestCompleted(null, req, reply);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'request completed');
  assert.equal(lines[0]!.obj.req, req);
  assert.equal(lines[0]!.obj.res, reply);
  assert.equal(lines[0]!.obj.responseTime, 3.5);
  c.requestCompleted(new Error('boom'), req, reply);
  assert.equal(lines[1]!.level, 'error');
  assert.equal(lines[1]!.msg, 'request errored');
});
