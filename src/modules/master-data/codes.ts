// Code formats of the master data (Permendagri 90/2019 and Kemendagri region codes). Pure
// functions: no database, usable by every module through index.ts.

// ---- organisations: U.BB.U.BB.U.BB.NN.UUUU ------------------------------------------------------
const ORG_RE = /^(\d)\.(\d{2})\.(\d)\.(\d{2})\.(\d)\.(\d{2})\.(\d{2})\.(\d{4})$/;

export type OrganisationKind = 'opd' | 'unit' | 'kecamatan';

export interface OrganisationCode {
  code: string;
  /** The bidang urusan the code carries, e.g. ['2.16', '2.20', '2.21'] (unused pairs `0.00` left out). */
  bidang: string[];
  /** The organisation's sequence NN. */
  seq: string;
  /** The unit UUUU: '0000' is the OPD itself. */
  unit: string;
  /** The code of the OPD this code belongs to (itself for an OPD). */
  rootCode: string;
  kind: OrganisationKind;
}

/** Parse an organisation code; null when malformed. */
export function parseOrganisationCode(code: string): OrganisationCode | null {
  const m = ORG_RE.exec(code);
  if (!m) return null;
  const pairs: Array<[string, string]> = [
    [m[1]!, m[2]!],
    [m[3]!, m[4]!],
    [m[5]!, m[6]!],
  ];
  const bidang: string[] = [];
  for (const [i, [u, bb]] of pairs.entries()) {
    const unused = u === '0' && bb === '00';
    if (unused) {
      if (i === 0) return null; // the first pair is the OPD's main bidang
      continue;
    }
    if (u === '0' || u === '9' || bb === '00') return null; // urusan 1..8, bidang 01..
    bidang.push(`${u}.${bb}`);
  }
  if (new Set(bidang).size !== bidang.length) return null;
  const seq = m[7]!;
  const unit = m[8]!;
  if (seq === '00') return null;
  const rootCode = code.slice(0, -4) + '0000';
  const kind: OrganisationKind = unit !== '0000' ? 'unit' : bidang[0] === '7.01' ? 'kecamatan' : 'opd';
  return { code, bidang, seq, unit, rootCode, kind };
}

export function isValidOrganisationCode(code: string): boolean {
  return parseOrganisationCode(code) !== null;
}

/** The OPD code of a unit (same code with unit 0000); null for an OPD/kecamatan or a malformed code. */
export function organisationParentCode(code: string): string | null {
  const p = parseOrganisationCode(code);
  return p && p.kind === 'unit' ? p.rootCode : null;
}

// ---- nomenclature: U.BB.PP.K.KK.SSSS ----------------------------------------------------------
export const NOMENCLATURE_LEVELS = ['urusan', 'bidang', 'program', 'kegiatan', 'sub_kegiatan'] as const;
export type NomenclatureLevel = (typeof NOMENCLATURE_LEVELS)[number];

const NOM_RE = /^([1-8])(?:\.(\d{2})(?:\.(\d{2})(?:\.([12])\.(\d{2})(?:\.(\d{4}))?)?)?)?$/;

/** The level of a nomenclature code, or null when malformed. */
export function nomenclatureLevel(code: string): NomenclatureLevel | null {
  const m = NOM_RE.exec(code);
  if (!m) return null;
  const parts = m.slice(2).filter((x) => x !== undefined) as string[];
  // every numbered part starts at 01 / 0001 (K is 1 or 2 by the regex)
  if (parts.some((p, i) => i !== 2 && /^0+$/.test(p))) return null;
  switch (code.split('.').length) {
    case 1:
      return 'urusan';
    case 2:
      return 'bidang';
    case 3:
      return 'program';
    case 5:
      return 'kegiatan';
    case 6:
      return 'sub_kegiatan';
    default:
      return null;
  }
}

export function isValidNomenclatureCode(code: string): boolean {
  return nomenclatureLevel(code) !== null;
}

/** The parent code in the nomenclature (a kegiatan's parent is its program); null for an urusan. */
export function nomenclatureParentCode(code: string): string | null {
  const level = nomenclatureLevel(code);
  if (!level || level === 'urusan') return null;
  const segs = code.split('.');
  return segs.slice(0, level === 'kegiatan' ? 3 : segs.length - 1).join('.');
}

/** The bidang urusan (U.BB) of a nomenclature code from bidang level down; null above. */
export function nomenclatureBidang(code: string): string | null {
  const level = nomenclatureLevel(code);
  if (!level || level === 'urusan') return null;
  return code.split('.').slice(0, 2).join('.');
}

