// What may be done in the internal side of transparency (registered through the manifest; services
// check with core's requirePermission, never by role name). The portal itself is public.
import type { Role } from '../../core/roles.ts';

export const TP_PERMISSIONS = {
  /** The coverage report: which share of DPA money traces up to the Renja and the RPJMD, and why not. */
  'tp.coverage.read': ['admin', 'bappeda', 'tapd', 'inspektorat'],
  /** The internal trace over every stage, drafts included (OPD roles: their own OPD only). */
  'tp.trace.internal': ['admin', 'bappeda', 'tapd', 'inspektorat', 'opd_operator', 'opd_head'],
} as const satisfies Record<string, readonly (Role | '*')[]>;
