// The master-data resources, and who may do what with them.
import { type ResourceDef } from './resource-def.ts';
import { organisations } from './resources.organisations.ts';
import { accounts, nomenclature } from './resources.codes.ts';
import { fundingSources, regions, units } from './resources.reference.ts';

export const RESOURCES: readonly ResourceDef[] = [
  organisations,
  nomenclature,
  accounts,
  regions,
  fundingSources,
  units,
];

export function resourceOf(key: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.key === key);
}

/** Who may do what: the manifest's grants (checked with core's requirePermission). */
export const PERMISSIONS = {
  'md.read': ['*'],
  'md.write': ['admin'],
  'md.org.write': ['admin', 'opd_head', 'opd_operator'],
  'md.nomenclature.write': ['admin', 'bappeda'],
  'md.account.write': ['admin', 'tapd'],
  'md.funding.write': ['admin', 'tapd'],
} as const satisfies Record<string, readonly string[]>;
