// `npm start`: build what changed (scripts/build-changed.js), then run vigil in this same process —
// one node and one npm script to start, not three, so that a start with nothing to build is quick.
import { buildChanged } from './build-changed.js';

buildChanged();
await import('../dist/main.js');
