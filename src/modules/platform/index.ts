// Public surface of the platform module: creating Pemda on a deployment (platform administrators).
import type { ModuleManifest } from '../../core/module.ts';
import { platformMessages } from './messages.ts';
import { platformApi } from './platform.routes.ts';

export const platformModule: ModuleManifest = {
  name: 'platform',
  tablePrefix: 'plat_', // no tables of its own: Pemda rows are core's (core_pemda)
  permissions: { 'platform.pemda.manage': ['platform_admin'] },
  messages: platformMessages,
  routes: platformApi,
};
