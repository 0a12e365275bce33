// Seeds: the incident categories of a city command center for every Pemda (seed-data/categories.csv,
// OPD by short name), and for "Kabupaten Demo" four weeks of realistic incidents — calls and web
// reports across the kecamatan, dispatched, worked and mostly resolved, a few still open — so the
// operations room, map and statistics are never empty.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { mutate } from '../../core/audit/audit.ts';
import type { SeedContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { demoRandom } from '../../core/seed.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import { listCategories, newTrackingCode } from './incidents.service.ts';
import { centreOf, type Feature } from './geo.ts';

interface CategoryRow {
  code: string;
  name_id: string;
  name_en: string;
  opd: string;
  external: string;
  priority: string;
  dispatch_min: string;
  arrive_min: string;
  resolve_min: string;
  public: string;
}

function categoryRows(): CategoryRow[] {
  return parse(fs.readFileSync(new URL('./seed-data/categories.csv', import.meta.url)), {
    columns: true,
    skip_empty_lines: true,
  }) as CategoryRow[];
}

/** Link a category to the OPD its reference row names (by short name) that exist in the Pemda. */
async function linkOpds(db: Db, pemdaId: number, categoryId: number, r: CategoryRow, opds: Map<string, number>) {
  const ids = r.opd
    .split(';')
    .map((s) => opds.get(s.trim()))
    .filter((x): x is number => x !== undefined);
  if (ids.length)
    await db
      .insertInto('cc_category_opd')
      .values(ids.map((opd_id) => ({ pemda_id: pemdaId, category_id: categoryId, opd_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  return ids.length;
}

/**
 * The base seed runs before a Pemda has its OPD (the demo seed or the administrator adds them):
 * categories that have no responsible OPD yet are linked to the OPD their reference row names,
 * once those OPD exist. A category an administrator already linked is left as it is.
 */
export async function linkUnlinkedCategories(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  const opds = new Map((await listOpds(db, pemdaId)).map((o) => [o.shortName, o.id]));
  if (opds.size === 0) return;
  const cats = await db
    .selectFrom('cc_category as c')
    .select(['c.id', 'c.code'])
    .where('c.pemda_id', '=', pemdaId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('cc_category_opd as co')
            .select('co.opd_id')
            .whereRef('co.pemda_id', '=', 'c.pemda_id')
            .whereRef('co.category_id', '=', 'c.id'),
        ),
      ),
    )
    .execute();
  const byCode = new Map(categoryRows().map((r) => [r.code, r]));
  const todo = cats.filter((c) => byCode.get(c.code)?.opd.trim());
  if (todo.length === 0) return;
  await mutate(db, ctx.actor, async (uow) => {
    const linked: string[] = [];
    for (const c of todo)
      if (await linkOpds(uow.trx as unknown as Db, pemdaId, c.id, byCode.get(c.code)!, opds)) linked.push(c.code);
    if (linked.length)
      uow.audit({ action: 'seed', entity: 'cc_category_opd', entityId: 'base', after: { codes: linked } });
  });
}

export function loadKecamatanGeoJson(): { features: Feature[] } {
  return JSON.parse(fs.readFileSync(new URL('./seed-data/kecamatan.geojson', import.meta.url), 'utf8'));
}

export async function seedCommandCenterBase(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  const existing = await db.selectFrom('cc_category').select('code').where('pemda_id', '=', pemdaId).execute();
  const rows = categoryRows();
  const todo = rows.filter((r) => !existing.some((e) => e.code === r.code));
  if (todo.length === 0) return;
  const opds = new Map((await listOpds(db, pemdaId)).map((o) => [o.shortName, o.id]));
  await mutate(db, ctx.actor, async (uow) => {
    await uow.trx
      .insertInto('cc_setting')
      .values({ pemda_id: pemdaId })
      .onConflict((oc) => oc.column('pemda_id').doNothing())
      .execute();
    for (const r of todo) {
      const c = await uow.trx
        .insertInto('cc_category')
        .values({
          pemda_id: pemdaId,
          code: r.code,
          name_id: r.name_id,
          name_en: r.name_en,
          external: r.external,
          priority: Number(r.priority),
          dispatch_min: Number(r.dispatch_min),
          arrive_min: Number(r.arrive_min),
          resolve_min: Number(r.resolve_min),
          public: r.public !== '0',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await linkOpds(uow.trx as unknown as Db, pemdaId, c.id, r, opds);
    }
    uow.audit({ action: 'seed', entity: 'cc_category', entityId: 'base', after: { codes: todo.map((r) => r.code) } });
  });
}

const PLACES = [
  'Jl. A. Yani km ',
  'Jl. Veteran no. ',
  'Jl. Pramuka RT ',
  'Pasar ',
  'Simpang ',
  'Jl. Sungai Andai gg. ',
];
const CALLERS = ['Budi', 'Siti', 'Ahmad', 'Dewi', 'Rahmat', 'Nur', 'Yusuf', 'Rina', 'Hendra', 'Lina', 'Fajar', 'Maya'];
const WHAT: Record<string, string[]> = {
  KBK: ['Rumah terbakar, asap tebal', 'Kebakaran lahan dekat permukiman', 'Kios terbakar di pasar'],
  PHN: ['Pohon tumbang menutup jalan', 'Dahan besar patah menimpa kabel'],
  JNZ: ['Warga menemukan jenazah di tepi sungai'],
  RRB: ['Rumah kayu roboh setelah hujan deras'],
  BDR: ['Seseorang di atas jembatan hendak melompat'],
  KLL: ['Tabrakan motor dan mobil, dua korban luka', 'Truk terguling di tikungan', 'Motor jatuh, pengendara pingsan'],
  KRM: ['Keributan di depan toko', 'Dugaan pencurian kendaraan'],
  PMK: ['ODGJ mengamuk di jalan', 'Lansia terlantar di halte'],
  PJU: ['Lampu jalan padam sepanjang 200 m', 'Tiang PJU miring'],
  AIR: ['Air PDAM tidak mengalir sejak pagi'],
  HWN: ['Ular masuk rumah warga', 'Sarang tawon di atap sekolah', 'Buaya terlihat di parit'],
  MED: ['Warga sesak napas, minta ambulans', 'Ibu hamil pendarahan', 'Lansia jatuh tidak sadar'],
  BJR: ['Banjir setinggi lutut di permukiman', 'Tanggul sungai meluap'],
  ANK: ['Anak usia 6 tahun hilang di pasar'],
  JLN: ['Jalan berlubang besar, rawan kecelakaan', 'Jembatan kayu rusak'],
};
/** How often each category comes in (relative), as in a real room: traffic, medical, fire, trees. */
const WEIGHT: Record<string, number> = {
  KLL: 10,
  MED: 9,
  KBK: 5,
  PHN: 6,
  HWN: 5,
  BJR: 4,
  PJU: 4,
  JLN: 3,
  PMK: 3,
  KRM: 3,
  AIR: 2,
  RRB: 2,
  ANK: 1,
  JNZ: 1,
  BDR: 1,
};

export async function seedCommandCenterDemo(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  const any = await db
    .selectFrom('cc_incident')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .limit(1)
    .executeTakeFirst();
  await linkUnlinkedCategories(ctx);
  if (any) return;
  const rnd = demoRandom(112);
  const cats = await listCategories(db, pemdaId);
  const weighted = cats.flatMap((c) => Array<typeof c>(WEIGHT[c.code] ?? 1).fill(c));
  const regions = await listRegions(db, pemdaId);
  const kecs = regions.filter((r) => r.kind === 'kecamatan');
  const geo = loadKecamatanGeoJson();
  const centre = new Map(geo.features.map((f) => [f.properties.kode, centreOf(f)]));
  const now = Date.now();
  const DAYS = 28;
  const n = 180;
  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    for (let k = 0; k < n; k++) {
      const c = rnd.pick(weighted);
      // flood clusters: Pantai Biru and Muara Damai flood repeatedly (the planning hot spot)
      // (the demo's regions are renamed under the Pemda's code: match the kecamatan by its own part)
      const floodKec = kecs.find((x) => x.code.endsWith('.08'));
      const kec = c.code === 'BJR' && floodKec && rnd.next() < 0.7 ? floodKec : rnd.pick(kecs);
      const kels = regions.filter((r) => r.parentId === kec.id);
      // …and mostly in one kelurahan by the river
      const riverside = kels.find((r) => r.name === 'Teluk Tiram');
      const kel = c.code === 'BJR' && riverside && rnd.next() < 0.8 ? riverside : kels.length ? rnd.pick(kels) : null;
      const [clon, clat] = centre.get(kec.code) ?? [114.6, -3.3];
      const lat = (clat + (rnd.next() - 0.5) * 0.05).toFixed(6);
      const lon = (clon + (rnd.next() - 0.5) * 0.03).toFixed(6);
      const ageMin = Math.floor(((n - k) / n) * DAYS * 1440 * (0.9 + rnd.next() * 0.1));
      const received = new Date(now - ageMin * 60_000 - rnd.int(0, 50) * 60_000);
      const recent = ageMin < 90;
      // response: mostly within targets, some late
      const late = rnd.next() < 0.18;
      const dMin = Math.max(1, Math.round(c.dispatch_min * (late ? 1.2 + rnd.next() : 0.3 + rnd.next() * 0.6)));
      const aMin =
        dMin + Math.max(2, Math.round((c.arrive_min - dMin) * (late ? 1.1 + rnd.next() : 0.4 + rnd.next() * 0.5)));
      const rMin =
        aMin +
        Math.max(5, Math.round((c.resolve_min - aMin) * (late ? 1.05 + rnd.next() * 0.5 : 0.2 + rnd.next() * 0.6)));
      const at = (m: number) => new Date(received.getTime() + m * 60_000);
      const stage = recent ? rnd.int(0, 3) : 4; // 0 new … 4 closed
      const opds = c.opd_ids.length ? c.opd_ids : [];
      const dispatched = stage >= 1 && opds.length > 0 && at(dMin + 2).getTime() < now;
      const closed = stage === 4 && dispatched && at(rMin).getTime() < now;
      const inc = await trx
        .insertInto('cc_incident')
        .values({
          pemda_id: pemdaId,
          category_id: c.id,
          priority: c.priority,
          status: closed ? 'closed' : dispatched ? 'dispatched' : 'open',
          description: rnd.pick(WHAT[c.code] ?? [c.name_id]),
          kecamatan_id: kec.id,
          kelurahan_id: kel?.id ?? null,
          address: `${rnd.pick(PLACES)}${rnd.int(1, 40)}`,
          lat,
          lon,
          received_at: received,
          dispatched_at: dispatched ? at(dMin) : null,
          closed_at: closed ? at(rMin) : null,
          created_by: 'Operator Command Center',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const web = rnd.next() < 0.2;
      await trx
        .insertInto('cc_report')
        .values({
          pemda_id: pemdaId,
          incident_id: inc.id,
          tracking_code: newTrackingCode(),
          source: web ? 'web' : 'call',
          reporter_name: rnd.pick(CALLERS),
          reporter_phone: `08${rnd.int(11, 59)}${rnd.int(1000000, 9999999)}`,
          description: rnd.pick(WHAT[c.code] ?? [c.name_id]),
          received_at: received,
          photo: null,
          photo_type: null,
          api_client_id: null,
          token: null,
        })
        .execute();
      const ev = (kind: string, t: Date, extra: { assignment_id?: number; opd_id?: number; actor?: string } = {}) =>
        trx
          .insertInto('cc_event')
          .values({
            pemda_id: pemdaId,
            incident_id: inc.id,
            kind,
            at: t,
            actor_id: null,
            actor_name: extra.actor ?? 'Operator Command Center',
            assignment_id: extra.assignment_id ?? null,
            opd_id: extra.opd_id ?? null,
            note: '',
          })
          .execute();
      await ev('received', received);
      if (!dispatched) continue;
      for (const [j, opdId] of opds.entries()) {
        const shift = j * rnd.int(0, 3);
        const s = closed ? 4 : stage;
        const a = await trx
          .insertInto('cc_assignment')
          .values({
            pemda_id: pemdaId,
            incident_id: inc.id,
            opd_id: opdId,
            status: (['dispatched', 'dispatched', 'acknowledged', 'en_route', 'resolved'] as const)[s]!,
            dispatched_at: at(dMin),
            acknowledged_at: s >= 2 ? at(dMin + 1) : null,
            en_route_at: s >= 3 ? at(dMin + 2) : null,
            on_scene_at: s >= 4 ? at(aMin + shift) : null,
            resolved_at: s >= 4 ? at(rMin - (opds.length - 1 - j) * shift) : null,
            note: s >= 4 ? 'Selesai ditangani.' : '',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const unit = { assignment_id: a.id, opd_id: opdId, actor: 'Unit Lapangan' };
        await ev('dispatched', at(dMin), { assignment_id: a.id, opd_id: opdId });
        if (s >= 2) await ev('acknowledged', at(dMin + 1), unit);
        if (s >= 3) await ev('en_route', at(dMin + 2), unit);
        if (s >= 4) {
          await ev('on_scene', at(aMin + shift), unit);
          await ev('resolved', at(rMin - (opds.length - 1 - j) * shift), unit);
        }
      }
      if (closed) await ev('closed', at(rMin));
    }
    uow.audit({ action: 'seed', entity: 'cc_incident', entityId: 'demo', after: { incidents: n } });
  });
}
