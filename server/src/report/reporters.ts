// `--reporter KIND[=TARGET]`, several at once: json=FILE, junit=FILE, html=DIR, github[=FILE].
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReplayInputError } from '../engine/errors.js';
import { writeHtmlReport } from './html.js';
import { markdownReport } from './markdown.js';
import type { RunReport } from './report.js';

export const REPORTER_KINDS = ['json', 'junit', 'html', 'github'] as const;
export type ReporterKind = (typeof REPORTER_KINDS)[number];

export interface Reporter {
  kind: ReporterKind;
  target: string | null;
}

export class ReporterError extends ReplayInputError {
  override name = 'ReporterError';
}

export function parseReporter(spec: string): Reporter {
  const [kind, ...rest] = spec.split('=');
  const target = rest.join('=') || null;
  if (!(REPORTER_KINDS as readonly string[]).includes(kind ?? '')) {
    throw new ReporterError(`--reporter ${spec}: unknown kind "${kind}"; use json=FILE, junit=FILE, html=DIR or github[=FILE]`);
  }
  if (!target && kind !== 'github') throw new ReporterError(`--reporter ${spec}: ${kind} needs a target, e.g. ${kind}=${kind === 'html' ? 'report' : `run.${kind === 'junit' ? 'xml' : 'json'}`}`);
  return { kind: kind as ReporterKind, target };
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeFile(file, text);
}

/** Writes every report; returns one line per file written. */
export async function writeReports(reporters: readonly Reporter[], report: RunReport): Promise<string[]> {
  const written: string[] = [];
  for (const r of reporters) {
    switch (r.kind) {
      case 'json':
        await write(r.target!, `${JSON.stringify({ ...report.summary, thresholds: report.thresholds, comparison: report.comparison }, null, 2)}\n`);
        written.push(`json: ${r.target}`);
        break;
      case 'junit':
        // Loaded when asked for: its XML library is most of a run's start-up otherwise.
        await write(r.target!, (await import('./junit.js')).junitReport(report));
        written.push(`junit: ${r.target}`);
        break;
      case 'html':
        written.push(`html: ${await writeHtmlReport(report, r.target!)}`);
        break;
      case 'github': {
        const target = r.target ?? process.env.GITHUB_STEP_SUMMARY ?? null;
        if (target) {
          await mkdir(dirname(resolve(target)), { recursive: true });
          await appendFile(target, markdownReport(report));
          written.push(`github: ${target}`);
        } else {
          process.stdout.write(markdownReport(report));
        }
        break;
      }
      default:
        r.kind satisfies never;
    }
  }
  return written;
}
