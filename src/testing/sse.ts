// A small Server-Sent Events client for tests: connects with headers (cookie, Last-Event-ID),
// collects the events, and waits for one that matches.
import http from 'node:http';

export interface SseEvent {
  id: string | null;
  data: Record<string, unknown> | null;
  receivedAt: number;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** The id of the last event received (what EventSource would send as Last-Event-ID). */
  lastId: string | null;
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const waiters: Array<{ pred: (e: SseEvent) => boolean; done: (e: SseEvent) => void }> = [];
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      const client: SseClient = {
        status: res.statusCode ?? 0,
        events,
        lastId: null,
        waitFor(pred, timeoutMs = 5000) {
          const hit = events.find(pred);
          if (hit) return Promise.resolve(hit);
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`)),
              timeoutMs,
            );
            waiters.push({
              pred,
              done: (e) => {
                clearTimeout(timer);
                ok(e);
              },
            });
          });
        },
        close() {
          req.destroy();
        },
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let id: string | null = null;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (id === null && !data) continue;
          if (id !== null) client.lastId = id;
          const e: SseEvent = { id, data: data ? JSON.parse(data) : null, receivedAt: performance.now() };
          events.push(e);
          for (const w of [...waiters])
            if (w.pred(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.done(e);
            }
        }
      });
      res.on('error', () => undefined);
      resolve(client);
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
  });
}
