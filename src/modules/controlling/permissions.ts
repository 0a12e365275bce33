// What may be done in e-Controlling (registered with core through the manifest; services check
// them with core's requirePermission, never by role name).
import type { Role } from '../../core/roles.ts';

export const CTL_PERMISSIONS = {
  /** Read realisation, progress, warnings and the dashboard: Pemda-wide, or (OPD roles) one's own OPD. */
  'ctl.read': ['admin', 'bappeda', 'tapd', 'dprd', 'inspektorat', 'opd_operator', 'opd_head'],
  /** Import the treasury's SP2D register; enter realisation by hand (OPD roles: their own OPD). */
  'ctl.realisation.write': ['tapd', 'opd_operator'],
  /** Enter the physical progress of one's own OPD's sub kegiatan. */
  'ctl.progress.write': ['opd_operator'],
  /** Group one's own OPD's DPA lines into procurement packages; record contracts and payment stages. */
  'ctl.package.write': ['opd_operator'],
  /** Settings: e-procurement threshold, warning tolerances, Inspektorat keyword list. */
  'ctl.settings.write': ['tapd', 'inspektorat', 'admin'],
  /** See ranked risk signals and search every line of a stage (drafts included). */
  'ctl.risk.read': ['tapd', 'inspektorat'],
  /** Mark a risk signal reviewed, with a note. */
  'ctl.risk.review': ['tapd', 'inspektorat'],
} as const satisfies Record<string, readonly (Role | '*')[]>;
