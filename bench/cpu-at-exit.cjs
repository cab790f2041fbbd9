// Loaded with `node --require` by `npm run bench -- --profile`: when the process exits, appends
// one JSON line to $TURNOUT_BENCH_CPU_LOG: its own CPU seconds (user + system, not its
// children's: the browsers) and its garbage collections (how many, minor and major, and their
// pauses in ms, as V8 reports them to perf_hooks).
const { PerformanceObserver, constants } = require('node:perf_hooks');

const gc = { minor: 0, major: 0, pauseMs: 0 };
const count = (entries) => {
  for (const e of entries) {
    const kind = e.detail?.kind ?? e.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    gc.pauseMs += e.duration;
  }
};
const observer = new PerformanceObserver((list) => count(list.getEntries()));
observer.observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  count(observer.takeRecords());
  observer.disconnect();
  const u = process.cpuUsage();
  require('node:fs').appendFileSync(process.env.TURNOUT_BENCH_CPU_LOG, `${JSON.stringify({ cpuS: (u.user + u.system) / 1e6, gc })}\n`);
});
