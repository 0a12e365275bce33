import type { Generated } from 'kysely';
import type { Timestamp } from '../../core/db/schema.ts';
import type { Role } from '../../core/roles.ts';

export interface UserTable {
  pemda_id: number;
  id: Generated<number>;
  username: string;
  password_hash: string;
  full_name: string;
  nip: string | null;
  role: Role;
  opd_id: number | null;
  region_id: number | null;
  active: Generated<boolean>;
  demo: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionTable {
  pemda_id: number;
  id: string;
  user_id: number;
  csrf: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  user_agent: string | null;
}

export interface ApiTokenTable {
  pemda_id: number;
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expires_at: Timestamp;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    usr_user: UserTable;
    usr_session: SessionTable;
    usr_api_token: ApiTokenTable;
  }
}
