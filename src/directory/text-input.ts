import { validationError, spaced } from '../http/errors.js';
import { pascalCase } from '../model/members.js';

const MAX_ID = 128;
const MAX_PASSWORD = 1024;
const MAX_TEXT = 1000;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/;

/** Printable text of bounded length: PostgreSQL refuses NUL, and a name of megabytes is no name. */
export function textProblem(value: string, max: number): string | undefined {
  if (value.length > max) return `must be ${max} characters or fewer. You entered ${value.length} characters.`;
  if (CONTROL.test(value) || LONE_SURROGATE.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) return 'must not contain control characters.';
  return undefined;
}

/**
 * Checks every text member of a bound request (and every item of a text list) before a store sees
 * it: ids up to 128 characters, passwords up to 1024, other text up to 1000; no control characters.
 */
export function assertTextInput(input: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(input)) {
    const max = /Ids?$/.test(key) ? MAX_ID : key === 'password' ? MAX_PASSWORD : MAX_TEXT;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') assertText(pascalCase(key), item, max);
    }
  }
}

/** One text member: a 400 naming it (`MaximumLength` or `Predicate`) when `textProblem` finds one. */
export function assertText(name: string, value: string, max: number): void {
  const problem = textProblem(value, max);
  if (problem) throw validationError(name, /characters or fewer/.test(problem) ? 'MaximumLength' : 'Predicate', `'${spaced(name)}' ${problem}`);
}
