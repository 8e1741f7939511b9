#!/usr/bin/env node
// `prisma generate` does not use the schema engine, but the CLI still tries to download it when it
// is missing, which fails without internet. Point it at any existing file (README.md, "Database
// and migrations").
const { execFileSync } = require('node:child_process');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  stdio: 'inherit',
  env,
});