// ---- chart of accounts: A.K.JJ.OO.RR.SSSS -----------------------------------------------------
export const ACCOUNT_LEVELS = ['akun', 'kelompok', 'jenis', 'objek', 'rincian_objek', 'sub_rincian_objek'] as const;
export type AccountLevel = (typeof ACCOUNT_LEVELS)[number];

const ACCOUNT_RE = /^([1-8])(?:\.([1-9])(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{4}))?)?)?)?)?$/;

/** The level of an account code (by its number of segments), or null when malformed. */
export function accountLevel(code: string): AccountLevel | null {
  const m = ACCOUNT_RE.exec(code);
  if (!m) return null;
  if (m.slice(3).some((p) => p !== undefined && /^0+$/.test(p))) return null;
  return ACCOUNT_LEVELS[code.split('.').length - 1] ?? null;
}

export function isValidAccountCode(code: string): boolean {
  return accountLevel(code) !== null;
}

/** A sub rincian objek (six segments): the only level a budget line may be charged to. */
export function isLeafAccount(code: string): boolean {
  return accountLevel(code) === 'sub_rincian_objek';
}

/** The ancestors of an account code, nearest first: 5.1.02.04 → [5.1.02, 5.1, 5]. */
export function accountAncestors(code: string): string[] {
  const segs = code.split('.');
  const out: string[] = [];
  for (let n = segs.length - 1; n >= 1; n--) out.push(segs.slice(0, n).join('.'));
  return out;
}

export type AccountClass = 'revenue' | 'expenditure' | 'financing' | 'other';
/** 4 revenue (pendapatan), 5 expenditure (belanja), 6 financing (pembiayaan). */
export function accountClass(code: string): AccountClass {
  return ({ '4': 'revenue', '5': 'expenditure', '6': 'financing' } as const)[code[0] as '4'] ?? 'other';
}

// ---- regions: PP.KK.CC (kecamatan), PP.KK.CC.1NNN (kelurahan), PP.KK.CC.2NNN (desa) ----------
export const REGION_KINDS = ['kecamatan', 'kelurahan', 'desa'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];

const REGION_RE = /^(\d{2})\.(\d{2})\.(\d{2})(?:\.([12])(\d{3}))?$/;

/** The kind of a region code, or null when malformed. */
export function regionKind(code: string): RegionKind | null {
  const m = REGION_RE.exec(code);
  if (!m) return null;
  if (m[1] === '00' || m[2] === '00' || m[3] === '00') return null;
  if (m[4] === undefined) return 'kecamatan';
  if (m[5] === '000') return null;
  return m[4] === '1' ? 'kelurahan' : 'desa';
}

export function isValidRegionCode(code: string): boolean {
  return regionKind(code) !== null;
}

/** The kecamatan code of a kelurahan/desa; null for a kecamatan. */
export function regionParentCode(code: string): string | null {
  const kind = regionKind(code);
  return kind && kind !== 'kecamatan' ? code.split('.').slice(0, 3).join('.') : null;
}

/** True when the region code lies inside the Pemda whose kode wilayah is `pemdaCode` (e.g. 99.01). */
export function regionInPemda(code: string, pemdaCode: string): boolean {
  return code.startsWith(`${pemdaCode}.`);
}

// ---- people, funding sources, units -------------------------------------------------------------
/**
 * NIP (civil-servant number), 18 digits: birth date YYYYMMDD, appointment YYYYMM, sex (1 man,
 * 2 woman), sequence NNN.
 */
export function isValidNip(nip: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{4})(\d{2})([12])(\d{3})$/.exec(nip);
  if (!m) return false;
  const [, by, bm, bd, ty, tm] = m.map(Number) as number[];
  return (
    m[7] !== '000' &&
    by! >= 1940 &&
    bm! >= 1 &&
    bm! <= 12 &&
    bd! >= 1 &&
    bd! <= 31 &&
    ty! >= 1960 &&
    tm! >= 1 &&
    tm! <= 12
  );
}

const FUNDING_RE = /^[A-Z0-9][A-Z0-9._-]{0,29}$/;
export function isValidFundingSourceCode(code: string): boolean {
  return FUNDING_RE.test(code);
}

const UNIT_RE = /^[\p{L}\p{N}][\p{L}\p{N} ./²³%-]{0,29}$/u;
export function isValidUnitCode(code: string): boolean {
  return UNIT_RE.test(code) && !code.endsWith(' ');
}

/** Lower-case slug used in usernames (`<short>.operator`): letters, digits, `-`, `_`. */
const SHORT_NAME_RE = /^[a-z0-9][a-z0-9_-]{1,39}$/;
export function isValidShortName(s: string): boolean {
  return SHORT_NAME_RE.test(s);
}
