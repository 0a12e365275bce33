// The `padu` command: serve, migrate, seed --demo, import, user add, token create, audit verify.
import cluster from 'node:cluster';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from './core/config.ts';
import { allModules, createApp, migrateAll, openConfiguredDatabase, type App } from './app.ts';
import {
  addPemda,
  createPemda,
  DEMO_PASSWORD,
  DEMO_PEMDA,
  demoSeedPolicy,
  FIRST_ADMIN_HELP,
  isEmpty,
  seedDemo,
  seedScale,
  SCALES,
  type Progress,
} from './core/seed.ts';
import { findPemdaByCode, listPemda, type Pemda } from './core/tenancy.ts';
import { publishCheckpoint, verifyAuditChain, type PublishedCheckpoint } from './core/audit/verify.ts';
import { auditKeys, latestCheckpoint, sealAll } from './core/audit/seal.ts';
import { ROLES } from './core/roles.ts';
import type { Db } from './core/db/database.ts';
import { createApiToken, createUser } from './modules/users/index.ts';
import { importFile } from './modules/master-data/index.ts';
import { importCatalogue } from './modules/catalogue/index.ts';
import { ZodError } from 'zod';
import { AppError, translateError } from './core/errors.ts';
import { zodIssueMessage } from './core/i18n/i18n.ts';
import type { Lang } from './core/i18n/i18n.ts';
import { AppRegistry } from './core/registry.ts';
import { backup, restore } from './core/backup.ts';

const HELP = `padu — Padu e-Government platform

Usage: padu <command> [options]

  serve                          start the web server (migrates; on an empty database seeds the demo only
                                 from a checkout's default data folder, never with DATABASE_URL)
  migrate                        apply pending database migrations
  seed --demo [--pemda CODE --name N --kind K]
                                 create/refresh demo data and users: "Kabupaten Demo" (99.01), or any Pemda
                                 (created first when --name is given and the code is new)
  seed --scale kabupaten|metro [--lines N]
                                 the demo plus generated data at scale, bulk loaded with fixed seeds:
                                 kabupaten ≈ 40 OPD, 2,000 sub kegiatan, 100,000 lines; metro ≈ 300 OPD
                                 and units, 20,000 sub kegiatan, 1,000,000 lines (with Renja, catalogue
                                 and users to match); --lines changes the number of lines
  pemda add --code CODE --name "Kabupaten X" --kind kabupaten|kota|provinsi [--province P]
                                 add a Pemda with the base data of every module; then create its first
                                 administrator with: padu user add --pemda CODE --role admin …
  pemda list                     every Pemda of the deployment
  import <kind> <file> [--year Y] bulk import master data from CSV or XLSX (all or nothing)
                                 kinds: organisations, nomenclature, accounts, regions, funding-sources, units,
                                 catalogue (SSH/HSPK/ASB/SBU prices; --year, default next year)
  user add --username U --role R --name "Full Name" [--opd ID] [--region ID]
                                 the password is asked for (twice, not shown) or read from standard input
                                 (first line); with --pemda CODE --pemda-name NAME [--pemda-kind kota]
                                 [--province P] the Pemda is created first if it does not exist
  token create --user U [--name NAME] [--days N]   create an API bearer token (printed once; valid N days,
                                 default 90, at most 365; its owner lists and revokes it on /tokens)
  audit seal                     seal the committed audit records now (signed checkpoint; the server does it every few s)
  audit checkpoint [--out FILE]  seal, then write the latest signed checkpoint of each Pemda (JSON) for an auditor to keep
  audit verify [--checkpoint FILE]  seal, then verify records, checkpoints and signatures (and the kept
                                 checkpoint FILE: detects a rewritten or truncated history); exit 1 naming the first bad record
  backup FILE                    PostgreSQL: pg_dump (custom format); PGlite: a tarball of the data folder
  restore FILE                   PostgreSQL: pg_restore into DATABASE_URL, in one transaction (replaces
                                 Padu's tables); PGlite: into PADU_DATA_DIR, which must be empty or absent

Options: --pemda CODE  the Pemda (kode wilayah) to act on; default: the only Pemda, or the demo.
Environment: PORT, DATABASE_URL, PADU_DATA_DIR, PADU_AUDIT_KEY (see README, docs/audit-design.md).`;

// The CLI acts as this app: its grants and messages come from the same manifests as the server's.
const registry = new AppRegistry(allModules);

function bar(): Progress {
  const tty = process.stderr.isTTY;
  return (done, total, label) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
    if (tty) process.stderr.write(`\r${line.padEnd(80)}${done === total ? '\n' : ''}`);
    else if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0) process.stderr.write(`${line}\n`);
  };
}

