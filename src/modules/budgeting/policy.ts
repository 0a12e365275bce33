// Who may do what in e-Budgeting. The manifest registers these with core (route checks, with the
// OPD resolver for OPD-scoped roles); the services check them again with core's
// requirePermission(actor, permission, { opdId }), so a caller of a service cannot skip a step of
// the workflow or act on another OPD. Role names appear here, in the declarations, never in services.
import type { Role } from '../../core/roles.ts';

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
  // Audiences of the in-app notifications (notifications.service.ts): who is told of what.
  /** Stage opened, closed or its input window changed. */
  'bud.notify.stage': ['tapd', 'opd_operator', 'opd_head', 'bappeda'],
  /** Something happened to an OPD's RKA or DPA (returned, approved, ceiling changed). */
  'bud.notify.opd': ['opd_operator', 'opd_head'],
  /** An OPD's operators (e.g. their RKA was submitted by the head). */
  'bud.notify.operator': ['opd_operator'],
  /** TAPD (something waits for verification). */
  'bud.notify.tapd': ['tapd'],
} as const satisfies Record<string, readonly (Role | '*')[]>;

export type BudPermission = keyof typeof BUD_PERMISSIONS;

/** The roles an in-app notification goes to: the holders of any of the given audience permissions. */
export function audience(...perms: BudPermission[]): Role[] {
  const roles = new Set<Role>();
  for (const perm of perms)
    for (const r of BUD_PERMISSIONS[perm] as readonly (Role | '*')[]) if (r !== '*') roles.add(r);
  return [...roles];
}
