// Reading submitted forms and turning refusals into per-field messages: values by name (trimmed), the Change
// every write takes (actor `ui:<key name>`, correlation id, the form's `reason`), and service issues sorted
// onto the fields of the form that was sent (the rest become a general message above the form).
//   const change = changeOf(c); try { … } catch (err) { const errors = fieldErrors(err, ['priority']) }

import type { Context } from 'hono';
import type { Change } from '../services/change.ts';
import { ServiceError } from '../services/errors.ts';
import type { UiEnv } from './env.ts';
import type { FieldErrors } from './render.tsx';

export function field(c: Context<UiEnv>, name: string): string {
  return (c.get('form')?.get(name) ?? '').trim();
}

/** The raw value (textareas keep their line breaks and spacing). */
export function rawField(c: Context<UiEnv>, name: string): string {
  return c.get('form')?.get(name) ?? '';
}

export function changeOf(c: Context<UiEnv>, extra: Partial<Change> = {}): Change {
  const reason = field(c, 'reason');
  return {
    actor: `ui:${c.get('principal').name}`,
    correlationId: c.get('correlationId'),
    reason: reason ? reason.slice(0, 1000) : undefined,
    ...extra,
  };
}

/** A revision from a hidden form field, or undefined. */
export function revisionField(c: Context<UiEnv>, name = 'revision'): number | undefined {
  const v = field(c, name);
  return /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}

/**
 * Issues of a refused write by form field: an issue whose path starts with one of `fields` goes beside it,
 * anything else under '' (shown above the form). Non-ServiceErrors are not refusals: rethrown.
 */
export function fieldErrors(err: unknown, fields: readonly string[]): FieldErrors {
  if (!(err instanceof ServiceError)) throw err;
  const out: FieldErrors = {};
  const add = (k: string, m: string) => (out[k] ??= []).push(m);
  for (const issue of err.issues ?? []) {
    const first = issue.path.split('.')[0];
    if (fields.includes(issue.path)) add(issue.path, issue.message);
    else if (fields.includes(first)) add(first, issue.message);
    else add('', issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  if (err.reason === 'revision_mismatch')
    add('', `${err.message}. Someone else changed it meanwhile: reload the page to see the current version.`);
  else if (Object.keys(out).length === 0) add('', err.message);
  return out;
}
