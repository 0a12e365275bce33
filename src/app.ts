// Boot: config → database → migrations → seeds → server(modules).
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './core/config.ts';
import { openDatabase, type DatabaseHandle } from './core/db/database.ts';
import { migrate } from './core/db/migrate.ts';
import { buildServer } from './core/http/server.ts';
import type { ModuleManifest } from './core/module.ts';
import { modules as domainModules } from './modules/index.ts';
import { coreModule } from './core/core.module.ts';
import { AppRegistry } from './core/registry.ts';
import { auditKeys, startSealer } from './core/audit/seal.ts';
import { startEventPruner } from './core/events/events.ts';

export const allModules: ModuleManifest[] = [coreModule, ...domainModules];

export function migrationSources(modules: ModuleManifest[] = allModules) {
  return modules.filter((m) => m.migrations).map((m) => ({ module: m.name, dir: m.migrations! }));
}

export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return config.databaseUrl
    ? openDatabase({ kind: 'postgresql', url: config.databaseUrl, poolSize: config.dbPool })
    : openDatabase({ kind: 'pglite', dataDir: path.resolve(config.dataDir) });
}

export async function migrateAll(handle: DatabaseHandle, modules: ModuleManifest[] = allModules): Promise<string[]> {
  return migrate(handle, migrationSources(modules));
}

export interface App {
  server: FastifyInstance;
  /** The app's messages, permissions, navigation and Pemda cache. */
  registry: AppRegistry;
  database: DatabaseHandle;
  config: Config;
  close(): Promise<void>;
}

export async function createApp(
  opts: { config?: Config; database?: DatabaseHandle; logger?: boolean; modules?: ModuleManifest[] } = {},
): Promise<App> {
  const config = opts.config ?? loadConfig();
  const modules = opts.modules ?? allModules;
  const registry = new AppRegistry(modules); // before touching the database: a duplicate key fails here
  const database = opts.database ?? (await openConfiguredDatabase(config));
  await migrateAll(database, modules);
  const server = await buildServer({ config, database, modules, logger: opts.logger, registry });
  // seal the audit trail every few seconds (signed checkpoints; see docs/audit-design.md)
  const sealer =
    config.auditSealSeconds > 0
      ? startSealer(database.db, auditKeys(config), config.auditSealSeconds, (err) =>
          server.log.error({ err }, 'audit sealer failed'),
        )
      : null;
  // the live feed (core_event) keeps 30 days for reconnecting clients; older events are dropped hourly
  const pruner = startEventPruner(database.db, {
    onError: (err) => server.log.error({ err }, 'event pruning failed'),
  });
  return {
    server,
    registry,
    database,
    config,
    close: async () => {
      await sealer?.stop();
      await pruner.stop();
      await server.close();
      if (!opts.database) await database.close();
    },
  };
}
