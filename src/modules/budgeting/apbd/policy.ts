// Who may read the consolidated APBD and act on DPA. Registered with core through the budgeting
// manifest (one spread line); the services check them again with core's requirePermission.
import type { Role } from '../../../core/roles.ts';

export const APBD_PERMISSIONS = {
  /** The Pemda-wide APBD: attachments, stage comparison, drill-down to the lines. */
  'bud.apbd.read': ['admin', 'bappeda', 'tapd', 'dprd', 'inspektorat'],
  /** Produce the DPA of every OPD from a closed stage; approve or return a DPA. */
  'bud.dpa.manage': ['tapd'],
  /** Fill one's own OPD's anggaran kas (cash plan). */
  'bud.dpa.plan': ['opd_operator'],
  /** Submit one's own OPD's DPA (its cash plan complete) to TAPD. */
  'bud.dpa.submit': ['opd_head'],
} as const satisfies Record<string, readonly (Role | '*')[]>;

export type ApbdPermission = keyof typeof APBD_PERMISSIONS;
