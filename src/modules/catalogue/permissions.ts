// Who may do what in the catalogue. The manifest registers these with core (route checks); the
// service checks them again with core's requirePermission, so a caller of the service cannot skip
// a step of the workflow.
import type { Role } from '../../core/roles.ts';

export const CAT_PERMISSIONS = {
  /** Browse and search the catalogue, read proposals (OPD roles: their own OPD's). */
  'cat.read': ['*'],
  /** Create and change items directly (an approved version at once), import files. */
  'cat.manage': ['tim_data', 'admin'],
  /** Propose a new item or a price change for one's own OPD. */
  'cat.propose': ['opd_operator', 'opd_head'],
  /** Verify a submitted proposal, or return it to the OPD. */
  'cat.verify': ['tim_data'],
  /** Approve a verified proposal (creates the approved version) or reject it. */
  'cat.approve': ['tapd'],
} as const satisfies Record<string, readonly (Role | '*')[]>;

export type CatPermission = keyof typeof CAT_PERMISSIONS;
