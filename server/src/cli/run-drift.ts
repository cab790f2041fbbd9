// `turnout drift <scenario> --server URL`: per element step of a stored scenario, the share of
// people whose element the first recorded selector candidate found, run after run (oldest first),
// and which steps are drifting — the first candidate served before and no longer does, so the
// recording is decaying before anything fails. Exit 1 when a step drifts.
import type { ScenarioTrends } from '../../../schema/index.js';
import { InfrastructureError, ReplayInputError } from '../engine/errors.js';

export interface DriftCommandOptions {
  server: string;
  token?: string;
  last: number;
}

const share = (x: number | null): string => (x === null ? '–' : `${Math.round(x * 100)}%`);

export async function runDriftCommand(scenarioId: string, o: DriftCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const url = `${o.server.replace(/\/$/, '')}/api/scenarios/${encodeURIComponent(scenarioId)}/trends?last=${o.last}`;
  const response = await fetch(url, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} }).catch((e: Error) => {
    throw new InfrastructureError(`could not reach the Turnout server at ${o.server}: ${e.message}`);
  });
  const body = (await response.json().catch(() => null)) as (ScenarioTrends & { error?: string }) | null;
  if (response.status === 404) throw new ReplayInputError(`${o.server} has no scenario "${scenarioId}" (GET /api/scenarios lists them)`);
  if (!response.ok || !body) throw new InfrastructureError(`${o.server} answered ${response.status}: ${body?.error ?? response.statusText}`);
  const steps = body.steps.filter((s) => s.drift);
  out.write(`${body.scenario.title} — first selector candidate's share of the people, over ${body.runs.length} run(s), oldest first\n\n`);
  const rows = steps.map((s) => [String(s.index), s.title.length > 40 ? `${s.title.slice(0, 39)}…` : s.title, s.drift!.firstCandidate.length > 40 ? `${s.drift!.firstCandidate.slice(0, 39)}…` : s.drift!.firstCandidate, s.drift!.firstShare.map(share).join(' '), s.drift!.drifting ? 'DRIFTING' : '']);
  const table = [['#', 'step', 'first candidate', 'share per run', ''], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => [...r[c]!].length)));
  for (const row of table) out.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`);
  const drifting = steps.filter((s) => s.drift!.drifting);
  out.write(
    drifting.length
      ? `\n${drifting.length} step(s) drifting: their first candidate stopped finding the element; a later one stepped in. Re-record them, or put the working candidate first.\n`
      : '\nno step drifting\n',
  );
  return drifting.length ? 1 : 0;
}
