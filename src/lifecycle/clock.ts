/** The time, passed in: background jobs never read the wall clock themselves, so tests move it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const DAY_MS = 86_400_000;

/** `days` before `now`, as the ISO-8601 UTC text session dates are stored in. */
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
