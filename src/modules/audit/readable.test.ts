import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { actionWords, entityWords, fieldLabel, objectOf, valueText } from './readable.ts';

const id = { lang: 'id' } as FastifyRequest;
const en = { lang: 'en' } as FastifyRequest;

test('the audit trail in words for an auditor: actions, objects with links, field labels, Indonesian values', () => {
  assert.equal(actionWords(id, 'approve'), 'menyetujui');
  assert.equal(actionWords(en, 'approve'), 'approved');
  assert.equal(actionWords(id, 'set_window'), 'set window');
  assert.equal(entityWords(id, 'bud_sub_kegiatan'), 'sub kegiatan');
  const obj = objectOf(id, 'bud_sub_kegiatan', 86, null, {
    code: '1.02.01.2.01.0001',
    name: 'Penyusunan Dokumen',
  }).value;
  assert.equal(obj, 'sub kegiatan <a href="/budget/sub/86">1.02.01.2.01.0001 Penyusunan Dokumen</a>');
  const line = objectOf(id, 'bud_line', '7', { name: 'Kertas HVS', sub_kegiatan_id: 86 }, null).value;
  assert.match(line, /baris RKA <a href="\/budget\/sub\/86">Kertas HVS<\/a>/);
  // a record about a whole year's stages (the demo seed: entity id "year 2026") links nowhere, not to a 400
  assert.doesNotMatch(objectOf(id, 'bud_stage', 'year 2026', null, null).value, /href/);
  assert.match(objectOf(id, 'bud_stage', '2', null, null).value, /href="\/budget\?stage_id=2"/);
  assert.equal(fieldLabel(id, 'account_code'), 'Rekening');
  assert.equal(fieldLabel(id, 'at_catalogue_price'), 'Tepat harga katalog');
  assert.equal(fieldLabel(id, 'region_id'), 'Region');
  assert.equal(valueText(id, 'unit_price', '20000'), 'Rp 20.000');
  assert.equal(valueText(id, 'v1', '68.0000'), '68');
  assert.equal(valueText(id, 'v1', '2.5'), '2,5');
  assert.equal(valueText(id, 'tax_rate', '11.00'), '11');
  assert.equal(valueText(id, 'at_catalogue_price', true), 'Ya');
  assert.equal(valueText(id, 'review_note', null), '—');
  assert.equal(valueText(id, 'version', 3), '3');
  assert.match(valueText(id, 'submitted_at', '2026-11-27T02:30:00.000Z'), /27 November 2026/);
});
