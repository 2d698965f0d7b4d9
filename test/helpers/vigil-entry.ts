import { fileURLToPath } from 'node:url';

/**
 * node's arguments that run vigil's entry point as an operator starts it. In the unit stage this helper
 * is itself compiled to JavaScript (.unit/, scripts/test-unit.sh), and so is src/main.ts beside it: that
 * one runs on plain node. From the sources (the integration stage, `npx ava test/x.test.ts`) it runs
 * under tsx, whose compiling cost each spawned vigil about a second of CPU.
 */
export function vigilEntryArgs(): string[] {
  if (import.meta.url.endsWith('.js')) return [fileURLToPath(new URL('../../src/main.js', import.meta.url))];
  return ['--import', 'tsx', fileURLToPath(new URL('../../src/main.ts', import.meta.url))];
}
