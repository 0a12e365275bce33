// Tests of Padu's boundary lint rules: each rule alone (RuleTester), then the real eslint.config.js
// on fixture files placed in a module, as `npm run lint` would see them.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, RuleTester } from 'eslint';
import padu from './padu.js';
import { allModules } from '../src/app.ts';

RuleTester.describe = describe;
RuleTester.it = it;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (rel: string) => path.join(root, rel);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } });

tester.run('padu/module-imports', padu.rules['module-imports'], {
  valid: [
    { filename: at('src/modules/budgeting/x.ts'), code: "import { listOpds } from '../master-data/index.ts';" },
    { filename: at('src/modules/budgeting/apbd/x.ts'), code: "import { a } from '../rka.service.ts';" },
    { filename: at('src/modules/budgeting/x.ts'), code: "import { a } from '../../core/errors.ts';" },
    { filename: at('src/app.ts'), code: "import { modules } from './modules/index.ts';" },
    { filename: at('bench/apbd.bench.ts'), code: "import { a } from '../src/modules/budgeting/testing.ts';" },
    { filename: at('src/cli.ts'), code: "import { a } from './modules/users/index.ts';" },
  ],
  invalid: [
    {
      filename: at('src/modules/budgeting/x.ts'),
      code: "import { listOpdsQuery } from '../master-data/master-data.repository.ts';",
      errors: [{ messageId: 'deep' }],
    },
    {
      filename: at('src/modules/catalogue/x.ts'),
      code: "export { engine } from '../budgeting/apbd/engine.ts';",
      errors: [{ messageId: 'deep' }],
    },
    {
      filename: at('src/modules/planning/x.ts'),
      code: "const m = await import('../users/users.service.ts');",
      errors: [{ messageId: 'deep' }],
    },
    {
      filename: at('src/core/http/server.ts'),
      code: "import { usersModule } from '../../modules/users/index.ts';",
      errors: [{ messageId: 'core' }],
    },
    {
      filename: at('src/core/app-wiring.ts'),
      code: "import { modules } from '../modules/index.ts';",
      errors: [{ messageId: 'core' }],
    },
    {
      filename: at('src/cli.ts'),
      code: "import { modules } from './modules/index.ts';",
      errors: [{ messageId: 'wiring' }],
    },
    {
      filename: at('bench/apbd.bench.ts'),
      code: "import { streamRaw } from '../src/modules/budgeting/apbd/engine.ts';",
      errors: [{ messageId: 'deep' }],
    },
    {
      // testing.ts is for code outside the modules (bench, tests), not for another module.
      filename: at('src/modules/catalogue/x.ts'),
      code: "import { openStage } from '../budgeting/testing.ts';",
      errors: [{ messageId: 'deep' }],
    },
  ],
});

