// The domain modules of Padu, in dependency order (migrations and seeds run in this order).
import type { ModuleManifest } from '../core/module.ts';
import { masterDataModule } from './master-data/index.ts';
import { usersModule } from './users/index.ts';
import { planningModule } from './planning/index.ts';
import { catalogueModule } from './catalogue/index.ts';
import { budgetingModule } from './budgeting/index.ts';
import { auditModule } from './audit/index.ts';
import { commandCenterModule } from './command-center/index.ts';
import { platformModule } from './platform/index.ts';
import { controllingModule } from './controlling/index.ts';
import { transparencyModule } from './transparency/index.ts';

export const modules: ModuleManifest[] = [
  masterDataModule,
  usersModule,
  planningModule,
  catalogueModule,
  budgetingModule,
  controllingModule,
  transparencyModule,
  auditModule,
  commandCenterModule,
  platformModule,
];
