import {createPrompter} from '../../src/lib/prompter.js';
import {UsageError} from '../../src/lib/errors.js';

test('input without a terminal (or with --quiet) names the way to answer instead of asking', async () => {
  const prompter = createPrompter({canPrompt: () => false});
  await expect(prompter.input('Paste the code:', {flag: '--no-launch-browser with the answer on standard input'})).rejects.toThrow(
    new UsageError('Paste the code: Cannot ask without a terminal (or with --quiet): pass --no-launch-browser with the answer on standard input.'),
  );
});