const tableOptions = [{ prefixes: { budgeting: 'bud_', 'master-data': 'md_' }, coreReadOnly: ['core_pemda'] }];
tester.run('padu/table-ownership', padu.rules['table-ownership'], {
  valid: [
    { filename: at('src/modules/budgeting/x.ts'), options: tableOptions, code: "db.selectFrom('bud_line as l');" },
    {
      filename: at('src/modules/budgeting/x.ts'),
      options: tableOptions,
      code: "db.insertInto('bud_line').values(v); db.selectFrom(['bud_line', 'bud_stage']).innerJoin('bud_sub as s', 'a', 'b');",
    },
    {
      filename: at('src/modules/budgeting/x.ts'),
      options: tableOptions,
      code: "db.selectFrom('core_pemda').select('id'); sql`SELECT name FROM core_pemda WHERE id = ${id}`;",
    },
    {
      // CTE names and columns that merely contain an underscore are not tables.
      filename: at('src/modules/budgeting/x.ts'),
      options: tableOptions,
      code: "db.with('totals', q).selectFrom('totals'); sql`SELECT pemda_id, line_key FROM bud_line l JOIN x ON l.md_id = x.id`;",
    },
    {
      // Code outside the modules (core, tests harness) is not a module.
      filename: at('src/core/audit/history.ts'),
      options: tableOptions,
      code: "db.selectFrom('core_audit_log');",
    },
  ],
  invalid: [
    {
      filename: at('src/modules/budgeting/apbd/queries.ts'),
      options: tableOptions,
      code: 'sql`SELECT g.actor_name FROM core_audit_log g WHERE g.entity = ${e}`;',
      errors: [{ messageId: 'foreign', data: { module: 'budgeting', table: 'core_audit_log' } }],
    },
    {
      filename: at('src/modules/budgeting/x.ts'),
      options: tableOptions,
      code: "db.selectFrom('bud_line as l').innerJoin('md_organisation as o', 'o.id', 'l.opd_id');",
      errors: [{ messageId: 'foreign', data: { module: 'budgeting', table: 'md_organisation' } }],
    },
    {
      filename: at('src/modules/budgeting/x.ts'),
      options: tableOptions,
      code: "db.selectFrom(['md_account', 'bud_line']);",
      errors: [{ messageId: 'foreign' }],
    },
    {
      filename: at('src/modules/master-data/x.ts'),
      options: tableOptions,
      code: "db.updateTable('core_pemda').set({ name: 'x' }); db.deleteFrom('bud_line');",
      errors: [{ messageId: 'coreWrite' }, { messageId: 'foreign' }],
    },
    {
      filename: at('src/modules/master-data/x.ts'),
      options: tableOptions,
      code: 'sql`UPDATE core_pemda SET settings = settings`; sql.table(`bud_stage`);',
      errors: [{ messageId: 'coreWrite' }, { messageId: 'foreign' }],
    },
  ],
});

describe('the repository configuration (eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: root });

  test('a module that deep-imports another module or queries its table fails lint', async () => {
    const code = [
      "import { sql } from 'kysely';",
      "import type { Db } from '../../core/db/database.ts';",
      "import { listOpdsQuery } from '../master-data/master-data.repository.ts';",
      'export async function leak(db: Db, pemdaId: number) {',
      '  await listOpdsQuery(db, pemdaId);',
      "  await db.selectFrom('md_organisation').selectAll().execute();",
      '  return sql`SELECT * FROM core_audit_log WHERE pemda_id = ${pemdaId}`.execute(db);',
      '}',
      '',
    ].join('\n');
    const [result] = await eslint.lintText(code, { filePath: at('src/modules/catalogue/leak.fixture.ts') });
    const found = result!.messages.map((m) => `${m.line}:${m.ruleId}`);
    assert.deepEqual(found, ['3:padu/module-imports', '6:padu/table-ownership', '7:padu/table-ownership']);
  });

  test('the same code through index.ts and its own tables passes', async () => {
    const code = [
      "import type { Db } from '../../core/db/database.ts';",
      "import { listOpds } from '../master-data/index.ts';",
      'export async function fine(db: Db, pemdaId: number) {',
      '  await listOpds(db, pemdaId);',
      "  return db.selectFrom('cat_item').selectAll().where('pemda_id', '=', pemdaId).execute();",
      '}',
      '',
    ].join('\n');
    const [result] = await eslint.lintText(code, { filePath: at('src/modules/catalogue/fine.fixture.ts') });
    assert.deepEqual(result!.messages, []);
  });

  test("every module's table prefix in the lint configuration is its manifest's", async () => {
    for (const m of allModules.filter((m) => m.name !== 'core')) {
      const config = await eslint.calculateConfigForFile(at(`src/modules/${m.name}/x.ts`));
      const [, options] = config.rules['padu/table-ownership'] as [unknown, { prefixes: Record<string, string> }];
      assert.equal(options.prefixes[m.name], m.tablePrefix, m.name);
    }
  });
});
