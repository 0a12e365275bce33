// Demo users: one per Pemda-wide role, three per OPD (<short>.operator, <short>.head, <short>.unit),
// and Musrenbang operators of the first kecamatan and kelurahan. All share the demo password.
import type { SeedContext } from '../../core/module.ts';
import { DEMO_PASSWORD } from '../../core/seed.ts';
import type { Role } from '../../core/roles.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import { hashPassword } from './users.service.ts';
import { mutate } from '../../core/audit/audit.ts';

export async function seedDemoUsers(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  // One argon2id hash for the shared demo password keeps seeding fast; it is demo-only.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const people: Array<{ username: string; full_name: string; role: Role; opd_id?: number; region_id?: number }> = [
    { username: 'admin', full_name: 'Admin Diskominfo', role: 'admin' },
    { username: 'bappeda', full_name: 'Perencana Bappeda', role: 'bappeda' },
    { username: 'tapd', full_name: 'Verifikator TAPD', role: 'tapd' },
    { username: 'tim_data', full_name: 'Tim Data Harga', role: 'tim_data' },
    { username: 'dprd', full_name: 'Anggota DPRD Demo', role: 'dprd' },
    { username: 'inspektorat', full_name: 'Auditor Inspektorat', role: 'inspektorat' },
    { username: 'cc_operator', full_name: 'Operator Command Center', role: 'cc_operator' },
  ];
  for (const o of await listOpds(db, pemdaId)) {
    if (!o.shortName) continue;
    people.push(
      { username: `${o.shortName}.operator`, full_name: `Operator ${o.name}`, role: 'opd_operator', opd_id: o.id },
      { username: `${o.shortName}.head`, full_name: `Kepala ${o.name}`, role: 'opd_head', opd_id: o.id },
      { username: `${o.shortName}.unit`, full_name: `Unit Lapangan ${o.name}`, role: 'cc_unit', opd_id: o.id },
    );
  }
  const kec = (await listRegions(db, pemdaId, 'kecamatan'))[0];
  const kel = (await listRegions(db, pemdaId)).find((r) => r.kind !== 'kecamatan');
  if (kec)
    people.push({
      username: 'kecamatan',
      full_name: `Operator Kecamatan ${kec.name}`,
      role: 'kecamatan',
      region_id: kec.id,
    });
  if (kel)
    people.push({ username: 'kelurahan', full_name: `Operator ${kel.name}`, role: 'kelurahan', region_id: kel.id });

  await mutate(db, ctx.actor, async (uow) => {
    const inserted = await uow.trx
      .insertInto('usr_user')
      .values(
        people.map((p) => ({
          pemda_id: pemdaId,
          password_hash: passwordHash,
          demo: true,
          nip: null,
          opd_id: p.opd_id ?? null,
          region_id: p.region_id ?? null,
          ...p,
        })),
      )
      .onConflict((oc) => oc.columns(['pemda_id', 'username']).doNothing())
      .returning(['id', 'username'])
      .execute();
    if (inserted.length)
      uow.audit({
        action: 'seed',
        entity: 'user',
        entityId: 'demo',
        after: { users: inserted.map((u) => u.username) },
      });
  });
}
