// Padu's own lint rules (ESLint plugin "padu"), enforcing the modular monolith's two boundaries:
//   padu/module-imports   a file in src/modules/A imports another module B only through
//                         src/modules/B/index.ts; core imports no module; code outside the modules
//                         (app wiring, CLI, bench, tests) also goes through index.ts (or testing.ts).
//   padu/table-ownership  a module references only tables with its own prefix (Kysely calls and
//                         sql`` templates), plus the core tables core exposes read-only.
// Rule tests: eslint-rules/padu.test.ts.
import path from 'node:path';

/** src/modules/<name>/… → name; anything else → null. Paths are made relative to `root`. */
function moduleOf(file, root) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const m = /^src\/modules\/([^/]+)\//.exec(rel);
  return m ? (m[1] ?? null) : null;
}

function relPath(file, root) {
  return path.relative(root, file).split(path.sep).join('/');
}

/** @type {import('eslint').Rule.RuleModule} */
const moduleImports = {
  meta: {
    type: 'problem',
    docs: { description: 'A module is imported only through its index.ts; core imports no module.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          /** Files outside src/modules that may import src/modules/index.ts (the app wiring). */
          wiring: { type: 'array', items: { type: 'string' } },
          /** Entry files, besides index.ts, that code outside the modules (bench, tests) may import. */
          testingEntries: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      deep: "'{{source}}' reaches into module '{{target}}': import '{{target}}/index.ts' instead.",
      core: "core must not import module code ('{{source}}'): modules plug into core through their manifest.",
      wiring: "'{{source}}' is the list of modules: only the app wiring (src/app.ts) imports it.",
    },
  },
  create(context) {
    const opts = context.options[0] ?? {};
    const root = opts.root ?? context.cwd;
    const wiring = new Set(opts.wiring ?? ['src/app.ts']);
    const testingEntries = new Set(opts.testingEntries ?? ['testing.ts']);
    const file = context.filename;
    const fromRel = relPath(file, root);
    const fromModule = moduleOf(file, root);
    const fromCore = fromRel.startsWith('src/core/');
    const outsideModules = !fromRel.startsWith('src/modules/');

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = relPath(path.resolve(path.dirname(file), source), root);
      if (!target.startsWith('src/modules/')) return;
      const parts = target.slice('src/modules/'.length).split('/');
      if (parts.length === 1) {
        // src/modules/index.ts: the list of modules, imported only by the app wiring.
        if (fromCore || (outsideModules && !wiring.has(fromRel)))
          context.report({ node, messageId: fromCore ? 'core' : 'wiring', data: { source } });
        return;
      }
      const targetModule = parts[0];
      const entry = parts.slice(1).join('/');
      if (fromCore) {
        context.report({ node, messageId: 'core', data: { source } });
        return;
      }
      if (fromModule === targetModule) return;
      if (entry === 'index.ts') return;
      if (outsideModules && testingEntries.has(entry)) return;
      context.report({ node, messageId: 'deep', data: { source, target: `src/modules/${targetModule}` } });
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

const KYSELY_TABLE_METHODS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'replaceInto',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
  'innerJoinLateral',
  'leftJoinLateral',
  'crossJoinLateral',
  'using',
]);
const KYSELY_WRITE_METHODS = new Set(['insertInto', 'updateTable', 'deleteFrom', 'mergeInto', 'replaceInto']);
const SQL_WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|ALTER\s+TABLE|MERGE\s+INTO)\s+$/i;

/** @type {import('eslint').Rule.RuleModule} */
const tableOwnership = {
  meta: {
    type: 'problem',
    docs: { description: "A module queries only its own tables (its prefix) and core's read-only tables." },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          /** module folder name → its table prefix. */
          prefixes: { type: 'object', additionalProperties: { type: 'string' } },
          /** Core tables every module may read (never write). */
          coreReadOnly: { type: 'array', items: { type: 'string' } },
        },
        required: ['prefixes'],
        additionalProperties: false,
      },
    ],
    messages: {
      foreign:
        "Module '{{module}}' references table '{{table}}' of another owner: call that module's index.ts (or core's API) instead.",
      coreWrite: "Module '{{module}}' writes core table '{{table}}': core tables are read-only to modules.",
    },
  },
  create(context) {
    const opts = context.options[0];
    const root = opts.root ?? context.cwd;
    const mod = moduleOf(context.filename, root);
    if (!mod) return {};
    const own = opts.prefixes[mod];
    if (!own) return {};
    const prefixes = [...new Set([...Object.values(opts.prefixes), 'core_'])];
    const coreReadOnly = new Set(opts.coreReadOnly ?? []);

    /** Report `table` unless the module may use it (write: it is an insert/update/delete target). */
    function checkTable(node, table, write) {
      if (table.startsWith(own)) return;
      if (!prefixes.some((p) => table.startsWith(p))) return; // a CTE or alias, not a table
      if (coreReadOnly.has(table)) {
        if (write) context.report({ node, messageId: 'coreWrite', data: { module: mod, table } });
        return;
      }
      context.report({ node, messageId: 'foreign', data: { module: mod, table } });
    }

    function tableOfLiteral(value) {
      // 'bud_line as l' or 'bud_line.amount' → bud_line
      return value.trim().split(/\s+/)[0].split('.')[0];
    }

    function checkArg(arg, write) {
      if (!arg) return;
      if (arg.type === 'Literal' && typeof arg.value === 'string') checkTable(arg, tableOfLiteral(arg.value), write);
      else if (arg.type === 'TemplateLiteral' && arg.expressions.length === 0)
        checkTable(arg, tableOfLiteral(arg.quasis[0].value.cooked ?? ''), write);
      else if (arg.type === 'ArrayExpression') for (const el of arg.elements) checkArg(el, write);
    }

    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
        const name = callee.property.name;
        if (KYSELY_TABLE_METHODS.has(name)) checkArg(node.arguments[0], KYSELY_WRITE_METHODS.has(name));
        // sql.table('x') / sql.id('x')
        if (
          callee.object.type === 'Identifier' &&
          callee.object.name === 'sql' &&
          (name === 'table' || name === 'id' || name === 'ref')
        )
          checkArg(node.arguments[0], false);
      },
      TaggedTemplateExpression(node) {
        const tag = node.tag;
        const isSql =
          (tag.type === 'Identifier' && tag.name === 'sql') ||
          (tag.type === 'MemberExpression' && tag.object.type === 'Identifier' && tag.object.name === 'sql');
        if (!isSql) return;
        for (const q of node.quasi.quasis) {
          const text = q.value.cooked ?? q.value.raw;
          const re = /\b([a-z][a-z0-9]*_[a-z0-9_]+)\b/g;
          let m;
          while ((m = re.exec(text))) {
            const table = m[1];
            const before = text.slice(0, m.index);
            // A column qualified by its table (x.col) is not a table reference; `tbl.col` is checked via tbl.
            if (before.endsWith('.')) continue;
            checkTable(q, table, SQL_WRITE.test(before));
          }
        }
      },
    };
  },
};

export default {
  meta: { name: 'eslint-plugin-padu', version: '1.0.0' },
  rules: { 'module-imports': moduleImports, 'table-ownership': tableOwnership },
};
