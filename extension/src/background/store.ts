// Recordings in IndexedDB (idb): they survive the service worker and the browser restarting.
// One record per recording; every change is a read-modify-write in one transaction.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Scenario } from '../../../schema/scenario.js';
import type { Recording, RecordingInfo } from '../shared/messages.js';

interface RecorderDB extends DBSchema {
  recordings: { key: string; value: Recording };
}

let db: Promise<IDBPDatabase<RecorderDB>> | null = null;
const open = (): Promise<IDBPDatabase<RecorderDB>> =>
  (db ??= openDB<RecorderDB>('turnout', 1, { upgrade: (d) => void d.createObjectStore('recordings', { keyPath: 'id' }) }));

const info = (r: Recording): RecordingInfo => ({ id: r.id, title: r.title, createdAt: r.createdAt, updatedAt: r.updatedAt, steps: r.scenario.steps.length });

export async function createRecording(scenario: Scenario): Promise<Recording> {
  const now = new Date().toISOString();
  const recording: Recording = { id: crypto.randomUUID(), title: scenario.title, createdAt: now, updatedAt: now, steps: scenario.steps.length, scenario };
  await (await open()).put('recordings', recording);
  return recording;
}

export async function getRecording(id: string): Promise<Recording | null> {
  return (await (await open()).get('recordings', id)) ?? null;
}

export async function listRecordings(): Promise<RecordingInfo[]> {
  const all = await (await open()).getAll('recordings');
  return all.map(info).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Changes a recording in one transaction; `change` may edit the recording in place. */
export async function updateRecording(id: string, change: (r: Recording) => void): Promise<Recording | null> {
  const tx = (await open()).transaction('recordings', 'readwrite');
  const recording = await tx.store.get(id);
  if (!recording) return null;
  change(recording);
  recording.title = recording.scenario.title;
  recording.steps = recording.scenario.steps.length;
  recording.updatedAt = new Date().toISOString();
  await tx.store.put(recording);
  await tx.done;
  return recording;
}

export async function deleteRecording(id: string): Promise<boolean> {
  const d = await open();
  if (!(await d.get('recordings', id))) return false;
  await d.delete('recordings', id);
  return true;
}

export { info as recordingInfo };
