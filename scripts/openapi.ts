// Writes the OpenAPI document of the app (every module) to a file, without a database: routes are
// registered on an empty in-memory PGlite and nothing is queried.
// Usage: node --import tsx scripts/openapi.ts [out.json]   (default: .test-cache/openapi.json)
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase } from '../src/core/db/database.ts';
import { buildServer } from '../src/core/http/server.ts';
import { allModules } from '../src/app.ts';

const out = path.resolve(process.argv[2] ?? '.test-cache/openapi.json');
const config = loadConfig({ PADU_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
const database = await openDatabase({ kind: 'pglite', dataDir: null });
const server = await buildServer({ config, database, modules: allModules, logger: false });
await server.ready();
const res = await server.inject({ method: 'GET', url: '/openapi.json' });
if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
const doc = JSON.parse(res.body);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
await server.close();
await database.close();
console.error(`OpenAPI document written to ${path.relative(process.cwd(), out)}`);
