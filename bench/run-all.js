// npm run bench — every bench/*.bench.js in turn, each in its own process.
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');

for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort()) {
  console.log(`\n=== ${file} ===`);
  execFileSync(process.execPath, [`${__dirname}/${file}`], { stdio: 'inherit' });
}
