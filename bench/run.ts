import { benchAuth } from './auth.js';
import { benchGenerate } from './generate.js';
import { benchGetSession } from './get-session.js';
import { benchIngest } from './ingest.js';
import { benchReadLoad } from './read-load.js';
import { benchScaling } from './scaling.js';
import { benchSearchWriteCost } from './search-write-cost.js';
import { benchSignInFlood } from './sign-in-flood.js';

// `npm run bench` runs every benchmark; `npm run bench -- get-session` one of them.
const BENCHES: Record<string, () => Promise<void>> = {
  'get-session': benchGetSession,
  ingest: () => benchIngest(),
  scaling: benchScaling,
  auth: benchAuth,
  'read-load': benchReadLoad,
  'sign-in-flood': benchSignInFlood,
  generate: benchGenerate,
  'search-write-cost': () => benchSearchWriteCost(),
};

const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n== ${name}`);
  await bench();
}
