// Public surface of the users module.
export { usersModule } from './users.module.ts';
export {
  createApiToken,
  createSession,
  createUser,
  findUserByUsername,
  getUser,
  listUsers,
  updateUser,
  type PublicUser,
} from './users.service.ts';
export { safeNext } from './users.pages.ts';
