// The service worker: routes typed messages, turns the recorded tab's navigations into steps,
// and exposes `globalThis.turnout` for automated tests (the same calls the popup makes).
// It may be stopped at any moment (MV3): every piece of state is in storage, not here.
import { parseScenario } from '../../../schema/parse.js';
import type { Scenario } from '../../../schema/scenario.js';
import type { BackgroundRequests, EmailStepRequest, EndCheck, Envelope, RequestName, RecorderState } from '../shared/messages.js';
import { exportScenario } from './export.js';
import * as recorder from './recorder.js';
import { deleteRecording, getRecording, listRecordings, recordingInfo, updateRecording } from './store.js';

type Handler<K extends RequestName> = (payload: BackgroundRequests[K][0], sender: chrome.runtime.MessageSender) => Promise<BackgroundRequests[K][1]>;

const isWebPage = (tab: chrome.tabs.Tab): boolean => /^https?:/.test(tab.url ?? '');

/**
 * The tab "this tab" means: the active one, or — when the popup itself is open as a tab (pinned,
 * or opened from the options) — the web page the person used last.
 */
async function activeTabId(): Promise<number> {
  const [active] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  if (active?.id !== undefined && isWebPage(active)) return active.id;
  const pages = (await chrome.tabs.query({})).filter(isWebPage).sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  const tab = pages[0] ?? active;
  if (tab?.id === undefined) throw new Error('no tab to record: open the site first');
  return tab.id;
}

async function startRecording(tabId?: number): Promise<RecorderState> {
  const id = tabId ?? (await activeTabId());
  const page = (await chrome.tabs.sendMessage(id, { type: 'viewport?', payload: null })) as { url: string; title: string; width: number; height: number } | undefined;
  if (!page) throw new Error('this tab cannot be recorded (open an http or https page)');
  return recorder.start(id, page);
}

async function stopRecording(): Promise<Scenario | null> {
  const { tabId, recording } = await recorder.readState();
  if (recording && tabId !== null) {
    // The last page's heading becomes the end check; a tab that cannot answer (closed, not a web page) adds none.
    const check = (await chrome.tabs.sendMessage(tabId, { type: 'endCheck?', payload: null }, { frameId: 0 }).catch(() => null)) as EndCheck | null;
    await recorder.addEndCheck(check);
  }
  const id = await recorder.stop();
  return id ? ((await getRecording(id))?.scenario ?? null) : null;
}

