// A run's plan: built once from the scenario and the run's options, the same for a run on this
// machine and on the farm, where it travels through Redis to the workers. Every person's own plan
// is derived from it. Also the farm's job and its result, parsed wherever they arrive.
import * as z from 'zod';
import { Scenario } from './scenario.js';
import { NetworkCohort, PersonResult, Think } from './summary.js';

export const RunPlan = z.strictObject({
  runId: z.string().regex(/^[\w-]{1,100}$/),
  /** Part of every synthetic email and username: unique per run. */
  runTag: z.string().regex(/^[\w-]{1,20}$/),
  scenario: Scenario,
  /** Same seed, same people. */
  seed: z.string().max(200),
  mailDomain: z.string().min(1).max(253),
  stepTimeoutMs: z.number().int().positive(),
  emailTimeoutMs: z.number().int().positive(),
  personDeadlineMs: z.number().int().positive(),
  baseUrl: z.string().max(2000).nullable(),
  allowOrigins: z.array(z.string().max(2000)).max(100),
  /** Most failure screenshots the run keeps. */
  screenshotCap: z.number().int().nonnegative(),
  /** People in all (users × iterations). */
  total: z.number().int().positive(),
  /** Person k (from 0) starts k × this many ms after the run: the ramp-up. */
  rampStepMs: z.number().nonnegative(),
  /** Pauses before steps: none, the recorded `pauseMs`, or a fixed time (ms); times `thinkScale`. */
  think: Think.optional(),
  thinkScale: z.number().nonnegative().max(100).optional(),
  /** Network cohorts: person k's profile follows from these shares and `total` (see engine/network.ts). */
  network: z.array(NetworkCohort).min(1).max(10).optional(),
  /** False: measure no Web Vitals (absent: measure them). */
  vitals: z.boolean().optional(),
  /**
   * An open model on the farm: a person whose job a worker takes this many ms after it was due
   * found every worker busy when they arrived, and is dropped (never run, never failed).
   */
  dropLateMs: z.number().int().positive().optional(),
});
export type RunPlan = z.infer<typeof RunPlan>;

/** One synthetic person of one run: a BullMQ job. */
export const PersonJob = z.strictObject({ runId: RunPlan.shape.runId, user: z.number().int().positive() });
export type PersonJob = z.infer<typeof PersonJob>;

/** A PNG of at most this many bytes, base64, comes back with a person's result. */
export const MAX_SCREENSHOT_BYTES = 8 * 1024 * 1024;

/** A job's value: the person's result and their failure screenshot (PNG, base64), if any. */
export const PersonJobResult = z.strictObject({
  person: PersonResult,
  screenshotPng: z.base64().max(Math.ceil(MAX_SCREENSHOT_BYTES / 3) * 4).nullable(),
});
export type PersonJobResult = z.infer<typeof PersonJobResult>;

/**
 * A job's value in an open model when the person arrived while every worker was busy: dropped
 * unrun; `droppedLateMs` is how late a worker took them.
 */
export const PersonJobDropped = z.strictObject({ droppedLateMs: z.number().nonnegative() });
export type PersonJobDropped = z.infer<typeof PersonJobDropped>;
