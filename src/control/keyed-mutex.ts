/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently. Commands on
 * one session go through it so a hold racing a hang-up is decided in one order (call-control §5:
 * Flex's hold/hang-up races left callers stranded on hold).
 *
 * In-process only: with several instances, two commands for one session on two instances are not
 * serialised by this (a store advisory lock would be; not done yet).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
