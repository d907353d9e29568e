import { createServer } from 'node:http';

// The floor for any GET: node:http answering fixed bytes of a session's size, no routing, no
// store. Run as its own process, like the instances it is compared with.
const body = Buffer.from(process.argv[2] ?? '{}');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
