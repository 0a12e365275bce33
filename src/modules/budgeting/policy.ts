// Who may do what in e-Budgeting. The manifest registers these with core (route checks, with the
// OPD resolver for OPD-scoped roles); the services check them again, so a caller of a service
// cannot skip a step of the workflow or act on another OPD.
import type { Principal, Role } from '../../core/roles.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { AppError, forbidden } from '../../core/errors.ts';

const READERS = ['admin', 'bappeda', 'tapd', 'dprd', 'inspektorat', 'opd_operator', 'opd_head'] as const;

export const BUD_PERMISSIONS = {
  /** Read budgets: everything, or (OPD roles) their own OPD's. */
  'bud.read': READERS,
  /** Enter the RKA of one's own OPD: sub kegiatan details and budget lines. */
  'bud.line.write': ['opd_operator'],
  /** Submit one's own OPD's RKA (or one sub kegiatan) to TAPD. */
  'bud.submit': ['opd_head'],
  /** Verify: approve a submitted sub kegiatan, return it with notes, reopen an approved one. */
  'bud.verify': ['tapd'],
  /** Fiscal years and stages: open, close, input windows, per-OPD input access, locks. */
  'bud.stage.manage': ['tapd'],
  /** Ceilings (pagu) per OPD and per sub kegiatan. */
  'bud.ceiling.write': ['tapd'],
  /** PPN rate and whether items outside the catalogue are allowed. */
  'bud.settings.write': ['tapd', 'admin'],
  /** One's own notification list. */
  'bud.notifications': READERS,
} as const satisfies Record<string, readonly (Role | '*')[]>;

export type BudPermission = keyof typeof BUD_PERMISSIONS;

export function budCan(actor: Principal, perm: BudPermission): boolean {
  return (BUD_PERMISSIONS[perm] as readonly string[]).includes(actor.role);
}

/** Refuse (403) unless the actor holds the permission and, for an OPD role, acts on its own OPD. */
export function requireBud(actor: Principal, perm: BudPermission, opdId?: number | null): void {
  if (!budCan(actor, perm)) throw forbidden();
  if (isOpdScoped(actor.role) && opdId !== undefined && opdId !== actor.opdId)
    throw new AppError(403, 'forbidden', 'error.forbidden_opd');
}

/** Refuse an OPD role reading another OPD. */
export function requireReadOpd(actor: Principal, opdId: number): void {
  requireBud(actor, 'bud.read', opdId);
}
