// Loaded with `node --require` by `npm run bench -- --profile`: when the process exits, appends
// its own CPU seconds (user + system, not its children's: the browsers) to $TURNOUT_BENCH_CPU_LOG.
process.on('exit', () => {
  const u = process.cpuUsage();
  require('node:fs').appendFileSync(process.env.TURNOUT_BENCH_CPU_LOG, `${(u.user + u.system) / 1e6}\n`);
});
