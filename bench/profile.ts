// `npm run bench -- --profile` (and section 6 of a full run): where Turnout's time goes next to
// the hand-written flow, from the two processes themselves. Per person: the Chrome DevTools
// Protocol messages each sends (DEBUG=pw:protocol), by method, and the events Chromium sends back;
// the Node process's own CPU, garbage collections and allocations; its CPU by component, from
// `node --cpu-prof`; and what one of the Playwright calls Turnout adds costs, timed alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../server/src/engine/chromium.js';
import { chromiumCpu, stat as statOf, timed, type Stat } from './measure.js';

export interface Side {
  label: string;
  /** The command, given the people, the concurrency and extra node flags. */
  command: (people: number, concurrency: number) => string[];
}

function run(command: string[], env: NodeJS.ProcessEnv, stderrLimit = Infinity): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stderr.on('data', (d: Buffer) => {
      if (size < stderrLimit) chunks.push(d);
      size += d.length;
    });
    child.on('close', (code) => resolve({ code, stderr: Buffer.concat(chunks).toString() }));
  });
}

interface ProtocolCount {
  messages: Map<string, number>;
  bytes: number;
  /** Events Chromium sent the process (network, lifecycle, execution contexts…): its work on them is the same whoever asked. */
  events: number;
  /** Playwright API calls the process made (\`locator.fill\`, \`page.title\`…), by name: each captures a stack trace and most send a message. */
  calls: Map<string, number>;
}

/** Every message the process sent to Chromium, by method. */
async function protocolCounts(side: Side, people: number): Promise<ProtocolCount> {
  const { code, stderr } = await run(side.command(people, people), { DEBUG: 'pw:protocol,pw:api' });
  if (code !== 0) throw new Error(`${side.label} (${people} people, protocol log): exit ${code}`);
  const messages = new Map<string, number>();
  const calls = new Map<string, number>();
  let bytes = 0;
  let events = 0;
  for (const line of stderr.split('\n')) {
    const call = /pw:api <= (\S+) (?:succeeded|failed)/.exec(line)?.[1];
    if (call) calls.set(call, (calls.get(call) ?? 0) + 1);
    if (line.includes('◀ RECV {"method":')) events++;
    const at = line.indexOf('SEND ► ');
    if (at < 0) continue;
    const method = /"method":"([^"]+)"/.exec(line)?.[1] ?? '?';
    messages.set(method, (messages.get(method) ?? 0) + 1);
    bytes += line.length - at - 7;
  }
  return { messages, bytes, events, calls };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

const PIPE_WRITES = new Set(['writeUtf8String', 'writev', 'writeBuffer', 'writeLatin1String']);

/** Owners that are not a package: Turnout's build, the hand-written script, Node's own modules, V8, the rest. */
const NOT_A_PACKAGE = new Set(['turnout', 'script', 'node', 'v8', 'other']);

/** Whose code a script is: a package's name, or one of NOT_A_PACKAGE (V8's built-ins have no URL). */
function ownerOf(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/dist/cli/')) return 'turnout';
  if (url.includes('handwritten')) return 'script';
  if (url.startsWith('node:')) return 'node';
  return url ? 'other' : 'v8';
}

/** The component a profile node's own time belongs to. */
function component(functionName: string, url: string): string | null {
  if (functionName === '(idle)') return null;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (PIPE_WRITES.has(functionName)) return "writing to Chromium's pipe (also counts time blocked while Chromium reads)";
  const owner = ownerOf(url);
  if (owner === 'playwright-core') return 'Playwright';
  if (!NOT_A_PACKAGE.has(owner)) return `${owner} (library)`;
  if (/node:internal\/(modules|deps\/cjs-module-lexer)|node:internal\/bootstrap/.test(url) || functionName === 'compileSourceTextModule') return 'loading modules';
  if (owner === 'turnout') return "Turnout's own code";
  if (owner === 'script') return "the hand-written script's own code";
  if (owner === 'node' || owner === 'v8') return 'Node.js itself (streams, timers, crypto, native calls)';
  return 'other';
}

/** Sampled time of the Node process (not its browsers) by component, in ms. */
async function nodeCpu(side: Side, people: number): Promise<{ total: number; parts: Map<string, number> }> {
  const dir = mkdtempSync(join('.turnout', 'bench-profile-'));
  const [node, ...rest] = side.command(people, people);
  const { code } = await run([node!, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...rest], {}, 0);
  if (code !== 0) throw new Error(`${side.label} (${people} people, CPU profile): exit ${code}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${side.label}: node wrote no CPU profile`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parts = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const name = frame ? component(frame.functionName, frame.url) : null;
    if (!name) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    parts.set(name, (parts.get(name) ?? 0) + ms);
    total += ms;
  });
  return { total, parts };
}

