// The category table: which OPD respond to a category, its default priority and its targets.
// Edited by the Pemda's administrator (cc.settings); every change audited with before and after,
// and a stale edit (an older version) refused rather than overwriting another administrator's.
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type { Principal } from '../../core/roles.ts';
import { listOpds } from '../master-data/index.ts';
import { categoryIn, type CategoryIn } from './categories.schema.ts';
import { listCategories, type Category } from './incidents.service.ts';

export async function listAllCategories(db: Db, actor: Principal): Promise<Category[]> {
  requirePermission(actor, 'cc.settings');
  return listCategories(db, actor.pemdaId, { withInactive: true });
}

export async function getCategoryForEdit(db: Db, actor: Principal, id: number): Promise<Category> {
  const c = (await listAllCategories(db, actor)).find((x) => x.id === id);
  if (!c) throw notFound();
  return c;
}

/** Change a category; `version` is the one the administrator saw (409 when another save came first). */
export async function updateCategory(
  db: Db,
  actor: Principal,
  id: number,
  version: number,
  input: CategoryIn,
): Promise<Category> {
  requirePermission(actor, 'cc.settings');
  const v = categoryIn.parse(input);
  const opds = new Set((await listOpds(db, actor.pemdaId)).map((o) => o.id));
  const unknown = v.opd_ids.findIndex((o) => !opds.has(o));
  if (unknown >= 0) throw badRequest([{ field: `opd_ids.${unknown}`, message: 'cc.error.opd_unknown' }]);
  await mutate(db, actor, async (uow) => {
    const before = (await listCategories(uow.trx, actor.pemdaId, { withInactive: true })).find((c) => c.id === id);
    if (!before) throw notFound();
    const { opd_ids, ...fields } = v;
    const changed = await uow.trx
      .updateTable('cc_category')
      .set({ ...fields, version: before.version + 1 })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .where('version', '=', version)
      .returning('id')
      .executeTakeFirst();
    if (!changed) throw conflict('cc.error.category_stale', { current: before });
    await uow.trx
      .deleteFrom('cc_category_opd')
      .where('pemda_id', '=', actor.pemdaId)
      .where('category_id', '=', id)
      .execute();
    if (opd_ids.length)
      await uow.trx
        .insertInto('cc_category_opd')
        .values(opd_ids.map((opd_id) => ({ pemda_id: actor.pemdaId, category_id: id, opd_id })))
        .execute();
    uow.audit({
      action: 'update',
      entity: 'cc_category',
      entityId: id,
      before,
      after: { ...fields, opd_ids, version: before.version + 1 },
    });
  });
  return getCategoryForEdit(db, actor, id);
}
