import type { ModuleManifest } from '../../core/module.ts';
import { auditRoutes } from './audit.routes.ts';

export const auditModule: ModuleManifest = {
  name: 'audit',
  tablePrefix: 'core_audit_', // reads core's audit tables; owns none
  permissions: { 'audit.read': ['admin', 'inspektorat'] },
  messages: {
    id: { 'audit.nav': 'Jejak Audit', 'audit.verify': 'Periksa rantai hash' },
    en: { 'audit.nav': 'Audit trail', 'audit.verify': 'Verify hash chain' },
  },
  nav: [{ label: 'audit.nav', href: '/audit', permission: 'audit.read', section: 'audit' }],
  routes: auditRoutes,
};
