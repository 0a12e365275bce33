// Real Padu server processes for the scale-out and fault tests: `node bin/padu.mjs serve` on a
// free port with the given database, started and waited for, stopped gently or SIGKILLed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const PADU_BIN = path.join(root, 'bin', 'padu.mjs');

/**
 * A port free now, for a server started in a moment. Below Linux's ephemeral range (32768–60999):
 * a port from listen(0) is one the outgoing connections of the tests (to PostgreSQL) may take while
 * the server starts, and a server then failed with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.unref();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  /** What the process wrote to stderr (for failure messages). */
  log(): string;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close), and wait. */
  stop(): Promise<void>;
}

/** Start `padu serve` with `env` (DATABASE_URL or PADU_DATA_DIR); resolves once /healthz answers. */
export async function startServer(env: Record<string, string>, timeoutMs = 180_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [PADU_BIN, 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      PADU_DEMO_SEED: 'never',
      PADU_LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`padu serve exited (${child.exitCode}):\n${stderr}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`padu serve did not answer /healthz within ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { base, child, log: () => stderr, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Run the `padu` command to completion. */
export function runPadu(
  args: string[],
  env: Record<string, string>,
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PADU_BIN, ...args], {
    cwd: root,
    env: { ...process.env, PADU_DEMO_SEED: 'never', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A small HTTP client keeping one session (cookie + CSRF) like a browser would. */
export class Client {
  cookie = '';
  csrf = '';
  constructor(public base: string) {}

  async login(username: string, password: string, pemda?: string): Promise<Response> {
    const res = await fetch(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(pemda ? { pemda } : {}) }),
    });
    if (res.ok) {
      this.cookie = /padu_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
      this.csrf = ((await res.clone().json()) as { csrf: string }).csrf;
    }
    return res;
  }

  /** The same session against another process (a load balancer may send any request anywhere). */
  on(base: string): Client {
    const c = new Client(base);
    c.cookie = this.cookie;
    c.csrf = this.csrf;
    return c;
  }

  async req(method: string, url: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}${url}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: `padu_session=${this.cookie}` } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
