// Waiting with a bound: what a browser in a bad state is given before the run goes on without it,
// and pauses (ramp-up, arrivals, think time) that a stop cuts short.

/** Resolves with the work's result, or with 'timed out' after `ms` (the work goes on, unobserved). */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([work, new Promise<'timed out'>((r) => (timer = setTimeout(() => r('timed out'), ms)))]);
  clearTimeout(timer);
  return result;
}

/** Waits `ms`, or less when `signal` aborts meanwhile (whoever waits then sees it aborted). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
