// Loaded with `node --require` by `npm run bench -- --profile`: samples what the process allocates
// (V8's sampling heap profiler, every 16 KB on average, objects already collected included) and,
// when it exits, appends one JSON line to $TURNOUT_BENCH_ALLOC_LOG: the bytes allocated in all,
// and by the script that allocated them (its URL; '' for V8's built-ins such as strings, arrays
// and JSON). bench/profile.ts names the owners, as it does for CPU samples.
const inspector = require('node:inspector');
const { appendFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });

process.on('exit', () => {
  // The in-process inspector session answers synchronously, so this completes before the exit.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const byUrl = {};
    let total = 0;
    const walk = (node) => {
      const url = node.callFrame.url;
      byUrl[url] = (byUrl[url] ?? 0) + node.selfSize;
      total += node.selfSize;
      for (const child of node.children) walk(child);
    };
    walk(result.profile.head);
    appendFileSync(process.env.TURNOUT_BENCH_ALLOC_LOG, `${JSON.stringify({ total, byUrl })}\n`);
  });
});
