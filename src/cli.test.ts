// The `padu` command end to end on an embedded database in a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from './core/db/database.ts';

const bin = new URL('../bin/padu.mjs', import.meta.url).pathname;

function padu(dataDir: string, ...args: string[]) {
  return paduIn(dataDir, undefined, ...args);
}

/** `padu` with `input` on its standard input (not a terminal). */
function paduIn(dataDir: string, input: string | undefined, ...args: string[]) {
  const env = { ...process.env, PADU_DATA_DIR: dataDir, DATABASE_URL: '' };
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 240_000, input: input ?? '' });
}

test('padu seed, user add, token create, import and audit verify (which names a tampered record)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-cli-'));
  try {
    const seed = padu(dir, 'seed', '--demo');
    assert.equal(seed.status, 0, seed.stderr);
    assert.match(seed.stdout, /Seeded Kabupaten Demo/);
    assert.match(seed.stderr, /padu-demo/);

    // generated data at scale on top of the demo (the hidden 'test' size), with its progress bar
    const badScale = padu(dir, 'seed', '--scale', 'town');
    assert.equal(badScale.status, 1);
    assert.match(badScale.stderr, /padu seed --scale kabupaten\|metro/);
    const scale = padu(dir, 'seed', '--scale', 'test', '--lines', '600');
    assert.equal(scale.status, 0, scale.stderr);
    assert.match(scale.stdout, /at test scale \(600 lines\)/);
    assert.match(scale.stderr, /600\/600 budgeting: lines/);

    const userAdd = ['user', 'add', '--username', 'operator.baru', '--role', 'dprd', '--name', 'Operator Baru'];
    // the password never on the command line (shell history, process list)
    const onArgv = padu(dir, ...userAdd, '--password', 'tj8#Lw2q-Vz9m');
    assert.equal(onArgv.status, 1);
    assert.match(onArgv.stderr, /--password is not accepted/);
    // a weak password from standard input is refused by the policy
    const weak = paduIn(dir, '12345678\n', ...userAdd);
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /password: The password needs at least 12 characters/);
    const add = paduIn(dir, 'tj8#Lw2q-Vz9m\n', ...userAdd);
    assert.equal(add.status, 0, add.stderr);
    const badRole = paduIn(dir, 'tj8#Lw2q-Vz9m\n', 'user', 'add', '--username', 'x', '--role', 'king');
    assert.notEqual(badRole.status, 0);
    // a refused command says why in a sentence, never an i18n key (was: "usr.error.username_taken")
    const again = paduIn(dir, 'tj8#Lw2q-Vz9m\n', ...userAdd);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^Error: The submitted data is not valid\.\n {2}username: This username is taken\./m);
    assert.doesNotMatch(again.stderr, /\b[a-z]+\.error\.[a-z_]+/);

    const tok = padu(dir, 'token', 'create', '--user', 'operator.baru');
    assert.equal(tok.status, 0, tok.stderr);
    assert.match(tok.stdout.trim(), /^padu_\d+_[A-Za-z0-9_-]{20,}$/);

    const csv = path.join(dir, 'units.csv');
    fs.writeFileSync(csv, 'code,name\nPAX,Pax\n,Tanpa Kode\n');
    const imp = padu(dir, 'import', 'units', csv);
    assert.equal(imp.status, 1);
    assert.match(imp.stderr, /row 2/);

    let verify = padu(dir, 'audit', 'verify');
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /OK/);
    // the auditor keeps a signed checkpoint; the history it covers can then be checked against it
    const kept = path.join(dir, 'kept-checkpoint.json');
    const cp = padu(dir, 'audit', 'checkpoint', '--out', kept);
    assert.equal(cp.status, 0, cp.stderr);
    assert.match(fs.readFileSync(kept, 'utf8'), /"signature"/);
    verify = padu(dir, 'audit', 'verify', '--checkpoint', kept);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /matches the kept checkpoint/);

    const h = await openDatabase({ kind: 'pglite', dataDir: dir });
    const victim = (
      await sql<{ seq: string }>`SELECT seq FROM core_audit_log ORDER BY seq LIMIT 1 OFFSET 1`.execute(h.db)
    ).rows[0]!.seq;
    // the log refuses UPDATE; an owner of the database can switch that off, and is still found out
    await assert.rejects(
      sql`UPDATE core_audit_log SET after = '{"tampered": true}'::jsonb WHERE seq = ${victim}`.execute(h.db),
    );
    await sql`ALTER TABLE core_audit_log DISABLE TRIGGER USER`.execute(h.db);
    await sql`UPDATE core_audit_log SET after = '{"tampered": true}'::jsonb WHERE seq = ${victim}`.execute(h.db);
    await h.close();

    verify = padu(dir, 'audit', 'verify');
    assert.equal(verify.status, 1);
    assert.match(verify.stdout, new RegExp(`BROKEN at record #${victim}\\b`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
