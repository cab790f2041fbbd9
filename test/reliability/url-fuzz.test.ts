// Hostile addresses, methods and headers, sent over raw sockets as an outsider would (no client
// library tidying them up) to a server with a token: every answer is a 4xx or a success, never a
// 5xx; the log gets one line per refusal and never a stack; /api/health keeps answering.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/http/server.js';

const RUNS = Number(process.env.TURNOUT_FUZZ_RUNS ?? 2000);
const TOKEN = 'fuzz-token-0123456789';

let server: RunningServer;
let port: number;
const logged: string[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'turnout-url-fuzz-'));
  // A screenshot where the static artifact server would find one.
  mkdirSync(join(dataDir, 'artifacts', 'run1'), { recursive: true });
  writeFileSync(join(dataDir, 'artifacts', 'run1', 'p1.png'), 'png');
  server = await startServer({ port: 0, smtpPort: 0, dataDir, token: TOKEN });
  port = Number(new URL(server.url).port);
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server?.close();
});

/** One request written byte for byte; resolves with the status code Node or Turnout answered. */
function raw(method: string, path: string, headers: readonly string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${method} ${path.slice(0, 80)}`)));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed without an answer: ${method} ${path.slice(0, 80)}`)));
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`, 'latin1');
  });
}

const auth = `Authorization: Bearer ${TOKEN}`;

describe('hostile addresses, methods and headers', () => {
  it('answers the two probes from the field with a 4xx and one line, no stack', async () => {
    logged.length = 0;
    expect(await raw('GET', '/artifacts/..%2f..%2fetc%2fpasswd', [auth])).toBe(403);
    expect(await raw('GET', '/api/runs/%E0%A4%A', [auth])).toBe(400);
    expect(logged).toHaveLength(2);
    for (const line of logged) {
      expect(line).toMatch(/^turnout server: 4\d\d (GET) \S+: /);
      expect(line).not.toMatch(/\n\s+at /);
    }
    // Still serving what it should.
    expect(await raw('GET', '/artifacts/run1/p1.png', [auth])).toBe(200);
    expect(await raw('GET', '/artifacts/run1/p1.png')).toBe(401);
  });

  // Pieces an address is made of when someone is trying things.
  const segment = fc.oneof(
    fc.constantFrom('..', '.', '%2e%2e', '%2E%2E%2F', '..%2f', '%2f', '%5c', '..\\', '%00', '%', '%E0%A4%A', '%ZZ', '%C0%AE', '%uFFFF', '~', '*', '%20', 'run1', 'p1.png', 'demo', '1', '-1', '1e999', 'NaN', '__proto__', 'constructor'),
    fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
    fc.string({ maxLength: 8 }).map((s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
    fc.nat({ max: 9000 }).map((n) => 'a'.repeat(n)),
  );
  const query = fc.oneof(fc.constant(''), fc.array(fc.tuple(fc.oneof(fc.constantFrom('last', 'address', 'user', '__proto__'), fc.string({ maxLength: 6 }).map(encodeURIComponent)), segment), { maxLength: 3 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '')));
  const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND');
  const headers = fc.oneof(
    fc.constant([auth]),
    fc.constant([]),
    fc.constantFrom(['Authorization: Bearer'], ['Authorization: Bearer '], ['Authorization: Basic Zm9vOmJhcg=='], [auth, 'Authorization: Bearer wrong'], ['Authorization: Bearer \u00ff\u00fe'], ['Cookie: turnout_session='], ['Cookie: turnout_session=x; turnout_session=y'], ['Cookie: ;;;=;=='], ['Cookie: turnout_session=%E0%A4%A'], [auth, 'Content-Type: application/json', 'Content-Length: 0'], [auth, 'Content-Type: text/plain', 'Content-Length: 0'], [auth, 'Accept: */*', 'Accept: text/html']),
    fc.nat({ max: 40_000 }).map((n) => [auth, `X-Padding: ${'x'.repeat(n)}`]),
    fc.nat({ max: 20_000 }).map((n) => [`Cookie: turnout_session=${'y'.repeat(n)}`]),
  );
  const families: Record<string, fc.Arbitrary<string>> = {
    '/api/runs/…': fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/api/runs/${s.join('/')}`),
    '/api/scenarios/…': fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/api/scenarios/${s.join('/')}`),
    '/api/… (other routes)': fc.tuple(fc.constantFrom('inbox', 'health', 'session', 'runs/external', 'schedules', 'nope'), fc.array(segment, { maxLength: 2 })).map(([r, s]) => `/api/${[r, ...s].join('/')}`),
    '/artifacts/…': fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/artifacts/${s.join('/')}`),
    '/ (dashboard and metrics)': fc.tuple(fc.constantFrom('', 'metrics', 'assets', '#', 'index.html'), fc.array(segment, { maxLength: 3 })).map(([r, s]) => `/${[r, ...s].filter(Boolean).join('/')}`),
  };

  it.each(Object.keys(families))('never answers %s with a 5xx, whatever the method, encoding or headers', async (family) => {
    logged.length = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, families[family]!, query, headers, async (m, path, q, h) => {
        const status = await raw(m, `${path}${q}`, h);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, `${m} ${path.slice(0, 120)}${q.slice(0, 60)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    // The answers were refusals of many kinds, not one blanket answer.
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(1);
    for (const line of logged) {
      expect(line).not.toMatch(/\n\s+at /);
      expect(line).not.toContain('internal error');
      expect(line.length).toBeLessThan(600);
    }
    expect(await raw('GET', '/api/health')).toBe(200);
  }, 300_000);
});
