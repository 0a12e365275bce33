// Authentication and authorisation. A module (users) provides the identity store; core resolves
// the principal of each request and enforces, in one place, what each route declares:
//   config: { auth: 'public' }                                   — anyone
//   config: { auth: { permission: 'md.write' } }                 — roles granted md.write
//   config: { auth: { permission: 'md.write', opd: resolver } }  — and, for OPD-scoped roles,
//                                                                   only their own OPD
import type { FastifyRequest } from 'fastify';
import type { ActorRole, Grants, Identity, Principal } from '../roles.ts';
import { PUBLIC_ROLE } from '../roles.ts';

export interface AuthResult {
  /** The identity; the server attaches its app's grants. */
  principal: Identity;
  /** Session id (hash) when authenticated by cookie; absent for bearer tokens. */
  sessionId?: string;
  /** The session's CSRF token (cookie sessions only). */
  csrf?: string;
}

export interface AuthProvider {
  /** Resolve a session cookie value or an API bearer token; null when unknown/expired. */
  fromSession(token: string): Promise<AuthResult | null>;
  fromApiToken(token: string): Promise<AuthResult | null>;
}

export type OpdResolver = (req: FastifyRequest) => Promise<number | null | undefined> | number | null | undefined;

export type RouteAuth =
  | 'public'
  | {
      permission: string;
      /** The OPD the request acts on; OPD-scoped roles may act only on their own. */
      opd?: OpdResolver;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /**
     * false: a public route that authenticates by its own key (Open311's api_key) and never acts
     * on the session cookie, so a cross-site form gains nothing: no CSRF token is asked.
     */
    csrf?: false;
  }
  interface FastifyRequest {
    principal: Principal | null;
    sessionId: string | null;
    csrfToken: string | null;
  }
}

/**
 * permission → roles, collected from one app's module manifests (each app builds its own; see
 * core/registry.ts). A permission is declared by one module; declaring it twice fails the build.
 */
export class Permissions implements Grants {
  private readonly grants = new Map<string, Set<ActorRole | '*'>>();
  private readonly owner = new Map<string, string>();

  /** Grant a permission to roles; '*' = every signed-in role (not the public pseudo-role). */
  add(permission: string, roles: readonly (ActorRole | '*')[], module = '?'): void {
    const prev = this.owner.get(permission);
    if (prev !== undefined && prev !== module)
      throw new Error(`Permission "${permission}" is declared by both ${prev} and ${module}`);
    this.owner.set(permission, module);
    const set = this.grants.get(permission) ?? new Set();
    for (const r of roles) set.add(r);
    this.grants.set(permission, set);
  }

  has(permission: string): boolean {
    return this.grants.has(permission);
  }

  roleHas(role: ActorRole, permission: string): boolean {
    const set = this.grants.get(permission);
    return Boolean(set && ((set.has('*') && role !== PUBLIC_ROLE) || set.has(role)));
  }

  list(): string[] {
    return [...this.grants.keys()].sort();
  }
}

export type { Principal };
