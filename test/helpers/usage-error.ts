import {UsageError} from '../../src/lib/errors.js';

function messageOf(error: unknown): string {
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as UsageError).message;
  expect(message).not.toContain('\n');
  return message;
}

const none = () => {
  throw new Error('expected a UsageError, got none');
};

/** Runs `check`, expects it to throw (or, async, reject with) a one-line UsageError, and returns its message. */
export function usageMessage(check: () => Promise<unknown>): Promise<string>;
export function usageMessage(check: () => unknown): string;
export function usageMessage(check: () => unknown): string | Promise<string> {
  let result: unknown;
  try {
    result = check();
  } catch (error) {
    return messageOf(error);
  }
  if (result instanceof Promise) return result.then(none, messageOf);
  return none();
}
