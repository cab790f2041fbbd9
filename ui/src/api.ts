// Typed calls to Turnout's HTTP API, shared by every element.
import type { InboxMessage, RunComparison, RunInfo, RunStatus, ScenarioInfo, StartRunRequest } from '../../schema/api.js';
import type { PersonResult, RunSummary } from '../../schema/summary.js';

export type LiveSummary = RunSummary & { status: RunStatus; running: number };

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) window.dispatchEvent(new CustomEvent('turnout:unauthorized'));
  if (!response.ok) throw new Error((body as { error?: string } | null)?.error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

export const api = {
  scenarios: () => call<ScenarioInfo[]>('/api/scenarios'),
  runs: () => call<RunInfo[]>('/api/runs'),
  run: (id: string) => call<LiveSummary>(`/api/runs/${encodeURIComponent(id)}`),
  compare: (id: string) => call<RunComparison>(`/api/runs/${encodeURIComponent(id)}/compare`),
  person: (id: string, user: number) => call<PersonResult>(`/api/runs/${encodeURIComponent(id)}/people/${user}`),
  startRun: (request: Partial<StartRunRequest>) => call<RunInfo>('/api/runs', { method: 'POST', body: JSON.stringify(request) }),
  stopRun: (id: string) => call<unknown>(`/api/runs/${encodeURIComponent(id)}/stop`, { method: 'POST' }),
  signIn: (token: string) => call<null>('/api/session', { method: 'POST', body: JSON.stringify({ token }) }),
  inbox: (runId?: string) => call<InboxMessage[]>(runId ? `/api/runs/${encodeURIComponent(runId)}/inbox` : '/api/inbox'),
};
