// A reactive controller that keeps an element subscribed to one run over socket.io: the state on
// joining, then throttled snapshots and failure events, until the element leaves the page.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RunInfo, RunSnapshot, ServerToClientEvents } from '../../schema/api.js';
import type { PersonResult } from '../../schema/summary.js';

type TurnoutSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const CONNECT_TIMEOUT_MS = 5000;

let shared: TurnoutSocket | null = null;
/** One connection per page, shared by every controller. */
export function socket(): TurnoutSocket {
  if (!shared) {
    // A connection attempt that stalls (a proxy that takes the socket and closes it before the
    // handshake, a network that drops packets) is given up on and tried again after 5 s, not
    // socket.io's 20 s: a dashboard back from a blip catches up in seconds.
    shared = io({ transports: ['websocket'], timeout: CONNECT_TIMEOUT_MS });
    shared.on('connect_error', (e) => {
      if (/token/.test(e.message)) window.dispatchEvent(new CustomEvent('turnout:unauthorized'));
    });
  }
  return shared;
}

export interface RunSocketCallbacks {
  snapshot: (s: RunSnapshot) => void;
  personFailed: (p: PersonResult) => void;
  error: (message: string) => void;
}

export class RunSocketController implements ReactiveController {
  #host: ReactiveControllerHost;
  #runId: string | null = null;
  #callbacks: RunSocketCallbacks;
  #onProgress = (s: RunSnapshot): void => {
    if (s.run.id === this.#runId) this.#callbacks.snapshot(s);
  };
  #onFailed = (runId: string, p: PersonResult): void => {
    if (runId === this.#runId) this.#callbacks.personFailed(p);
  };
  #onConnect = (): void => this.#join(); // rejoin after a reconnect: rooms are per connection

  constructor(host: ReactiveControllerHost, callbacks: RunSocketCallbacks) {
    this.#host = host;
    this.#callbacks = callbacks;
    host.addController(this);
  }

  watch(runId: string): void {
    if (this.#runId && this.#runId !== runId) socket().emit('run:unwatch', this.#runId);
    this.#runId = runId;
    this.#join();
  }

  #join(): void {
    if (!this.#runId) return;
    socket().emit('run:watch', this.#runId, (reply) => {
      if (reply.ok) this.#callbacks.snapshot(reply.value);
      else this.#callbacks.error(reply.error);
      this.#host.requestUpdate();
    });
  }

  hostConnected(): void {
    const s = socket();
    s.on('run:progressed', this.#onProgress);
    s.on('run:personFailed', this.#onFailed);
    s.on('connect', this.#onConnect);
  }

  hostDisconnected(): void {
    const s = socket();
    s.off('run:progressed', this.#onProgress);
    s.off('run:personFailed', this.#onFailed);
    s.off('connect', this.#onConnect);
    if (this.#runId) s.emit('run:unwatch', this.#runId);
  }
}

/** Calls back whenever any run starts or finishes (for lists). */
export function onRunListChange(callback: (run: RunInfo) => void): () => void {
  const s = socket();
  s.on('run:started', callback);
  s.on('run:finished', callback);
  return () => {
    s.off('run:started', callback);
    s.off('run:finished', callback);
  };
}
