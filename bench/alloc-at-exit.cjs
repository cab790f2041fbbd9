// Loaded with `node --require` by `npm run bench -- --profile`: samples what the process allocates
// (V8's sampling heap profiler, every 16 KB on average, objects already collected included) and,
// when it exits, appends one JSON line to $TURNOUT_BENCH_ALLOC_LOG: the bytes allocated in all,
// and by the code that allocated them (a package, Turnout's build, the hand-written script, Node's
// own modules, or V8's built-ins such as strings, arrays and JSON).
const inspector = require('node:inspector');
const { appendFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });

function owner(url) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/dist/cli/')) return 'turnout';
  if (url.includes('handwritten')) return 'script';
  if (url.startsWith('node:')) return 'node';
  return url ? 'other' : 'v8';
}

process.on('exit', () => {
  // The in-process inspector session answers synchronously, so this completes before the exit.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const by = {};
    let total = 0;
    const walk = (node) => {
      const key = owner(node.callFrame.url);
      by[key] = (by[key] ?? 0) + node.selfSize;
      total += node.selfSize;
      for (const child of node.children) walk(child);
    };
    walk(result.profile.head);
    appendFileSync(process.env.TURNOUT_BENCH_ALLOC_LOG, `${JSON.stringify({ total, by })}\n`);
  });
});
