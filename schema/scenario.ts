// The scenario format: Chrome DevTools Recorder JSON (a @puppeteer/replay UserFlow) as a subset,
// plus Turnout's email steps, step names and {{variables}}. This file holds types and nothing
// else; the parser, the engine and the JSON Schema in scenarios/ are all driven by it.
//
// Objects are "loose": fields Chrome adds in newer versions survive a round trip instead of
// being rejected or silently dropped.
import * as z from 'zod';

/** Longest timeout accepted anywhere in a scenario (Chrome exports can carry minutes). */
export const MAX_TIMEOUT_MS = 60 * 60 * 1000;

const timeout = z
  .number()
  .int()
  .positive()
  .max(MAX_TIMEOUT_MS)
  .describe('Milliseconds before this step fails (Chrome caps at 30 s; Turnout accepts up to an hour)');

/**
 * One way to find an element: a CSS string, or an array that descends through shadow roots
 * (each part is looked up inside the shadow root of the previous match). A part may carry a
 * prefix: `aria/Name`, `aria/Name[role="button"]`, `text/…`, `xpath/…`, `pierce/…`.
 */
export const Selector = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const FramePath = z
  .array(z.number().int().nonnegative())
  .describe('Child-frame index path from the main frame, e.g. [0, 1]');

export const AssertedEvent = z.looseObject({
  type: z.literal('navigation'),
  url: z.string().optional(),
  title: z.string().optional(),
});

const base = {
  timeout: timeout.optional(),
  target: z.string().optional().describe('"main", or the URL of the popup this step runs in'),
  frame: FramePath.optional(),
  assertedEvents: z.array(AssertedEvent).optional(),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, e.g. "confirm-email"')
    .optional()
    .describe('A short name for thresholds and reports'),
  title: z.string().optional().describe('What a person sees in reports for this step'),
  pauseMs: z
    .number()
    .int()
    .nonnegative()
    .max(600_000)
    .optional()
    .describe('How long the recording person paused before this step, in ms; replayed with --think recorded'),
};

const withSelectors = {
  ...base,
  selectors: z.array(Selector).describe('Alternatives, tried in order; the first that matches is used'),
};

const pointer = {
  ...withSelectors,
  offsetX: z.number().optional(),
  offsetY: z.number().optional(),
  button: z.enum(['primary', 'auxiliary', 'secondary', 'back', 'forward']).optional(),
  deviceType: z.enum(['mouse', 'pen', 'touch']).optional(),
  duration: z.number().nonnegative().optional(),
};

export const NavigateStep = z.looseObject({ ...base, type: z.literal('navigate'), url: z.string().min(1) });
export const ClickStep = z.looseObject({ ...pointer, type: z.literal('click') });
export const DoubleClickStep = z.looseObject({ ...pointer, type: z.literal('doubleClick') });
export const HoverStep = z.looseObject({ ...withSelectors, type: z.literal('hover') });
export const ChangeStep = z.looseObject({ ...withSelectors, type: z.literal('change'), value: z.string() });
export const KeyDownStep = z.looseObject({ ...base, type: z.literal('keyDown'), key: z.string().min(1) });
export const KeyUpStep = z.looseObject({ ...base, type: z.literal('keyUp'), key: z.string().min(1) });
export const ScrollStep = z.looseObject({
  ...base,
  type: z.literal('scroll'),
  selectors: z.array(Selector).optional(),
  x: z.number().optional(),
  y: z.number().optional(),
});
export const SetViewportStep = z.looseObject({
  ...base,
  type: z.literal('setViewport'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  deviceScaleFactor: z.number().positive().optional(),
  isMobile: z.boolean().optional(),
  hasTouch: z.boolean().optional(),
  isLandscape: z.boolean().optional(),
});
export const WaitForElementStep = z.looseObject({
  ...withSelectors,
  type: z.literal('waitForElement'),
  operator: z.enum(['>=', '==', '<=']).optional(),
  count: z.number().int().nonnegative().optional(),
  visible: z.boolean().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});
export const WaitForExpressionStep = z.looseObject({
  ...base,
  type: z.literal('waitForExpression'),
  expression: z.string().min(1),
});
export const CloseStep = z.looseObject({ ...base, type: z.literal('close') });
export const CustomStep = z.looseObject({
  ...base,
  type: z.literal('customStep'),
  name: z.string().min(1),
  parameters: z.unknown().optional(),
});
export const EmulateNetworkConditionsStep = z.looseObject({
  ...base,
  type: z.literal('emulateNetworkConditions'),
  download: z.number(),
  upload: z.number(),
  latency: z.number().nonnegative(),
});

// Turnout's own steps: the email half of an enrollment.
export const WaitForEmailStep = z.looseObject({
  ...base,
  type: z.literal('waitForEmail'),
  to: z.string().min(1).describe('Recipient, usually "{{user.email}}"'),
  subject: z.string().optional().describe('Substring of the subject (case-insensitive), or /regex/flags'),
});
export const OpenEmailLinkStep = z.looseObject({
  ...base,
  type: z.literal('openEmailLink'),
  link: z
    .string()
    .optional()
    .describe('Link text, URL substring or /regex/ of a link in the last matched email; first link when absent'),
});
export const ExtractFromEmailStep = z.looseObject({
  ...base,
  type: z.literal('extractFromEmail'),
  pattern: z.string().min(1).describe('Regular expression with one capture group'),
  as: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name such as "code"'),
});

export const Step = z.discriminatedUnion('type', [
  NavigateStep,
  ClickStep,
  DoubleClickStep,
  HoverStep,
  ChangeStep,
  KeyDownStep,
  KeyUpStep,
  ScrollStep,
  SetViewportStep,
  WaitForElementStep,
  WaitForExpressionStep,
  CloseStep,
  CustomStep,
  EmulateNetworkConditionsStep,
  WaitForEmailStep,
  OpenEmailLinkStep,
  ExtractFromEmailStep,
]);

export const STEP_TYPES = Step.options.map((o) => o.shape.type.value);

export const Scenario = z.looseObject({
  $schema: z.string().optional(),
  title: z.string().min(1),
  timeout: timeout.optional(),
  selectorAttribute: z.string().optional(),
  steps: z.array(Step).min(1, 'a scenario needs at least one step'),
  thresholds: z
    .array(z.string().min(1))
    .optional()
    .describe('Conditions a run must meet, e.g. "pass_rate>=0.99" or "step[confirm-email].p95<5s"'),
});

export type Selector = z.infer<typeof Selector>;
export type Step = z.infer<typeof Step>;
export type StepType = Step['type'];
export type Scenario = z.infer<typeof Scenario>;
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

/** Identity fields a scenario can use as {{user.NAME}}. */
export const USER_FIELDS = [
  'email',
  'password',
  'firstName',
  'lastName',
  'fullName',
  'phone',
  'dateOfBirth',
  'index',
  'username',
  'street',
  'city',
  'state',
  'postalCode',
  'company',
  'unique',
] as const;
export type UserField = (typeof USER_FIELDS)[number];

/** Matches one {{variable}} reference; group 1 is the name. */
export const VARIABLE_PATTERN = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;
