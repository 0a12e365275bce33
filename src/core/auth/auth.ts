// Authentication and authorisation. A module (users) provides the identity store; core resolves
// the principal of each request and enforces, in one place, what each route declares:
//   config: { auth: 'public' }                                   — anyone
//   config: { auth: { permission: 'md.write' } }                 — roles granted md.write
//   config: { auth: { permission: 'md.write', opd: resolver } }  — and, for OPD-scoped roles,
//                                                                   only their own OPD
import type { FastifyRequest } from 'fastify';
import type { Principal, Role } from '../roles.ts';
import { isOpdScoped } from '../roles.ts';

export interface AuthResult {
  principal: Principal;
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
  }
  interface FastifyRequest {
    principal: Principal | null;
    sessionId: string | null;
    csrfToken: string | null;
  }
}

/** permission → roles, collected from the module manifests. */
export class Permissions {
  private readonly grants = new Map<string, Set<Role | '*'>>();

  add(permission: string, roles: readonly (Role | '*')[]): void {
    const set = this.grants.get(permission) ?? new Set();
    for (const r of roles) set.add(r);
    this.grants.set(permission, set);
  }

  has(permission: string): boolean {
    return this.grants.has(permission);
  }

  can(principal: Principal | null, permission: string): boolean {
    if (!principal) return false;
    const set = this.grants.get(permission);
    if (!set) return false;
    return set.has('*') || set.has(principal.role);
  }

  /** True when the principal may act on the given OPD under this permission. */
  canOnOpd(principal: Principal | null, permission: string, opdId: number | null | undefined): boolean {
    if (!this.can(principal, permission)) return false;
    if (!isOpdScoped(principal!.role)) return true;
    return opdId !== null && opdId !== undefined && opdId === principal!.opdId;
  }

  list(): string[] {
    return [...this.grants.keys()].sort();
  }
}

export const permissions = new Permissions();
