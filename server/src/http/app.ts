// The HTTP API and the dashboard's files. A composition root: `createApp(deps)` builds the
// Express app without listening, so tests run the real thing on a random port in-process.
// Handlers read: validate → act → answer. Express 5 forwards rejected promises to the error
// handler at the bottom; no async wrappers.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import * as z from 'zod';
import { ExternalRunRequest, FinishRunRequest, formatPath, IngestBatch, parseScenario, ScenarioError, SchedulePatch, ScheduleRequest, StartRunRequest, type InboxMessage } from '../../../schema/index.js';
import { ReplayInputError } from '../engine/errors.js';
import type { MailSink, ReceivedEmail } from '../mail/sink.js';
import { fromRoot } from '../paths.js';
import { NotFoundError, type RunManager } from '../runs/manager.js';
import { SESSION_COOKIE, tokenMatches, tokenOf } from './auth.js';
import { createMetrics } from './metrics.js';
import type { Retention } from '../runs/retention.js';
import type { RunStore } from '../runs/store.js';
import type { Scheduler } from '../runs/scheduler.js';

export const UI_DIST = fromRoot('ui', 'dist');
export const VERSION = '0.1.0';

export interface AppDeps {
  store: RunStore;
  manager: RunManager;
  sink: MailSink;
  artifactsDir: string;
  /** Largest JSON body accepted (a scenario), e.g. "1mb". */
  bodyLimit?: string;
  /** Most steps a stored scenario may have. */
  maxSteps?: number;
  /** When set, the API, metrics, artifacts and socket.io need it (Bearer header or session cookie). */
  token?: string | null;
  /** The run history kept, as /api/health says it. */
  retention?: Retention;
  /** Runs on a cron schedule, with alerts. */
  scheduler?: Scheduler;
}

