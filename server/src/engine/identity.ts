// Synthetic people: deterministic per (run seed, person index, attempt), unique email per run.
import { createHash } from 'node:crypto';
// English names only: the one-locale entry point loads in a quarter of the time of the package
// root (which brings every locale), and draws exactly what `new Faker({ locale: [en] })` drew.
import { faker } from '@faker-js/faker/locale/en';
import type { UserField } from '../../../schema/index.js';

export type Identity = Record<UserField, string>;

// Ages are counted from a fixed day so that a seed gives the same person on any day.
const BIRTH_REFERENCE_DATE = new Date('2026-01-01T00:00:00Z');

function seedOf(seed: string, index: number, attempt: number): number {
  return createHash('sha256').update(`${seed}\0${index}${attempt ? `\0${attempt}` : ''}`).digest().readUInt32LE(0);
}

/** Lower-case ASCII letters only, so names make valid, readable mailbox parts. */
function mailboxPart(name: string): string {
  return name.normalize('NFKD').toLowerCase().replace(/[^a-z]/g, '') || 'user';
}

/** Longest username many sites accept; ours is 6–20 lower-case letters and digits. */
const USERNAME_MAX_LENGTH = 20;

/**
 * A username unique per person and run, readable as the person's: their first name and last
 * initial, then the index and the run tag (the same two parts that make the email unique).
 */
function usernameOf(firstName: string, lastName: string, suffix: string): string {
  const name = `${mailboxPart(firstName)}${mailboxPart(lastName).slice(0, 1)}`;
  return `${name.slice(0, Math.max(1, USERNAME_MAX_LENGTH - suffix.length))}${suffix}`.slice(0, USERNAME_MAX_LENGTH).padEnd(6, '0');
}

/**
 * The person with this index in a run. The email is unique per run (the run tag) and per
 * person (the index), at the sink's domain, so every inbox belongs to exactly one person.
 * `attempt` counts the times this person was started before (on a farm, a worker lost
 * mid-flow): a new attempt is a new person to the site, with their own name, username, email
 * and password, since the first may already have signed up.
 */
export function makeIdentity(seed: string, index: number, runTag: string, mailDomain: string, attempt = 0): Identity {
  // Faker is synchronous: seeding then drawing in one go is deterministic even when shared.
  faker.seed(seedOf(seed, index, attempt));
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const birth = faker.date.birthdate({ mode: 'age', min: 19, max: 64, refDate: BIRTH_REFERENCE_DATE });
  const password = `${faker.string.alphanumeric({ length: 10, casing: 'mixed' })}-${faker.string.numeric(2)}aZ!`;
  const phone = faker.string.numeric({ length: 1, exclude: ['0', '1'] }) + faker.string.numeric(9);
  // Drawn after the fields above, so a seed still gives the same name, password and phone.
  const state = faker.location.state({ abbreviated: true });
  const nth = `${index}${attempt ? `r${attempt}` : ''}`;
  const personTag = `${nth}${runTag.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  return {
    index: String(index),
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`,
    email: `${mailboxPart(firstName)}.${mailboxPart(lastName)}.${nth}.${runTag}@${mailDomain}`,
    password,
    phone,
    dateOfBirth: birth.toISOString().slice(0, 10),
    username: usernameOf(firstName, lastName, personTag),
    street: faker.location.streetAddress(),
    city: faker.location.city(),
    state,
    postalCode: faker.location.zipCode('#####'),
    company: faker.company.name(),
    unique: `t${personTag}`,
  };
}
