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
  // operates the deployment: creates Pemda (one user of one Pemda; no rights on any Pemda's data)
  'platform_admin',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * The pseudo-role of an anonymous request (a citizen's form): it holds only the permissions a
 * manifest grants to 'public' explicitly ('*' means every signed-in role, not the public).
 * No user has it; see publicPrincipal.
 */
export const PUBLIC_ROLE = 'public';
/** The role of an actor: a user's role, or the public pseudo-role. */
export type ActorRole = Role | typeof PUBLIC_ROLE;

export const OPD_SCOPED_ROLES: readonly Role[] = ['opd_operator', 'opd_head', 'cc_unit'];
export const REGION_SCOPED_ROLES: readonly Role[] = ['kecamatan', 'kelurahan'];

export function isOpdScoped(role: ActorRole): boolean {
  return OPD_SCOPED_ROLES.includes(role as Role);
}

/**
 * What each role may do in one app: the permission registry that app built from its module
 * manifests. A principal carries the grants of the app it acts in (attached when a request is
 * authenticated, or by the app/registry that builds a system principal).
 */
export interface Grants {
  /** True when the role holds the permission ('*' grants every signed-in role, never 'public'). */
  roleHas(role: ActorRole, permission: string): boolean;
  /** Every permission the app declares. */
  list(): string[];
}

/** Who an actor is (as the identity store knows it), before the app's grants are attached. */
export interface Identity {
  pemdaId: number;
  userId: number;
  username: string;
  fullName: string;
  role: ActorRole;
  /** The OPD (organisation id) an OPD-scoped user belongs to. */
  opdId: number | null;
  /** The region (kecamatan/kelurahan id) a region-scoped user belongs to. */
  regionId: number | null;
  via: 'session' | 'token' | 'cli' | 'anonymous';
}

/** The actor of an anonymous request of one Pemda (a citizen): holds only the public permissions. */
export function publicPrincipal(grants: Grants, pemdaId: number, name = 'warga'): Principal {
  return {
    grants,
    pemdaId,
    userId: 0,
    username: name,
    fullName: name,
    role: PUBLIC_ROLE,
    opdId: null,
    regionId: null,
    via: 'anonymous',
  };
}

/** The authenticated actor of a request or command: an identity with its app's grants. */
export interface Principal extends Identity {
  /**
   * The grants of the app the principal acts in. Optional in the type so that the identity store
   * and the audit trail can use plain identities; authorisation (core/auth/policy.ts) refuses to
   * decide for a principal without them.
   */
  grants?: Grants;
}

/** An identity acting with the given app's grants. */
export function withGrants(identity: Identity, grants: Grants): Principal {
  return { ...identity, grants };
}

/** The actor used by system jobs (seeds, CLI without a user): an administrator of the app whose grants it gets. */
export function systemPrincipal(grants: Grants, pemdaId: number, name = 'system'): Principal {
  return {
    pemdaId,
    userId: 0,
    username: name,
    fullName: name,
    role: 'admin',
    opdId: null,
    regionId: null,
    via: 'cli',
    grants,
  };
}
