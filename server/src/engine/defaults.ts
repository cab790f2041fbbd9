// Defaults a person sees in `turnout --help`, in a module that loads nothing else.
export const DEFAULT_STEP_TIMEOUT_MS = 15_000;
export const DEFAULT_EMAIL_TIMEOUT_MS = 60_000;
export const DEFAULT_PERSON_DEADLINE_MS = 5 * 60_000;
export const DEFAULT_MAIL_DOMAIN = 'inbox.turnout.test';
export const DEFAULT_SMTP_PORT = 2525;
export const DEFAULT_SCREENSHOT_CAP = 200;
