import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

/** One built browser asset: its bytes and a strong ETag over them. */
export interface BuiltAsset {
  readonly text: string;
  readonly etag: string;
}

/**
 * The console's browser code, bundled once per process by esbuild from the TypeScript modules in
 * ./client (or their tsc output under dist/ when the server runs from there): one file, no
 * external requests, no build artefact to keep in step. esbuild is loaded only when the console is
 * first asked for, so a server nobody opens the console on never pays for it (≈40 ms to bundle).
 */
export function consoleBundle(): () => Promise<BuiltAsset> {
  let built: Promise<BuiltAsset> | undefined;
  return () => (built ??= bundle().catch((error: unknown) => {
    built = undefined;
    throw error;
  }));
}

async function bundle(): Promise<BuiltAsset> {
  const { build } = await import('esbuild');
  const entry = ['./client/main.ts', './client/main.js']
    .map((path) => fileURLToPath(new URL(path, import.meta.url)))
    .find((path) => existsSync(path));
  if (!entry) throw new Error('The console client is missing: neither client/main.ts nor client/main.js is next to console-assets');
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', minify: true, write: false, legalComments: 'none' });
  const text = result.outputFiles[0]!.text;
  return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"` };
}
