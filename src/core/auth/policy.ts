// The one authorisation call of Padu. Services call `requirePermission(actor, permission, scope)`;
// the permission is declared in a module manifest (permission → roles); no service names a role.
// OPD-scoped roles (operator, head, command-center unit) act only on their own OPD; region-scoped
// roles (Musrenbang operators) only in their own region (regionScopeOf). Anonymous requests act as
// publicPrincipal (core/roles.ts), which holds only permissions granted to 'public'. The grants
// consulted are the ones of the app the principal acts in (attached to the principal).
import { AppError, forbidden } from '../errors.ts';
import { isOpdScoped, REGION_SCOPED_ROLES, type ActorRole, type Principal, type Role } from '../roles.ts';

export interface Scope {
  /** The OPD (organisation id) the action concerns, when it concerns one. */
  opdId?: number | null;
}

function holds(actor: Principal, permission: string): boolean {
  if (!actor.grants)
    throw new Error(
      `Principal ${actor.username} carries no grants: authenticate it through the app, or build it with ` +
        `systemPrincipal(grants, …) / withGrants(identity, grants)`,
    );
  return actor.grants.roleHas(actor.role, permission);
}

/** True when the actor holds the permission and, for an OPD-scoped role, the scope is its own OPD. */
export function can(actor: Principal | null | undefined, permission: string, scope?: Scope): boolean {
  if (!actor || !holds(actor, permission)) return false;
  if (scope && 'opdId' in scope && isOpdScoped(actor.role)) return scope.opdId != null && scope.opdId === actor.opdId;
  return true;
}

/** Refuse with 403 unless `can(actor, permission, scope)`. */
export function requirePermission(actor: Principal | null | undefined, permission: string, scope?: Scope): void {
  if (!actor || !holds(actor, permission)) throw forbidden();
  if (scope && 'opdId' in scope && !can(actor, permission, scope))
    throw new AppError(403, 'forbidden', 'error.forbidden_opd');
}

/** Every permission the actor holds in its app (e.g. for a client to show what it may do). */
export function permissionsOf(actor: Principal | null | undefined): string[] {
  if (!actor?.grants) return [];
  return actor.grants.list().filter((p) => actor.grants!.roleHas(actor.role, p));
}

/** True when, in the actor's app, the role holds the permission (e.g. may a user of that role be registered as X). */
export function roleHolds(actor: Principal, role: ActorRole, permission: string): boolean {
  return holds({ ...actor, role }, permission);
}

/** The region a region-scoped actor (a Musrenbang operator of a kelurahan or kecamatan) acts in. */
export interface RegionScope {
  level: 'kelurahan' | 'kecamatan';
  id: number;
}

/** The actor's region scope, or null when the actor is not region-scoped. */
export function regionScopeOf(actor: Principal): RegionScope | null {
  if (!REGION_SCOPED_ROLES.includes(actor.role as Role)) return null;
  // A region-scoped user without a region matches no region (id 0 is never a region's).
  return { level: actor.role === 'kelurahan' ? 'kelurahan' : 'kecamatan', id: actor.regionId ?? 0 };
}
