import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingDefinitions } from '../src/config.js';
import { configTable, shownDefault, tableEnd, tableStart, withTable } from '../src/config-table.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));

test('the configuration table in README.md is the one the settings generate (npm run docs:config writes it)', (t) => {
  const readme = readFileSync(readmePath, 'utf8');
  t.is(readme, withTable(readme, configTable()), 'README.md is stale: run npm run docs:config');
});

test('the table has a row for every setting the environment can set, named by variable and file key', (t) => {
  const table = configTable();
  for (const d of settingDefinitions) {
    if (d.env) t.true(table.includes(`| \`${d.env}\` (\`${d.file ?? d.key}\`) |`), d.env);
    else t.false(table.includes(`\`${d.key}\``), `${d.key} is file-only`);
  }
});

test('a default is shown as a user writes it: a duration in its unit, a list comma-separated, none when unset', (t) => {
  const shown = (key: string) => shownDefault(settingDefinitions.find((d) => d.key === key)!);
  t.is(shown('sampleIntervalMs'), '`5`');
  t.is(shown('reportQuietMs'), '`60`');
  t.is(shown('notifyExpiryMs'), '`24`');
  t.is(shown('labels'), '`forge.agent.type,forge.project.id`');
  t.is(shown('allowedHosts'), 'none');
  t.is(shown('natsUrl'), 'none');
  t.is(shown('webhookToken'), '`VIGIL_API_TOKEN`');
});

test('the table is written between its markers, and their absence is an error', (t) => {
  const doc = `before\n${tableStart}\nold table\n${tableEnd}\nafter\n`;
  t.is(withTable(doc, 'new'), `before\n${tableStart}\nnew\n${tableEnd}\nafter\n`);
  t.is(withTable(withTable(doc, 'new'), 'new'), withTable(doc, 'new'));
  t.throws(() => withTable('no markers here', 'new'), { message: /markers/ });
  t.throws(() => withTable(`${tableEnd}\n${tableStart}`, 'new'), { message: /markers/ });
});