async function sendToServer(id: string): Promise<{ ok: boolean; message: string }> {
  const recording = await getRecording(id);
  if (!recording) return { ok: false, message: 'no such recording' };
  const { serverUrl, token } = (await chrome.storage.local.get(['serverUrl', 'token'])) as { serverUrl?: string; token?: string };
  if (!serverUrl) return { ok: false, message: 'set the Turnout server URL in the options first' };
  const origin = new URL(serverUrl).origin;
  if (!(await chrome.permissions.contains({ origins: [`${origin}/*`] }))) return { ok: false, message: `allow access to ${origin} in the options first` };
  const response = await fetch(`${origin}/api/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(recording.scenario),
  });
  const body = (await response.json().catch(() => ({}))) as { id?: string; error?: string };
  return response.ok ? { ok: true, message: `saved on the server as ${body.id}` } : { ok: false, message: body.error ?? `server answered ${response.status}` };
}

const handlers: { [K in RequestName]: Handler<K> } = {
  'content:action': async (action, sender) => {
    const state = await recorder.readState();
    // Only the tab being recorded speaks; every other tab's content script stays idle.
    if (sender.tab?.id === state.tabId) await recorder.addAction(action);
  },
  'content:hello': async (_p, sender) => {
    const state = await recorder.publicState();
    return sender.tab?.id === state.tabId ? state : { ...state, recording: false };
  },
  'recorder:state': () => recorder.publicState(),
  'recorder:start': ({ tabId }) => startRecording(tabId),
  'recorder:stop': () => stopRecording(),
  'recorder:pause': ({ paused }) => recorder.setPaused(paused),
  'recorder:mode': ({ mode }) => recorder.setMode(mode),
  'recorder:insertEmail': (request) => recorder.insertEmail(request),
  'recordings:list': () => listRecordings(),
  'recordings:get': ({ id }) => getRecording(id),
  'recordings:rename': async ({ id, title }) => {
    const r = await updateRecording(id, (rec) => void (rec.scenario.title = title.trim() || rec.scenario.title));
    return r ? recordingInfo(r) : null;
  },
  'recordings:delete': ({ id }) => deleteRecording(id),
  'recordings:deleteStep': ({ id, index }) => updateRecording(id, (r) => void r.scenario.steps.splice(index, 1)),
  'recordings:setValue': ({ id, index, value }) =>
    updateRecording(id, (r) => {
      const step = r.scenario.steps[index];
      if (step?.type === 'change') step.value = value;
    }),
  'recordings:export': async ({ id, format }) => {
    const r = await getRecording(id);
    return r ? exportScenario(parseScenario(r.scenario), format) : null;
  },
  'recordings:send': ({ id }) => sendToServer(id),
};

/** The popup or options page (also when opened in a tab), as opposed to a content script. */
const fromExtensionPage = (sender: chrome.runtime.MessageSender): boolean =>
  sender.id === chrome.runtime.id && Boolean(sender.url?.startsWith(chrome.runtime.getURL('')));

chrome.runtime.onMessage.addListener((message: Envelope, sender, reply) => {
  const handler = handlers[message?.type] as Handler<RequestName> | undefined;
  // Content scripts may only report what the person did; managing recordings is for the
  // extension's own pages. Web pages cannot reach us at all (no externally_connectable).
  const allowed = sender.id === chrome.runtime.id && (message?.type.startsWith('content:') || fromExtensionPage(sender));
  if (!handler || !allowed) {
    reply({ ok: false, error: `refused message ${String(message?.type)}` });
    return false;
  }
  handler(message.payload, sender).then(
    (value) => reply({ ok: true, value }),
    (error: Error) => reply({ ok: false, error: error.message }),
  );
  return true; // the reply comes asynchronously
});

const TYPED = new Set(['typed', 'auto_bookmark', 'generated', 'keyword', 'start_page']);

chrome.webNavigation.onCommitted.addListener((d) => {
  if (d.frameId !== 0 || d.transitionType === 'reload') return;
  void recorder.readState().then((s) => {
    if (!s.recording || s.tabId !== d.tabId) return;
    const typed = TYPED.has(d.transitionType) || d.transitionQualifiers.includes('from_address_bar');
    return recorder.addNavigation(d.url, typed);
  });
});
chrome.webNavigation.onCompleted.addListener((d) => {
  if (d.frameId !== 0) return;
  void recorder.readState().then(async (s) => {
    if (!s.recording || s.tabId !== d.tabId) return;
    const tab = await chrome.tabs.get(d.tabId).catch(() => null);
    return recorder.addLandingTitle(d.url, tab?.title ?? '');
  });
});
chrome.webNavigation.onHistoryStateUpdated.addListener((d) => {
  if (d.frameId !== 0) return;
  void recorder.readState().then((s) => (s.recording && s.tabId === d.tabId ? recorder.addNavigation(d.url, false) : undefined));
});
// A content script that loads after the recording started (a new page) asks for the state itself.
chrome.tabs.onRemoved.addListener((tabId) => {
  void recorder.readState().then((s) => (s.recording && s.tabId === tabId ? recorder.stop() : undefined));
});

/** For automated tests: what the popup does, callable from `serviceWorker.evaluate`. */
Object.assign(globalThis, {
  turnout: {
    startRecording,
    stopRecording,
    listRecordings,
    getRecording: async (id: string) => (await getRecording(id))?.scenario ?? null,
    insertEmailStep: (request: EmailStepRequest = {}) => recorder.insertEmail(request),
    setMode: (mode: 'record' | 'assert') => recorder.setMode(mode),
    exportRecording: async (id: string, format: 'turnout' | 'chrome' = 'turnout') => handlers['recordings:export']({ id, format }, {}),
  },
});
