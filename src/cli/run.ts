import { main } from './main.js';

// The only place that touches process: argv, env, exit code.
const code = await main(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
}).catch((error: unknown) => {
  process.stderr.write(`switchboard: ${(error as Error).message}\n`);
  return 1;
});
if (code >= 0) process.exitCode = code;