/** What allocated the bytes (`ownerOf` the script), in the words of the table. */
const ALLOCATED_BY: Record<string, string> = {
  'playwright-core': 'Playwright',
  v8: 'V8 built-ins (strings, arrays, JSON, regular expressions)',
  node: "Node.js's own modules (sockets, streams, module loading)",
  turnout: "Turnout's own code",
  script: "the hand-written script's own code",
};

/** Bytes the Node process allocated in one run (kept or collected), by what allocated them. */
async function allocations(side: Side, people: number): Promise<Map<string, number>> {
  const dir = mkdtempSync(join('.turnout', 'bench-alloc-'));
  const logFile = join(dir, 'alloc.txt');
  const [node, ...rest] = side.command(people, people);
  const { code } = await run([node!, '--require', resolve('bench/alloc-at-exit.cjs'), ...rest], { TURNOUT_BENCH_ALLOC_LOG: logFile }, 0);
  if (code !== 0) throw new Error(`${side.label} (${people} people, allocations): exit ${code}`);
  const { byUrl } = JSON.parse(readFileSync(logFile, 'utf8').trim().split('\n')[0]!) as { total: number; byUrl: Record<string, number> };
  const named = new Map<string, number>();
  for (const [url, bytes] of Object.entries(byUrl)) {
    const name = ALLOCATED_BY[ownerOf(url)] ?? 'other libraries';
    named.set(name, (named.get(name) ?? 0) + bytes);
  }
  return named;
}

/** One run's figures per person, each side's list of them (bench/cpu-at-exit.cjs writes what the Node process says of itself). */
interface Split {
  node: number[];
  browsers: number[];
  /** Garbage collections a person, minor and major. */
  collections: number[];
  /** Milliseconds of GC pauses a person, as V8 timed them (time off the core while Chromium held it included). */
  gcMs: number[];
}

/**
 * CPU seconds per person of the Node process alone and of its browsers (the whole command less
 * the Node process), and the Node process's garbage collections, each side `runs` times in turns:
 * where the extra CPU is spent.
 */
async function cpuSplit(sides: Side[], people: number, runs: number, log: (line: string) => void): Promise<Split[]> {
  const dir = mkdtempSync(join('.turnout', 'bench-split-'));
  const out: Split[] = sides.map(() => ({ node: [], browsers: [], collections: [], gcMs: [] }));
  for (let r = 0; r < runs; r++) {
    for (const i of r % 2 ? [...sides.keys()].reverse() : [...sides.keys()]) {
      const logFile = join(dir, `${i}-${r}.txt`);
      const [node, ...rest] = sides[i]!.command(people, people);
      const t = await timed([node!, '--require', resolve('bench/cpu-at-exit.cjs'), ...rest], { TURNOUT_BENCH_CPU_LOG: logFile });
      if (t.code !== 0) throw new Error(`${sides[i]!.label} (${people} people, CPU split): exit ${t.code}`);
      const own = JSON.parse(readFileSync(logFile, 'utf8').trim().split('\n')[0]!) as { cpuS: number; gc: { minor: number; major: number; pauseMs: number } };
      out[i]!.node.push(own.cpuS / people);
      out[i]!.browsers.push((t.cpuS - own.cpuS) / people);
      out[i]!.collections.push((own.gc.minor + own.gc.major) / people);
      out[i]!.gcMs.push(own.gc.pauseMs / people);
    }
    log(`profile: CPU split ${r + 1}/${runs}`);
  }
  return out;
}

/** What one Playwright call costs on this machine: the Node process's CPU and Chromium's, per call. */
export interface CallCost {
  call: string;
  node: Stat;
  browser: Stat;
}

export interface CallCosts {
  rounds: number;
  perRound: number;
  calls: CallCost[];
}

/** Calls timed a round, and rounds (each call timed once a round, the order alternating). */
const CALLS_A_ROUND = 1000;
const CALL_ROUNDS = 5;

/**
 * The calls Turnout makes that the hand-written flow does not, each timed alone in this process on
 * one loaded page of a headless-shell launched as Turnout launches it: CPU milliseconds a call of
 * this process (Playwright's client) and of Chromium (read from /proc), medians of the rounds.
 */
