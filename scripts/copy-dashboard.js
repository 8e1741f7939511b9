// Copies the dashboard's static files next to the compiled service (dist/dashboard/public), so
// that `npm run build` output (and the container built from it) serves them.
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const from = join(__dirname, '..', 'src', 'dashboard', 'public');
const to = join(__dirname, '..', 'dist', 'dashboard', 'public');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
