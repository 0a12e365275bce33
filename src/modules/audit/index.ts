export { auditModule } from './audit.module.ts';
export { queryAudit, changedKeys } from './audit.queries.ts';