async function pickPemda(db: Db, code: string | undefined): Promise<Pemda> {
  if (code) {
    const p = await findPemdaByCode(db, code);
    if (!p) throw new Error(`No Pemda with code ${code}`);
    return p;
  }
  const all = await listPemda(db);
  if (all.length === 1) return all[0]!;
  const demo = all.find((p) => p.code === '99.01');
  if (demo) return demo;
  throw new Error(
    all.length
      ? 'Several Pemda exist: choose one with --pemda CODE'
      : 'No Pemda yet: run `padu seed --demo` or create one',
  );
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      scale: { type: 'string' },
      lines: { type: 'string' },
      pemda: { type: 'string' },
      year: { type: 'string' },
      username: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      opd: { type: 'string' },
      region: { type: 'string' },
      code: { type: 'string' },
      kind: { type: 'string' },
      province: { type: 'string' },
      out: { type: 'string' },
      checkpoint: { type: 'string' },
      'pemda-name': { type: 'string' },
      days: { type: 'string' },
      'pemda-kind': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  if (!cmd || values.help || cmd === 'help') {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();

  if (cmd === 'serve') {
    if (config.workers > 1 && cluster.isPrimary) return superviseWorkers(config);
    const app = await createApp({ config });
    // with PADU_WORKERS the supervisor has migrated and seeded before the workers started
    if (cluster.isPrimary) await seedIfEmpty(app, config);
    const stop = async () => {
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await app.server.listen({ port: config.port, host: config.host });
    console.error(`Padu is serving http://localhost:${config.port} (database: ${app.database.kind})`);
    return -1; // keep running
  }

  if (cmd === 'backup' || cmd === 'restore') {
    const file = sub;
    if (!file) throw new Error(`Usage: padu ${cmd} FILE`);
    if (cmd === 'backup') {
      const r = await backup(config, file);
      console.log(`Backed up the ${r.kind} database to ${file} (${(r.bytes / 1e6).toFixed(1)} MB).`);
    } else {
      await restore(config, file);
      console.log(
        `Restored ${file} into the ${config.databaseUrl ? 'PostgreSQL database' : `data folder ${config.dataDir}`}.`,
      );
    }
    return 0;
  }

  const handle = await openConfiguredDatabase(config);
  try {
    const applied = await migrateAll(handle);
    const db = handle.db;
    switch (cmd) {
      case 'migrate':
        console.log(
          applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.',
        );
        return 0;
      case 'seed': {
        if (values.scale) {
          const base = SCALES[values.scale as keyof typeof SCALES];
          if (!base) throw new Error('Usage: padu seed --scale kabupaten|metro [--lines N]');
          const lines = values.lines === undefined ? base.lines : Number(values.lines);
          if (!Number.isSafeInteger(lines) || lines < 1) throw new Error('--lines: a whole number ≥ 1');
          const t0 = performance.now();
          const p = await seedScale(db, allModules, { ...base, lines }, bar(), registry);
          const s = ((performance.now() - t0) / 1000).toFixed(1);
          console.log(
            `Seeded ${p.name} (${p.code}) at ${base.name} scale (${lines.toLocaleString('en')} lines) in ${s} s.`,
          );
          printDemoNotice();
          return 0;
        }
        if (!values.demo) throw new Error('Usage: padu seed --demo [--pemda CODE] | --scale kabupaten|metro');
        let target: Parameters<typeof seedDemo>[4] = DEMO_PEMDA;
        if (values.pemda && values.pemda !== DEMO_PEMDA.code) {
          const existing = await findPemdaByCode(db, values.pemda);
          if (!existing && !values.name)
            throw new Error(`No Pemda ${values.pemda}: give --name (and --kind) to create it`);
          target = existing
            ? {
                code: existing.code,
                name: existing.name,
                kind: existing.kind as 'kabupaten',
                province: existing.province,
              }
            : {
                code: values.pemda,
                name: values.name!,
                kind: (values.kind ?? 'kabupaten') as 'kabupaten',
                province: values.province ?? '',
              };
        }
        const p = await seedDemo(db, allModules, bar(), registry, target);
        console.log(`Seeded ${p.name} (${p.code}).`);
        printDemoNotice();
        return 0;
      }
      case 'pemda': {
        if (sub === 'list') {
          for (const p of await listPemda(db, { all: true }))
            console.log(`${p.code}\t${p.name}\t${p.kind}${p.active ? '' : '\t(being created)'}`);
          return 0;
        }
        if (sub !== 'add' || !values.code || !values.name)
          throw new Error('Usage: padu pemda add --code CODE --name "Kabupaten X" --kind kabupaten|kota|provinsi');
        const p = await addPemda(
          db,
          allModules,
          {
            code: values.code,
            name: values.name,
            kind: (values.kind ?? 'kabupaten') as 'kabupaten',
            province: values.province ?? '',
          },
          { progress: bar(), registry },
        );
        console.log(`Added ${p.name} (${p.code}) with its base data.`);
        console.log(
          `Next: padu user add --pemda ${p.code} --role admin --username admin --name "…" --password …\n` +
            `Its users log in choosing "${p.name}" (or its code ${p.code}) on the log-in page.`,
        );
        return 0;
      }
      case 'import': {
        const kind = sub;
        const file = rest[0];
        if (!kind || !file) throw new Error('Usage: padu import <kind> <file>');
        const pemda = await pickPemda(db, values.pemda);
        const buf = fs.readFileSync(file);
        const progress = bar();
        const actor = registry.system(pemda.id, 'cli-import');
        const year = values.year ? Number(values.year) : undefined;
        const res =
          kind === 'catalogue'
            ? await importCatalogue(db, actor, buf, {
                year: year ?? new Date().getFullYear() + 1,
                onProgress: (done, total, phase) => progress(done, total, `catalogue: ${phase}`),
              })
            : await importFile(db, actor, kind, buf, {
                year,
                onProgress: (done: number, total: number) => progress(done, total, kind),
              });
        if (!res.ok) {
          console.error(`Import refused: ${res.errors.length} error(s); nothing was written.`);
          for (const e of res.errors.slice(0, 50)) console.error(`  row ${e.row}, column ${e.column}: ${e.reason}`);
          return 1;
        }
        console.log(`Imported ${res.count} ${kind} row(s) into ${pemda.name}.`);
        return 0;
      }
      case 'user': {
        if (sub !== 'add') throw new Error('Usage: padu user add …');
        if (values.password !== undefined)
          throw new Error(
            '--password is not accepted: a password on the command line is kept in the shell history and shown ' +
              'in the process list. Run without it to be asked, or pipe it: printf %s "$PASSWORD" | padu user add …',
          );
        if (!values.role || !ROLES.includes(values.role as never))
          throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        let pemda: Pemda;
        if (values['pemda-name'] && values.pemda && !(await findPemdaByCode(db, values.pemda))) {
          const kind = values['pemda-kind'] ?? 'kabupaten';
          if (!['kabupaten', 'kota', 'provinsi'].includes(kind))
            throw new Error('--pemda-kind: kabupaten, kota or provinsi');
          pemda = await createPemda(
            db,
            allModules,
            { code: values.pemda, name: values['pemda-name'], kind: kind as 'kota', province: values.province },
            bar(),
          );
          console.error(`Created ${pemda.name} (${pemda.code}).`);
        } else pemda = await pickPemda(db, values.pemda);
        const password = await readPassword();
        const u = await createUser(db, registry.system(pemda.id, 'cli'), {
          username: values.username ?? '',
          password,
          full_name: values.name ?? values.username ?? '',
          role: values.role as never,
          opd_id: values.opd ? Number(values.opd) : null,
          region_id: values.region ? Number(values.region) : null,
        });
        console.log(`Created user ${u.username} (${u.role}) in ${pemda.name}.`);
        return 0;
      }
      case 'token': {
        if (sub !== 'create' || !values.user) throw new Error('Usage: padu token create --user NAME');
        const pemda = await pickPemda(db, values.pemda);
        const days = values.days ? Number(values.days) : undefined;
        const token = await createApiToken(db, pemda.id, values.user, values.name ?? 'cli', undefined, days);
        console.log(token);
        console.error('Keep this token secret; it is shown only once. Use it as: Authorization: Bearer <token>');
        return 0;
      }
      case 'audit': {
        if (!['verify', 'seal', 'checkpoint'].includes(sub ?? ''))
          throw new Error('Usage: padu audit verify [--checkpoint FILE] | seal | checkpoint [--out FILE]');
        const keys = auditKeys(config);
        const pemdas = values.pemda ? [await pickPemda(db, values.pemda)] : await listPemda(db);
        for (const p of pemdas) {
          const [r] = await sealAll(db, keys, { pemdaId: p.id });
          if (sub === 'seal')
            console.log(
              r?.checkpoint
                ? `${p.code} ${p.name}: sealed #${r.checkpoint.seq_from}..#${r.checkpoint.seq_to} (checkpoint ${r.checkpoint.no}, ${r.checkpoint.total} record(s) in all).`
                : `${p.code} ${p.name}: nothing to seal (${r?.skipped}).`,
            );
        }
        if (sub === 'seal') return 0;
        if (sub === 'checkpoint') {
          const out: PublishedCheckpoint[] = [];
          for (const p of pemdas) {
            const c = await latestCheckpoint(db, p.id);
            if (c) out.push(publishCheckpoint(c, keys.signer.publicKeyPem, p.code));
          }
          const text = `${JSON.stringify({ checkpoints: out }, null, 2)}\n`;
          if (values.out) {
            fs.writeFileSync(values.out, text);
            console.error(`Wrote ${out.length} signed checkpoint(s) to ${values.out}. Keep it outside the server.`);
          } else process.stdout.write(text);
          return 0;
        }
        let external: PublishedCheckpoint[] = [];
        if (values.checkpoint) {
          const parsed = JSON.parse(fs.readFileSync(values.checkpoint, 'utf8')) as {
            checkpoints?: PublishedCheckpoint[];
          };
          external = parsed.checkpoints ?? [parsed as unknown as PublishedCheckpoint];
        }
        let bad = 0;
        for (const p of pemdas) {
          const ext = external.find((c) => c.pemda_id === p.id || c.pemda_code === p.code);
          const r = await verifyAuditChain(db, p.id, { keys, external: ext });
          if (r.ok)
            console.log(
              `${p.code} ${p.name}: OK, ${r.checked} record(s) verified, ${r.checkpoints} signed checkpoint(s)` +
                `${ext ? `, matches the kept checkpoint ${ext.no}` : ''}.`,
            );
          else {
            bad++;
            console.log(
              `${p.code} ${p.name}: BROKEN at record #${r.badSeq}: ${r.reason} (${r.checked} verified before it).`,
            );
          }
        }
        return bad ? 1 : 0;
      }
      default:
        console.error(`Unknown command: ${cmd}\n\n${HELP}`);
        return 2;
    }
  } finally {
    await handle.close();
  }
}

/** The CLI speaks English unless the locale is Indonesian (LANG=id_ID…). */
function cliLang(): Lang {
  return /^id/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '') ? 'id' : 'en';
}

/**
 * The new user's password: asked twice without echo on a terminal, else the first line of
 * standard input (`printf %s "$PW" | padu user add …`). Never from the command line.
 */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await promptHidden('Password (at least 12 characters, or a passphrase of three words): ');
    const again = await promptHidden('Password again: ');
    if (first !== again) throw new Error('The two passwords differ.');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new Error('No password on standard input (give it as the first line, or run in a terminal).');
  return line;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let buf = '';
    const done = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          return resolve(buf);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          done();
          return reject(new Error('Cancelled.'));
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function printDemoNotice() {
  console.error(
    `\n  DEMO ONLY: every demo user (admin, bappeda, tapd, tim_data, dprd, inspektorat, cc_operator,\n` +
      `  <opd>.operator, <opd>.head, <opd>.unit, kecamatan, kelurahan) has the password "${DEMO_PASSWORD}".\n` +
      `  Never use the demo data in production.\n`,
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof AppError) {
      const e = translateError(err, registry.i18n.t, cliLang());
      console.error(`Error: ${e.message}`);
      for (const f of e.fields) console.error(`  ${f.field}: ${f.message}`);
    } else if (err instanceof ZodError) {
      console.error(`Error: ${registry.i18n.t(cliLang(), 'error.validation')}`);
      for (const i of err.issues)
        console.error(`  ${i.path.join('.')}: ${zodIssueMessage(registry.i18n.t, cliLang(), i)}`);
    } else console.error(`Error: ${(err as Error).message}`);
    process.exit(1);
  },
);

