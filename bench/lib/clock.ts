/**
 * Milliseconds on the system's monotonic clock (process.hrtime: CLOCK_MONOTONIC, the same in every
 * process), so times taken in the bench's server and in its driver can be subtracted.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
