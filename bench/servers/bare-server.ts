import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

// The baseline: node:http sending prepared bytes with the same headers Switchboard sends.
const [jsonFile, xmlFile] = process.argv.slice(2) as [string, string];
const json = readFileSync(jsonFile);
const xml = readFileSync(xmlFile);

const server = createServer((req, res) => {
  const isXml = req.url!.endsWith('.xml');
  res.writeHead(200, {
    'content-type': isXml ? 'application/xml' : 'application/json; charset=utf-8',
    vary: 'Accept',
    'content-length': (isXml ? xml : json).length,
  });
  res.end(isXml ? xml : json);
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
