// `npm run docs:config`: writes the configuration table, generated from src/config.ts, into README.md
// between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configTable, withTable } from '../src/config-table.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(readme, 'utf8');
const after = withTable(before, configTable());
if (after === before) console.log('README.md: the configuration table is up to date');
else {
  writeFileSync(readme, after);
  console.log('README.md: configuration table written');
}
