// Where a run's files go: failure screenshots up to the run's cap, and traces. A full or
// read-only disk costs the files, never the run: each problem becomes one warning in the summary.
// A person writes through this interface wherever they run; on a farm worker the screenshot is
// held for the coordinator instead, which keeps it through its own folder and cap.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Artifacts {
  /** Where traces go; null keeps none. */
  readonly dir: string | null;
  /** Said once each in the run summary: the run goes on without the file. */
  readonly warnings: Set<string>;
  /** False when no screenshot would be kept (no folder, the cap reached): it is then not even taken. */
  wantsScreenshot(): boolean;
  /** Keeps a screenshot; its path relative to the folder, or null when it could not be kept. */
  keepScreenshot(file: string, png: Buffer): Promise<string | null>;
}

/** A run's artifacts folder on this machine. */
export class ArtifactFolder implements Artifacts {
  readonly warnings = new Set<string>();
  #left: number;

  constructor(
    readonly dir: string | null,
    readonly screenshotCap: number,
  ) {
    this.#left = screenshotCap;
  }

  wantsScreenshot(): boolean {
    if (!this.dir) return false;
    if (this.#left > 0) return true;
    this.warnings.add(`screenshots stopped at the cap of ${this.screenshotCap} for this run`);
    return false;
  }

  async keepScreenshot(file: string, png: Buffer): Promise<string | null> {
    if (!this.wantsScreenshot()) return null;
    this.#left--;
    try {
      await mkdir(join(this.dir!, 'screenshots'), { recursive: true });
      await writeFile(join(this.dir!, file), png);
      return file;
    } catch (e) {
      this.warnings.add(`could not write screenshots to ${this.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return null;
    }
  }
}

/** Holds one person's screenshot in memory, for a farm worker to send back with the result. */
export class HeldScreenshot implements Artifacts {
  readonly dir = null;
  readonly warnings = new Set<string>();
  png: Buffer | null = null;

  wantsScreenshot(): boolean {
    return true;
  }

  async keepScreenshot(file: string, png: Buffer): Promise<string | null> {
    this.png = png;
    return file;
  }
}

/** The file name of a person's failure screenshot, the same wherever it is kept. */
export const screenshotFile = (runId: string, user: number, step: number | null): string => join('screenshots', `${runId}-person-${user}-step-${step}.png`);
