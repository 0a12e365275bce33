// The audit trail in words, for an Inspektorat auditor: the action as a verb, the object by its name
// with a link, each changed field by its label with before → after in Indonesian formats.
import type { FastifyRequest } from 'fastify';
import { html, type Html } from '../../core/http/html.ts';
import { formatDate, formatNumber } from '../../core/i18n/i18n.ts';
import { formatIdNumber } from '../../core/number.ts';

type Lang = 'id' | 'en';
const L = (req: FastifyRequest): Lang => (req.lang === 'en' ? 'en' : 'id');

const ACTIONS: Record<string, [string, string]> = {
  create: ['membuat', 'created'],
  insert: ['membuat', 'created'],
  update: ['mengubah', 'changed'],
  delete: ['menghapus', 'deleted'],
  approve: ['menyetujui', 'approved'],
  submit: ['mengajukan', 'submitted'],
  return: ['mengembalikan', 'returned'],
  reopen: ['membuka kembali', 'reopened'],
  reject: ['menolak', 'rejected'],
  accept: ['menerima', 'accepted'],
  decide: ['memutuskan', 'decided'],
  close: ['menutup', 'closed'],
  open: ['membuka', 'opened'],
  lock: ['mengunci', 'locked'],
  unlock: ['membuka kunci', 'unlocked'],
  import: ['mengimpor', 'imported'],
  login: ['masuk', 'logged in'],
  logout: ['keluar', 'logged out'],
  set_ceiling: ['menetapkan pagu', 'set the ceiling of'],
};

const ENTITIES: Record<string, [string, string, ((id: string, v: Record<string, unknown>) => string | null)?]> = {
  bud_sub_kegiatan: ['sub kegiatan', 'sub kegiatan', (id) => `/budget/sub/${id}`],
  bud_line: ['baris RKA', 'RKA line', (_id, v) => (v.sub_kegiatan_id ? `/budget/sub/${v.sub_kegiatan_id}` : null)],
  bud_travel: [
    'perjalanan dinas',
    'official trip',
    (_id, v) => (v.sub_kegiatan_id ? `/budget/sub/${v.sub_kegiatan_id}` : null),
  ],
  bud_stage: ['tahapan anggaran', 'budget stage', (id) => (/^\d+$/.test(id) ? `/budget?stage_id=${id}` : null)],
  bud_opd_ceiling: ['pagu OPD', 'OPD ceiling', (_id, v) => (v.opd_id ? `/budget/opd/${v.opd_id}` : null)],
  bud_setting: ['pengaturan anggaran', 'budget settings'],
  bud_lock: ['kunci sub kegiatan', 'sub kegiatan lock'],
  bud_dpa: ['DPA', 'DPA', (id) => `/budget/apbd/dpa/${id}`],
  pln_proposal: ['usulan', 'proposal', (id) => `/perencanaan/usulan/${id}`],
  pln_rpjmd: ['RPJMD', 'RPJMD', (id) => `/perencanaan/rpjmd/${id}`],
  pln_renstra: ['Renstra', 'Renstra', (id) => `/perencanaan/renstra/${id}`],
  pln_rkpd: ['RKPD', 'RKPD', (_id, v) => (v.year ? `/perencanaan/rkpd/${v.year}` : null)],
  pln_renja: ['Renja', 'Renja', (id) => `/perencanaan/renja/${id}`],
  pln_renja_item: ['rincian Renja', 'Renja item', (id) => `/perencanaan/renja-item/${id}`],
  cat_item: ['item katalog', 'catalogue item', (id) => `/catalogue/items/${id}`],
  cat_price: ['harga katalog', 'catalogue price'],
  cat_proposal: ['usulan harga', 'price proposal', (id) => `/catalogue/proposals/${id}`],
  md_organisation: ['organisasi', 'organisation'],
  md_region: ['wilayah', 'region'],
  md_account: ['rekening', 'account'],
  usr_user: ['pengguna', 'user'],
  core_user: ['pengguna', 'user'],
};