export async function callCosts(rounds = CALL_ROUNDS, perRound = CALLS_A_ROUND): Promise<CallCosts> {
  const browser = await chromium.launch({ executablePath: findChromium('headless-shell')!.executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent('<title>Check your email · HealthMarket</title><h1>Check your email</h1>');
    const calls: [string, () => Promise<unknown>][] = [
      ['page.title', () => page.title()],
      ['page.waitForLoadState', () => page.waitForLoadState('load')],
    ];
    const samples = new Map(calls.map(([name]) => [name, { node: [] as number[], browser: [] as number[] }]));
    for (const [, call] of calls) for (let i = 0; i < 100; i++) await call(); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const [name, call] of round % 2 ? [...calls].reverse() : calls) {
        const cpu = process.cpuUsage();
        const chromiumSeconds = chromiumCpu();
        for (let i = 0; i < perRound; i++) await call();
        const { user, system } = process.cpuUsage(cpu);
        samples.get(name)!.node.push((user + system) / 1000 / perRound);
        samples.get(name)!.browser.push((chromiumSeconds() * 1000) / perRound);
      }
    }
    return { rounds, perRound, calls: calls.map(([call]) => ({ call, node: statOf(samples.get(call)!.node), browser: statOf(samples.get(call)!.browser) })) };
  } finally {
    await browser.close();
  }
}

