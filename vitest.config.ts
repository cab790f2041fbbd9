import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files run one after another: most keep both cores busy with Chromium, and many judge time as
    // a person at the target lived it (arrival schedules, a throttled network, last night's step
    // times, think pauses, the demo's ground truth with its timeouts). Two files at a time, tried on
    // this 2-core machine, took 924–1,223 s where one after another took 1,050–1,234 s.
    fileParallelism: false,
    // One after another in one worker process, which keeps the modules it has loaded: each file
    // starts its own servers, browsers and sinks and stops them, so nothing else carries over, and
    // the suite saves loading Playwright, Express and the engine again for each of its ~50 files.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Marks the processes each file starts: its "no Chromium left behind" counts its own only, not
    // a browser someone has open on the same machine.
    setupFiles: ['test/helpers/mark.ts'],
  },
});
