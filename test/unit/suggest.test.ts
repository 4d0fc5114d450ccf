/** "Did you mean": edit distance, closest candidate, unknown-command lines, and oclif parse errors in gcloud's words. */
import {parseErrorMessage} from '../../src/lib/cli/parse-errors.js';
import {closest, editDistance, suggestCommand, unknownCommandMessage} from '../../src/lib/cli/suggest.js';

const IDS = ['auth:list', 'auth:login', 'auth:revoke', 'config:set', 'config:configurations:activate', 'projects:get-iam-policy'];
const TOPICS = ['auth', 'config', 'config:configurations', 'projects'];

describe('editDistance and closest', () => {
  test.each([
    ['auth', 'auth', 0],
    ['atuh', 'auth', 1],
    ['lst', 'list', 1],
    ['formt', 'format', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %d edits', (a, b, d) => expect(editDistance(a, b)).toBe(d));

  test('takes a close candidate, a prefix, and nothing far away', () => {
    expect(closest('formt', ['project', 'format', 'quiet'])).toBe('format');
    expect(closest('form', ['project', 'format'])).toBe('format');
    expect(closest('zzzzzz', ['project', 'format'])).toBeUndefined();
    expect(closest('x', ['project', 'format'])).toBeUndefined();
  });
});

describe('suggestCommand and unknownCommandMessage', () => {
  test('replaces the first unknown word by its closest sibling and keeps the rest when that is a command', () => {
    expect(suggestCommand(['atuh', 'list'], IDS, TOPICS)).toEqual({unknown: 'atuh', suggestion: 'auth list'});
    expect(suggestCommand(['atuh', 'nope'], IDS, TOPICS)).toEqual({unknown: 'atuh', suggestion: 'auth'});
    expect(suggestCommand(['config', 'configurations', 'activte'], IDS, TOPICS)).toEqual({unknown: 'activte', suggestion: 'config configurations activate'});
    expect(suggestCommand(['nope'], IDS, TOPICS)).toEqual({unknown: 'nope'});
  });

  test('words after a whole command are unrecognized arguments; else an invalid choice naming the help to read', () => {
    expect(unknownCommandMessage(['auth', 'list', 'x', 'y'], IDS, TOPICS, 'gcauth')).toBe('unrecognized arguments: x y');
    expect(unknownCommandMessage(['auth', 'frob'], IDS, TOPICS, 'gcauth')).toBe("Invalid choice: 'frob'. See: gcauth help auth");
    expect(unknownCommandMessage(['atuh'], IDS, TOPICS, 'gcauth', 'help ')).toBe("Invalid choice: 'atuh'. Maybe you meant: gcauth help auth");
  });
});

describe('parseErrorMessage', () => {
  // Stand-ins with oclif's class names and fields; the integration tests run the real ones.
  const oclifError = (name: string, message: string, fields: Record<string, unknown> = {}) => {
    const C = {[name]: class extends Error {}}[name]!;
    return Object.assign(new C(`${message}\nSee more help with --help`), {oclif: {exit: 2}}, fields);
  };

  test.each([
    [oclifError('RequiredArgsError', 'Missing 2 required args:\nproperty  x\nvalue  y', {args: [{name: 'property'}, {name: 'value'}]}), 'argument PROPERTY VALUE: Must be specified.'],
    [oclifError('FailedFlagValidationError', 'The following error occurred:\n  \u001b[2mMissing required flag iam-account\u001b[22m'), 'argument --iam-account: Must be specified.'],
    [oclifError('NonExistentFlagsError', 'Nonexistent flag: --formt=json', {flags: ['--formt=json']}), "unrecognized arguments: --formt=json (did you mean '--format'?)"],
    [oclifError('NonExistentFlagsError', 'Nonexistent flag: --zzzzzz', {flags: ['--zzzzzz']}), 'unrecognized arguments: --zzzzzz'],
    [oclifError('UnexpectedArgsError', 'Unexpected argument: x', {args: ['x']}), 'unrecognized arguments: x'],
    [oclifError('FlagInvalidOptionError', 'Expected --verbosity=loud to be one of: debug, info'), "argument --verbosity: Invalid choice: 'loud'. Valid choices are [debug, info]."],
  ])('%#: %s', (error, message) => expect(parseErrorMessage(error, ['format', 'project', 'quiet'])).toBe(message));

  test('anything but an oclif parse error is left alone', () => {
    expect(parseErrorMessage(new Error('boom'), [])).toBeUndefined();
  });
});
