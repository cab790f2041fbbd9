// The house rule for switches over a union: end in `default: return assertNever(x)`, so a new
// member fails to compile everywhere it must be handled. Used by server, extension and dashboard.
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what} ${JSON.stringify(value)}`);
}
