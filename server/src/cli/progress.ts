// Live progress: one rewritten line on a terminal, a plain line every few seconds in CI logs.
import type { ReplayHooks } from '../engine/replay.js';

const CI_LINE_INTERVAL_MS = 5000;
const TTY_REFRESH_MS = 200;

export function progressHooks(stream: NodeJS.WriteStream): ReplayHooks & { stop: () => void } {
  let total = 0;
  let started = 0;
  let passed = 0;
  let failed = 0;
  let t0 = Date.now();
  let running = false;
  const line = (): string => {
    const done = passed + failed;
    return `${done}/${total} done · ${passed} passed · ${failed} failed · ${started - done} running · ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  };
  const tty = Boolean(stream.isTTY);
  const timer = setInterval(
    () => running && stream.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`),
    tty ? TTY_REFRESH_MS : CI_LINE_INTERVAL_MS,
  );
  timer.unref();
  return {
    onStarted: (info) => {
      total = info.total;
      t0 = Date.now();
      running = true;
      stream.write(`run ${info.runId}: ${info.total} people, ${info.options.concurrency} at a time, ${info.options.browsers} × ${info.options.browser}\n`);
    },
    onPersonStarted: () => void started++,
    onPersonFinished: (r) => void (r.status === 'passed' ? passed++ : failed++),
    stop: () => {
      clearInterval(timer);
      // A run that never started (no browser, a port in use) has no progress to show.
      if (running) stream.write(tty ? `\r\x1b[2K${line()}\n` : `${line()}\n`);
    },
  };
}