/** The table of what a call costs, and what Turnout's extra calls of each come to a person. */
export function callCostText({ rounds, perRound, calls }: CallCosts): string {
  const ms = (s: Stat): string => `${s.median.toFixed(3)} ms (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;
  return `What one call costs on this machine, timed alone in the bench's process on one loaded page of a headless-shell (${rounds} round(s) of ${perRound} calls, median (min–max) of the rounds): CPU milliseconds a call of the Node process and of Chromium. The sections below multiply these by the calls Turnout adds a person.

| call | the Node process | Chromium |
|---|---:|---:|
${calls.map((c) => `| \`${c.call}\` | ${ms(c.node)} | ${ms(c.browser)} |`).join('\n')}`;
}

/** CPU profiles taken of each side: the section gives each component's median. */
const PROFILE_RUNS = 3;

/** What Turnout asks Playwright for that a hand-written flow need not, and why (for the findings). */
const WHY: Record<string, string> = {
  'page.title': "the title of each page a step lands on, checked against the recording (a form re-rendered with an error at the same address is told from the next page by it)",
  'locator.count': 'which selector candidate matched, asked where a step waits for an element or clicks without a navigation to wait for (the summary records it; drift is built on it)',
  'page.waitForLoadState': "the load event after each navigation a step waits for, as Chrome's replayer does (the hand-written flow waits with page.waitForURL instead)",
  'locator.fill': 'a value set on a field the recording names by its change event',
  'locator.click': 'a click as recorded (the hand-written flow may use check() or press())',
};

const signed = (n: number, digits = 0): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** Which of the two processes holds the extra CPU. */
function splitText(h: { node: Stat; browsers: Stat }, t: { node: Stat; browsers: Stat }): string {
  const [node, browsers] = [(t.node.median - h.node.median) * 1000, (t.browsers.median - h.browsers.median) * 1000];
  const total = node + browsers;
  if (total <= 0) return `Measured per person, Turnout uses no more CPU than the hand-written flow (${signed(node)} ms in Node, ${signed(browsers)} ms in the browsers).`;
  return `Of the extra CPU per person (${signed(total)} ms), ${signed(node)} ms is in the Node process (Playwright's client and Turnout) and ${signed(browsers)} ms in the browsers.`;
}

/** What the calls Turnout adds a person come to at one call's cost (callCosts), against the CPU a person. */
function costText(costs: readonly CallCost[], calls: readonly { m: string; h: number; t: number }[], h: { node: Stat; browsers: Stat }, t: { node: Stat; browsers: Stat }): string {
  const perPerson = (h.node.median + h.browsers.median) * 1000;
  const extra = (t.node.median + t.browsers.median) * 1000 - perPerson;
  const parts = costs.flatMap((c) => {
    const made = calls.find((x) => x.m === c.call);
    const added = made ? made.t - made.h : 0;
    if (added < 0.5) return [];
    const node = added * c.node.median;
    const browser = added * c.browser.median;
    // Under a millisecond a person, what Turnout adds is nothing to take a share of.
    return [`${signed(added, 1)} \`${c.call}\` at one call's cost come to ${(node + browser).toFixed(1)} ms a person (${node.toFixed(1)} in the Node process, ${browser.toFixed(1)} in Chromium), ${(((node + browser) / perPerson) * 100).toFixed(1)} % of the hand-written flow's ${perPerson.toFixed(0)} ms a person${extra >= 1 ? ` and ${(((node + browser) / extra) * 100).toFixed(0)} % of the ${extra.toFixed(0)} ms Turnout adds` : ''}`];
  });
  return parts.length ? ` Timed alone (above): ${parts.join('; ')}.` : '';
}

/** The Playwright calls Turnout makes more of, with what each is for. */
function whyText(calls: readonly { m: string; h: number; t: number }[]): string {
  const more = calls.filter((c) => c.t - c.h >= 0.5).slice(0, 5);
  if (!more.length) return '';
  const total = calls.reduce((a, c) => a + c.t - c.h, 0);
  return `Turnout makes ${signed(total, 1)} Playwright calls a person in all; more of: ${more.map((c) => `\`${c.m}\` ${signed(c.t - c.h, 1)}${WHY[c.m] ? ` (${WHY[c.m]})` : ''}`).join('; ')}.`;
}

/**
 * One crowd's profile. `cpuProfiles` adds sampled `--cpu-prof` profiles by component: at 10 at once
 * they are worth reading; on a saturated machine a sample also counts time the process waited for
 * a core, so the larger crowd is profiled by its counts, CPU and collections alone.
 */
export async function profileSection(hand: Side, turnout: Side, people: number, log: (line: string) => void, splitRuns = 5, cpuProfiles = true, costs?: CallCosts): Promise<string> {
  const counts: ProtocolCount[] = [];
  for (const side of [hand, turnout]) {
    counts.push(await protocolCounts(side, people));
    log(`profile: protocol log of ${side.label}`);
  }
  const [h, t] = counts as [ProtocolCount, ProtocolCount];
  const methods = [...new Set([...h.messages.keys(), ...t.messages.keys()])]
    .map((m) => ({ m, h: (h.messages.get(m) ?? 0) / people, t: (t.messages.get(m) ?? 0) / people }))
    .sort((a, b) => b.t + b.h - (a.t + a.h));
  const sum = (c: ProtocolCount): number => [...c.messages.values()].reduce((a, b) => a + b, 0) / people;
  const rows = methods.slice(0, 10).map((x) => `| \`${x.m}\` | ${x.h.toFixed(1)} | ${x.t.toFixed(1)} |`);
  const rest = methods.slice(10);
  if (rest.length) rows.push(`| ${rest.length} other methods | ${rest.reduce((a, x) => a + x.h, 0).toFixed(1)} | ${rest.reduce((a, x) => a + x.t, 0).toFixed(1)} |`);
  // The Playwright calls each side makes, largest difference first: what Turnout asks that the
  // hand-written flow does not (or asks differently).
  const apiNames = [...new Set([...h.calls.keys(), ...t.calls.keys()])]
    .map((m) => ({ m, h: (h.calls.get(m) ?? 0) / people, t: (t.calls.get(m) ?? 0) / people }))
    .sort((a, b) => Math.abs(b.t - b.h) - Math.abs(a.t - a.h) || b.t - a.t);
  const callSum = (c: ProtocolCount): number => [...c.calls.values()].reduce((a, b) => a + b, 0) / people;
  const callRows = apiNames.slice(0, 12).map((x) => `| \`${x.m}\` | ${x.h.toFixed(1)} | ${x.t.toFixed(1)} | ${signed(x.t - x.h, 1)} |`);
  const callRest = apiNames.slice(12);
  if (callRest.length) callRows.push(`| ${callRest.length} other calls | ${callRest.reduce((a, x) => a + x.h, 0).toFixed(1)} | ${callRest.reduce((a, x) => a + x.t, 0).toFixed(1)} | ${signed(callRest.reduce((a, x) => a + x.t - x.h, 0), 1)} |`);

  // Several profiles of each side, taken in turns: one run's split moves by more than the difference sought.
  const profiles = cpuProfiles ? await componentProfiles(hand, turnout, people, log) : null;
  const extraSent = sum(t) - sum(h);
  const split = (await cpuSplit([hand, turnout], people, splitRuns, log)).map((x) => ({
    node: statOf(x.node),
    browsers: statOf(x.browsers),
    collections: statOf(x.collections),
    gcMs: statOf(x.gcMs),
  }));
  const [hs, ts] = split as [(typeof split)[number], (typeof split)[number]];
  const allocated: Map<string, number>[] = [];
  for (const side of [hand, turnout]) {
    allocated.push(await allocations(side, people));
    log(`profile: allocations of ${side.label}`);
  }
  const [ha, ta] = allocated as [Map<string, number>, Map<string, number>];
  const mb = (bytes: number): number => bytes / 1e6 / people;
  const allOf = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const allocRows = [...new Set([...ha.keys(), ...ta.keys()])]
    .sort((a, b) => (ta.get(b) ?? 0) - (ta.get(a) ?? 0))
    .map((n) => `| ${n} | ${mb(ha.get(n) ?? 0).toFixed(2)} MB | ${mb(ta.get(n) ?? 0).toFixed(2)} MB | ${signed(mb((ta.get(n) ?? 0) - (ha.get(n) ?? 0)), 2)} MB |`);
  const ms = (s: Stat): string => `${(s.median * 1000).toFixed(0)} ms (${(s.min * 1000).toFixed(0)}–${(s.max * 1000).toFixed(0)})`;
  const more = (a: Stat, b: Stat): string => `${signed((b.median - a.median) * 1000)} ms (${(b.median / a.median).toFixed(3)}×)`;
  const plain = (s: Stat, digits: number, unit = ''): string => `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const moreOf = (a: Stat, b: Stat, digits: number, unit = ''): string => `${signed(b.median - a.median, digits)}${unit} (${(b.median / a.median).toFixed(3)}×)`;
  const eventsOf = (c: ProtocolCount): number => c.events / people;

  return `${people} people at once; the protocol log from one run of each side, ${profiles ? `${PROFILE_RUNS} CPU profiles of each, ` : ''}the CPU split the median of ${splitRuns} run(s) of each, taken in turns.

