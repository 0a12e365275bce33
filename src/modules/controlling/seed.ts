// Demo of e-Controlling: the APBD 2026 in execution (seeded through the budgeting module) and its
// approved Renja 2026 (through the planning module), its SP2D
// register imported month by month through the real import (so every row is checked against the
// DPA), and the OPD's monthly physical progress. Each OPD absorbs at its own pace: one lags far
// behind its cash plan, one reports physical progress well ahead of its spending, one has not
// reported this month — so the dashboard and the early warnings have something to show.
// Deterministic and idempotent.
import { sql } from 'kysely';
import type { SeedContext } from '../../core/module.ts';
import { mutate } from '../../core/audit/audit.ts';
import { demoRandom } from '../../core/seed.ts';
import type { Principal } from '../../core/roles.ts';
import { dpaBudgets, dpaCashPlan, EXECUTED_YEAR, seedDemoExecutedYear } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import { seedExecutedRenja } from '../planning/index.ts';
import { importSp2d } from './realisation.service.ts';
import { createPackage, setContract } from './packages.service.ts';
import { seedKeywords } from './risk.service.ts';
import { dpaLines } from '../budgeting/index.ts';
import { reportingMonth } from './monitor.service.ts';
import './controlling.tables.ts';

/** Share of its cash plan each demo OPD actually spends (percent). */
const PACE: Record<string, number> = { dinkes: 92, disdik: 48, dpupr: 81, diskominfo: 95, bpkad: 88, dishub: 70 };

