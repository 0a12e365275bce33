// Small pieces of the HTTP plumbing of server.ts, kept apart so they can be tested alone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's request log as one access line per request instead of two ("incoming request", then
 * "request completed"): the line written when the response is done names the request too (method,
 * URL, client), its status and time. Errors are logged as before.
 */
export class AccessLog extends LogController {
  /** Nothing when the request comes in: its line is written when it completes. */
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(req)) return;
    if (error) reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * The headers a helmet middleware sets, taken once from a stand-in response: with no function among
 * its directives they are the same for every request (helmet itself rebuilds the CSP text per call).
 */
export function headersOf(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
): Array<[string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  let done = false;
  middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res as unknown as ServerResponse, (err) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('headersOf: the middleware did not finish at once');
  return [...headers];
}
