// Public surface of the transparency module: the only file other modules import.
export { transparencyModule } from './transparency.module.ts';
export { fdpDescriptor, fdpRows, FDP_COLUMNS } from './fdp.ts';
