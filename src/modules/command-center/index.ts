// Public surface of the command-center module: the only file other modules import.
export { commandCenterModule } from './command-center.module.ts';
export { setClock, manualClock, systemClock, type Clock } from './clock.ts';
export { OPS_CHANNEL, opdChannel } from './incidents.service.ts';
