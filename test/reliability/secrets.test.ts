// Secrets and generated passwords never leave the browser they were typed in: every artifact of
// a run — database, summary, reports, traces, logs, and a server it was streamed to — is read
// back and searched for them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoForCli, demoRecording, turnout, type Outcome } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

const SECRET = 'Pr1vate Portal/Passw0rd!';
const SECRET_FORMS = [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ v: SECRET }).toString().slice(2)];
// Generated passwords end in "-NNaZ!"; in a form body the "!" is sent as %21.
const GENERATED_PASSWORD = /[A-Za-z0-9]{10}-\d\daZ(!|%21)/;

/** Every file under a folder as text; zip archives (traces) opened and their entries read. */
function everyText(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .flatMap((file) => {
      if (file.endsWith('.zip')) return new AdmZip(file).getEntries().map((e) => ({ file: `${file}!${e.entryName}`, text: e.getData().toString('latin1') }));
      return [{ file, text: readFileSync(file).toString('latin1') }];
    });
}

let server: TestServer;
const tmp = mkdtempSync(join(tmpdir(), 'turnout-secrets-'));

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/**
 * The demo scenario, written where a run can read it, with `edit` applied; the hanging identity
 * check is given up on after 3 s (8 s in the recording).
 */
function demoScenario(name: string, edit: (steps: ReturnType<typeof demoRecording>['steps']) => void = () => undefined): string {
  const scenario = demoRecording({ 'identity-check': 3000 });
  edit(scenario.steps);
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

async function nightlyRun(scenarioFile: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const { site, smtpPort } = await demoForCli({ faults: { 'submit-500': 50, 'identity-hangs': 25 } });
  try {
    return await turnout(
      ['replay', scenarioFile, '--users', '4', '--base-url', site.url, '--smtp-port', String(smtpPort), '--data', join(dir, 'data'), '--artifacts', join(dir, 'artifacts'),
        '--trace', 'on-failure', '--reporter', `json=${join(dir, 'run.json')}`, '--reporter', `junit=${join(dir, 'junit.xml')}`, '--reporter', `html=${join(dir, 'html')}`,
        '--reporter', `github=${join(dir, 'summary.md')}`, '--server', server.server.url, '--step-timeout', '4'],
      { env },
    );
  } finally {
    await site.close();
  }
}

describe('secrets in every artifact', () => {
  it('generated passwords appear in no database, summary, report, trace or log', async () => {
    const dir = join(tmp, 'generated');
    const out = await nightlyRun(demoScenario('generated'), dir);
    expect(out.code).toBe(1);
    const files = [...everyText(dir), ...everyText(server.dataDir), { file: 'stdout', text: out.stdout }, { file: 'stderr', text: out.stderr }];
    expect(files.some((f) => f.file.includes('traces'))).toBe(true); // there were traces to search
    expect(files.filter((f) => GENERATED_PASSWORD.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  it('a {{secret.NAME}} value appears nowhere, though every person typed it', async () => {
    const dir = join(tmp, 'secret');
    // The password chosen at sign-up and typed again at sign-in.
    const file = demoScenario('with-secret', (steps) => {
      for (const step of steps) if (step.value === '{{user.password}}') step.value = '{{secret.PORTAL_PASSWORD}}';
    });
    const out = await nightlyRun(file, dir, { PORTAL_PASSWORD: SECRET });
    expect(out.code).toBe(1);
    const files = [...everyText(dir), ...everyText(server.dataDir), { file: 'stdout', text: out.stdout }, { file: 'stderr', text: out.stderr }];
    expect(files.filter((f) => SECRET_FORMS.some((s) => f.text.includes(s))).map((f) => f.file)).toEqual([]);
    // The scenario keeps the variable, never the value.
    expect(files.some((f) => f.text.includes('{{secret.PORTAL_PASSWORD}}'))).toBe(true);
  });
});