export async function seedDemoControlling(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  await seedDemoExecutedYear(ctx);
  // the approved Renja of the year in execution, so the trace and its coverage report reach the plan
  await seedExecutedRenja(ctx, EXECUTED_YEAR);
  await seedKeywords(db, pemdaId);
  const year = EXECUTED_YEAR;
  const any = await db
    .selectFrom('ctl_realisation')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .limit(1)
    .executeTakeFirst();
  if (any) return;
  const budgets = await dpaBudgets(db, pemdaId, year);
  if (!budgets.length) return;
  const plan = await dpaCashPlan(db, pemdaId, year);
  const opds = await listOpds(db, pemdaId);
  const byId = new Map(opds.map((o) => [o.id, o]));
  const r = demoRandom(2026);
  const treasurer: Principal = { ...ctx.actor, username: 'bpkad.bud', fullName: 'Bendahara Umum Daerah', role: 'tapd' };
  const last = Math.max(1, Math.min(11, reportingMonth(year) || 11));

  // per sub kegiatan: the budget of each account (its share of the sub kegiatan's monthly cash plan)
  const subBudget = new Map<string, bigint>();
  for (const b of budgets) {
    const k = `${b.opd_id}|${b.sub_kegiatan_code}`;
    subBudget.set(k, (subBudget.get(k) ?? 0n) + BigInt(b.budget));
  }
  const planOf = new Map<string, bigint>();
  for (const c of plan) planOf.set(`${c.opd_id}|${c.sub_kegiatan_code}|${c.month}`, BigInt(c.amount));

  // procurement packages: per OPD, the lines of its largest sub kegiatan (tender or direct by value,
  // with a contract at 94% and three payment stages) and its office-supply lines (e-purchasing)
  const packageOf = new Map<string, number>();
  for (const opdId of [...new Set(budgets.map((b) => b.opd_id))]) {
    const opd = byId.get(opdId);
    const operator: Principal = {
      ...ctx.actor,
      username: `${opd?.shortName ?? opdId}.operator`,
      role: 'opd_operator',
      opdId,
    };
    const lines = await dpaLines(db, pemdaId, year, opdId);
    const bySub = new Map<string, typeof lines>();
    for (const l of lines) bySub.set(l.sub_kegiatan_code ?? '', [...(bySub.get(l.sub_kegiatan_code ?? '') ?? []), l]);
    const biggest = [...bySub.entries()].sort((a, b) => {
      const sa = a[1].reduce((s, l) => s + BigInt(l.total), 0n);
      const sb = b[1].reduce((s, l) => s + BigInt(l.total), 0n);
      return sa > sb ? -1 : sa < sb ? 1 : 0;
    })[0];
    if (biggest) {
      const chosen = biggest[1].filter((l) => !l.account_code.startsWith('5.1.02.04')).slice(0, 6);
      const value = chosen.reduce((s, l) => s + BigInt(l.total), 0n);
      if (chosen.length) {
        const p = await createPackage(db, operator, {
          year,
          opd_id: opdId,
          name: `Paket ${biggest[1][0]!.name.split(' ').slice(0, 4).join(' ')} — ${opd?.shortName ?? ''}`.slice(0, 300),
          method: value > 100_000_000n ? 'tender' : 'direct',
          planned_start: 2,
          planned_end: 9,
          lines: chosen.map((l) => ({ line_id: l.id })),
        });
        await setContract(db, operator, p.id, {
          contract_value: ((value * 94n) / 100n).toString(),
          contract_date: `${year}-03-${String(r.int(2, 27)).padStart(2, '0')}`,
          supplier: r.pick(['CV Maju Bersama', 'PT Sarana Abadi', 'CV Karya Mandiri']),
          terms: [
            { percent: 30, condition: 'Uang muka' },
            { percent: 40, condition: 'Progres fisik 50%' },
            { percent: 30, condition: 'Serah terima pekerjaan' },
          ],
        });
        for (const l of chosen) packageOf.set(`${opdId}|${l.sub_kegiatan_code}|${l.account_code}`, p.id);
      }
    }
    const atk = lines
      .filter(
        (l) =>
          l.account_code === '5.1.02.01.01.0024' && !packageOf.has(`${opdId}|${l.sub_kegiatan_code}|${l.account_code}`),
      )
      .slice(0, 3);
    if (atk.length) {
      const p = await createPackage(db, operator, {
        year,
        opd_id: opdId,
        name: `Belanja alat tulis kantor ${opd?.shortName ?? ''} ${year}`,
        method: 'e_purchasing',
        planned_start: 1,
        planned_end: 12,
        lines: atk.map((l) => ({ line_id: l.id })),
      });
      for (const l of atk) packageOf.set(`${opdId}|${l.sub_kegiatan_code}|${l.account_code}`, p.id);
    }
  }

  let seq = 0;
  const spent = new Map<string, bigint>();
  for (let month = 1; month <= last; month++) {
    const rows: string[] = ['nomor_sp2d;tanggal;opd;sub_kegiatan;akun;nilai;penerima;uraian;paket'];
    for (const b of budgets) {
      const opd = byId.get(b.opd_id);
      const pace = BigInt(PACE[opd?.shortName ?? ''] ?? 85);
      const k = `${b.opd_id}|${b.sub_kegiatan_code}`;
      const subTotal = subBudget.get(k)!;
      const monthPlan = planOf.get(`${k}|${month}`) ?? 0n;
      if (monthPlan === 0n || subTotal === 0n) continue;
      // the account's share of the month's plan, at the OPD's pace, a little uneven month to month
      const jitter = BigInt(r.int(80, 115));
      let amount = (monthPlan * BigInt(b.budget) * pace * jitter) / (subTotal * 100n * 100n);
      const acc = `${k}|${b.account_code}`;
      const room = BigInt(b.budget) - (spent.get(acc) ?? 0n);
      if (amount > room) amount = room;
      amount = (amount / 1000n) * 1000n;
      if (amount <= 0n) continue;
      spent.set(acc, (spent.get(acc) ?? 0n) + amount);
      seq++;
      const day = String(r.int(3, 27)).padStart(2, '0');
      const number = `${String(seq).padStart(5, '0')}/SP2D/LS/${opd?.shortName?.toUpperCase() ?? b.opd_id}/${year}`;
      rows.push(
        [
          number,
          `${year}-${String(month).padStart(2, '0')}-${day}`,
          opd?.code ?? String(b.opd_id),
          b.sub_kegiatan_code,
          b.account_code,
          amount.toString(),
          r.pick([
            'CV Maju Bersama',
            'PT Sarana Abadi',
            'Toko Sumber Rejeki',
            'CV Karya Mandiri',
            'Bendahara Pengeluaran',
          ]),
          `Pembayaran ${b.sub_kegiatan_name.slice(0, 60).replace(/;/g, ',')} bulan ${month}`,
          String(packageOf.get(`${k}|${b.account_code}`) ?? ''),
        ].join(';'),
      );
    }
    if (rows.length === 1) continue;
    // the same register imported twice adds nothing the second time: the real path, checked every time
    const res = await importSp2d(db, treasurer, Buffer.from(rows.join('\n')), {
      year,
      lang: 'id',
      fileName: `register-sp2d-${year}-${String(month).padStart(2, '0')}.csv`,
    });
    if (!res.ok)
      throw new Error(`controlling seed: SP2D month ${month} refused: ${JSON.stringify(res.errors.slice(0, 3))}`);
  }

  // physical progress, cumulative per month: close to the financial progress, with exceptions
  const realised = await sql<{ opd_id: number; sub_kegiatan_code: string; month: number; amount: string }>`
    SELECT opd_id, sub_kegiatan_code, month, sum(amount)::text AS amount FROM ctl_realisation
     WHERE pemda_id = ${pemdaId} AND year = ${year} GROUP BY 1, 2, 3`.execute(db);
  const realOf = new Map(realised.rows.map((x) => [`${x.opd_id}|${x.sub_kegiatan_code}|${x.month}`, BigInt(x.amount)]));
  const progress: Array<{
    pemda_id: number;
    year: number;
    opd_id: number;
    sub_kegiatan_code: string;
    month: number;
    percent: string;
    note: string;
    updated_by: string;
  }> = [];
  for (const [k, total] of subBudget) {
    const [opdIdText, code] = k.split('|') as [string, string];
    const opd = byId.get(Number(opdIdText));
    const short = opd?.shortName ?? '';
    let cum = 0n;
    let prev = 0;
    for (let month = 1; month <= last; month++) {
      cum += realOf.get(`${k}|${month}`) ?? 0n;
      if (short === 'dishub' && month === last) break; // not reported this month
      const financial = Number((cum * 10000n) / total) / 100;
      const ahead = short === 'dpupr' && code.endsWith('0001') ? 30 : 0; // works ahead of payments (termin later)
      const pctValue = Math.max(prev, Math.min(100, Math.round((financial + ahead + r.int(-3, 6)) * 100) / 100));
      prev = pctValue;
      progress.push({
        pemda_id: pemdaId,
        year,
        opd_id: Number(opdIdText),
        sub_kegiatan_code: code,
        month,
        percent: pctValue.toFixed(2),
        note: month === last ? 'Sesuai jadwal pelaksanaan.' : '',
        updated_by: `${short}.operator`,
      });
    }
  }
  await mutate(db, ctx.actor, async (uow) => {
    for (let i = 0; i < progress.length; i += 1000)
      await uow.trx
        .insertInto('ctl_progress')
        .values(progress.slice(i, i + 1000))
        .execute();
    uow.audit({ action: 'seed', entity: 'ctl_progress', entityId: `year ${year}`, after: { rows: progress.length } });
  });
}