class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class BadRequest extends Error {
  override name = 'BadRequest';
  constructor(
    message: string,
    readonly problems?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

function zodBadRequest(error: z.ZodError, what: string): BadRequest {
  const problems = error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  return new BadRequest(`${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

function toMessage(mail: ReceivedEmail): InboxMessage {
  return { id: mail.id, to: mail.to, from: mail.from, subject: mail.subject, text: mail.text, html: mail.html, receivedAt: new Date(mail.receivedAt).toISOString() };
}

const userParam = z.coerce.number().int().positive();

/** What was asked, as a log line may show it: no control characters, at most 200 characters. */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/**
 * The answer to an error that is the client's, or null for a fault of the server's own. Errors
 * that carry a 4xx status keep it (the static files' 403 for a path that climbs out of its
 * folder, body parsing's 400/413/415); an address that is not valid percent-encoding is a 400.
 */
function clientError(error: Error & { type?: string; status?: number; statusCode?: number }, bodyLimit: string): { status: number; body: { error: string; problems?: unknown[] } } | null {
  if (error instanceof ScenarioError) return { status: 400, body: { error: error.message, problems: error.problems } };
  if (error instanceof BadRequest) return { status: 400, body: { error: error.message, problems: (error as BadRequest).problems ?? [] } };
  if (error instanceof ReplayInputError) return { status: 400, body: { error: error.message } };
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
  if (error instanceof URIError) return { status: 400, body: { error: 'the address is not valid percent-encoding' } };
  if (error.type === 'entity.parse.failed') return { status: 400, body: { error: `body is not valid JSON: ${error.message}` } };
  if (error.type === 'entity.too.large') return { status: 413, body: { error: `body larger than ${bodyLimit}` } };
  const status = error.status ?? error.statusCode;
  if (status === 404) return { status: 404, body: { error: 'not found' } };
  if (status === 403) return { status: 403, body: { error: 'forbidden' } };
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: { error: error.message.split('\n')[0]!.slice(0, 200) } };
  return null;
}

export function createApp(deps: AppDeps): express.Express {
  const { store, manager, sink, scheduler } = deps;
  const metrics = createMetrics(manager, sink);
  const app = express();
  app.disable('x-powered-by');
  // Only JSON changes anything: a page on another site can send a form or text/plain without
  // asking, but not application/json, so this closes cross-site requests (no CORS is offered).
  app.use('/api', (req, _res, next) => {
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json')) {
      throw new HttpError(415, 'send JSON (content-type: application/json)');
    }
    next();
  });
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb' }));
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, version: VERSION, activeRuns: manager.activeRuns, sink: { port: sink.port, received: sink.received }, auth: Boolean(deps.token), retention: deps.retention ?? { runs: null, days: null } });
  });
  if (deps.token) {
    const token = deps.token;
    // The dashboard trades the token for an HttpOnly, same-site cookie once.
    app.post('/api/session', (req, res) => {
      if (!tokenMatches((req.body as { token?: string } | undefined)?.token, token)) throw new HttpError(401, 'wrong token');
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
      res.status(204).end();
    });
    app.use(['/api', '/metrics', '/artifacts'], (req, _res, next) => {
      if (!tokenMatches(tokenOf(req.headers), token)) throw new HttpError(401, 'this Turnout server needs a token');
      next();
    });
  }

  const run = (req: Request): string => String(req.params.id);
  const needScheduler = (): Scheduler => {
    if (!scheduler) throw new HttpError(404, 'this server keeps no schedules');
    return scheduler;
  };
  const found = <T>(value: T | null, what: string): T => {
    if (value === null) throw new NotFoundError(`no ${what}`);
    return value;
  };

  app.get('/api/scenarios', (_req, res) => void res.json(store.listScenarios()));
  app.post('/api/scenarios', (req, res) => {
    const scenario = parseScenario(req.body, 'body', { maxSteps: deps.maxSteps });
    const info = store.saveScenario(randomUUID().slice(0, 8), scenario);
    res.status(201).json(info);
  });
  app.get('/api/scenarios/:id', (req, res) => {
    const scenario = found(store.getScenario(req.params.id), `scenario ${req.params.id}`);
    res.json({ id: req.params.id, title: scenario.title, scenario });
  });
  app.get('/api/scenarios/:id/trends', (req, res) => {
    const last = z.coerce.number().int().min(1).max(200).default(30).safeParse(req.query.last ?? undefined);
    if (!last.success) throw new BadRequest('last: expected a number of runs from 1 to 200');
    res.json(found(manager.trends(String(req.params.id), last.data), `scenario ${String(req.params.id)}`));
  });
  app.delete('/api/scenarios/:id', (req, res) => {
    found(store.deleteScenario(req.params.id) || null, `scenario ${req.params.id}`);
    res.status(204).end();
  });

  app.post('/api/runs', (req, res) => {
    const parsed = StartRunRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid run request');
    const info = manager.start(parsed.data);
    res.status(202).json(info);
  });
  app.post('/api/runs/external', (req, res) => {
    const parsed = ExternalRunRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid streamed run');
    const scenario = parseScenario(parsed.data.scenario, 'scenario', { maxSteps: deps.maxSteps });
    res.status(201).json(manager.startExternal(parsed.data.runId, scenario, parsed.data.planned, parsed.data.options));
  });
  app.post('/api/runs/:id/events', (req, res) => {
    const parsed = IngestBatch.safeParse(req.body);
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid run events');
    manager.ingest(run(req), parsed.data);
    res.status(204).end();
  });
  app.post('/api/runs/:id/finish', (req, res) => {
    const parsed = FinishRunRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid finish');
    const { status, options, warnings, workers } = parsed.data;
    res.json(manager.finishExternal(run(req), status, options, { warnings, workers }));
  });
  app.get('/api/schedules', (_req, res) => void res.json(scheduler?.list() ?? []));
  app.post('/api/schedules', (req, res) => {
    const parsed = ScheduleRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid schedule');
    res.status(201).json(needScheduler().create(parsed.data));
  });
  app.get('/api/schedules/:id', (req, res) => void res.json(found(needScheduler().info(String(req.params.id)), `schedule ${String(req.params.id)}`)));
  app.patch('/api/schedules/:id', (req, res) => {
    const parsed = SchedulePatch.safeParse(req.body ?? {});
    if (!parsed.success) throw zodBadRequest(parsed.error, 'invalid schedule change');
    res.json(needScheduler().update(String(req.params.id), parsed.data));
  });
  app.delete('/api/schedules/:id', (req, res) => {
    found(needScheduler().delete(String(req.params.id)) || null, `schedule ${String(req.params.id)}`);
    res.status(204).end();
  });
  app.get('/api/runs', (_req, res) => void res.json(manager.list()));
  app.get('/api/runs/:id', (req, res) => void res.json(found(manager.summary(run(req)), `run ${run(req)}`)));
  app.get('/api/runs/:id/compare', (req, res) => void res.json(found(manager.compare(run(req)), `run ${run(req)}`)));
  app.post('/api/runs/:id/stop', (req, res) => {
    found(manager.stop(run(req)) || null, `running run ${run(req)}`);
    res.status(202).json({ stopping: run(req) });
  });
  app.get('/api/runs/:id/people/:user', (req, res) => {
    const user = userParam.safeParse(req.params.user);
    if (!user.success) throw new BadRequest('user: expected a person number ≥ 1');
    res.json(found(manager.person(run(req), user.data), `person ${user.data} in run ${run(req)}`));
  });
  app.get('/api/runs/:id/inbox', (req, res) => {
    const summary = found(manager.summary(run(req)), `run ${run(req)}`);
    const messages = summary.results.flatMap((p) => sink.messages(p.email)).map(toMessage);
    res.json(messages.sort((a, b) => b.id - a.id));
  });
  app.get('/api/inbox', (req, res) => {
    const address = typeof req.query.address === 'string' ? req.query.address : null;
    res.json((address ? sink.messages(address) : sink.recent(100)).map(toMessage).sort((a, b) => b.id - a.id));
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use('/api', () => {
    throw new NotFoundError('no such API route');
  });

  // Failure screenshots, under the same relative paths the run summary gives.
  app.use('/artifacts', express.static(deps.artifactsDir, { fallthrough: false, index: false }));
  if (existsSync(UI_DIST)) {
    app.use(express.static(UI_DIST));
    app.get('/{*path}', (_req, res) => res.sendFile('index.html', { root: UI_DIST }));
  } else {
    app.get('/', (_req, res) => void res.type('text').send('The dashboard is not built: run `npm run build`.'));
  }

  app.use((error: Error & { type?: string; status?: number; statusCode?: number }, req: Request, res: Response, _next: NextFunction) => {
    const answer = clientError(error, deps.bodyLimit ?? '1mb');
    if (answer) {
      // The client's mistake: one line, no stack, and what was asked kept short and printable.
      console.error(`turnout server: ${answer.status} ${printable(req.method)} ${printable(req.originalUrl)}: ${printable(answer.body.error)}`);
      return void res.status(answer.status).json(answer.body);
    }
    const id = randomUUID().slice(0, 8);
    console.error(`turnout server: request ${id} (${req.method} ${printable(req.originalUrl)}) failed: ${error.stack ?? error.message}`);
    res.status(500).json({ error: `internal error (request ${id})` });
  });
  return app;
}
