import type { Store } from '../../../src/store/open-store.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `n` tasks on `key` through the given stores' locks at once; returns the [start, end] of each. */
export async function overlapping(stores: readonly Store[], key: string, n: number): Promise<[number, number][]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      stores[i % stores.length]!.keyedLock.run(key, async () => {
        const start = performance.now();
        await pause(15);
        return [start, performance.now()] as [number, number];
      }),
    ),
  );
}

export const serial = (spans: [number, number][]) => [...spans].sort((a, b) => a[0] - b[0]).every((span, i, all) => i === 0 || span[0] >= all[i - 1]![1]);

