// The Pemda a public (anonymous) request concerns: the `pemda` code given (e.g. 99.01), else the
// only active Pemda of the deployment; with several, the caller must say which.
import type { Db } from '../../core/db/database.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { findPemdaByCode, listPemda, type Pemda } from '../../core/tenancy.ts';

export async function publicPemda(db: Db, code: string | undefined | null): Promise<Pemda> {
  if (code) {
    const p = await findPemdaByCode(db, code);
    if (!p || !p.active) throw notFound();
    return p;
  }
  const all = await listPemda(db);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw notFound();
  throw fieldError('pemda', 'pln.error.pemda_required');
}

/** All active Pemda, for the chooser of the public pages. */
export const publicPemdaList = listPemda;

/** The citizens' Musrenbang form (page and JSON API share its anti-spam limits and challenge). */
export const CITIZEN_FORM = 'pln.usul';
export const citizenFormLimits = {
  perAddress: { windowSeconds: 3600, max: 5 },
  global: { windowSeconds: 3600, max: 300 },
  messageKey: 'pln.public.too_many',
};
