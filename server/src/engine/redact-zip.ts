// Removes secrets from a Playwright trace before it is kept: a trace records every value typed
// (fill, press) and page snapshots, so a password typed by a synthetic person would otherwise be
// readable by anyone opening the trace.
import AdmZip from 'adm-zip';
import { redact } from './variables.js';

/** Text entries of a trace (events, network log, snapshots); images are left as they are. */
const TEXT_ENTRY = /\.(trace|network|stacks|json|html|txt|css|js)$|^resources\/[0-9a-f]+$/;

/**
 * Rewrites the zip with secrets replaced. The new archive is built from the entries' bytes:
 * updating Playwright's archive in place makes adm-zip re-read local headers it cannot parse.
 * Returns false when the trace could not be cleaned (the caller then deletes it).
 */
export async function redactZip(path: string, secrets: readonly string[]): Promise<boolean> {
  const wanted = secrets.filter((s) => s.length >= 3);
  if (wanted.length === 0) return true;
  try {
    const source = new AdmZip(path);
    const clean = new AdmZip();
    for (const entry of source.getEntries()) {
      if (entry.isDirectory) continue;
      const data = entry.getData();
      clean.addFile(entry.entryName, TEXT_ENTRY.test(entry.entryName) ? Buffer.from(redact(data.toString('utf8'), wanted), 'utf8') : data);
    }
    await clean.writeZipPromise(path);
    return true;
  } catch {
    return false;
  }
}
