import type { ModuleManifest } from '../../core/module.ts';
import { usersMessages } from './messages.ts';
import { usersApi } from './users.routes.ts';
import { usersPages } from './users.pages.ts';
import { tokensPages } from './tokens.pages.ts';
import { seedDemoUsers } from './seed.ts';
import { sessionAuth, tokenAuth } from './users.service.ts';
import './users.tables.ts';

export const usersModule: ModuleManifest = {
  name: 'users',
  tablePrefix: 'usr_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: {
    session: ['*'],
    'users.manage': ['admin'],
  },
  messages: usersMessages,
  nav: [
    { label: 'usr.nav', href: '/users', permission: 'users.manage', section: 'admin' },
    { label: 'usr.tokens.title', href: '/tokens', permission: 'session', section: 'other' },
  ],
  routes: async (app, ctx) => {
    await usersApi(app, ctx);
    await usersPages(app, ctx);
    await tokensPages(app, ctx);
  },
  seedDemo: seedDemoUsers,
  seedScale: seedDemoUsers,
  authProvider: ({ db }) => ({
    fromSession: (token) => sessionAuth(db, token),
    fromApiToken: (token) => tokenAuth(db, token),
  }),
};
