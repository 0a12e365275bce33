// The attachments of the Perda APBD and of the Perkada Penjabaran APBD (Permendagri 77/2020), one
// definition each, named as the regulation names them. The engine (engine.ts) turns a definition
// into one SQL aggregate over the stage's lines; nothing here loops over lines.
import { sql } from 'kysely';
import type { Measure, ReportDef } from './engine.ts';

const AMOUNT: Measure = { key: 'amount', label: 'apbd.col.amount', expr: sql`l.total` };
const ofClass = (key: string, label: string, prefix: string): Measure => ({
  key,
  label,
  expr: sql`CASE WHEN left(l.account_code, ${prefix.length}) = ${prefix} THEN l.total ELSE 0 END`,
  drillAcc: prefix,
});
const NET_FINANCING: Measure = {
  key: 'pembiayaan_netto',
  label: 'apbd.col.pembiayaan_netto',
  expr: sql`CASE left(l.account_code, 3) WHEN '6.1' THEN l.total WHEN '6.2' THEN -l.total ELSE 0 END`,
  drillAcc: '6',
};
/** Expenditure by kelompok (Permendagri 77/2020): operasi, modal, tidak terduga, transfer; and their sum. */
const EXPENDITURE_MEASURES: Measure[] = [
  ofClass('belanja_operasi', 'apbd.col.belanja_operasi', '5.1'),
  ofClass('belanja_modal', 'apbd.col.belanja_modal', '5.2'),
  ofClass('belanja_tidak_terduga', 'apbd.col.belanja_tidak_terduga', '5.3'),
  ofClass('belanja_transfer', 'apbd.col.belanja_transfer', '5.4'),
  { key: 'jumlah_belanja', label: 'apbd.col.jumlah_belanja', expr: sql`l.total`, drillAcc: '5' },
];
const EXPENDITURE_ONLY = sql`left(l.account_code, 1) = '5'`;

export const REPORTS: ReportDef[] = [
  {
    id: 'perda-1',
    regulation: 'apbd.reg.perda',
    attachment: 'apbd.att.perda_1',
    title: 'apbd.title.perda_1',
    dims: ['cls', 'acc3', 'acc6'],
    measures: [AMOUNT],
    footer: 'apbd',
  },
  {
    id: 'perda-2',
    regulation: 'apbd.reg.perda',
    attachment: 'apbd.att.perda_2',
    title: 'apbd.title.perda_2',
    dims: ['urusan', 'bidang', 'opd'],
    measures: [
      ofClass('pendapatan', 'apbd.col.pendapatan', '4'),
      ofClass('belanja', 'apbd.col.belanja', '5'),
      NET_FINANCING,
    ],
    footer: 'grand',
  },
  {
    id: 'perda-3',
    regulation: 'apbd.reg.perda',
    attachment: 'apbd.att.perda_3',
    title: 'apbd.title.perda_3',
    dims: ['urusan', 'bidang', 'opd', 'cls', 'program', 'kegiatan', 'sub', 'acc3', 'acc6'],
    measures: [AMOUNT],
    footer: 'apbd',
    large: true,
  },
  {
    id: 'perda-4',
    regulation: 'apbd.reg.perda',
    attachment: 'apbd.att.perda_4',
    title: 'apbd.title.perda_4',
    dims: ['urusan', 'bidang', 'opd', 'program', 'kegiatan', 'sub'],
    measures: EXPENDITURE_MEASURES,
    compared: [4],
    where: EXPENDITURE_ONLY,
    footer: 'grand',
    note: 'output',
    large: true,
  },
  {
    id: 'perda-5',
    regulation: 'apbd.reg.perda',
    attachment: 'apbd.att.perda_5',
    title: 'apbd.title.perda_5',
    dims: ['fn', 'urusan', 'bidang'],
    measures: EXPENDITURE_MEASURES,
    compared: [4],
    where: EXPENDITURE_ONLY,
    footer: 'grand',
  },
  {
    id: 'penjabaran-1',
    regulation: 'apbd.reg.penjabaran',
    attachment: 'apbd.att.penjabaran_1',
    title: 'apbd.title.penjabaran_1',
    dims: ['cls', 'acc3', 'acc6', 'acc9', 'acc12', 'acc17'],
    measures: [AMOUNT],
    footer: 'apbd',
  },
  {
    id: 'penjabaran-2',
    regulation: 'apbd.reg.penjabaran',
    attachment: 'apbd.att.penjabaran_2',
    title: 'apbd.title.penjabaran_2',
    dims: ['urusan', 'bidang', 'opd', 'cls', 'program', 'kegiatan', 'sub', 'acc3', 'acc6', 'acc9', 'acc12', 'acc17'],
    measures: [AMOUNT],
    footer: 'apbd',
    large: true,
  },
];

export const REPORT_IDS = REPORTS.map((r) => r.id) as [string, ...string[]];

export function reportDef(id: string): ReportDef | undefined {
  return REPORTS.find((r) => r.id === id);
}
