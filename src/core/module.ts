// The contract between core and a domain module. Core wires every module from its manifest
// (routes, migrations, permissions, messages, navigation, seeds) without knowing any of them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Html } from './http/html.ts';
import type { Db } from './db/database.ts';
import type { Messages } from './i18n/i18n.ts';
import type { ActorRole, Principal } from './roles.ts';
import type { AuthProvider } from './auth/auth.ts';
import type { Config } from './config.ts';
import type { EventHub } from './events/events.ts';

export interface ModuleContext {
  db: Db;
  config: Config;
  /** Live events of this process (one LISTEN on the database, see core/events). */
  events: EventHub;
  /** Every module of the app (a platform administrator creating a Pemda runs each one's seedBase). */
  modules?: ModuleManifest[];
}

export interface NavItem {
  /** i18n key of the label. */
  label: string;
  href: string;
  /** The permission needed to see the item. */
  permission: string;
  /** Home-page section: groups items by domain. */
  section?: string;
}

export interface SeedContext {
  db: Db;
  pemdaId: number;
  actor: Principal;
  /** Progress reporting for long seeds (CLI shows a bar). */
  progress?: (done: number, total: number, label: string) => void;
}

/**
 * The size of a generated (`padu seed --scale`) data set, added on top of the demo Pemda: `opds`
 * generated OPD (short names sk001…) with `units` units under them, `subKegiatan` sub kegiatan in
 * the approved Renja and the open APBD stage of `year`, `lines` budget lines over them and
 * `catalogueItems` catalogue items priced for them. `seed` fixes every generated value.
 */
export interface ScaleSpec {
  name: string;
  year: number;
  opds: number;
  units: number;
  subKegiatan: number;
  lines: number;
  catalogueItems: number;
  seed: number;
}

export interface ScaleSeedContext extends SeedContext {
  scale: ScaleSpec;
}

export interface ModuleManifest {
  /** Folder name, e.g. "master-data". */
  name: string;
  /** Every table of the module starts with this prefix, e.g. "md_". */
  tablePrefix: string;
  /** Folder of versioned SQL migrations (`0001_name.sql`, applied in name order). */
  migrations?: URL;
  /** permission name → roles granted it; '*' = every authenticated role; 'public' = anonymous requests too. */
  permissions?: Record<string, readonly (ActorRole | '*')[]>;
  messages?: Messages;
  nav?: NavItem[];
  /** Registers the module's HTTP routes (API and pages). */
  routes?: (app: FastifyInstance, ctx: ModuleContext) => Promise<void> | void;
  /** Reference data every Pemda needs (nomenclature, accounts). Must be idempotent. */
  seedBase?: (ctx: SeedContext) => Promise<void>;
  /** Demo data for "Kabupaten Demo". Must be idempotent. */
  seedDemo?: (ctx: SeedContext) => Promise<void>;
  /** Generated data at regency or metro scale on top of the demo (bulk loaded). Idempotent. */
  seedScale?: (ctx: ScaleSeedContext) => Promise<void>;
  /**
   * The module's work panels on the home page for the request's principal (what waits for them, what
   * remains, deadlines), or null when it has none for this role. Shown above the menu.
   */
  home?: (req: FastifyRequest, ctx: ModuleContext) => Promise<Html | null>;
  /** At most one module provides authentication (the users module). */
  authProvider?: (ctx: Omit<ModuleContext, 'events'>) => AuthProvider;
}