Chrome DevTools Protocol messages sent to Chromium, per person (\`DEBUG=pw:protocol\`):

| method | hand-written | ${turnout.label} |
|---|---:|---:|
${rows.join('\n')}
| **all** | **${sum(h).toFixed(1)}** (${(h.bytes / people / 1024).toFixed(0)} KB) | **${sum(t).toFixed(1)}** (${(t.bytes / people / 1024).toFixed(0)} KB) |
| events Chromium sent back | ${eventsOf(h).toFixed(1)} | ${eventsOf(t).toFixed(1)} |

Playwright API calls per person (\`DEBUG=pw:api\`; each captures a stack trace, most send a protocol message), largest difference first:

| call | hand-written | ${turnout.label} | difference |
|---|---:|---:|---:|
${callRows.join('\n')}
| **all** | **${callSum(h).toFixed(1)}** | **${callSum(t).toFixed(1)}** | **${signed(callSum(t) - callSum(h), 1)}** |

Per person, median (min–max) of ${splitRuns} run(s) a side, taken in turns: the CPU of the Node process (its own \`process.cpuUsage()\` at exit) and of its browsers (the whole command's CPU less that), and the Node process's garbage collections (\`perf_hooks\`; a pause is V8's own timing, which on a saturated machine includes time the process waited for a core):

| | hand-written | ${turnout.label} | Turnout adds |
|---|---:|---:|---:|
| the Node process | ${ms(hs.node)} | ${ms(ts.node)} | ${more(hs.node, ts.node)} |
| its browsers | ${ms(hs.browsers)} | ${ms(ts.browsers)} | ${more(hs.browsers, ts.browsers)} |
| garbage collections | ${plain(hs.collections, 2)} | ${plain(ts.collections, 2)} | ${moreOf(hs.collections, ts.collections, 2)} |
| GC pauses | ${plain(hs.gcMs, 0, ' ms')} | ${plain(ts.gcMs, 0, ' ms')} | ${moreOf(hs.gcMs, ts.gcMs, 0, ' ms')} |

What the Node process allocates, per person (one more run a side with V8's sampling heap profiler, objects already collected included; the whole run over its people, so start-up is in it), by the code that allocated it:

| allocated by | hand-written | ${turnout.label} | Turnout adds |
|---|---:|---:|---:|
${allocRows.join('\n')}
| **all** | **${mb(allOf(ha)).toFixed(2)} MB** | **${mb(allOf(ta)).toFixed(2)} MB** | **${signed(mb(allOf(ta) - allOf(ha)), 2)} MB (${(allOf(ta) / allOf(ha)).toFixed(3)}×)** |
${profiles ? `\n${profiles.table(turnout.label)}\n` : ''}
${profiles ? `${profiles.findings}; ` : 'What Turnout adds: '}${extraSent >= 0 ? `${extraSent.toFixed(1)} more` : `${(-extraSent).toFixed(1)} fewer`} protocol messages a person (${signed(((sum(t) - sum(h)) / sum(h)) * 100, 1)} %), ${signed(eventsOf(t) - eventsOf(h), 1)} events back (${signed(((eventsOf(t) - eventsOf(h)) / eventsOf(h)) * 100, 1)} %). ${splitText(hs, ts)} ${gcText(hs, ts, { h: mb(allOf(ha)), t: mb(allOf(ta)) })} ${whyText(apiNames)}${costs ? costText(costs.calls, apiNames, hs, ts) : ''}${profiles ? ` Sampled profiles of ${PROFILE_RUNS} runs a side: a difference under about 10 % of the total is within this machine's noise.` : ''}`;
}