/** An empty database gets the demo where the policy allows it, or the first-administrator help. */
async function seedIfEmpty(app: App, config: ReturnType<typeof loadConfig>): Promise<void> {
  if (!(await isEmpty(app.database.db))) return;
  if (demoSeedPolicy(config) === 'seed') {
    console.error('Empty database in the checkout\'s data folder: creating the demo "Kabupaten Demo"…');
    await seedDemo(app.database.db, allModules, bar());
    printDemoNotice();
  } else {
    console.error(`\n${FIRST_ADMIN_HELP}\n`);
  }
}

/**
 * `padu serve` with PADU_WORKERS=N (PostgreSQL only): this process migrates (and seeds an empty
 * database), then runs N worker processes sharing the port (node:cluster hands each new connection
 * to the next worker), replaces a worker that dies, and stops them all on SIGINT/SIGTERM. Workers
 * keep no state of their own (sessions, rate limits, live events go through the database), so this
 * is what several processes behind a load balancer are, on one machine.
 */
async function superviseWorkers(config: ReturnType<typeof loadConfig>): Promise<number> {
  if (!config.databaseUrl)
    throw new Error('PADU_WORKERS > 1 needs PostgreSQL (DATABASE_URL): an embedded PGlite folder serves one process');
  const app = await createApp({ config });
  await seedIfEmpty(app, config);
  await app.close();
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    console.error(`worker ${w.process.pid} ended (${signal ?? code}); starting another`);
    setTimeout(fork, 1000);
  });
  for (let i = 0; i < config.workers; i++) fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === config.workers)
      console.error(`Padu is serving http://localhost:${config.port} with ${config.workers} worker processes`);
  });
  const stop = () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w?.once('exit', () => --left === 0 && process.exit(0));
      w?.process.kill('SIGTERM');
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1; // keep running
}
