// Typed calls to Turnout's HTTP API, shared by every element.
import type { ApiReplies, LiveRunSummary, ScheduleInput, StartRunInput } from '../../schema/api.js';

export type LiveSummary = LiveRunSummary;

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) window.dispatchEvent(new CustomEvent('turnout:unauthorized'));
  if (!response.ok) throw new Error((body as { error?: string } | null)?.error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

export const api = {
  scenarios: () => call<ApiReplies['GET /api/scenarios']>('/api/scenarios'),
  runs: () => call<ApiReplies['GET /api/runs']>('/api/runs'),
  health: () => call<ApiReplies['GET /api/health']>('/api/health'),
  run: (id: string) => call<ApiReplies['GET /api/runs/:id']>(`/api/runs/${encodeURIComponent(id)}`),
  compare: (id: string) => call<ApiReplies['GET /api/runs/:id/compare']>(`/api/runs/${encodeURIComponent(id)}/compare`),
  person: (id: string, user: number) => call<ApiReplies['GET /api/runs/:id/people/:user']>(`/api/runs/${encodeURIComponent(id)}/people/${user}`),
  startRun: (request: Partial<StartRunInput>) => call<ApiReplies['POST /api/runs']>('/api/runs', { method: 'POST', body: JSON.stringify(request) }),
  stopRun: (id: string) => call<ApiReplies['POST /api/runs/:id/stop']>(`/api/runs/${encodeURIComponent(id)}/stop`, { method: 'POST' }),
  signIn: (token: string) => call<ApiReplies['POST /api/session']>('/api/session', { method: 'POST', body: JSON.stringify({ token }) }),
  schedules: () => call<ApiReplies['GET /api/schedules']>('/api/schedules'),
  createSchedule: (request: Partial<ScheduleInput>) => call<ApiReplies['POST /api/schedules']>('/api/schedules', { method: 'POST', body: JSON.stringify(request) }),
  patchSchedule: (id: string, patch: Partial<ScheduleInput>) =>
    call<ApiReplies['PATCH /api/schedules/:id']>(`/api/schedules/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify(patch) }),
  trends: (scenarioId: string, last = 30) => call<ApiReplies['GET /api/scenarios/:id/trends']>(`/api/scenarios/${encodeURIComponent(scenarioId)}/trends?last=${last}`),
  inbox: (runId?: string) => call<ApiReplies['GET /api/inbox']>(runId ? `/api/runs/${encodeURIComponent(runId)}/inbox` : '/api/inbox'),
};
