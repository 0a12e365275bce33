// What one app knows about its modules, built once from their manifests: the message catalogue,
// the permission grants, the navigation and the Pemda cache. Nothing of this is module-level
// state: two apps built in one process (tests, a CLI next to a server) each have their own.
import { Permissions } from './auth/auth.ts';
import { I18n } from './i18n/i18n.ts';
import type { ModuleManifest, NavItem } from './module.ts';
import { systemPrincipal, withGrants, type Identity, type Principal } from './roles.ts';
import { PemdaCache } from './tenancy.ts';

export class AppRegistry {
  readonly i18n: I18n;
  readonly permissions = new Permissions();
  readonly nav: readonly NavItem[];
  readonly pemdas = new PemdaCache();

  /** Throws when two modules define the same message key or permission (naming both). */
  constructor(readonly modules: readonly ModuleManifest[]) {
    this.i18n = new I18n(modules.map((m) => ({ module: m.name, messages: m.messages })));
    for (const m of modules)
      for (const [perm, roles] of Object.entries(m.permissions ?? {})) this.permissions.add(perm, roles, m.name);
    const nav: NavItem[] = [];
    const seen = new Map<string, string>();
    for (const m of modules)
      for (const item of m.nav ?? []) {
        const prev = seen.get(item.href);
        if (prev !== undefined)
          throw new Error(`Navigation link ${item.href} is declared by both ${prev} and ${m.name}`);
        seen.set(item.href, m.name);
        nav.push(item);
      }
    this.nav = Object.freeze(nav);
  }

  /** An identity acting in this app. */
  principal(identity: Identity): Principal {
    return withGrants(identity, this.permissions);
  }

  /** The system actor of this app (seeds, CLI jobs). */
  system(pemdaId: number, name = 'system'): Principal {
    return systemPrincipal(this.permissions, pemdaId, name);
  }
}
