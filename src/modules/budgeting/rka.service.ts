// The RKA-SKPD, split by feature: settings, ceilings (pagu), sub kegiatan, pricing and lines. Every
// write that changes what a sub kegiatan or an OPD plans holds, in one fixed order, the stage row
// FOR SHARE (closing the stage waits), the OPD ceiling row, then the sub kegiatan row (then the
// line); `planned` moves by the change's delta in conditional UPDATEs, CHECK planned <= ceiling
// backs it. This file only gathers the parts for the module's other files.
export * from './rka.common.ts';
export * from './settings.service.ts';
export * from './ceilings.service.ts';
export * from './subs.service.ts';
export * from './pricing.ts';
export * from './lines.schema.ts';
export * from './lines.service.ts';
export { createLine, readLineSaveContext, type LineSaveContext } from './line-save.ts';