/** How much more the Node process allocated a person, and how many more collections and pauses that cost. */
function gcText(h: { gcMs: Stat; collections: Stat }, t: { gcMs: Stat; collections: Stat }, allocatedMb: { h: number; t: number }): string {
  const more = t.collections.median - h.collections.median;
  return `Turnout's Node process allocates ${signed(allocatedMb.t - allocatedMb.h, 2)} MB a person (${(allocatedMb.t / allocatedMb.h).toFixed(2)}×) and collects garbage ${more >= 0 ? `${more.toFixed(2)} more` : `${(-more).toFixed(2)} fewer`} times a person (${(t.collections.median / h.collections.median).toFixed(2)}×), with ${signed(t.gcMs.median - h.gcMs.median)} ms a person of GC pauses.`;
}

/** Sampled `--cpu-prof` profiles of each side, in turns: the Node process's time by component. */
async function componentProfiles(hand: Side, turnout: Side, people: number, log: (line: string) => void): Promise<{ table: (label: string) => string; findings: string }> {
  const runs: Awaited<ReturnType<typeof nodeCpu>>[][] = [[], []];
  for (let r = 0; r < PROFILE_RUNS; r++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const side = i === 0 ? hand : turnout;
      runs[i]!.push(await nodeCpu(side, people));
      log(`profile: CPU profile ${r + 1}/${PROFILE_RUNS} of ${side.label}`);
    }
  }
  const medianOf = (values: number[]): number => {
    const v = [...values].sort((a, b) => a - b);
    return v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  /** Each component's median over the runs, and the median total. */
  const merge = (list: Awaited<ReturnType<typeof nodeCpu>>[]): { total: number; parts: Map<string, number> } => {
    const names = new Set(list.flatMap((p) => [...p.parts.keys()]));
    return { total: medianOf(list.map((p) => p.total)), parts: new Map([...names].map((n) => [n, medianOf(list.map((p) => p.parts.get(n) ?? 0))])) };
  };
  const [hc, tc] = [merge(runs[0]!), merge(runs[1]!)];
  const names = [...new Set([...hc.parts.keys(), ...tc.parts.keys()])].sort((a, b) => (tc.parts.get(b) ?? 0) - (tc.parts.get(a) ?? 0));
  const cpuRows = names.map((n) => `| ${n} | ${(hc.parts.get(n) ?? 0).toFixed(0)} ms | ${(tc.parts.get(n) ?? 0).toFixed(0)} ms |`);
  // Where Turnout's extra time is, from these two profiles: the components that differ most.
  const extra = names
    .map((n) => ({ n, d: (tc.parts.get(n) ?? 0) - (hc.parts.get(n) ?? 0) }))
    .filter((x) => x.d > 0)
    .sort((a, b) => b.d - a.d)
    .slice(0, 4);
  return {
    table: (label) => `Where the Node process's time went (\`node --cpu-prof\`, sampled; idle left out; the browsers are other processes and not in it):

| component | hand-written | ${label} |
|---|---:|---:|
${cpuRows.join('\n')}
| **all** | **${hc.total.toFixed(0)} ms** | **${tc.total.toFixed(0)} ms** |`,
    findings: `What Turnout adds, by the medians of these runs: the Node process ${tc.total >= hc.total ? `${(tc.total - hc.total).toFixed(0)} ms more` : `${(hc.total - tc.total).toFixed(0)} ms less`} for ${people} people (${((tc.total - hc.total) / people).toFixed(0)} ms a person); the components that grew most: ${extra.map((x) => `${x.n} (+${x.d.toFixed(0)} ms)`).join(', ')}`,
  };
}
