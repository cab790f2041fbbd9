// Messages between the content script, the popup and the service worker, typed as a request
// map per direction. Content scripts import types only from here.
import type { Selector, Scenario, Step } from '../../../schema/scenario.js';

/** Identity fields a typed value can stand for; the value itself never leaves the page. */
export type FieldKind =
  | 'email' | 'password' | 'firstName' | 'lastName' | 'fullName' | 'phone' | 'dateOfBirth'
  | 'username' | 'street' | 'city' | 'state' | 'postalCode' | 'company';

export type RecorderMode = 'record' | 'assert';

/** What the person did, as the content script saw it. */
export type CapturedAction =
  | { kind: 'click' | 'doubleClick'; selectors: Selector[]; frame: number[]; offsetX: number; offsetY: number; hover: Selector[] | null }
  | {
      kind: 'change';
      selectors: Selector[];
      frame: number[];
      value: string;
      field: FieldKind | null;
      scrub: string[];
      /** Hash of the whole identity value, so the same value typed again later maps to the same variable. */
      valueHash: string | null;
    }
  | { kind: 'keyDown' | 'keyUp'; key: string; frame: number[] }
  | { kind: 'scroll'; selectors: Selector[]; frame: number[]; x: number; y: number }
  | { kind: 'assert'; selectors: Selector[]; frame: number[]; text: string | null };

export interface RecorderState {
  recording: boolean;
  paused: boolean;
  mode: RecorderMode;
  recordingId: string | null;
  tabId: number | null;
  steps: number;
  /** An email step was inserted: the next typed navigation is the person opening its link. */
  awaitingEmailLink: boolean;
  /** Word hashes of the person's identity values: selectors mentioning them are dropped. */
  scrub: string[];
  /** Hashes of whole identity values typed so far → their field: typed again, the same variable. */
  typed: Record<string, FieldKind>;
}

/** The last page's end check, read from the recorded tab when recording stops. */
export interface EndCheck {
  selectors: Selector[];
  text: string;
}

export interface RecordingInfo {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  steps: number;
}

export interface Recording extends RecordingInfo {
  scenario: Scenario;
}

export interface EmailStepRequest {
  to?: string;
  subject?: string;
  /** Link text, URL substring or /regex/; `false` inserts no openEmailLink step. */
  link?: string | false;
  extract?: { pattern: string; as: string };
}

/** Requests to the service worker: name → [payload, reply]. */
export interface BackgroundRequests {
  'content:action': [CapturedAction, void];
  'content:hello': [null, RecorderState];
  'recorder:state': [null, RecorderState];
  'recorder:start': [{ tabId?: number }, RecorderState];
  'recorder:stop': [null, Scenario | null];
  'recorder:pause': [{ paused: boolean }, RecorderState];
  'recorder:mode': [{ mode: RecorderMode }, RecorderState];
  'recorder:insertEmail': [EmailStepRequest, RecorderState];
  'recordings:list': [null, RecordingInfo[]];
  'recordings:get': [{ id: string }, Recording | null];
  'recordings:rename': [{ id: string; title: string }, RecordingInfo | null];
  'recordings:delete': [{ id: string }, boolean];
  'recordings:deleteStep': [{ id: string; index: number }, Recording | null];
  'recordings:setValue': [{ id: string; index: number; value: string }, Recording | null];
  'recordings:export': [{ id: string; format: 'turnout' | 'chrome' }, string | null];
  'recordings:send': [{ id: string }, { ok: boolean; message: string }];
}

export type RequestName = keyof BackgroundRequests;
export interface Envelope<K extends RequestName = RequestName> {
  type: K;
  payload: BackgroundRequests[K][0];
}
export type Reply<K extends RequestName> = { ok: true; value: BackgroundRequests[K][1] } | { ok: false; error: string };

/** Messages the service worker sends to a recorded tab's content scripts. */
export interface ContentMessages {
  'state': RecorderState;
  'viewport?': null;
  'endCheck?': null;
}

export type StepList = Step[];

/** Sends a typed request to the service worker (from the popup, options or a content script). */
export async function ask<K extends RequestName>(type: K, payload: BackgroundRequests[K][0]): Promise<BackgroundRequests[K][1]> {
  const reply = (await chrome.runtime.sendMessage({ type, payload } satisfies Envelope<K>)) as Reply<K> | undefined;
  if (!reply) throw new Error(`no answer to ${type}`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
