#!/usr/bin/env node
// Entry of the `padu` command: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
