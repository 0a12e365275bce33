// Assignments: a unit moves its own assignment acknowledged → en route → on scene → resolved, or
// hands it back with a reason. The incident closes when every assignment is done and at least one
// resolved; when all were handed back it is open again for the operator to dispatch.
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { AppError, conflict, notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { publish } from '../../core/events/events.ts';
import type { Principal } from '../../core/roles.ts';
import { clock } from './clock.ts';
import { ASSIGNMENT_STEPS, type MoveIn } from './cc.schema.ts';
import type { AssignmentStatus } from './cc.tables.ts';
import { OPS_CHANNEL, opdChannel } from './incidents.service.ts';

const ORDER: AssignmentStatus[] = ['dispatched', ...ASSIGNMENT_STEPS];
const DONE: AssignmentStatus[] = ['resolved', 'handed_back'];

/** Whether a unit may move from one status to the other: forward only, handing back until resolved. */
export function canMove(from: AssignmentStatus, to: AssignmentStatus): boolean {
  if (DONE.includes(from)) return false;
  if (to === 'handed_back') return true;
  return ORDER.indexOf(to) > ORDER.indexOf(from);
}

export async function moveAssignment(
  db: Db,
  actor: Principal,
  assignmentId: number,
  v: MoveIn & { photo?: { data: Buffer; type: string } | null },
): Promise<{ status: AssignmentStatus; incident_status: string }> {
  requirePermission(actor, 'cc.assignment.move');
  const pemdaId = actor.pemdaId;
  const now = clock().now();
  return mutate(db, actor, async (uow) => {
    const a = await uow.trx
      .selectFrom('cc_assignment')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', assignmentId)
      .forUpdate()
      .executeTakeFirst();
    // another OPD's assignment is not found for a unit, exactly like one that does not exist
    if (!a) throw notFound();
    requirePermission(actor, 'cc.assignment.move', { opdId: a.opd_id });
    if (v.version !== undefined && v.version !== a.version) throw conflict('error.conflict');
    if (!canMove(a.status, v.status))
      throw new AppError(409, 'conflict', 'cc.error.bad_step', {}, [{ field: 'status', message: 'cc.error.bad_step' }]);
    const at: Record<string, Date> = {};
    if (v.status !== 'handed_back') {
      // a skipped step (e.g. on scene straight from dispatched) stays without a time
      at[`${v.status}_at`] = now;
    } else at.handed_back_at = now;
    await uow.trx
      .updateTable('cc_assignment')
      .set({
        ...at,
        status: v.status,
        note: v.status === 'resolved' ? (v.note ?? '') : a.note,
        reason: v.status === 'handed_back' ? (v.reason ?? '') : a.reason,
        ...(v.photo ? { photo: v.photo.data, photo_type: v.photo.type } : {}),
        version: a.version + 1,
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', a.id)
      .execute();
    await uow.trx
      .insertInto('cc_event')
      .values({
        pemda_id: pemdaId,
        incident_id: a.incident_id,
        assignment_id: a.id,
        opd_id: a.opd_id,
        kind: v.status,
        at: now,
        actor_id: actor.userId || null,
        actor_name: actor.fullName,
        note: v.status === 'handed_back' ? (v.reason ?? '') : (v.note ?? ''),
      })
      .execute();
    uow.audit({
      action: v.status,
      entity: 'cc_assignment',
      entityId: a.id,
      opdId: a.opd_id,
      before: { status: a.status },
      after: { status: v.status, note: v.note, reason: v.reason },
    });

    // the incident follows its assignments
    const inc = await uow.trx
      .selectFrom('cc_incident')
      .select(['id', 'status', 'version'])
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', a.incident_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const all = await uow.trx
      .selectFrom('cc_assignment')
      .select(['status'])
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', a.incident_id)
      .execute();
    let incidentStatus = inc.status;
    if (all.every((x) => DONE.includes(x.status))) {
      incidentStatus = all.some((x) => x.status === 'resolved') ? 'closed' : 'open';
    }
    if (incidentStatus !== inc.status) {
      await uow.trx
        .updateTable('cc_incident')
        .set({ status: incidentStatus, closed_at: incidentStatus === 'closed' ? now : null, version: inc.version + 1 })
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', inc.id)
        .execute();
      await uow.trx
        .insertInto('cc_event')
        .values({
          pemda_id: pemdaId,
          incident_id: inc.id,
          kind: incidentStatus === 'closed' ? 'closed' : 'reopened',
          at: now,
          actor_id: actor.userId || null,
          actor_name: actor.fullName,
          assignment_id: null,
          opd_id: null,
        })
        .execute();
      uow.audit({
        action: incidentStatus === 'closed' ? 'close' : 'reopen',
        entity: 'cc_incident',
        entityId: inc.id,
        before: { status: inc.status },
        after: { status: incidentStatus },
      });
    }
    const ev = {
      type: 'assignment.status',
      incident_id: a.incident_id,
      assignment_id: a.id,
      opd_id: a.opd_id,
      status: v.status,
      incident_status: incidentStatus,
    };
    await publish(uow.trx, pemdaId, OPS_CHANNEL, ev);
    await publish(uow.trx, pemdaId, opdChannel(a.opd_id), ev);
    return { status: v.status, incident_status: incidentStatus };
  });
}
