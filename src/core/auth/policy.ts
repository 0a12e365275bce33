// The one authorisation call of Padu. Services call `requirePermission(actor, permission, scope)`;
// the permission is declared in a module manifest (permission → roles); no service names a role.
// OPD-scoped roles (operator, head, command-center unit) act only on their own OPD.
import { AppError, forbidden } from '../errors.ts';
import { isOpdScoped, type Principal } from '../roles.ts';
import { permissions } from './auth.ts';

export interface Scope {
  /** The OPD (organisation id) the action concerns, when it concerns one. */
  opdId?: number | null;
}

/** True when the actor holds the permission and, for an OPD-scoped role, the scope is its own OPD. */
export function can(actor: Principal | null, permission: string, scope?: Scope): boolean {
  if (!actor || !permissions.can(actor, permission)) return false;
  if (scope && 'opdId' in scope && isOpdScoped(actor.role)) return scope.opdId != null && scope.opdId === actor.opdId;
  return true;
}

/** Refuse with 403 unless `can(actor, permission, scope)`. */
export function requirePermission(actor: Principal | null, permission: string, scope?: Scope): void {
  if (!actor || !permissions.can(actor, permission)) throw forbidden();
  if (scope && 'opdId' in scope && !can(actor, permission, scope))
    throw new AppError(403, 'forbidden', 'error.forbidden_opd');
}