const FIELDS: Record<string, [string, string]> = {
  account_code: ['Rekening', 'Account'],
  at_catalogue_price: ['Tepat harga katalog', 'At the catalogue price'],
  unit_price: ['Harga satuan', 'Unit price'],
  total: ['Jumlah', 'Total'],
  subtotal: ['Subtotal', 'Subtotal'],
  tax: ['PPN', 'VAT'],
  tax_rate: ['Tarif PPN', 'VAT rate'],
  ceiling: ['Pagu', 'Ceiling'],
  planned: ['Rencana', 'Planned'],
  status: ['Status', 'Status'],
  name: ['Nama', 'Name'],
  title: ['Judul', 'Title'],
  spec: ['Spesifikasi', 'Specification'],
  unit: ['Satuan', 'Unit'],
  v1: ['Volume 1', 'Volume 1'],
  v2: ['Volume 2', 'Volume 2'],
  v3: ['Volume 3', 'Volume 3'],
  v4: ['Volume 4', 'Volume 4'],
  u1: ['Satuan 1', 'Unit 1'],
  u2: ['Satuan 2', 'Unit 2'],
  u3: ['Satuan 3', 'Unit 3'],
  u4: ['Satuan 4', 'Unit 4'],
  volume: ['Volume', 'Volume'],
  price: ['Harga', 'Price'],
  version: ['Versi', 'Version'],
  review_note: ['Catatan verifikasi', 'Review note'],
  submitted_at: ['Waktu diajukan', 'Submitted at'],
  reviewed_at: ['Waktu diverifikasi', 'Reviewed at'],
  group_header: ['Kelompok [#]', 'Group [#]'],
  description_header: ['Keterangan [-]', 'Description [-]'],
  funding_source_id: ['Sumber dana', 'Funding source'],
  item_id: ['Item katalog', 'Catalogue item'],
  input_opens_at: ['Input dibuka', 'Input opens'],
  input_closes_at: ['Input ditutup', 'Input closes'],
  estimated_cost: ['Perkiraan biaya', 'Estimated cost'],
  recommended_amount: ['Nilai rekomendasi', 'Recommended amount'],
  reason: ['Alasan', 'Reason'],
  stage: ['Tahap', 'Stage'],
  pagu: ['Pagu', 'Ceiling'],
  target: ['Target', 'Target'],
  flagged_free_text: ['Teks bebas', 'Free text'],
};

/** "menyetujui" / "approved"; unknown actions as words ("set_window" → "set window"). */
export function actionWords(req: FastifyRequest, action: string): string {
  const known = ACTIONS[action] ?? ACTIONS[action.split('.').at(-1) ?? ''];
  return known ? known[L(req) === 'id' ? 0 : 1] : action.replace(/[._]/g, ' ');
}

/** The object: its kind in words, its name (from the record) and a link where it has a page. */
export function objectOf(
  req: FastifyRequest,
  entity: string,
  id: string | number | null,
  before: unknown,
  after: unknown,
): Html {
  const v = { ...((before as Record<string, unknown>) ?? {}), ...((after as Record<string, unknown>) ?? {}) };
  const e = ENTITIES[entity];
  const kind = e ? e[L(req) === 'id' ? 0 : 1] : entity.replace(/^[a-z]+_/, '').replace(/_/g, ' ');
  const label = [v.code, v.name ?? v.title ?? v.username ?? v.tracking_code]
    .filter((x) => typeof x === 'string' && x)
    .join(' ');
  const href = e?.[2] && id !== null ? e[2](String(id), v) : null;
  const text = label || (id !== null ? `#${id}` : '');
  return html`${kind} ${href ? html`<a href="${href}">${text}</a>` : text}`;
}

/** The kind of an object in words ("sub kegiatan", "usulan"). */
export function entityWords(req: FastifyRequest, entity: string): string {
  const e = ENTITIES[entity];
  return e ? e[L(req) === 'id' ? 0 : 1] : entity.replace(/^[a-z]+_/, '').replace(/_/g, ' ');
}

/** The label of a changed field ("Harga satuan"); unknown fields as words. */
export function fieldLabel(req: FastifyRequest, key: string): string {
  const f = FIELDS[key];
  return f
    ? f[L(req) === 'id' ? 0 : 1]
    : key
        .replace(/_id$/, '')
        .replace(/_/g, ' ')
        .replace(/^./, (c) => c.toUpperCase());
}

const MONEY_KEYS = /(price|total|subtotal|tax|ceiling|planned|pagu|amount|cost|budget)$/;

/** A value in Indonesian formats: Rp 1.234.567, 2,5, 27 November 2026 09.30, Ya/Tidak, — for empty. */
export function valueText(req: FastifyRequest, key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return L(req) === 'id' ? (v ? 'Ya' : 'Tidak') : v ? 'Yes' : 'No';
  if (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) {
    const s = String(v);
    if (/_id$|^id$|^version$|^seq$|^year$/.test(key)) return s;
    const c = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
    if (MONEY_KEYS.test(key) && !c.includes('.')) return `Rp ${formatNumber(L(req), c)}`;
    return L(req) === 'id' ? formatIdNumber(c) : c;
  }
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return formatDate(L(req), v, true);
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 117)}…` : v;
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}
