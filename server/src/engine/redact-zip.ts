// Removes secrets from a Playwright trace before it is kept: a trace records every value typed
// (fill, press), request bodies (a form POST carries the password, URL-encoded) and page
// snapshots, so a password typed by a synthetic person would otherwise be readable by anyone
// opening the trace.
import { secretForms } from './variables.js';

const REDACTED = Buffer.from('«redacted»', 'utf8');

/** Replaces every occurrence of the needles in a buffer, byte for byte (binary entries stay intact). */
function scrub(data: Buffer, needles: readonly Buffer[]): Buffer {
  let out = data;
  for (const needle of needles) {
    if (out.indexOf(needle) < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, from)) {
      parts.push(out.subarray(from, at), REDACTED);
      from = at + needle.length;
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/**
 * Rewrites the zip with secrets replaced. The new archive is built from the entries' bytes:
 * updating Playwright's archive in place makes adm-zip re-read local headers it cannot parse.
 * Returns false when the trace could not be cleaned (the caller then deletes it).
 */
export async function redactZip(path: string, secrets: readonly string[]): Promise<boolean> {
  const needles = secretForms(secrets).map((s) => Buffer.from(s, 'utf8'));
  if (needles.length === 0) return true;
  try {
    // Loaded for the first trace kept: most runs keep none, and every run would pay its loading.
    const { default: AdmZip } = await import('adm-zip');
    const source = new AdmZip(path);
    const clean = new AdmZip();
    for (const entry of source.getEntries()) {
      if (!entry.isDirectory) clean.addFile(entry.entryName, scrub(entry.getData(), needles));
    }
    await clean.writeZipPromise(path);
    return true;
  } catch {
    return false;
  }
}
