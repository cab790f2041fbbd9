// socket.io: a room per run. Watchers get the run's state at once on joining, then throttled
// snapshots and failure events; everyone hears when a run starts or finishes (the history list).
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../schema/index.js';
import { tokenMatches, tokenOf } from '../http/auth.js';
import type { RunManager } from '../runs/manager.js';

const room = (runId: string): string => `run:${runId}`;

/** A browser page on another site may open a WebSocket here (CORS does not cover it): refuse it. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser page (a CLI, a test client)
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function attachRealtime(http: HttpServer, manager: RunManager, token: string | null = null): Server<ClientToServerEvents, ServerToClientEvents> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, callback) => callback(null, sameOrigin(req)),
  });
  if (token) {
    io.use((socket, next) => {
      const given = (socket.handshake.auth as { token?: string }).token ?? tokenOf(socket.handshake.headers as { cookie?: string });
      next(tokenMatches(given, token) ? undefined : new Error('this Turnout server needs a token'));
    });
  }

  io.on('connection', (socket) => {
    // Handlers see whatever a client sends, typed or not: the acknowledgement is the last
    // function given (it comes first when the run id is missing).
    socket.on('run:watch', (...args: unknown[]) => {
      const ack = args.findLast((a) => typeof a === 'function') as Parameters<ClientToServerEvents['run:watch']>[1] | undefined;
      const runId = args[0];
      if (!ack) return;
      if (typeof runId !== 'string' || runId.length > 100) return ack({ ok: false, error: 'runId: expected a run id' });
      const snapshot = manager.snapshot(runId);
      if (!snapshot) return ack({ ok: false, error: `no run ${runId}` });
      void socket.join(room(runId));
      ack({ ok: true, value: snapshot });
    });
    socket.on('run:unwatch', (runId) => {
      if (typeof runId === 'string') void socket.leave(room(runId));
    });
  });

  manager.on('started', (run) => io.emit('run:started', run));
  manager.on('progressed', (snapshot) => io.to(room(snapshot.run.id)).emit('run:progressed', snapshot));
  manager.on('personFailed', (runId, person) => io.to(room(runId)).emit('run:personFailed', runId, person));
  manager.on('finished', (run) => io.emit('run:finished', run));
  return io;
}
