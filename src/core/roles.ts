// The roles of Padu (docs/glossary.md explains each). OPD-scoped roles act only on their own OPD;
// region-scoped roles (Musrenbang operators) only on their own kecamatan/kelurahan.
export const ROLES = [
  'admin',
  'bappeda',
  'tapd',
  'opd_operator',
  'opd_head',
  'dprd',
  'inspektorat',
  'tim_data',
  'cc_operator',
  'cc_unit',
  'kecamatan',
  'kelurahan',
] as const;
export type Role = (typeof ROLES)[number];

export const OPD_SCOPED_ROLES: readonly Role[] = ['opd_operator', 'opd_head', 'cc_unit'];
export const REGION_SCOPED_ROLES: readonly Role[] = ['kecamatan', 'kelurahan'];

export function isOpdScoped(role: Role): boolean {
  return OPD_SCOPED_ROLES.includes(role);
}

/** The authenticated actor of a request or command. */
export interface Principal {
  pemdaId: number;
  userId: number;
  username: string;
  fullName: string;
  role: Role;
  /** The OPD (organisation id) an OPD-scoped user belongs to. */
  opdId: number | null;
  /** The region (kecamatan/kelurahan id) a region-scoped user belongs to. */
  regionId: number | null;
  via: 'session' | 'token' | 'cli';
}

/** The actor used by system jobs (migrations, seeds, CLI without a user). */
export function systemPrincipal(pemdaId: number, name = 'system'): Principal {
  return { pemdaId, userId: 0, username: name, fullName: name, role: 'admin', opdId: null, regionId: null, via: 'cli' };
}
