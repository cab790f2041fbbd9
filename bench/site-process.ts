// The demo site in a process of its own, so that its CPU is not counted against a runner.
// Usage: tsx bench/site-process.ts PORT SMTP_PORT [FAULTS, e.g. "submit-500=10,broken-link=10"] [FURNITURE, images and scripts a page]
import { parseFaults } from '../scenarios/demo-site/faults.js';
import { startDemoSite } from '../scenarios/demo-site/site.js';

const site = await startDemoSite(Number(process.argv[2] ?? 0), { smtpPort: Number(process.argv[3] ?? 2525), faults: parseFaults(process.argv[4] ?? ''), furniture: Number(process.argv[5] ?? 0) });
console.log(site.url);
const stop = async (): Promise<void> => {
  await site.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
