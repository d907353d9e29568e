import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

/** The account bench/list searches: the busiest of the generated ones. */
export const BENCH_ACCOUNT = 'acct_0001';

export interface BenchNeedles {
  /** 50 live sessions of the account, spread over its latest 2,000. */
  readonly picked: readonly { id: string; from_address: string | null }[];
  /** Part of each picked caller's number, as a from-contains filter gets it. */
  readonly numbers: readonly string[];
  /** Selective log text, as people search for a problem or a caller: an error, a caller's number as the log records it, an agent's name. */
  readonly selective: readonly string[];
  /** Phrases in 12–18% of all calls, measured apart. */
  readonly common: readonly string[];
  /**
   * 1–2 characters, too short for the trigram index: some in nearly every log ("q" of "queue"),
   * some in a few ("0m" of "duration 0m"), some in none ("xz", "Ж"), where every row in scope is read.
   */
  readonly short: readonly string[];
}

/**
 * What bench/list asks for, read from the data itself, so the HTTP bench (list-bench.ts) and the
 * in-process one (list-queries.ts) search for the same things.
 */
export async function benchNeedles(db: Kysely<Database>): Promise<BenchNeedles> {
  const sample = await db
    .selectFrom('sessions')
    .select(['id', 'from_address', 'document'])
    .where('account_id', '=', BENCH_ACCOUNT)
    .where('archived', '=', 0)
    .orderBy('date_created', 'desc')
    .limit(2000)
    .execute();
  const picked = Array.from({ length: 50 }, (_, i) => sample[Math.floor((i * sample.length) / 50)]!);
  const agentNames = picked.flatMap((s) => {
    const ringing = (JSON.parse(s.document) as { log: { message: string }[] }).log.find((l) => l.message.startsWith('Ringing '));
    return ringing ? [ringing.message] : [];
  });
  return {
    picked,
    numbers: picked.map((s) => s.from_address!.slice(5, 12)),
    selective: [
      ...Array.from({ length: 10 }, () => 'gateway timeout'),
      ...Array.from({ length: 5 }, () => 'secondary trunk'),
      ...picked.slice(0, 20).map((s) => `from ${s.from_address}`),
      ...agentNames.slice(0, 15),
    ],
    common: ['to voicemail', 'placed on hold'],
    short: ['q', '0m', 'xz', 'Ж', 'vm', '59'],
  };
}
