// The internal trace of a budget line (transparency, issue #13): a line of any stage — drafts
// included — with its stage, its sub kegiatan's status and review note, and the review history
// (with the notes on this line). For internal users only; the public trace reads the public
// views of downstream.queries.ts. Reached through index.ts.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { StageKind } from './budgeting.tables.ts';

export interface LineTrace {
  id: string;
  opd_id: number;
  kind: string;
  sub_kegiatan_code: string | null;
  account_code: string;
  name: string;
  spec: string;
  total: string;
  review_note: string | null;
  stage: { id: number; year: number; kind: StageKind; name: string; status: string };
  sub: { id: number; name: string; status: string; review_note: string | null } | null;
  reviews: Array<{
    at: Date;
    action: string;
    to_status: string;
    actor_name: string;
    note: string | null;
    line_note: string | null;
  }>;
}

/** A line of any stage of the Pemda (undefined when there is none), for the internal trace. */
export async function lineTrace(db: Db, pemdaId: number, lineId: string): Promise<LineTrace | undefined> {
  if (!/^\d{1,18}$/.test(lineId)) return undefined;
  const r = await sql<{
    id: string;
    opd_id: number;
    kind: string;
    sub_kegiatan_id: number | null;
    sub_kegiatan_code: string | null;
    account_code: string;
    name: string;
    spec: string;
    total: string;
    review_note: string | null;
    stage_id: number;
    year: number;
    stage_kind: StageKind;
    stage_name: string;
    stage_status: string;
    sub_name: string | null;
    sub_status: string | null;
    sub_note: string | null;
  }>`
    SELECT l.id::text AS id, l.opd_id, l.kind, l.sub_kegiatan_id, l.sub_kegiatan_code, l.account_code, l.name, l.spec,
           l.total::text AS total, l.review_note, st.id AS stage_id, st.year, st.kind AS stage_kind, st.name AS stage_name,
           st.status AS stage_status, sk.name AS sub_name, sk.status AS sub_status, sk.review_note AS sub_note
      FROM bud_line l JOIN bud_stage st ON st.pemda_id = l.pemda_id AND st.id = l.stage_id
      LEFT JOIN bud_sub_kegiatan sk ON sk.pemda_id = l.pemda_id AND sk.id = l.sub_kegiatan_id
     WHERE l.pemda_id = ${pemdaId} AND l.id = ${lineId}`.execute(db);
  const l = r.rows[0];
  if (!l) return undefined;
  const reviews = l.sub_kegiatan_id
    ? (
        await sql<LineTrace['reviews'][number]>`
          SELECT rv.at, rv.action, rv.to_status, rv.actor_name, rv.note, ln.note AS line_note
            FROM bud_review rv LEFT JOIN bud_line_note ln ON ln.pemda_id = rv.pemda_id AND ln.review_id = rv.id AND ln.line_id = ${lineId}
           WHERE rv.pemda_id = ${pemdaId} AND rv.sub_kegiatan_id = ${l.sub_kegiatan_id}
           ORDER BY rv.at, rv.id`.execute(db)
      ).rows
    : [];
  return {
    id: l.id,
    opd_id: Number(l.opd_id),
    kind: l.kind,
    sub_kegiatan_code: l.sub_kegiatan_code,
    account_code: l.account_code,
    name: l.name,
    spec: l.spec,
    total: l.total,
    review_note: l.review_note,
    stage: {
      id: Number(l.stage_id),
      year: Number(l.year),
      kind: l.stage_kind,
      name: l.stage_name,
      status: l.stage_status,
    },
    sub:
      l.sub_kegiatan_id && l.sub_name !== null
        ? { id: Number(l.sub_kegiatan_id), name: l.sub_name, status: l.sub_status ?? '', review_note: l.sub_note }
        : null,
    reviews,
  };
}
