// socket.io: a room per run. Watchers get the run's state at once on joining, then throttled
// snapshots and failure events; everyone hears when a run starts or finishes (the history list).
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../schema/index.js';
import type { RunManager } from '../runs/manager.js';

const room = (runId: string): string => `run:${runId}`;

export function attachRealtime(http: HttpServer, manager: RunManager): Server<ClientToServerEvents, ServerToClientEvents> {
  // Same-origin only (no CORS): the dashboard is served by this server.
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });

  io.on('connection', (socket) => {
    socket.on('run:watch', (runId, ack) => {
      if (typeof ack !== 'function') return;
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
