import { createInterface } from 'node:readline';

// A load generator in its own process (so its 200 fetches do not share the bench's event loop):
// on each `go ADDRESS` line from stdin, sends COUNT wrong passwords for EMAIL at once from
// ADDRESS (X-Forwarded-For), prints `sent` once they are on the wire, then `done {status: count}`.
const [url, email, count] = process.argv.slice(2) as [string, string, string];

const guess = async (address: string, i: number) => {
  const res = await fetch(`${url}/auth/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ userName: email, password: `guess ${i}` }),
  });
  await res.arrayBuffer();
  return res.status;
};

for await (const line of createInterface({ input: process.stdin })) {
  const address = line.replace(/^go /, '');
  const burst = Array.from({ length: Number(count) }, (_, i) => guess(address, i));
  setImmediate(() => process.stdout.write('sent\n'));
  const statuses: Record<number, number> = {};
  for (const status of await Promise.all(burst)) statuses[status] = (statuses[status] ?? 0) + 1;
  process.stdout.write(`done ${JSON.stringify(statuses)}\n`);
}
