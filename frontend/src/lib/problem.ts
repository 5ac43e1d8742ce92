import type { components } from '../api/schema';

export type Problem = components['schemas']['Problem'];

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    'title' in value &&
    typeof (value as { title: unknown }).title === 'string'
  );
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  readonly response: Response | null;

  constructor(status: number, problem: Problem | null, response: Response | null = null) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.response = response;
  }

  get title(): string {
    return this.problem?.title ?? describeStatus(this.status);
  }
}

function describeStatus(status: number): string {
  if (status === 0) return 'The server could not be reached';
  if (status >= 500) return 'Something went wrong on the server';
  if (status === 403) return 'You do not have access to this';
  if (status === 404) return 'Not found';
  return 'The request was refused';
}

/** Title and detail for any error, in words for the screen. */
export function describeError(error: unknown): { title: string; detail: string | null } {
  if (error instanceof ApiError) {
    const detail = error.problem?.detail ?? null;
    return { title: error.title, detail: detail === error.title ? null : detail };
  }
  if (error instanceof TypeError) {
    return { title: 'The server could not be reached', detail: 'Check the connection and try again.' };
  }
  return { title: 'Something went wrong', detail: error instanceof Error ? error.message : null };
}

/**
 * Validation errors mapped onto the form's fields: `loc` is like `["body", "contacts", 0, "phone"]`;
 * the form names its fields by the path after `body`, joined with dots (`contacts.0.phone`).
 * Issues that name no known field are returned under `''` for a message above the form.
 */
export function fieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !error.problem?.errors) return out;
  const known = new Set(fields);
  for (const issue of error.problem.errors) {
    const path = issue.loc[0] === 'body' ? issue.loc.slice(1) : issue.loc.slice(0);
    let key = '';
    // The longest prefix of the path that is a field of the form takes the message.
    for (let n = path.length; n > 0; n -= 1) {
      const candidate = path.slice(0, n).join('.');
      if (known.has(candidate)) {
        key = candidate;
        break;
      }
    }
    const message = humanize(issue.msg);
    out[key] = out[key] ? `${out[key]} ${message}` : message;
  }
  return out;
}

function humanize(message: string): string {
  const text = message.replace(/^Value error, /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
