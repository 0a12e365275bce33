import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountAncestors,
  accountClass,
  accountLevel,
  isLeafAccount,
  isValidNip,
  isValidShortName,
  isValidUnitCode,
  isValidFundingSourceCode,
  nomenclatureLevel,
  nomenclatureParentCode,
  organisationParentCode,
  parseOrganisationCode,
  regionInPemda,
  regionKind,
  regionParentCode,
} from './codes.ts';

test('organisation codes: kind, bidang and parent follow from the code', () => {
  const dinkes = parseOrganisationCode('1.02.0.00.0.00.01.0000');
  assert.deepEqual(dinkes && { kind: dinkes.kind, bidang: dinkes.bidang, root: dinkes.rootCode }, {
    kind: 'opd',
    bidang: ['1.02'],
    root: '1.02.0.00.0.00.01.0000',
  });
  assert.deepEqual(parseOrganisationCode('2.16.2.20.2.21.01.0000')?.bidang, ['2.16', '2.20', '2.21']);
  assert.equal(parseOrganisationCode('1.02.0.00.0.00.01.0001')?.kind, 'unit');
  assert.equal(organisationParentCode('1.02.0.00.0.00.01.0001'), '1.02.0.00.0.00.01.0000');
  assert.equal(organisationParentCode('1.02.0.00.0.00.01.0000'), null);
  assert.equal(parseOrganisationCode('7.01.0.00.0.00.06.0000')?.kind, 'kecamatan');
  assert.equal(parseOrganisationCode('7.01.0.00.0.00.06.0002')?.kind, 'unit');
  for (const bad of [
    '',
    '1.02',
    '1.02.0.00.0.00.01',
    '1.02.0.00.0.00.01.000',
    '0.00.1.02.0.00.01.0000',
    '1.00.0.00.0.00.01.0000',
    '1.02.0.00.0.00.00.0000',
    '1.02.1.02.0.00.01.0000',
    '1.2.0.00.0.00.01.0000',
    ' 1.02.0.00.0.00.01.0000',
  ]) {
    assert.equal(parseOrganisationCode(bad), null, bad);
  }
});

test('nomenclature codes: level and parent (a kegiatan belongs to its program)', () => {
  assert.equal(nomenclatureLevel('1'), 'urusan');
  assert.equal(nomenclatureLevel('1.02'), 'bidang');
  assert.equal(nomenclatureLevel('1.02.02'), 'program');
  assert.equal(nomenclatureLevel('1.02.02.2.01'), 'kegiatan');
  assert.equal(nomenclatureLevel('1.02.02.2.01.0001'), 'sub_kegiatan');
  assert.equal(nomenclatureParentCode('1.02.02.2.01.0001'), '1.02.02.2.01');
  assert.equal(nomenclatureParentCode('1.02.02.2.01'), '1.02.02');
  assert.equal(nomenclatureParentCode('1.02.02'), '1.02');
  assert.equal(nomenclatureParentCode('1.02'), '1');
  assert.equal(nomenclatureParentCode('1'), null);
  for (const bad of [
    '1.02.02.2',
    '1.02.02.3.01',
    '1.02.02.2.01.001',
    '9',
    '1.00',
    '1.02.00',
    'X.XX.01',
    '1.02.02.2.01.0000',
    '1.02.02.2.01.0001.1',
  ]) {
    assert.equal(nomenclatureLevel(bad), null, bad);
  }
});

test('account codes: level by segments, leaf = sub rincian objek, ancestors nearest first', () => {
  assert.equal(accountLevel('5'), 'akun');
  assert.equal(accountLevel('5.1'), 'kelompok');
  assert.equal(accountLevel('5.1.02'), 'jenis');
  assert.equal(accountLevel('5.1.02.04'), 'objek');
  assert.equal(accountLevel('5.1.02.04.01'), 'rincian_objek');
  assert.equal(accountLevel('5.1.02.04.01.0001'), 'sub_rincian_objek');
  assert.equal(isLeafAccount('5.1.02.04.01.0001'), true);
  assert.equal(isLeafAccount('5.1.02.04.01'), false);
  assert.equal(isLeafAccount('5.1.02.04.01.001'), false);
  assert.deepEqual(accountAncestors('5.1.02.04'), ['5.1.02', '5.1', '5']);
  assert.equal(accountClass('4.1.01'), 'revenue');
  assert.equal(accountClass('5.2'), 'expenditure');
  assert.equal(accountClass('6.1'), 'financing');
  for (const bad of ['524111', '5.0', '5.1.2', '5.1.02.4', '5.1.02.04.01.01', '9.1', '5.1.00'])
    assert.equal(accountLevel(bad), null, bad);
});

test('region codes: kecamatan, kelurahan (1xxx), desa (2xxx), inside the Pemda', () => {
  assert.equal(regionKind('99.01.01'), 'kecamatan');
  assert.equal(regionKind('99.01.01.1001'), 'kelurahan');
  assert.equal(regionKind('99.01.01.2001'), 'desa');
  assert.equal(regionParentCode('99.01.01.2001'), '99.01.01');
  assert.equal(regionParentCode('99.01.01'), null);
  assert.equal(regionInPemda('99.01.01', '99.01'), true);
  assert.equal(regionInPemda('99.011.01', '99.01'), false);
  assert.equal(regionInPemda('63.06.01', '99.01'), false);
  for (const bad of ['99.01', '99.01.1', '99.01.01.3001', '99.01.01.1000', '99.01.00', '99.01.01.10001'])
    assert.equal(regionKind(bad), null, bad);
});

test('NIP, short names, funding source and unit codes', () => {
  assert.equal(isValidNip('197306132003121008'), true);
  assert.equal(isValidNip('19730613200312100'), false); // 17 digits
  assert.equal(isValidNip('197313132003121008'), false); // month 13
  assert.equal(isValidNip('197306132003123008'), false); // sex 3
  assert.equal(isValidNip('197306132003121000'), false); // sequence 000 (also what a number cell makes of a NIP)
  assert.equal(isValidShortName('dinkes'), true);
  assert.equal(isValidShortName('pkm-sukamaju'), true);
  assert.equal(isValidShortName('Dinkes'), false);
  assert.equal(isValidShortName('din kes'), false);
  assert.equal(isValidShortName('dinkes.op'), false); // the dot separates the role in user names
  assert.equal(isValidFundingSourceCode('DAK-FISIK'), true);
  assert.equal(isValidFundingSourceCode('dak'), false);
  assert.equal(isValidUnitCode('M2'), true);
  assert.equal(isValidUnitCode('Orang/bulan'), true);
  assert.equal(isValidUnitCode(' OK'), false);
});
