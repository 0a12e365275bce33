#!/usr/bin/env node
// Runs node's test runner on every *.test.ts under the given folders (Node 20's --test has no globs).
// Usage: node scripts/test.mjs [dir|file ...]   (default: src)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const roots = args.length ? args : ['src'];
const files = roots
  .flatMap((r) =>
    fs.statSync(r).isFile()
      ? [r]
      : fs
          .readdirSync(r, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => path.join(r, f)),
  )
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-timeout=900000', '--test-concurrency=1', ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(res.status ?? 1);
